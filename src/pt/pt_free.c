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

int ukplat_pt_init_range(struct uk_pagetable *pt, struct uk_falloc *fa,
			 __paddr_t root, __vaddr_t start, __vaddr_t end)
{
	int rc;

	if (!pt || !fa || !PAGE_ALIGNED(start) || !PAGE_ALIGNED(end) ||
	    start >= end || end > PT_VADDR_LIMIT ||
	    (root != __PADDR_ANY &&
	     (!PAGE_ALIGNED(root) || !uk_physmem_contains(fa->pm, root,
							  PAGE_SIZE))))
		return -EINVAL;
	pt->fa = fa;
	pt->root = __PADDR_INV;
	pt->va_start = start;
	pt->va_end = end;
	pt->root_owned = root == __PADDR_ANY;
	atomic_init(&pt->nr_tables, 0);
	atomic_init(&pt->pending_frames, 0);
	if (pt->root_owned) {
		rc = pt_table_alloc(pt, &root);
		if (rc)
			return rc;
	}
	pt->root = root;
	return 0;
}

int ukplat_pt_init(struct uk_pagetable *pt, struct uk_falloc *fa)
{
	return ukplat_pt_init_range(pt, fa, __PADDR_ANY, 0, PT_VADDR_LIMIT);
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

/*
 * Free the library's part under the table @tpaddr of @level, which maps
 * from @base. Entries wholly inside the range are cleared (their tables
 * freed), entries wholly outside are the caller's and stay; a table entry
 * that straddles a boundary is handled one level down and cleared when
 * that leaves its table empty. A leaf that straddles is not the library's
 * (it maps aligned pages inside its range). Returns true when no present
 * entry is left in @tpaddr.
 */
static bool pt_destroy_part(struct uk_pagetable *pt, __paddr_t tpaddr,
			    unsigned int level, __vaddr_t base)
{
	pt_slot_t *tbl = pt_table(pt, tpaddr);
	bool empty = true;

	for (unsigned int i = 0; i < PT_PTES_PER_LEVEL; i++) {
		__pte_t e = uk_load_acquire(&tbl[i]);
		__vaddr_t lo = base + i * PAGE_Lx_SIZE(level);
		__vaddr_t hi = lo + PAGE_Lx_SIZE(level);
		bool leaf = level == 0 || pte_is_leaf(e, level);

		if (!pte_present(e))
			continue;
		if (hi <= pt->va_start || lo >= pt->va_end) {
			empty = false; /* the caller's */
		} else if (lo >= pt->va_start && hi <= pt->va_end) {
			if (!leaf)
				pt_destroy_table(pt, pte_table_paddr(e),
						 level - 1);
			uk_store_relaxed(&tbl[i], (__pte_t)0);
		} else if (!leaf && pt_destroy_part(pt, pte_table_paddr(e),
						    level - 1, lo)) {
			pt_table_free_now(pt, pte_table_paddr(e));
			uk_store_relaxed(&tbl[i], (__pte_t)0);
		} else {
			empty = false;
		}
	}
	return empty;
}

void ukplat_pt_destroy(struct uk_pagetable *pt)
{
	if (pt->root == __PADDR_INV)
		return;
	/* Deferred frees of this table reference @pt: let them run first. */
	if (!uk_rcu_read_ongoing())
		uk_rcu_barrier();
	pt_destroy_part(pt, pt->root, PT_TOP_LEVEL, 0);
	if (pt->root_owned)
		pt_table_free_now(pt, pt->root);
	pt->root = __PADDR_INV;
}
