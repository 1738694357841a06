/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-kernel suites. Each suite runs on every CPU at once:
 *   setup    boot CPU, before the others start (map what is shared)
 *   run      every CPU (its dense id as @cpu), between two barriers
 *   teardown boot CPU, after every run returned (unmap what remains)
 * After teardown the runner waits for every deferred free and checks that
 * uk_vas_validate passes and that the frame allocator is back where it
 * was before setup (frames and table pages balance).
 */
#ifndef KSUITE_H
#define KSUITE_H

#include "lib/errno.h"
#include <stdatomic.h>
#include "kvas.h"

/* Table pages of the VAS (nr_tables is _Atomic: clang refuses the
 * __atomic_* builtins on it). */
static inline long ksuite_nr_tables(void)
{
	return atomic_load_explicit(&kpt.nr_tables, memory_order_relaxed);
}

struct ksuite {
	const char *name;
	void (*setup)(void);
	void (*run)(unsigned int cpu);
	void (*teardown)(void);
};

extern const struct ksuite ksuite_demand, ksuite_race, ksuite_huge,
	ksuite_tlb, ksuite_churn, ksuite_guard;

/* Record a failed check (printing the first few of each suite). */
void kcheck_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define KCHECK(cond, ...)                                                      \
	do {                                                                   \
		if (!(cond))                                                   \
			kcheck_fail(__FILE__, __LINE__, __VA_ARGS__);          \
	} while (0)

/* Per-CPU pseudo-random numbers (xorshift64*). */
static inline uint64_t krand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Size the loops: rounds are scaled down when many CPUs share the host's
 * few cores, so that a boot stays around a second. */
unsigned int ksuite_rounds(unsigned int base);

/* Map anonymous memory or panic (setup steps that cannot fail). */
__vaddr_t ksuite_map_anon(__sz len, unsigned long attr, unsigned long flags,
			  const char *name);
/* The value a CPU writes into page @page in round @round. */
static inline uint64_t ktag(unsigned int cpu, unsigned long page,
			    unsigned long round)
{
	return 0x5a00000000000000ULL | ((uint64_t)cpu << 48) |
	       ((uint64_t)round << 20) | page;
}

#endif /* KSUITE_H */
