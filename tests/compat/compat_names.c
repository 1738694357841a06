/* SPDX-License-Identifier: BSD-3-Clause */
/* Unikraft's names exist with Unikraft's values. */
#include "compat.h"

/* Values a Unikraft caller may have compiled in (uk/nofault.h, uk/vmem.h,
 * uk/vmem/vma_types.h of Unikraft). */
_Static_assert(UK_NOFAULTF_CONTINUE == 0x01, "CONTINUE");
_Static_assert(UK_NOFAULTF_NOPAGING == 0x02, "NOPAGING");
_Static_assert(UK_VAS_FLAG_NO_PAGING == 0x1, "VAS flag");
_Static_assert(UK_VMA_FLAG_UNINITIALIZED == 0x1, "VMA flag");
_Static_assert(UK_VMA_MAP_POPULATE == 0x01 && UK_VMA_MAP_UNINITIALIZED == 0x02 &&
		       UK_VMA_MAP_REPLACE == 0x04 &&
		       UK_VMA_FLAG_STRICT_VMA_CHECK == 0x1000,
	       "map flags");
_Static_assert(UK_VMA_MAP_SIZE_2MB == (21UL << 5) &&
		       UK_VMA_MAP_SIZE_TO_ORDER(UK_VMA_MAP_SIZE_1GB) == 30,
	       "page size flags");
_Static_assert(UK_VMA_MAP_SIZE_MASK == 0x3f &&
		       UK_VMA_MAP_EXTF_MASK ==
			       (1UL << (sizeof(unsigned long) * 4)) - 1 &&
		       UK_VMA_ADV_EXTF_SHIFT == sizeof(unsigned long) * 4,
	       "field masks, before shifting");
_Static_assert(PAGE_FLAG_KEEP_FRAMES == 0x02 && PAGE_FLAG_FORCE_SIZE == 0x04 &&
		       PAGE_FLAG_SIZE_TO_LEVEL(PAGE_FLAG_SIZE(2)) == 2 &&
		       PAGE_FLAG_SIZE(1) == 0x10 && PAGE_FLAG_SIZE_MASK == 0xf,
	       "page-table flags");
_Static_assert(UK_VMA_ADV_DONTNEED == 0x01 && UK_VMA_ADV_WILLNEED == 0x02,
	       "advice");
_Static_assert(UK_VMA_STACK_GROWS_UP == 1UL << (sizeof(unsigned long) * 4),
	       "stack flag");
_Static_assert(UK_VMA_FILE_SHARED == 1UL << (sizeof(unsigned long) * 4),
	       "file flag");
_Static_assert(UK_VMA_STACK_BOTTOM_GUARD_SIZE == 1 * PAGE_SIZE &&
		       UK_VMA_STACK_TOP_GUARD_SIZE == 4 * PAGE_SIZE &&
		       UK_VMA_STACK_GUARDS_SIZE == 5 * PAGE_SIZE,
	       "stack guards");
_Static_assert(UK_VMA_FAULT_READ == 0 && UK_VMA_FAULT_WRITE == 1 &&
		       UK_VMA_FAULT_EXEC == 2 && UK_VMA_FAULT_NONPRESENT == 4 &&
		       UK_VMA_FAULT_MISCONFIG == 8 && UK_VMA_FAULT_SOFT == 0x10,
	       "fault types");

void test_flag_values(void **state)
{
	(void)state;
	/* The same checks at run time, so that the suite reports them. */
	assert_int_equal(UK_NOFAULTF_CONTINUE, 1);
	assert_int_equal(UK_NOFAULTF_NOPAGING, 2);
	assert_int_equal(UK_VAS_FLAG_NO_PAGING, 1);
	assert_int_equal(UK_VMA_FLAG_UNINITIALIZED, 1);
	assert_int_equal(__VADDR_INV, ~0UL);
	assert_int_equal(__VADDR_ANY, __VADDR_INV);
}

void test_config_and_geometry(void **state)
{
	struct uk_vas *vas = uk_vas_get_active();
	__vaddr_t va = __VADDR_ANY;

	(void)state;
#if !defined(CONFIG_LIBUKVMEM) || !defined(CONFIG_HAVE_PAGING)
#error "Unikraft's configuration names are missing"
#endif
	assert_int_equal(CONFIG_LIBUKVMEM_STACK_GUARD_PAGES_TOP, 4);
	assert_int_equal(CONFIG_LIBUKVMEM_STACK_GUARD_PAGES_BOTTOM, 1);
	assert_int_equal(CONFIG_LIBUKVMEM_DEMAND_PAGE_IN_SIZE, PAGE_SHIFT);
	/* The first VMA without an address goes to the default base. */
	assert_int_equal(uk_vma_map_anon(vas, &va, P, PAGE_ATTR_PROT_RW, 0,
					 NULL), 0);
	assert_int_equal(va, CONFIG_LIBUKVMEM_DEFAULT_BASE);
	assert_int_equal(vas->vma_base, CONFIG_LIBUKVMEM_DEFAULT_BASE);
	assert_int_equal(uk_vma_unmap(vas, va, P, 0), 0);

	assert_int_equal(PAGE_LARGE_ALIGN_DOWN(3UL << 20), 2UL << 20);
	assert_int_equal(PAGE_LARGE_ALIGN_UP((2UL << 20) + 1), 4UL << 20);
	assert_true(PAGE_LARGE_ALIGNED(4UL << 20));
	assert_false(PAGE_LARGE_ALIGNED((4UL << 20) + P));
	assert_int_equal(PAGE_HUGE_ALIGN_DOWN((1UL << 30) + P), 1UL << 30);
	assert_int_equal(PT_Lx_IDX(0x40201000UL, 0), 1);
	assert_int_equal(PT_Lx_IDX(0x40201000UL, 1), 1);
	assert_int_equal(PT_Lx_IDX(0x40201000UL, 2), 1);
}

void test_vma_flag_uninitialized(void **state)
{
	struct uk_vas *vas = uk_vas_get_active();
	__vaddr_t a = __VADDR_ANY, b = __VADDR_ANY;
	const struct uk_vma *vma;

	(void)state;
	assert_int_equal(uk_vma_map_anon(vas, &a, 2 * P, PAGE_ATTR_PROT_RW,
					 UK_VMA_MAP_UNINITIALIZED, "u"), 0);
	assert_int_equal(uk_vma_map_anon(vas, &b, 2 * P, PAGE_ATTR_PROT_RW, 0,
					 "z"), 0);
	uk_rcu_read_lock();
	vma = uk_vma_find(vas, a);
	assert_true(vma->flags & UK_VMA_FLAG_UNINITIALIZED);
	assert_int_equal(uk_vma_len(vma), 2 * P);
	vma = uk_vma_find(vas, b);
	assert_false(vma->flags & UK_VMA_FLAG_UNINITIALIZED);
	uk_rcu_read_unlock();
	assert_int_equal(uk_vma_unmap(vas, a, 2 * P, 0), 0);
	assert_int_equal(uk_vma_unmap(vas, b, 2 * P, 0), 0);
}
