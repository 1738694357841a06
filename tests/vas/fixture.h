/* SPDX-License-Identifier: BSD-3-Clause */
/* A VAS over fresh physical memory, for tests. */
#ifndef UK_TEST_VAS_FIXTURE_H
#define UK_TEST_VAS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <uk/vmem.h>
#include <uk/vma_types.h>
#include <uk/mmu.h>
#include <uk/physmem.h>
#include <uk/falloc.h>
#include <uk/host.h>

struct vas_fixture {
	struct uk_physmem pm;
	struct uk_falloc *fa;
	struct uk_pagetable pt;
	struct uk_vas vas;
};

static inline int vas_fixture_init(struct vas_fixture *fx, __sz mem)
{
	int rc = uk_physmem_init(&fx->pm, mem);

	if (!rc)
		rc = uk_falloc_create(&fx->fa, &fx->pm);
	if (!rc)
		rc = ukplat_pt_init(&fx->pt, fx->fa);
	if (!rc)
		rc = uk_vas_init(&fx->vas, &fx->pt, NULL);
	return rc;
}

/* Bytes allocated from the frame allocator that no one can account for:
 * everything used minus page tables minus frames still waiting for a
 * grace period. Call after uk_rcu_barrier(). */
static inline long vas_fixture_frames_used(struct vas_fixture *fx)
{
	uk_falloc_drain(fx->fa);
	return (long)uk_falloc_used(fx->fa);
}

/*
 * Destroy the VAS and everything under it. Returns the bytes of frames
 * that were still allocated once the VAS was gone, beyond page-table
 * pages: 0 unless a frame leaked.
 */
static inline long vas_fixture_fini(struct vas_fixture *fx)
{
	long leaked;

	uk_vas_destroy(&fx->vas);
	uk_rcu_barrier();
	leaked = vas_fixture_frames_used(fx) -
		 fx->pt.nr_tables * (long)PAGE_SIZE;
	ukplat_pt_destroy(&fx->pt);
	uk_falloc_destroy(fx->fa);
	uk_physmem_destroy(&fx->pm);
	return leaked;
}

/* Assert-friendly validator call that prints the layout on failure. */
static inline int vas_fixture_check(struct vas_fixture *fx)
{
	char err[256];
	int rc = uk_vas_validate(&fx->vas, err, sizeof(err));

	if (rc) {
		fprintf(stderr, "VAS invalid: %s\n", err);
		uk_vas_print(&fx->vas, stderr);
	}
	return rc;
}

#endif
