/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_memory: metadata bytes per VMA and per mapped page.
 *
 * Per VMA: heap bytes in use (glibc mallinfo2: small blocks + mmap'd
 * blocks) before and after creating N one-page VMAs (--vmas, the lookup
 * layout), after every deferred free has run. That covers the VMA objects
 * and every tree node (ukvmem and btree-rwlock) or list node.
 *
 * Per mapped page: page-table pages (pt->nr_tables) added by faulting in
 * every page of one densely used VMA (--pages), and the frame allocator's
 * own metadata per frame (heap delta of creating an allocator over 1 GiB).
 * All designs share the page tables and the allocator, so those are the
 * same for all; they are reported once as "all-in-process".
 *
 * Linux (for context, not measured on equal terms): /proc/slabinfo object
 * sizes of vm_area_struct and maple_node, and struct page (64 B per frame).
 */
#include <uk/host.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static long heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (long)(mi.uordblks + mi.hblkhd);
}

static long slab_size(const char *name)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512], n[128];
	long active, num, objsize = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %ld %ld %ld", n, &active, &num,
			   &objsize) == 4 && !strcmp(n, name))
			break;
		else
			objsize = -1;
	fclose(f);
	return objsize;
}

int main(int argc, char **argv)
{
	const struct bench_design *designs[8];
	int nd = bench_designs(argc, argv, designs);
	long list[16], dflt = 100000;
	int nl = bench_flag_list(argc, argv, "--vmas", list, 16, &dflt, 1);
	long n = nl ? list[nl - 1] : dflt; /* the largest of a list */
	long pages = bench_flag_long(argc, argv, "--pages", 65536);
	struct uk_physmem pm2;
	struct uk_falloc *fa2;
	long h0;

	if (bench_flag_set(argc, argv, "--help")) {
		puts("bench_memory [--vmas=100000] [--pages=65536] [--designs=...] [--csv=FILE]");
		return 0;
	}
	bench_env_init((__sz)(pages * 2) * PAGE_SIZE + (64UL << 20), false);
	bench_csv_open(bench_flag(argc, argv, "--csv"));
	printf("%-18s %14s %14s\n", "design", "bytes/VMA", "bytes/page");
	for (int di = 0; di < nd; di++) {
		const struct bench_design *d = designs[di];
		const char *dn = bench_design_name(d);
		void *inst = d->create();
		double per_vma;

		bench_quiesce();
		h0 = heap_used();
		BENCH_CHECK(d->bulk(inst, BENCH_REGION_BASE, 0, n, 2));
		bench_quiesce();
		per_vma = (double)(heap_used() - h0) / (double)n;
		printf("%-18s %14.1f\n", dn, per_vma);
		bench_csv_row("memory", dn, "-", 1, n, "none", "bytes_per_vma",
			      per_vma, "B");
		d->destroy(inst);
		bench_quiesce();
	}
	{
		/* Page tables per mapped page (same code for every design). */
		void *inst = bench_ukvmem.create();
		struct uk_pagetable *pt = bench_ukvmem.pt(inst);
		__vaddr_t va = BENCH_REGION_BASE;
		long t0 = atomic_load(&pt->nr_tables);
		double per_page, fa_per_frame;

		BENCH_CHECK(bench_ukvmem.map(inst, va, (__sz)pages * PAGE_SIZE,
					     PAGE_ATTR_PROT_RW, BK_UNINIT, 0,
					     false));
		for (long p = 0; p < pages; p++)
			BENCH_CHECK(bench_ukvmem.fault(inst, va + (__vaddr_t)p * PAGE_SIZE));
		per_page = (double)(atomic_load(&pt->nr_tables) - t0) *
			   PAGE_SIZE / (double)pages;
		bench_ukvmem.destroy(inst);
		bench_quiesce();
		h0 = heap_used();
		if (uk_physmem_init(&pm2, 1UL << 30) ||
		    uk_falloc_create(&fa2, &pm2))
			abort();
		fa_per_frame = (double)(heap_used() - h0) / (double)(pm2.size / PAGE_SIZE);
		uk_falloc_destroy(fa2);
		uk_physmem_destroy(&pm2);
		printf("%-18s %14s %14.2f  (page tables %.2f + frame allocator %.3f)\n",
		       "all-in-process", "", per_page + fa_per_frame, per_page,
		       fa_per_frame);
		bench_csv_row("memory", "all-in-process", "-", 1, 1, "none",
			      "pt_bytes_per_page", per_page, "B");
		bench_csv_row("memory", "all-in-process", "-", 1, 1, "none",
			      "falloc_bytes_per_frame", fa_per_frame, "B");
	}
	{
		long vma = slab_size("vm_area_struct"),
		     mn = slab_size("maple_node");

		printf("%-18s %14ld %14s  (slab vm_area_struct; maple_node %ld B per ~10 VMAs; struct page 64 B + PTE 8 B per page)\n",
		       "linux-host", vma, "72", mn);
		if (vma > 0) {
			bench_csv_row("memory", "linux-host", "-", 1, 0, "none",
				      "vm_area_struct_bytes", (double)vma, "B");
			bench_csv_row("memory", "linux-host", "-", 1, 0, "none",
				      "maple_node_bytes", (double)mn, "B");
		}
	}
	bench_csv_close();
	bench_env_fini();
	return 0;
}
