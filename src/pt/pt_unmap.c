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
 *  subtree of a table entry has been processed, the table is unlinked (by
 *  CAS from the entry seen, and only when @only_empty allows) when the
 *  range covers the table's whole span, and queued for freeing after its
 *  contents. Everything goes to the operation's TLB gather (pt_gather.c):
 *  one flush, then the frames and tables go to RCU.
 *
 *  With PAGE_FLAG_KEEP_TABLES (DONTNEED: faults may run in the range
 *  meanwhile) a leaf is not cleared at once but broken: made hardware-
 *  invalid with its frame kept (the PROT_NONE form of the same entry),
 *  and only after the flush cleared (the gather's make step). A fault that
 *  meets the broken entry must not make it valid (ukplat_pt_update_attr
 *  refuses: -EBUSY) and waits for the writer, so no new frame is installed
 *  at that address before every CPU dropped the old translation
 *  (break-before-make for the output address). Without KEEP_TABLES no
 *  fault can install in the range until the caller is done (the VMA is
 *  gone or PENDING), so clearing at once is the break and the next
 *  install comes after the flush.
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
	if (!ukplat_pt_lookup(pt, start, &level, &pte) && level > 0 &&
	    PAGE_Lx_ALIGN_DOWN(start, level) != start)
		return -EINVAL;
	if (!ukplat_pt_lookup(pt, end - 1, &level, &pte) && level > 0) {
		base = PAGE_Lx_ALIGN_DOWN(end - 1, level);
		if (base + PAGE_Lx_SIZE(level) != end)
			return -EINVAL;
	}
	return 0;
}

bool pt_subtree_empty(struct uk_pagetable *pt, __paddr_t tpaddr,
		      unsigned int level)
{
	pt_slot_t *tbl = pt_table(pt, tpaddr);

	for (unsigned int i = 0; i < PT_PTES_PER_LEVEL; i++) {
		__pte_t e = uk_load_acquire(&tbl[i]);

		if (!pte_present(e))
			continue;
		if (pte_is_leaf(e, level - 1) ||
		    !pt_subtree_empty(pt, pte_table_paddr(e), level - 1))
			return false;
	}
	return true;
}

/* Unlink the table @e of the level-@level slot @slot at @base (its
 * contents were processed already). */
static void pt_unlink_table(struct pt_range_op *op, pt_slot_t *slot,
			    __pte_t e, __vaddr_t base, unsigned int level)
{
	__paddr_t tpaddr = pte_table_paddr(e);

	if (op->only_empty && !pt_subtree_empty(op->pt, tpaddr, level))
		return;
	if (!uk_cas_acq_rel(slot, &e, 0))
		return;
	uk_fetch_sub_relaxed(&op->pt->nr_tables, 1);
	pt_gather_range(op->g, base, PAGE_Lx_SIZE(level), 0, true);
	pt_gather_free(op->g, tpaddr, 1, false);
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
			if (covered && op->free_tables)
				pt_unlink_table(op, slot, e, base, level);
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

void pt_make_apply(struct ukplat_tlb_gather *g, pt_leaf_fn leaf,
		   __vaddr_t start, __vaddr_t end, void *arg)
{
	struct pt_range_op op = { .pt = g->pt, .leaf = leaf, .g = g,
				  .arg = arg };

	pt_range_apply(&op, start, end);
}

/* Queue the frame of the cleared leaf @old unless the caller keeps it. */
static void pt_unmap_free(struct pt_range_op *op, unsigned int level,
			  __pte_t old)
{
	unsigned long flags = *(unsigned long *)op->arg;

	if (!(flags & PAGE_FLAG_KEEP_FRAMES))
		pt_gather_free(op->g, pte_paddr(old, level),
			       PT_LEVEL_FRAMES(level), true);
}

static void pt_unmap_leaf(struct pt_range_op *op, pt_slot_t *slot,
			  __vaddr_t vaddr, unsigned int level, __pte_t pte)
{
	__pte_t old = uk_xchg_acq_rel(slot, (__pte_t)0);

	(void)pte;
	if (!pte_is_leaf(old, level))
		return; /* somebody else cleared it first: theirs */
	/* A hardware-invalid (PROT_NONE) entry is in no TLB: no flush. */
	if (pte_hw_valid(old))
		pt_gather_range(op->g, vaddr, PAGE_Lx_SIZE(level), level,
				false);
	pt_unmap_free(op, level, old);
}

/* DONTNEED's break: hardware-invalid, frame kept (see the header). */
static void pt_break_leaf(struct pt_range_op *op, pt_slot_t *slot,
			  __vaddr_t vaddr, unsigned int level, __pte_t pte)
{
	while (pte_is_leaf(pte, level) && pte_hw_valid(pte)) {
		__pte_t broken = pte_with_attr(
			pte, level,
			(pte_attr(pte) & PAGE_ATTR_TYPE_MASK) |
				PAGE_ATTR_PROT_NONE);

		if (uk_cas_acq_rel(slot, &pte, broken)) {
			pt_gather_range(op->g, vaddr, PAGE_Lx_SIZE(level),
					level, false);
			return;
		}
	}
}

/* DONTNEED's make, after the flush: clear the broken (hardware-invalid)
 * leaves; valid ones were installed by faults after the break: theirs. */
static void pt_clear_broken_leaf(struct pt_range_op *op, pt_slot_t *slot,
				 __vaddr_t vaddr, unsigned int level,
				 __pte_t pte)
{
	(void)vaddr;
	if (pte_hw_valid(pte) || !uk_cas_acq_rel(slot, &pte, 0))
		return;
	pt_unmap_free(op, level, pte);
}

static void pt_unmap_make(struct ukplat_tlb_gather *g, __vaddr_t start,
			  __vaddr_t end, unsigned long attr,
			  unsigned long flags)
{
	(void)attr;
	pt_make_apply(g, pt_clear_broken_leaf, start, end, &flags);
}

static void pt_keep_leaf(struct pt_range_op *op, pt_slot_t *slot,
			 __vaddr_t vaddr, unsigned int level, __pte_t pte)
{
	(void)op; (void)slot; (void)vaddr; (void)level; (void)pte;
}

int pt_unmap_range(struct ukplat_tlb_gather *g, __vaddr_t vaddr,
		   __vaddr_t end, unsigned long flags, bool only_empty)
{
	bool keep_tables = flags & PAGE_FLAG_KEEP_TABLES;
	struct pt_range_op op = {
		.pt = g->pt,
		.leaf = only_empty    ? pt_keep_leaf
			: keep_tables ? pt_break_leaf
				      : pt_unmap_leaf,
		.free_tables = !keep_tables, .only_empty = only_empty,
		.g = g, .arg = &flags,
	};
	int rc = pt_range_check(g->pt, vaddr, end);

	if (rc || vaddr == end)
		return rc;
	pt_range_apply(&op, vaddr, end);
	if (keep_tables)
		pt_gather_make(g, pt_unmap_make, vaddr, end, 0,
			       flags & PAGE_FLAG_KEEP_FRAMES);
	return 0;
}

int ukplat_page_unmap(struct uk_pagetable *pt, __vaddr_t vaddr,
		      unsigned long pages, unsigned long flags)
{
	struct ukplat_tlb_gather own, *g;
	__vaddr_t end;
	int rc;

	if (!pt_range_ok(pt, vaddr, pages, &end))
		return -EINVAL;
	g = pt_gather_begin(pt, &own);
	rc = pt_unmap_range(g, vaddr, end, flags, false);
	pt_gather_end(g, &own);
	return rc;
}
