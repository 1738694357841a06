/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table pages: allocation (from the writer's reserve first), freeing of
 * pages never published, the root, and destroy. Pages taken out of a live
 * table are freed through a TLB gather (pt_gather.c).
 */
#include "pt_internal.h"

int pt_table_alloc(struct uk_pagetable *pt, __paddr_t *paddr)
{
	/* A writer's reserve was allocated (and zeroed) beforehand. */
	if (pt_reserve_take(paddr)) {
		uk_fetch_add_relaxed(&pt->nr_tables, 1);
		return 0;
	}
	if (ukplat_inject_fail(UK_INJECT_PTPAGE))
		return -ENOMEM;
	*paddr = __PADDR_ANY;
	if (uk_falloc_frames(pt->fa, paddr, 1, FALLOC_FLAG_ZERO))
		return -ENOMEM;
	uk_fetch_add_relaxed(&pt->nr_tables, 1);
	return 0;
}

void pt_table_free_now(struct uk_pagetable *pt, __paddr_t paddr)
{
	int rc = uk_ffree(pt->fa, paddr, 1);

	UK_ASSERT(rc == 0);
	(void)rc;
	uk_fetch_sub_relaxed(&pt->nr_tables, 1);
}

int ukplat_pt_init(struct uk_pagetable *pt, struct uk_falloc *fa)
{
	__paddr_t root;
	int rc;

	pt->fa = fa;
	pt->root = __PADDR_INV;
	atomic_init(&pt->nr_tables, 0);
	atomic_init(&pt->pending_frames, 0);
	rc = pt_table_alloc(pt, &root);
	if (rc)
		return rc;
	pt->root = root;
	return 0;
}

static void pt_destroy_table(struct uk_pagetable *pt, __paddr_t tpaddr,
			     unsigned int level)
{
	pt_slot_t *tbl = pt_table(pt, tpaddr);

	for (unsigned int i = 0; level > 0 && i < PT_PTES_PER_LEVEL; i++) {
		__pte_t e = uk_load_acquire(&tbl[i]);

		if (pte_present(e) && !pte_is_leaf(e, level))
			pt_destroy_table(pt, pte_table_paddr(e), level - 1);
	}
	pt_table_free_now(pt, tpaddr);
}

void ukplat_pt_destroy(struct uk_pagetable *pt)
{
	if (pt->root == __PADDR_INV)
		return;
	/* Deferred frees of this table reference @pt: let them run first. */
	if (!uk_rcu_read_ongoing())
		uk_rcu_barrier();
	pt_destroy_table(pt, pt->root, PT_TOP_LEVEL);
	pt->root = __PADDR_INV;
}
