/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Unikraft compatibility suite. The tests are written the way code
 * for Unikraft's ukvmem uses the API: its headers, names and flag values,
 * the active VAS, a custom VMA type on the default hooks. Only the set-up
 * (physical memory, frame allocator, page table) is ukvmem's own, as it is
 * a kernel's job in Unikraft.
 */
#ifndef UK_TEST_COMPAT_H
#define UK_TEST_COMPAT_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

/* What Unikraft code includes. */
#include <uk/config.h>
#include <uk/vmem.h>
#include <uk/vmem/vma_types.h>
#include <uk/vmem/vma_ops.h>
#include <uk/plat/paging.h>
#include <uk/nofault.h>
#include <uk/falloc.h>
/* ukvmem's own: the software MMU stands in for the CPU's loads and
 * stores that Unikraft code would issue. */
#include <uk/mmu.h>

#define P PAGE_SIZE

/* The active VAS of the test thread, fresh for every test. */
int compat_setup(void **state);
/* Checks the VAS and that no frame leaked. */
int compat_teardown(void **state);
/* Bytes of the VMA at @va that are mapped in the page table. */
__sz compat_resident(__vaddr_t va);
/* Is the page at @va mapped (without faulting it in)? */
int compat_mapped(__vaddr_t va);

#define COMPAT_TEST(f) cmocka_unit_test_setup_teardown(f, compat_setup, \
							compat_teardown)

/* compat_names.c */
void test_flag_values(void **state);
void test_config_and_geometry(void **state);
void test_vma_flag_uninitialized(void **state);
/* compat_stack.c */
void test_stack_down_free(void **state);
void test_stack_down_fixed(void **state);
void test_stack_up_free(void **state);
void test_stack_up_fixed(void **state);
void test_stack_premapped_capped(void **state);
/* compat_probe.c */
void test_probe_continue_skips_pages(void **state);
void test_probe_nopaging(void **state);
void test_probe_continue_is_not_nopaging(void **state);
void test_probe_rw_modes(void **state);
void test_paging_savef_restoref(void **state);
void test_paging_state_is_per_thread(void **state);
/* compat_custom.c */
void test_custom_type_default_hooks(void **state);
void test_custom_type_advise(void **state);
void test_custom_type_eskip(void **state);
void test_pt_walk(void **state);
void test_pt_walk_large_and_stop_level(void **state);
void test_kmap(void **state);

#endif
