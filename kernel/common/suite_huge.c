/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 2 MiB pages: a VMA of 2 MiB pages that every CPU faults at once, each
 * at its own 4 KiB sub-page of every large page. One 2 MiB frame per page
 * must win (one leaf of level 1, 512 frames each), and every CPU sees
 * every other CPU's words through it.
 */
#include <uk/pagetable.h>
#include "ksuite.h"

#define LPAGES 3

static __vaddr_t base;
static __sz used_before;
static long tables_before;

static void setup(void)
{
	used_before = uk_falloc_used(kfa);
	tables_before = ksuite_nr_tables();
	base = ksuite_map_anon(LPAGES * PAGE_LARGE_SIZE, PAGE_ATTR_PROT_RW,
			       UK_VMA_MAP_SIZE_2MB, "huge");
	KCHECK(PAGE_Lx_ALIGNED(base, PAGE_LARGE_LEVEL),
	       "2 MiB VMA at %lx", (unsigned long)base);
}

static __vaddr_t word(unsigned long lp, unsigned int cpu)
{
	return base + lp * PAGE_LARGE_SIZE + (cpu * 37 % 512) * PAGE_SIZE +
	       cpu * 8;
}

static void check_leaves(void)
{
	long tables;
	__sz grown;

	for (unsigned long lp = 0; lp < LPAGES; lp++) {
		unsigned int level = 99;
		__pte_t pte;
		int rc;

		uk_rcu_read_lock();
		rc = ukplat_pt_lookup(&kpt, base + lp * PAGE_LARGE_SIZE, &level,
				    &pte);
		uk_rcu_read_unlock();
		KCHECK(rc == 0 && level == PAGE_LARGE_LEVEL,
		       "large page %lu: walk %d level %u", lp, rc, level);
	}
	uk_rcu_barrier(); /* tables a large page replaced are freed */
	grown = uk_falloc_used(kfa) - used_before;
	tables = ksuite_nr_tables() -
		 tables_before;
	KCHECK(grown == (LPAGES * 512 + (unsigned long)tables) * PAGE_SIZE,
	       "%lu frames for %d large pages and %ld tables",
	       (unsigned long)(grown / PAGE_SIZE), LPAGES, tables);
}

static void run(unsigned int cpu)
{
	uint64_t v;
	int rc;

	for (unsigned long lp = 0; lp < LPAGES; lp++) {
		rc = karch_probe_write(word(lp, cpu), ktag(cpu, lp, 1));
		KCHECK(rc == 0, "write large page %lu: %d", lp, rc);
	}
	kbarrier();
	for (unsigned long lp = 0; lp < LPAGES; lp++)
		for (unsigned int c = 0; c < kncpus; c++) {
			rc = karch_probe_read(word(lp, c), &v);
			KCHECK(rc == 0 && v == ktag(c, lp, 1),
			       "large page %lu word of cpu %u: rc %d v %lx", lp,
			       c, rc, (unsigned long)v);
		}
	if (cpu == 0)
		check_leaves();
}

static void teardown(void)
{
	int rc = uk_vma_unmap(&kvas, base, LPAGES * PAGE_LARGE_SIZE, 0);

	KCHECK(rc == 0, "unmap: %d", rc);
}

const struct ksuite ksuite_huge = {
	.name = "huge", .setup = setup, .run = run, .teardown = teardown};
