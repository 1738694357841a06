/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unikraft's nofault probes in both modes (stop at the first inaccessible
 * byte / UK_NOFAULTF_CONTINUE past inaccessible pages), with and without
 * UK_NOFAULTF_NOPAGING, and the paging switch they rest on
 * (uk_vas_paging_savef/restoref), which stays the calling thread's.
 */
#include <pthread.h>
#include "compat.h"

/*
 * Six pages: anon RW [0, 2), a reservation [2, 3), anon RW [3, 5), anon
 * read-only [5, 6). Pages 0 and 3 are touched (mapped); the others are
 * not yet.
 */
static __vaddr_t layout(void)
{
	struct uk_vas *vas = uk_vas_get_active();
	__vaddr_t base = __VADDR_ANY, va;

	assert_int_equal(uk_vma_reserve(vas, &base, 6 * P), 0);
	va = base;
	assert_int_equal(uk_vma_map_anon(vas, &va, 2 * P, PAGE_ATTR_PROT_RW,
					 UK_VMA_MAP_REPLACE, "a"), 0);
	va = base + 3 * P;
	assert_int_equal(uk_vma_map_anon(vas, &va, 2 * P, PAGE_ATTR_PROT_RW,
					 UK_VMA_MAP_REPLACE, "a"), 0);
	va = base + 5 * P;
	assert_int_equal(uk_vma_map_anon(vas, &va, P, PAGE_ATTR_PROT_READ,
					 UK_VMA_MAP_REPLACE, "ro"), 0);
	assert_int_equal(uk_vas_fault(vas, base, UK_VMA_FAULT_WRITE), 0);
	assert_int_equal(uk_vas_fault(vas, base + 3 * P, UK_VMA_FAULT_WRITE),
			 0);
	return base;
}

static void unlayout(__vaddr_t base)
{
	assert_int_equal(uk_vma_unmap(uk_vas_get_active(), base, 6 * P, 0), 0);
}

void test_probe_continue_skips_pages(void **state)
{
	__vaddr_t b;

	(void)state;
	b = layout();
	/* Plain: the accessible prefix, up to the reservation. */
	assert_int_equal(uk_nofault_probe_r(b, 6 * P, 0), 2 * P);
	/* CONTINUE: every page but the reservation. */
	assert_int_equal(uk_nofault_probe_r(b, 6 * P, UK_NOFAULTF_CONTINUE),
			 5 * P);
	/* Unaligned ends: the bytes of the partial pages count exactly. */
	assert_int_equal(uk_nofault_probe_r(b + 100, 6 * P - 200,
					    UK_NOFAULTF_CONTINUE),
			 5 * P - 200);
	assert_int_equal(uk_nofault_probe_r(b + 2 * P + 8, P,
					    UK_NOFAULTF_CONTINUE), 8);
	/* Starting inside the reservation. */
	assert_int_equal(uk_nofault_probe_r(b + 2 * P, 2 * P, 0), 0);
	assert_int_equal(uk_nofault_probe_r(b + 2 * P, 2 * P,
					    UK_NOFAULTF_CONTINUE), P);
	/* Length 0, and a range that wraps, probe nothing. */
	assert_int_equal(uk_nofault_probe_r(b, 0, UK_NOFAULTF_CONTINUE), 0);
	assert_int_equal(uk_nofault_probe_r(~0UL - P, 2 * P,
					    UK_NOFAULTF_CONTINUE), 0);
	unlayout(b);
}

void test_probe_nopaging(void **state)
{
	__vaddr_t b;

	(void)state;
	b = layout();
	/* Only pages mapped already count: 0 and 3. */
	assert_int_equal(uk_nofault_probe_r(b, 6 * P, UK_NOFAULTF_NOPAGING), P);
	assert_int_equal(uk_nofault_probe_r(b, 6 * P,
					    UK_NOFAULTF_NOPAGING |
						    UK_NOFAULTF_CONTINUE),
			 2 * P);
	/* ...and the probe paged nothing in. */
	assert_false(compat_mapped(b + P));
	assert_false(compat_mapped(b + 4 * P));
	assert_true(uk_vas_paging_enabled());
	unlayout(b);
}

/* Regression: UK_NOFAULTF_CONTINUE (0x1) used to be this library's
 * NOPAGING value, so a Unikraft caller asking to continue silently got no
 * demand paging. */
void test_probe_continue_is_not_nopaging(void **state)
{
	__vaddr_t b;

	(void)state;
	b = layout();
	assert_false(compat_mapped(b + P));
	assert_int_equal(uk_nofault_probe_r(b, 2 * P, UK_NOFAULTF_CONTINUE),
			 2 * P);
	assert_true(compat_mapped(b + P)); /* demand paging did run */
	unlayout(b);
}

void test_probe_rw_modes(void **state)
{
	__vaddr_t b;

	(void)state;
	b = layout();
	/* The read-only page counts for r, not for rw. */
	assert_int_equal(uk_nofault_probe_r(b + 3 * P, 3 * P, 0), 3 * P);
	assert_int_equal(uk_nofault_probe_rw(b + 3 * P, 3 * P, 0), 2 * P);
	assert_int_equal(uk_nofault_probe_rw(b, 6 * P, UK_NOFAULTF_CONTINUE),
			 4 * P);
	assert_int_equal(uk_nofault_probe_rw(b + 5 * P, P,
					     UK_NOFAULTF_CONTINUE), 0);
	unlayout(b);
}

void test_paging_savef_restoref(void **state)
{
	struct uk_vas *vas = uk_vas_get_active();
	unsigned long outer, inner;
	__vaddr_t va = __VADDR_ANY;

	(void)state;
	assert_int_equal(uk_vma_map_anon(vas, &va, 2 * P, PAGE_ATTR_PROT_RW, 0,
					 NULL), 0);
	outer = uk_vas_paging_savef(vas);
	assert_int_equal(outer, 0);
	/* No demand paging: not by a fault, not by a probe. */
	assert_int_equal(uk_vas_fault(vas, va, UK_VMA_FAULT_READ), -EFAULT);
	assert_int_equal(uk_nofault_probe_r(va, P, 0), 0);
	inner = uk_vas_paging_savef(vas);
	assert_int_equal(inner, UK_VAS_FLAG_NO_PAGING);
	uk_vas_paging_restoref(vas, inner);
	assert_false(uk_vas_paging_enabled()); /* still the outer's */
	/* The VAS itself never carries the flag. */
	assert_false(vas->flags & UK_VAS_FLAG_NO_PAGING);
	uk_vas_paging_restoref(vas, outer);
	assert_true(uk_vas_paging_enabled());
	assert_int_equal(uk_vas_fault(vas, va, UK_VMA_FAULT_READ), 0);
	assert_int_equal(uk_nofault_probe_r(va, 2 * P, 0), 2 * P);
	assert_int_equal(uk_vma_unmap(vas, va, 2 * P, 0), 0);
}

struct other {
	struct uk_vas *vas;
	__vaddr_t va;
	pthread_barrier_t off, done;
	int fault_rc;
	__sz probed;
};

static void *other_thread(void *arg)
{
	struct other *o = arg;

	pthread_barrier_wait(&o->off); /* the main thread has paging off */
	o->fault_rc = uk_vas_fault(o->vas, o->va, UK_VMA_FAULT_WRITE);
	uk_vas_set_active(o->vas);
	o->probed = uk_nofault_probe_rw(o->va, 2 * P, 0);
	pthread_barrier_wait(&o->done);
	return NULL;
}

/* Where Unikraft's VAS-wide flag would switch paging off for every CPU,
 * one thread's savef leaves the others' demand paging alone. */
void test_paging_state_is_per_thread(void **state)
{
	struct other o = {.vas = uk_vas_get_active(), .va = __VADDR_ANY};
	unsigned long saved;
	pthread_t t;

	(void)state;
	assert_int_equal(uk_vma_map_anon(o.vas, &o.va, 2 * P, PAGE_ATTR_PROT_RW,
					 0, NULL), 0);
	pthread_barrier_init(&o.off, NULL, 2);
	pthread_barrier_init(&o.done, NULL, 2);
	assert_int_equal(pthread_create(&t, NULL, other_thread, &o), 0);
	saved = uk_vas_paging_savef(o.vas);
	pthread_barrier_wait(&o.off);
	pthread_barrier_wait(&o.done);
	/* Still off here while the other thread paged in. */
	assert_int_equal(uk_nofault_probe_r(o.va + P, P, 0), P);
	assert_int_equal(uk_vas_fault(o.vas, o.va + P, UK_VMA_FAULT_READ),
			 -EFAULT);
	uk_vas_paging_restoref(o.vas, saved);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(o.fault_rc, 0);
	assert_int_equal(o.probed, 2 * P);
	pthread_barrier_destroy(&o.off);
	pthread_barrier_destroy(&o.done);
	assert_int_equal(uk_vma_unmap(o.vas, o.va, 2 * P, 0), 0);
}
