/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VAS that shares its page table with a kernel: the kernel keeps its own
 * half (here: a second page-table object over the same root, with its own
 * range), gives the VAS the rest, and expects ukplat_pt_destroy and
 * uk_vas_validate to free and judge only what the library mapped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "fixture.h"

#define GB (1UL << 30)
#define MB (1UL << 20)
#define HALF (1UL << 47)
#define TOP (1UL << 48)
#define RW PAGE_ATTR_PROT_RW

struct shared {
	struct uk_physmem pm;
	struct uk_falloc *fa;
	__paddr_t root;            /* the kernel's root table */
	struct uk_pagetable kpt;   /* the kernel's part */
	struct uk_pagetable pt;    /* the library's part */
	struct uk_vas vas;
};

static struct shared *sh;

static int setup(void **state)
{
	(void)state;
	sh = calloc(1, sizeof(*sh));
	if (!sh || uk_physmem_init(&sh->pm, 4 * GB) ||
	    uk_falloc_create(&sh->fa, &sh->pm))
		return -1;
	sh->root = __PADDR_ANY;
	return uk_falloc_frames(sh->fa, &sh->root, 1, FALLOC_FLAG_ZERO);
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(uk_ffree(sh->fa, sh->root, 1), 0);
	uk_rcu_barrier();
	uk_falloc_drain(sh->fa);
	/* Every frame and table of both parts is back. */
	assert_int_equal(uk_falloc_used(sh->fa), 0);
	uk_falloc_destroy(sh->fa);
	uk_physmem_destroy(&sh->pm);
	free(sh);
	return 0;
}

static void *root_page(void)
{
	return uk_physmem_kmap(&sh->pm, sh->root);
}

/* The kernel's part over [kstart, kend), with @pages 4 KiB pages mapped at
 * @kva (new frames, filled with @fill). */
static void kernel_map(__vaddr_t kstart, __vaddr_t kend, __vaddr_t kva,
		       unsigned long pages, int fill)
{
	unsigned int level;
	__pte_t pte;

	assert_int_equal(ukplat_pt_init_range(&sh->kpt, sh->fa, sh->root,
					      kstart, kend), 0);
	assert_int_equal(ukplat_page_map(&sh->kpt, kva, __PADDR_ANY, pages, RW,
					 0), 0);
	for (unsigned long i = 0; i < pages; i++) {
		assert_int_equal(ukplat_pt_lookup(&sh->kpt, kva + i * PAGE_SIZE,
						&level, &pte), 0);
		memset(ukplat_page_kptr(&sh->kpt, ukplat_pte_paddr(pte, level),
					1, 0), fill, PAGE_SIZE);
	}
}

/* The kernel's mapping is still there, with its contents. */
static void kernel_check(__vaddr_t kva, unsigned long pages, int fill)
{
	unsigned int level;
	__pte_t pte;
	const unsigned char *p;
	unsigned long i;

	for (i = 0; i < pages; i++) {
		assert_int_equal(ukplat_pt_lookup(&sh->kpt, kva + i * PAGE_SIZE,
						&level, &pte), 0);
		p = ukplat_page_kptr(&sh->kpt, ukplat_pte_paddr(pte, level),
				     1, 0);
		assert_int_equal(p[0], fill);
		assert_int_equal(p[PAGE_SIZE - 1], fill);
		assert_int_equal(uk_falloc_is_allocated(
					 sh->fa, ukplat_pte_paddr(pte, level), 1),
				 1);
	}
}

static void kernel_unmap(__vaddr_t kva, unsigned long pages)
{
	assert_int_equal(ukplat_page_unmap(&sh->kpt, kva, pages, 0), 0);
	ukplat_pt_destroy(&sh->kpt);
	uk_rcu_barrier();
}

/* Map, populate and fault a few VMAs of the library's part; validate. */
static void vas_work(__vaddr_t at)
{
	char err[256];
	__vaddr_t va = at, any = __VADDR_ANY;

	assert_int_equal(uk_vma_map_anon(&sh->vas, &va, 4 * MB, RW,
					 UK_VMA_MAP_POPULATE, "fixed"), 0);
	assert_int_equal(uk_vma_map_anon(&sh->vas, &any, 8 * PAGE_SIZE, RW, 0,
					 "any"), 0);
	assert_int_equal(uk_vas_fault(&sh->vas, any + PAGE_SIZE,
				      UK_VMA_FAULT_WRITE), 0);
	assert_int_equal(uk_vas_validate(&sh->vas, err, sizeof(err)), 0);
}

/* Destroy the library's part; nothing of it may stay allocated. */
static void vas_done(void)
{
	uk_vas_destroy(&sh->vas);
	ukplat_pt_destroy(&sh->pt);
	uk_rcu_barrier();
	assert_int_equal(sh->pt.nr_tables, 0);
}

static void test_pt_init_range_errors(void **state)
{
	struct uk_pagetable p;
	__paddr_t outside = sh->pm.base + sh->pm.size;

	(void)state;
	assert_int_equal(ukplat_pt_init_range(&p, sh->fa, __PADDR_ANY, 0, 0),
			 -EINVAL);
	assert_int_equal(ukplat_pt_init_range(&p, sh->fa, __PADDR_ANY, 1, HALF),
			 -EINVAL);
	assert_int_equal(ukplat_pt_init_range(&p, sh->fa, __PADDR_ANY, 0,
					      HALF + 1), -EINVAL);
	assert_int_equal(ukplat_pt_init_range(&p, sh->fa, __PADDR_ANY, HALF,
					      HALF), -EINVAL);
	assert_int_equal(ukplat_pt_init_range(&p, sh->fa, __PADDR_ANY, 0,
					      TOP + PAGE_SIZE), -EINVAL);
	assert_int_equal(ukplat_pt_init_range(&p, sh->fa, outside, 0, HALF),
			 -EINVAL);
	assert_int_equal(ukplat_pt_init_range(&p, sh->fa, sh->root + 8, 0,
					      HALF), -EINVAL);
	assert_int_equal(ukplat_pt_init_range(&p, NULL, sh->root, 0, HALF),
			 -EINVAL);
	/* Nothing was allocated by the refusals. */
	uk_falloc_drain(sh->fa);
	assert_int_equal(uk_falloc_used(sh->fa), PAGE_SIZE);
}

static void test_vas_init_range_errors(void **state)
{
	struct uk_vas v;

	(void)state;
	assert_int_equal(ukplat_pt_init_range(&sh->pt, sh->fa, sh->root, GB,
					      HALF), 0);
	assert_int_equal(uk_vas_init_range(&v, &sh->pt, NULL, 0, HALF),
			 -EINVAL); /* page 0 */
	assert_int_equal(uk_vas_init_range(&v, &sh->pt, NULL, PAGE_SIZE, HALF),
			 -EINVAL); /* below the table's part */
	assert_int_equal(uk_vas_init_range(&v, &sh->pt, NULL, GB, HALF + GB),
			 -EINVAL); /* above it */
	assert_int_equal(uk_vas_init_range(&v, &sh->pt, NULL, GB + 1, HALF),
			 -EINVAL);
	assert_int_equal(uk_vas_init_range(&v, &sh->pt, NULL, 2 * GB, GB),
			 -EINVAL);
	assert_int_equal(uk_vas_init_range(NULL, &sh->pt, NULL, GB, HALF),
			 -EINVAL);
	assert_int_equal(uk_vas_init_range(&v, NULL, NULL, GB, HALF), -EINVAL);
	/* uk_vas_init keeps its signature and clips to the table's part. */
	assert_int_equal(uk_vas_init(&v, &sh->pt, NULL), 0);
	assert_int_equal(v.va_start, GB);
	assert_int_equal(v.va_end, HALF);
	uk_vas_destroy(&v);
	ukplat_pt_destroy(&sh->pt);
}

static void test_vas_stays_in_range(void **state)
{
	__vaddr_t va, lo = 2 * GB, hi = 2 * GB + 16 * MB;
	char err[256];

	(void)state;
	assert_int_equal(ukplat_pt_init_range(&sh->pt, sh->fa, __PADDR_ANY, 0,
					      HALF), 0);
	assert_int_equal(uk_vas_init_range(&sh->vas, &sh->pt, NULL, lo, hi), 0);
	/* UK_VAS_VMA_BASE is outside: first fit starts at the range. */
	va = __VADDR_ANY;
	assert_int_equal(uk_vma_map_anon(&sh->vas, &va, MB, RW, 0, NULL), 0);
	assert_int_equal(va, lo);
	va = lo - PAGE_SIZE;
	assert_int_equal(uk_vma_map_anon(&sh->vas, &va, 2 * PAGE_SIZE, RW, 0,
					 NULL), -EINVAL);
	va = hi - PAGE_SIZE;
	assert_int_equal(uk_vma_map_anon(&sh->vas, &va, 2 * PAGE_SIZE, RW, 0,
					 NULL), -EINVAL);
	va = __VADDR_ANY;
	assert_int_equal(uk_vma_map_anon(&sh->vas, &va, 16 * MB, RW, 0, NULL),
			 -ENOMEM);
	va = __VADDR_ANY;
	assert_int_equal(uk_vma_map_anon(&sh->vas, &va, 15 * MB, RW, 0, NULL),
			 0);
	assert_int_equal(va, lo + MB);
	assert_int_equal(uk_vas_fault(&sh->vas, lo - PAGE_SIZE,
				      UK_VMA_FAULT_READ), -EFAULT);
	assert_int_equal(uk_vas_validate(&sh->vas, err, sizeof(err)), 0);
	vas_done();
}

/* Range operations stay in the library's part of the table. */
static void test_pt_ops_stay_in_part(void **state)
{
	(void)state;
	assert_int_equal(ukplat_pt_init_range(&sh->pt, sh->fa, sh->root, GB,
					      2 * GB), 0);
	assert_int_equal(ukplat_page_map(&sh->pt, GB - PAGE_SIZE, __PADDR_ANY,
					 2, RW, 0), -EINVAL);
	assert_int_equal(ukplat_page_map(&sh->pt, 2 * GB - PAGE_SIZE,
					 __PADDR_ANY, 2, RW, 0), -EINVAL);
	assert_int_equal(ukplat_page_unmap(&sh->pt, 2 * GB, 1, 0), -EINVAL);
	assert_int_equal(ukplat_page_set_attr(&sh->pt, 0, 1, RW, 0), -EINVAL);
	assert_int_equal(ukplat_page_map(&sh->pt, 2 * GB - PAGE_SIZE,
					 __PADDR_ANY, 1, RW, 0), 0);
	assert_int_equal(ukplat_page_unmap(&sh->pt, 2 * GB - PAGE_SIZE, 1, 0),
			 0);
	ukplat_pt_destroy(&sh->pt);
	uk_rcu_barrier();
	assert_int_equal(sh->pt.nr_tables, 0);
}

/* The kernel's half [2^47, 2^48) in root entries 256..511: the VAS below
 * validates clean, and destroy leaves the kernel's entries bit for bit. */
static void test_kernel_half_survives(void **state)
{
	const __vaddr_t kva = HALF + 3 * GB;
	__pte_t before[PT_PTES_PER_LEVEL];

	(void)state;
	kernel_map(HALF, TOP, kva, 3, 0x3c);
	assert_int_equal(ukplat_pt_init_range(&sh->pt, sh->fa, sh->root, 0,
					      HALF), 0);
	assert_int_equal(uk_vas_init(&sh->vas, &sh->pt, NULL), 0);
	vas_work(GB);
	memcpy(before, root_page(), sizeof(before));
	vas_done();
	/* The kernel's root entries are untouched, ours are clear. */
	assert_memory_equal((__pte_t *)root_page() + 256, before + 256,
			    256 * sizeof(__pte_t));
	for (unsigned int i = 0; i < 256; i++)
		assert_int_equal(((__pte_t *)root_page())[i], 0);
	assert_int_equal(uk_falloc_is_allocated(sh->fa, sh->root, 1), 1);
	kernel_check(kva, 3, 0x3c);
	kernel_unmap(kva, 3);
}

/* The kernel maps [0, 1 GiB) under root entry 0, whose lower tables the
 * VAS above 1 GiB shares: destroy frees the VAS's tables below them and
 * keeps the shared ones, which still hold the kernel's mapping. */
static void test_shared_table_survives(void **state)
{
	const unsigned long kpages = 4;
	const int fill = 0x5a;

	(void)state;
	kernel_map(0, GB, 0, kpages, fill);
	assert_int_equal(ukplat_pt_init_range(&sh->pt, sh->fa, sh->root, GB,
					      HALF), 0);
	assert_int_equal(uk_vas_init(&sh->vas, &sh->pt, NULL), 0);
	vas_work(GB);
	vas_work(3 * GB + 2 * MB);
	vas_done();
	kernel_check(0, kpages, fill);
	kernel_unmap(0, kpages);
	/* The kernel's part took its shared tables with it. */
	for (unsigned int i = 0; i < PT_PTES_PER_LEVEL; i++)
		assert_int_equal(((__pte_t *)root_page())[i], 0);
}

/* Negative control: a straddling table with nothing of the kernel's in it
 * is the library's, and goes (the default VAS range leaves page 0 out of
 * every table above it). */
static void test_straddling_own_tables_freed(void **state)
{
	(void)state;
	assert_int_equal(ukplat_pt_init_range(&sh->pt, sh->fa, sh->root, 0,
					      HALF), 0);
	assert_int_equal(uk_vas_init(&sh->vas, &sh->pt, NULL), 0);
	vas_work(PAGE_SIZE);
	assert_true(sh->pt.nr_tables >= 3);
	vas_done();
	for (unsigned int i = 0; i < PT_PTES_PER_LEVEL; i++)
		assert_int_equal(((__pte_t *)root_page())[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_pt_init_range_errors),
		T(test_vas_init_range_errors),
		T(test_vas_stays_in_range),
		T(test_pt_ops_stay_in_part),
		T(test_kernel_half_survives),
		T(test_shared_table_survives),
		T(test_straddling_own_tables_freed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
