/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a kernel has before its first uk_vma_* call: physical memory, a
 * frame allocator, a page table and an active VAS. Examples include this
 * and then run code written for Unikraft's ukvmem unchanged.
 */
#ifndef UK_EXAMPLE_ENV_H
#define UK_EXAMPLE_ENV_H

#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <uk/vmem.h>
#include <uk/vma_types.h>
#include <uk/mmu.h>
#include <uk/physmem.h>
#include <uk/host.h>

static struct uk_physmem example_pm;
static struct uk_pagetable example_pt;
static struct uk_vas example_vas;

static inline void example_boot(void)
{
	struct uk_falloc *fa;

	if (uk_physmem_init(&example_pm, 2UL << 30) ||
	    uk_falloc_create(&fa, &example_pm) ||
	    ukplat_pt_init(&example_pt, fa) ||
	    uk_vas_init(&example_vas, &example_pt, NULL) ||
	    uk_vas_set_active(&example_vas)) {
		fprintf(stderr, "example: cannot set up the VAS\n");
		exit(1);
	}
}

static inline void example_show(const char *step, int rc)
{
	char err[128];

	printf("-- %s: %d\n", step, rc);
	uk_vas_print(uk_vas_get_active(), stdout);
	if (uk_vas_validate(uk_vas_get_active(), err, sizeof(err))) {
		printf("INVALID: %s\n", err);
		exit(1);
	}
	if (rc)
		exit(1);
}

static inline void example_shutdown(void)
{
	struct uk_falloc *fa = example_pt.fa;

	uk_vas_destroy(&example_vas);
	uk_rcu_barrier();
	uk_falloc_drain(fa);
	printf("-- shutdown: %zu KiB still allocated (page tables: %ld KiB)\n",
	       (size_t)(uk_falloc_used(fa) >> 10),
	       (long)(atomic_load(&example_pt.nr_tables) * 4));
	ukplat_pt_destroy(&example_pt);
	uk_falloc_destroy(fa);
	uk_physmem_destroy(&example_pm);
}

#endif
