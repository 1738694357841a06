/* SPDX-License-Identifier: BSD-3-Clause */
/* The suite runner (see ksuite.h) and the checks' bookkeeping. */
#include <stdarg.h>
#include "ksuite.h"

#ifndef KERNEL_NO_SHOOTDOWN
static const struct ksuite *const suites[] = {
	&ksuite_demand, &ksuite_race, &ksuite_huge,
	&ksuite_guard, &ksuite_tlb, &ksuite_churn,
};
#else
/* The negative control runs the stale-TLB suite alone: with stale entries
 * left behind, the other suites could corrupt freed frames at random. */
static const struct ksuite *const suites[] = {&ksuite_tlb};
#endif

#define PRINT_MAX 8

static unsigned int failures;       /* all suites */
static unsigned int suite_failures; /* the current one */

void kcheck_fail(const char *file, int line, const char *fmt, ...)
{
	unsigned int n = __atomic_fetch_add(&suite_failures, 1, __ATOMIC_RELAXED);
	char msg[200];
	va_list ap;

	__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	if (n >= PRINT_MAX)
		return;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("  check failed (cpu %u, %s:%d): %s\n", karch_cpu_id(), file,
		line, msg);
}

unsigned int ksuite_rounds(unsigned int base)
{
	unsigned int r = base * 4 / (kncpus < 4 ? 4 : kncpus);

	return r ? r : 1;
}

__vaddr_t ksuite_map_anon(__sz len, unsigned long attr, unsigned long flags,
			  const char *name)
{
	__vaddr_t va = __VADDR_ANY;
	int rc = uk_vma_map_anon(&kvas, &va, len, attr, flags, name);

	if (rc)
		kpanic("map %s (%lu bytes): %d", name, (unsigned long)len, rc);
	return va;
}

static __sz data0;

/* Everything deferred has run (frames in the per-CPU caches count as
 * free, so there is nothing else to wait for). */
static void settle(void)
{
	uk_rcu_barrier();
}

/* Frames in use other than page-table pages: the library keeps empty
 * tables of partly unmapped spans (and frees some when a large page takes
 * their place), so only the leaf frames must return to where they were. */
static __sz data_frames(void)
{
	long tables = ksuite_nr_tables();

	return uk_falloc_used(kfa) - (__sz)tables * PAGE_SIZE;
}

static void check_balance(const char *name)
{
	char err[128];
	__sz used;

	settle();
	KCHECK(uk_vas_validate(&kvas, err, sizeof(err)) == 0,
	       "%s: uk_vas_validate: %s", name, err);
	used = data_frames();
	KCHECK(used == data0, "%s: %lu KiB of frames besides tables, before %lu",
	       name, (unsigned long)(used >> 10), (unsigned long)(data0 >> 10));
	KCHECK(uk_falloc_validate(kfa) == 0, "%s: uk_falloc_validate", name);
	KCHECK(uk_rcu_pending() == 0, "%s: %ld RCU callbacks pending", name,
	       uk_rcu_pending());
}

unsigned int ksuites_run(void)
{
	unsigned int cpu = karch_cpu_id();

	for (unsigned int i = 0; i < KARRAY_SIZE(suites); i++) {
		const struct ksuite *s = suites[i];

		if (cpu == 0) {
			settle();
			data0 = data_frames();
			suite_failures = 0;
			if (s->setup)
				s->setup();
		}
		kbarrier();
		s->run(cpu);
		kbarrier();
		if (cpu == 0) {
			if (s->teardown)
				s->teardown();
			check_balance(s->name);
			kprintf("suite %-8s %s on %u CPUs\n", s->name,
				suite_failures ? "FAIL" : "ok", kncpus);
		}
		kbarrier();
	}
	return failures;
}
