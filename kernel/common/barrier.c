/* SPDX-License-Identifier: BSD-3-Clause */
/* A sense-reversing barrier for all online CPUs; waiters halt. */
#include "kernel.h"

static struct {
	unsigned int count;
	unsigned int sense;
	struct kwaitq q;
} bar;

struct bar_wait {
	unsigned int sense;
};

static bool released(void *arg)
{
	const struct bar_wait *w = arg;

	return __atomic_load_n(&bar.sense, __ATOMIC_ACQUIRE) == w->sense;
}

void kbarrier(void)
{
	struct bar_wait w = {
		.sense = !__atomic_load_n(&bar.sense, __ATOMIC_RELAXED)};

	/* The last to arrive resets the count, then flips the sense
	 * (release: the count is 0 before anyone passes). */
	if (__atomic_add_fetch(&bar.count, 1, __ATOMIC_ACQ_REL) == kncpus) {
		__atomic_store_n(&bar.count, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&bar.sense, w.sense, __ATOMIC_RELEASE);
		kwake(&bar.q);
		return;
	}
	kwait_until(&bar.q, released, &w);
}
