/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Range walker and ukplat_page_unmap.
 *
 * Algorithm
 *  A range operation runs in two passes. The checking pass walks the two
 *  ends of the range: a large leaf holding start (not at its base) or
 *  end - 1 (not at its end) crosses a boundary and fails the operation with
 *  -EINVAL before anything changed; leaves strictly inside are covered by
 *  construction. The change pass (pt_range_apply) visits the range level by
 *  level, entry by entry: an empty entry at level L skips exactly to the
 *  next L boundary (clamped to the end of the range), so a range that
 *  starts or ends under missing upper-level tables neither skips mapped
 *  pages after the hole nor runs past its end. A present table entry is
 *  descended into with the intersection of the range and its span.
 *
 *  unmap clears each leaf with an atomic exchange: the exchanger owns the
 *  old entry and so the frame, even if another clearer raced. After the
 *  subtree of a table entry has been processed, the table is unlinked (also
 *  by exchange) when the range covers the table's whole span, and queued
 *  for freeing after its contents. Then one TLB flush for the range, then
 *  the batch goes to RCU.
 *
 * Invariants
 *  1. A table page is unlinked only when the range covers its whole span:
 *     the caller owns that span (range operations are serialised on
 *     overlapping ranges), so no concurrent map of a neighbouring range can
 *     be installing into it. A partially covered table stays, possibly
 *     empty; map reclaims empty tables it owns later.
 *  2. Children are cleared and queued before their table, and everything
 *     is freed a grace period after the TLB flush (see pt_free.c).
 *  3. The walker never moves backwards and never past end: va only grows
 *     to min(next boundary, end).
 */
#include "pt_internal.h"

int pt_range_check(struct uk_pagetable *pt, __vaddr_t start, __vaddr_t end)
{
	unsigned int level;
	__pte_t pte;
	__vaddr_t base;

	if (start >= end)
		return 0;
	if (!ukplat_pt_walk(pt, start, &level, &pte) && level > 0 &&
	    PAGE_Lx_ALIGN_DOWN(start, level) != start)
		return -EINVAL;
	if (!ukplat_pt_walk(pt, end - 1, &level, &pte) && level > 0) {
		base = PAGE_Lx_ALIGN_DOWN(end - 1, level);
		if (base + PAGE_Lx_SIZE(level) != end)
			return -EINVAL;
	}
	return 0;
}

/* [start, end) lies inside the span of @tbl, a table of @level. */
static void pt_range_table(struct pt_range_op *op, pt_slot_t *tbl,
			   unsigned int level, __vaddr_t start, __vaddr_t end)
{
	__vaddr_t va = start;

	while (va < end) {
		__vaddr_t base = PAGE_Lx_ALIGN_DOWN(va, level);
		__vaddr_t next = base + PAGE_Lx_SIZE(level);
		__vaddr_t sub_end = next < end ? next : end;
		bool covered = va == base && sub_end == next;
		pt_slot_t *slot = &tbl[pt_idx(va, level)];
		__pte_t e = uk_load_acquire(slot);

		if (!pte_present(e)) {
			/* nothing below: skip this entry's span exactly */
		} else if (pte_is_leaf(e, level)) {
			if (covered)
				op->leaf(op, slot, base, level, e);
		} else {
			__paddr_t tpaddr = pte_table_paddr(e);

			pt_range_table(op, pt_table(op->pt, tpaddr), level - 1,
				       va, sub_end);
			if (covered && op->free_tables) {
				__pte_t expected = e;

				if (uk_cas_acq_rel(slot, &expected, 0)) {
					uk_fetch_sub_relaxed(
						&op->pt->nr_tables, 1);
					pt_batch_add(&op->batch, tpaddr, 1,
						     false);
					op->changed = true;
				}
			}
		}
		va = sub_end;
	}
}

void pt_range_apply(struct pt_range_op *op, __vaddr_t start, __vaddr_t end)
{
	if (start < end)
		pt_range_table(op, pt_table(op->pt, op->pt->root),
			       PT_TOP_LEVEL, start, end);
}

static void pt_unmap_leaf(struct pt_range_op *op, pt_slot_t *slot,
			  __vaddr_t vaddr, unsigned int level, __pte_t pte)
{
	unsigned long flags = *(unsigned long *)op->arg;
	__pte_t old = uk_xchg_acq_rel(slot, (__pte_t)0);

	(void)vaddr;
	(void)pte;
	if (!pte_is_leaf(old, level))
		return; /* somebody else cleared it first: theirs */
	op->changed = true;
	if (!(flags & PAGE_FLAG_KEEP_FRAMES))
		pt_batch_add(&op->batch, pte_paddr(old, level),
			     PT_LEVEL_FRAMES(level), true);
}

int ukplat_page_unmap(struct uk_pagetable *pt, __vaddr_t vaddr,
		      unsigned long pages, unsigned long flags)
{
	struct pt_range_op op = { .pt = pt, .leaf = pt_unmap_leaf,
				  .free_tables = !(flags & PAGE_FLAG_KEEP_TABLES),
				  .arg = &flags };
	__vaddr_t end;
	int rc;

	if (!pt_range_ok(pt, vaddr, pages, &end))
		return -EINVAL;
	rc = pt_range_check(pt, vaddr, end);
	if (rc || !pages)
		return rc;
	pt_batch_init(&op.batch, pt, vaddr, end - vaddr);
	pt_range_apply(&op, vaddr, end);
	if (op.changed)
		ukplat_tlb_flush(pt, vaddr, end - vaddr);
	pt_batch_commit(&op.batch);
	return 0;
}
