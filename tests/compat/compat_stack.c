/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stacks as Unikraft lays them out: [bottom guard | usable | top guard]
 * for both growth directions, a fixed address naming the VMA's start, the
 * returned address the first usable byte, the premapped part at the
 * growing end and capped to the stack.
 */
#include "compat.h"

#define LEN (8 * P)
#define FIXED (CONFIG_LIBUKVMEM_DEFAULT_BASE + (1UL << 30))

/* @va: what uk_vma_map_stack returned; @pre: bytes premapped. */
static void check_stack(__vaddr_t va, __sz len, int up, __sz pre)
{
	struct uk_vas *vas = uk_vas_get_active();
	const struct uk_vma *vma;
	__vaddr_t start, end, hot = up ? va : va + len - pre;

	uk_rcu_read_lock();
	vma = uk_vma_find(vas, va);
	assert_non_null(vma);
	start = vma->start;
	end = vma->end;
	assert_ptr_equal(vma->ops, &uk_vma_stack_ops);
	assert_int_equal(vma->attr, PAGE_ATTR_PROT_RW);
	uk_rcu_read_unlock();
	assert_int_equal(start, va - UK_VMA_STACK_BOTTOM_GUARD_SIZE);
	assert_int_equal(end, va + len + UK_VMA_STACK_TOP_GUARD_SIZE);

	/* Exactly the premapped part, at the growing end, is in. */
	assert_int_equal(compat_resident(va), pre);
	if (pre) {
		assert_true(compat_mapped(hot));
		assert_true(compat_mapped(hot + pre - 1));
	}
	if (pre < len)
		assert_false(compat_mapped(up ? va + pre : hot - 1));

	/* Guards: 1 page at the low end, 4 at the high end, never paged. */
	assert_int_equal(uk_nofault_probe_r(start, UK_VMA_STACK_BOTTOM_GUARD_SIZE,
					    UK_NOFAULTF_CONTINUE), 0);
	assert_int_equal(uk_nofault_probe_rw(va + len, UK_VMA_STACK_TOP_GUARD_SIZE,
					     UK_NOFAULTF_CONTINUE), 0);
	assert_int_equal(uk_vas_fault(vas, start, UK_VMA_FAULT_WRITE), -EFAULT);
	assert_int_equal(uk_vas_fault(vas, end - P, UK_VMA_FAULT_WRITE), -EFAULT);
	assert_int_equal(uk_vas_fault(vas, va, UK_VMA_FAULT_WRITE), 0);

	/* The whole usable part pages in on demand, and only it. */
	assert_int_equal(uk_nofault_probe_rw(start, end - start,
					     UK_NOFAULTF_CONTINUE), len);
	assert_int_equal(compat_resident(va), len);

	/* Never split; the whole VMA goes at once. */
	assert_int_equal(uk_vma_unmap(vas, va, P, 0), -EPERM);
	assert_int_equal(uk_vma_unmap(vas, start, len + UK_VMA_STACK_GUARDS_SIZE,
				      UK_VMA_FLAG_STRICT_VMA_CHECK), 0);
}

void test_stack_down_free(void **state)
{
	__vaddr_t va = __VADDR_ANY;

	(void)state;
	assert_int_equal(uk_vma_map_stack(uk_vas_get_active(), &va, LEN, 0,
					  "stack", 2 * P), 0);
	check_stack(va, LEN, 0, 2 * P);
}

void test_stack_down_fixed(void **state)
{
	__vaddr_t va = FIXED;

	(void)state;
	assert_int_equal(uk_vma_map_stack(uk_vas_get_active(), &va, LEN, 0,
					  "stack", 3 * P), 0);
	/* The fixed address is the VMA's start (its bottom guard). */
	assert_int_equal(va, FIXED + UK_VMA_STACK_BOTTOM_GUARD_SIZE);
	check_stack(va, LEN, 0, 3 * P);
}

void test_stack_up_free(void **state)
{
	__vaddr_t va = __VADDR_ANY;

	(void)state;
	assert_int_equal(uk_vma_map_stack(uk_vas_get_active(), &va, LEN,
					  UK_VMA_STACK_GROWS_UP, "up", 2 * P),
			 0);
	check_stack(va, LEN, 1, 2 * P);
}

void test_stack_up_fixed(void **state)
{
	__vaddr_t va = FIXED;

	(void)state;
	assert_int_equal(uk_vma_map_stack(uk_vas_get_active(), &va, LEN,
					  UK_VMA_STACK_GROWS_UP, "up", P), 0);
	assert_int_equal(va, FIXED + UK_VMA_STACK_BOTTOM_GUARD_SIZE);
	check_stack(va, LEN, 1, P);
}

void test_stack_premapped_capped(void **state)
{
	struct uk_vas *vas = uk_vas_get_active();
	__vaddr_t down = __VADDR_ANY, up = FIXED;

	(void)state;
	/* More than the stack: all of it, in both directions. */
	assert_int_equal(uk_vma_map_stack(vas, &down, LEN, 0, "d", LEN + 4 * P),
			 0);
	check_stack(down, LEN, 0, LEN);
	assert_int_equal(uk_vma_map_stack(vas, &up, LEN, UK_VMA_STACK_GROWS_UP,
					  "u", ~(__sz)0 & PAGE_MASK), 0);
	check_stack(up, LEN, 1, LEN);
	/* Still refused: what Unikraft asserts against. */
	up = __VADDR_ANY;
	assert_int_equal(uk_vma_map_stack(vas, &up, LEN, 0, "u", P + 1),
			 -EINVAL);
	assert_int_equal(uk_vma_map_stack(vas, &up, LEN, UK_VMA_MAP_SIZE_2MB,
					  "u", 0), -EINVAL);
}
