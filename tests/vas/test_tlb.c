/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TLB contract (include/uk/plat.h, docs/design.md "TLB contract"): one
 * ukplat_tlb_flush per operation with the right range, level and flags;
 * nothing freed before the flush; break-before-make visible at flush time;
 * faults never ask for a shootdown. A recording hook sees every request.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "fixture.h"

#define BASE UK_VAS_VMA_BASE /* 2 MiB aligned */
#define RW PAGE_ATTR_PROT_RW
#define RO PAGE_ATTR_PROT_READ
#define MiB (1UL << 20)

static struct vas_fixture fx;

/* What the hook saw, and what it checked while the flush was going on. */
static struct uk_tlb_flush_req last;
static int calls;
static __paddr_t watch_pa = __PADDR_INV; /* must still be allocated */
static __vaddr_t watch_va;               /* its entry state at flush time */
static int watch_rc;
static unsigned long watch_attr;

static void record(const struct uk_tlb_flush_req *req)
{
	unsigned int level;
	__pte_t pte;

	last = *req;
	calls++;
	if (watch_pa != __PADDR_INV)
		assert_true(uk_falloc_is_allocated(fx.fa, watch_pa, 1));
	watch_rc = ukplat_pt_lookup(&fx.pt, watch_va, &level, &pte);
	watch_attr = watch_rc ? 0 : ukplat_pte_attr(pte);
}

static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	calls = 0;
	watch_pa = __PADDR_INV;
	watch_va = BASE;
	ukplat_set_tlb_flush(record);
	return vas_fixture_init(&fx, 1UL << 30);
}

static int teardown(void **state)
{
	(void)state;
	ukplat_set_tlb_flush(NULL);
	assert_int_equal(vas_fixture_fini(&fx), 0);
	return 0;
}

static void map_at(__vaddr_t va, __sz len, unsigned long attr,
		   unsigned long flags)
{
	assert_int_equal(uk_vma_map_anon(&fx.vas, &va, len, attr,
					 flags | UK_VMA_MAP_POPULATE, NULL),
			 0);
}

static __paddr_t frame_of(__vaddr_t va)
{
	__paddr_t pa;

	assert_int_equal(uk_vas_translate(&fx.vas, va, UK_VMA_FAULT_READ, &pa),
			 0);
	return pa;
}

static void expect_req(__vaddr_t start, __sz len, unsigned int level,
		       unsigned int flags)
{
	assert_ptr_equal(last.pt, &fx.pt);
	assert_int_equal(last.start, start);
	assert_int_equal(last.len, len);
	assert_int_equal(last.level, level);
	assert_int_equal(last.flags, flags);
}

/* 512 pages, one call; the whole 2 MiB table goes too (TABLES); the frames
 * are still allocated and the entries already gone while it runs. */
static void test_unmap_512_one_call(void **state)
{
	(void)state;
	map_at(BASE, 512 * PAGE_SIZE, RW, 0);
	watch_pa = frame_of(BASE);
	assert_int_equal(uk_vma_unmap(&fx.vas, BASE, 512 * PAGE_SIZE, 0), 0);
	assert_int_equal(calls, 1);
	expect_req(BASE, 2 * MiB, 0, UK_TLB_FLUSH_TABLES);
	assert_int_equal(watch_rc, -ENOENT);
	watch_pa = __PADDR_INV;
}

/* Part of a table: no table freed, no TABLES flag. */
static void test_unmap_partial_no_tables(void **state)
{
	(void)state;
	map_at(BASE, 100 * PAGE_SIZE, RW, 0);
	assert_int_equal(uk_vma_unmap(&fx.vas, BASE + PAGE_SIZE,
				      10 * PAGE_SIZE, 0), 0);
	assert_int_equal(calls, 1);
	expect_req(BASE + PAGE_SIZE, 10 * PAGE_SIZE, 0, 0);
}

/* Three VMAs (attributes differ: no merge), one unmap, one call. */
static void test_unmap_many_vmas_one_call(void **state)
{
	(void)state;
	map_at(BASE, 4 * PAGE_SIZE, RW, 0);
	map_at(BASE + 4 * PAGE_SIZE, 4 * PAGE_SIZE, RO, 0);
	map_at(BASE + 8 * PAGE_SIZE, 4 * PAGE_SIZE, RW, 0);
	assert_int_equal(uk_vma_unmap(&fx.vas, BASE, 12 * PAGE_SIZE, 0), 0);
	assert_int_equal(calls, 1);
	expect_req(BASE, 12 * PAGE_SIZE, 0, 0);
}

/* An unmap of nothing mapped, or of pages never faulted in, asks nothing. */
static void test_unmap_nothing_no_call(void **state)
{
	__vaddr_t va = BASE;

	(void)state;
	assert_int_equal(uk_vma_unmap(&fx.vas, BASE, 8 * PAGE_SIZE, 0), 0);
	assert_int_equal(uk_vma_map_anon(&fx.vas, &va, 8 * PAGE_SIZE, RW, 0,
					 NULL),
			 0);
	assert_int_equal(uk_vma_unmap(&fx.vas, BASE, 8 * PAGE_SIZE, 0), 0);
	assert_int_equal(calls, 0);
}

/* 2 MiB pages report level 1. */
static void test_unmap_large_level(void **state)
{
	(void)state;
	map_at(BASE, 4 * MiB, RW, UK_VMA_MAP_SIZE_2MB);
	assert_int_equal(uk_vma_unmap(&fx.vas, BASE, 4 * MiB, 0), 0);
	assert_int_equal(calls, 1);
	expect_req(BASE, 4 * MiB, 1, 0);
}

/* Lowering rights: one call over every VMA; raising them: none. */
static void test_set_attr_lower_one_raise_none(void **state)
{
	(void)state;
	map_at(BASE, 4 * PAGE_SIZE, RW, 0);
	map_at(BASE + 4 * PAGE_SIZE, 4 * PAGE_SIZE, PAGE_ATTR_PROT_RWX, 0);
	assert_int_equal(uk_vma_set_attr(&fx.vas, BASE, 8 * PAGE_SIZE, RO, 0),
			 0);
	assert_int_equal(calls, 1);
	expect_req(BASE, 8 * PAGE_SIZE, 0, 0);
	assert_int_equal(uk_vma_set_attr(&fx.vas, BASE, 8 * PAGE_SIZE, RW, 0),
			 0);
	assert_int_equal(calls, 1);
}

/* A memory-type change: at flush time the entry is hardware-invalid with
 * the old type (the break); afterwards it has the new type (the make). */
static void test_set_attr_type_bbm(void **state)
{
	unsigned long dev = RW | PAGE_ATTR_TYPE_DEVICE;
	unsigned int level;
	char buf[5];
	__pte_t pte;

	(void)state;
	map_at(BASE, 8 * PAGE_SIZE, RW, 0);
	assert_int_equal(uk_vas_write(&fx.vas, BASE + 4, "kept", 5), 5);
	watch_pa = frame_of(BASE);
	assert_int_equal(uk_vma_set_attr(&fx.vas, BASE, 8 * PAGE_SIZE, dev, 0),
			 0);
	assert_int_equal(calls, 1);
	expect_req(BASE, 8 * PAGE_SIZE, 0, 0);
	assert_int_equal(watch_rc, 0);
	assert_int_equal(watch_attr,
			 PAGE_ATTR_PROT_NONE | PAGE_ATTR_TYPE_NORMAL_WB);
	assert_int_equal(ukplat_pt_lookup(&fx.pt, BASE, &level, &pte), 0);
	assert_int_equal(ukplat_pte_attr(pte), dev);
	assert_int_equal(ukplat_pte_paddr(pte, level), watch_pa);
	watch_pa = __PADDR_INV;
	assert_int_equal(uk_vas_read(&fx.vas, BASE + 4, buf, 5), 5);
	assert_string_equal(buf, "kept");
	assert_int_equal(vas_fixture_check(&fx), 0);
}

/* DONTNEED: one call; at flush time the entry is broken (invalid, frame
 * kept); afterwards it is empty and the next access gets a zero page. */
static void test_dontneed_bbm(void **state)
{
	char c = 1;

	(void)state;
	map_at(BASE, 64 * PAGE_SIZE, RW, 0);
	assert_int_equal(uk_vas_write(&fx.vas, BASE, "x", 1), 1);
	watch_pa = frame_of(BASE);
	assert_int_equal(uk_vma_advise(&fx.vas, BASE, 64 * PAGE_SIZE,
				       UK_VMA_ADV_DONTNEED, 0),
			 0);
	assert_int_equal(calls, 1);
	expect_req(BASE, 64 * PAGE_SIZE, 0, 0);
	assert_int_equal(watch_rc, 0);
	assert_int_equal(watch_attr & PAGE_ATTR_PROT_MASK, PAGE_ATTR_PROT_NONE);
	watch_pa = __PADDR_INV;
	assert_int_equal(uk_vas_translate(&fx.vas, BASE, UK_VMA_FAULT_READ,
					  &(__paddr_t){0}),
			 -EFAULT);
	assert_int_equal(uk_vas_read(&fx.vas, BASE, &c, 1), 1);
	assert_int_equal(c, 0);
}

/* REPLACE over populated pages: one call, before the new VMA's populate. */
static void test_replace_one_call(void **state)
{
	(void)state;
	map_at(BASE, 16 * PAGE_SIZE, RW, 0);
	map_at(BASE + 4 * PAGE_SIZE, 8 * PAGE_SIZE, RO, UK_VMA_MAP_REPLACE);
	assert_int_equal(calls, 1);
	expect_req(BASE + 4 * PAGE_SIZE, 8 * PAGE_SIZE, 0, 0);
	assert_int_equal(vas_fixture_check(&fx), 0);
}

/* A 2 MiB map over an empty table left by 4 KiB mappings drops it: one
 * call with TABLES (a table replaced by a leaf changes the page size). */
static void test_large_map_over_stale_table(void **state)
{
	(void)state;
	map_at(BASE, PAGE_SIZE, RW, 0);
	map_at(BASE + MiB, PAGE_SIZE, RO, 0);
	assert_int_equal(uk_vma_unmap(&fx.vas, BASE, PAGE_SIZE, 0), 0);
	assert_int_equal(uk_vma_unmap(&fx.vas, BASE + MiB, PAGE_SIZE, 0), 0);
	assert_int_equal(calls, 2);
	map_at(BASE, 2 * MiB, RW, UK_VMA_MAP_SIZE_2MB);
	assert_int_equal(calls, 3);
	expect_req(BASE, 2 * MiB, 0, UK_TLB_FLUSH_TABLES);
	assert_int_equal(vas_fixture_check(&fx), 0);
}

/* Faults never ask for a shootdown: demand faults none; a fault that
 * finds a valid entry with fewer rights than its VMA (as a set_attr that
 * raised them leaves it to faults that saw the old VMA) raises it by CAS
 * and drops only this CPU's entry. */
static void test_faults_never_flush(void **state)
{
	__vaddr_t va = BASE;
	unsigned long local;
	unsigned int level;
	__pte_t pte;

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx.vas, &va, 8 * PAGE_SIZE, RW, 0,
					 NULL),
			 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(uk_vas_fault(&fx.vas, BASE + i * PAGE_SIZE,
					      UK_VMA_FAULT_READ),
				 0);
	assert_int_equal(calls, 0);
	/* lower one entry under the VMA (a writer's step: one flush) */
	assert_int_equal(ukplat_page_set_attr(&fx.pt, BASE, 1, RO, 0), 0);
	assert_int_equal(calls, 1);
	local = ukplat_tlb_flush_local_count();
	assert_int_equal(uk_vas_fault(&fx.vas, BASE, UK_VMA_FAULT_WRITE), 0);
	assert_int_equal(calls, 1);
	assert_int_equal(ukplat_tlb_flush_local_count(), local + 1);
	assert_int_equal(ukplat_pt_lookup(&fx.pt, BASE, &level, &pte), 0);
	assert_int_equal(ukplat_pte_attr(pte), RW);
	/* a spurious fault (entry already usable) drops the local entry */
	assert_int_equal(uk_vas_fault(&fx.vas, BASE, UK_VMA_FAULT_WRITE), 0);
	assert_int_equal(ukplat_tlb_flush_local_count(), local + 2);
	assert_int_equal(calls, 1);
}

/* Destroy: one call for every VMA. */
static void test_destroy_one_call(void **state)
{
	(void)state;
	map_at(BASE, 4 * PAGE_SIZE, RW, 0);
	map_at(BASE + 8 * PAGE_SIZE, 4 * PAGE_SIZE, RO, 0);
	uk_vas_destroy(&fx.vas);
	assert_int_equal(calls, 1);
	expect_req(BASE, 12 * PAGE_SIZE, 0, 0);
	/* teardown's destroy finds nothing left */
	assert_int_equal(uk_vas_init(&fx.vas, &fx.pt, NULL), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unmap_512_one_call),
		T(test_unmap_partial_no_tables),
		T(test_unmap_many_vmas_one_call),
		T(test_unmap_nothing_no_call),
		T(test_unmap_large_level),
		T(test_set_attr_lower_one_raise_none),
		T(test_set_attr_type_bbm),
		T(test_dontneed_bbm),
		T(test_replace_one_call),
		T(test_large_map_over_stale_table),
		T(test_faults_never_flush),
		T(test_destroy_one_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
