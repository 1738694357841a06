/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * All CPUs fault on the same pages at the same time: each CPU walks the
 * pages from a different start, writing its own word of every page. The
 * install CAS must keep exactly one frame per page: at the end every page
 * holds every CPU's word (a lost frame would lose words) and the frames
 * used grew by exactly the pages plus the table pages (frames sitting in
 * the per-CPU caches count as free, and the reads allocate nothing).
 */
#include "ksuite.h"

#define PAGES 96

static __vaddr_t base;
static __sz used_before;
static long tables_before;

static void setup(void)
{
	used_before = uk_falloc_used(kfa);
	tables_before = ksuite_nr_tables();
	base = ksuite_map_anon(PAGES * PAGE_SIZE, PAGE_ATTR_PROT_RW, 0, "race");
}

static void run(unsigned int cpu)
{
	unsigned long start = cpu * 7;
	long tables;
	__sz grown;
	uint64_t v;
	int rc;

	for (unsigned long i = 0; i < PAGES; i++) {
		unsigned long p = (start + i) % PAGES;

		rc = karch_probe_write(base + p * PAGE_SIZE + cpu * 8,
				       ktag(cpu, p, 0));
		KCHECK(rc == 0, "write page %lu: %d", p, rc);
	}
	kbarrier();
	for (unsigned long p = 0; p < PAGES; p++)
		for (unsigned int c = 0; c < kncpus; c++) {
			rc = karch_probe_read(base + p * PAGE_SIZE + c * 8, &v);
			KCHECK(rc == 0 && v == ktag(c, p, 0),
			       "page %lu word of cpu %u: rc %d v %lx", p, c, rc,
			       (unsigned long)v);
		}
	if (cpu != 0)
		return;
	uk_rcu_barrier(); /* tables a large page replaced are freed */
	grown = uk_falloc_used(kfa) - used_before;
	tables = ksuite_nr_tables() -
		 tables_before;
	KCHECK(grown == (PAGES + (unsigned long)tables) * PAGE_SIZE,
	       "%lu frames for %d pages and %ld tables",
	       (unsigned long)(grown / PAGE_SIZE), PAGES, tables);
}

static void teardown(void)
{
	int rc = uk_vma_unmap(&kvas, base, PAGES * PAGE_SIZE, 0);

	KCHECK(rc == 0, "unmap: %d", rc);
}

const struct ksuite ksuite_race = {
	.name = "race", .setup = setup, .run = run, .teardown = teardown};
