/* SPDX-License-Identifier: BSD-3-Clause */
/* Fixture shared by the page-table tests: 4 GiB of lazily backed physical
 * memory, its frame allocator, one page table. */
#ifndef PT_TEST_UTIL_H
#define PT_TEST_UTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <uk/falloc.h>
#include <uk/pagetable.h>
#include <uk/physmem.h>
#include <uk/plat.h>
#include <uk/host.h>

#define GiB (1UL << 30)
#define MiB (1UL << 20)
#define KiB (1UL << 10)
#define FRAMES(lvl) (1UL << (9 * (lvl)))

static struct uk_physmem pm;
static struct uk_falloc *fa;
static struct uk_pagetable pt;

static int pt_setup(void **state)
{
	(void)state;
	if (uk_physmem_init(&pm, 4 * GiB))
		return -1;
	if (uk_falloc_create(&fa, &pm))
		return -1;
	return ukplat_pt_init(&pt, fa);
}

static int pt_teardown(void **state)
{
	(void)state;
	ukplat_pt_destroy(&pt);
	uk_rcu_barrier();
	uk_falloc_destroy(fa);
	uk_physmem_destroy(&pm);
	return 0;
}

/* Allocated bytes once every deferred free has run. */
static inline __sz used_settled(void)
{
	uk_rcu_barrier();
	return uk_falloc_used(fa);
}

#endif /* PT_TEST_UTIL_H */
