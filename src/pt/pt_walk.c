/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lock-free walk and single-entry updates: ukplat_pt_lookup, ukplat_pt_install,
 * ukplat_pt_update_attr, ukplat_pt_for_each_leaf. None of them asks for a
 * TLB flush: they run in faults, inside read sections (see plat.h).
 *
 * Algorithm
 *  A walk descends from the root (level 3) reading one slot per level with
 *  an acquire load until it meets an empty slot or a leaf. Install descends
 *  the same way and fills each missing intermediate table with a fresh
 *  zeroed page by CAS from 0; the leaf itself is also CASed from 0.
 *
 * Invariants
 *  1. A slot goes 0 -> table, 0 -> leaf, leaf -> leaf (same frame, new
 *     attributes, by CAS; a fault only adds rights to a valid entry of the
 *     same memory type), leaf -> 0 (exchange or CAS, by unmap) or
 *     table -> 0 (CAS, by unmap or map's stale-table drop, only when the
 *     operation owns the table's whole span). Nothing else writes a slot.
 *  2. Of two installers of one slot exactly one CAS succeeds; the loser
 *     sees the winner's entry (-EEXIST for a leaf, reuse for a table). A
 *     losing table page was never published and is freed at once.
 *  3. Table pages and frames reachable from a slot stay allocated until a
 *     grace period after they were unlinked, so a walker inside a read
 *     section may dereference anything it loaded.
 *
 * Orderings
 *  1. The CAS that publishes a table is a release (acq_rel); the walker's
 *     acquire load of that slot pairs with it, so the zeroes written by the
 *     frame allocator are visible before the walker reads the new table.
 *  2. The CAS that installs a leaf is a release: whatever the installer
 *     wrote to the frame (zero fill, file data) is visible to a walker that
 *     acquire-loads the leaf and then accesses the frame.
 *  3. A failed CAS loads the winner's entry with acquire, so the loser may
 *     descend into the winner's table at once.
 */
#include "pt_internal.h"

int ukplat_pt_lookup(struct uk_pagetable *pt, __vaddr_t vaddr,
		     unsigned int *level, __pte_t *pte)
{
	pt_slot_t *tbl = pt_table(pt, pt->root);
	unsigned int lvl = PT_TOP_LEVEL;

	if (vaddr >= PT_VADDR_LIMIT) {
		*level = PT_TOP_LEVEL;
		*pte = 0;
		return -ENOENT;
	}
	for (;;) {
		__pte_t e = uk_load_acquire(&tbl[pt_idx(vaddr, lvl)]);

		if (!pte_present(e) || pte_is_leaf(e, lvl) || lvl == 0) {
			*level = lvl;
			*pte = e;
			return pte_present(e) ? 0 : -ENOENT;
		}
		tbl = pt_table(pt, pte_table_paddr(e));
		lvl--;
	}
}

pt_slot_t *pt_find_slot(struct uk_pagetable *pt, __vaddr_t vaddr,
			unsigned int level)
{
	pt_slot_t *tbl = pt_table(pt, pt->root);

	for (unsigned int lvl = PT_TOP_LEVEL; lvl > level; lvl--) {
		__pte_t e = uk_load_acquire(&tbl[pt_idx(vaddr, lvl)]);

		if (!pte_present(e) || pte_is_leaf(e, lvl))
			return NULL;
		tbl = pt_table(pt, pte_table_paddr(e));
	}
	return &tbl[pt_idx(vaddr, level)];
}

/* Table pages taken before an install links any, so that running out of
 * memory half-way never leaves empty tables behind. */
struct pt_spares {
	__paddr_t page[PT_LEVELS];
	unsigned int n;
	unsigned int leaf_level; /* level of the leaf being installed */
};

static int pt_spares_take(struct uk_pagetable *pt, struct pt_spares *sp,
			  unsigned int want)
{
	for (sp->n = 0; sp->n < want; sp->n++) {
		if (pt_table_alloc(pt, &sp->page[sp->n])) {
			while (sp->n)
				pt_table_free_now(pt, sp->page[--sp->n]);
			return -ENOMEM;
		}
	}
	return 0;
}

/* The table below @slot, creating it when the slot is empty. -EEXIST with
 * *found when a leaf is there, -ENOMEM. */
static int pt_descend(struct uk_pagetable *pt, pt_slot_t *slot,
		      unsigned int level, pt_slot_t **next, __pte_t *found,
		      struct pt_spares *sp)
{
	__pte_t e = uk_load_acquire(slot);

	if (!pte_present(e)) {
		__paddr_t tpaddr;
		__pte_t expected = 0;

		/* The first empty entry on the way down means every table
		 * below it is missing too: take them all now, before any is
		 * linked (a race lost below may leave spares; freed later). */
		if (!sp->n && pt_spares_take(pt, sp, level - sp->leaf_level))
			return -ENOMEM;
		tpaddr = sp->page[--sp->n];
		e = pte_make_table(tpaddr);
		/* Release: the zeroed table is visible before the link. */
		if (!uk_cas_acq_rel(slot, &expected, e)) {
			/* Lost the race: ours was never visible. */
			pt_table_free_now(pt, tpaddr);
			e = expected;
		}
	}
	if (pte_is_leaf(e, level)) {
		*found = e;
		return -EEXIST;
	}
	*next = pt_table(pt, pte_table_paddr(e));
	return 0;
}

int ukplat_pt_install(struct uk_pagetable *pt, __vaddr_t vaddr,
		      __paddr_t paddr, unsigned int level, unsigned long attr,
		      __pte_t *found, unsigned int *found_level)
{
	pt_slot_t *tbl = pt_table(pt, pt->root);
	struct pt_spares sp;
	__pte_t expected = 0;
	int rc = 0;

	if (level > PAGE_MAX_LEVEL || !PAGE_Lx_ALIGNED(vaddr, level) ||
	    !PAGE_Lx_ALIGNED(paddr, level) || vaddr >= PT_VADDR_LIMIT ||
	    (attr & ~PAGE_ATTR_MASK))
		return -EINVAL;
	sp.n = 0;
	sp.leaf_level = level;
	for (unsigned int lvl = PT_TOP_LEVEL; lvl > level && !rc; lvl--) {
		rc = pt_descend(pt, &tbl[pt_idx(vaddr, lvl)], lvl, &tbl, found,
				&sp);
		if (rc == -EEXIST)
			*found_level = lvl;
	}
	/* Spares another thread's tables made unnecessary. */
	while (sp.n)
		pt_table_free_now(pt, sp.page[--sp.n]);
	if (rc)
		return rc;
	if (uk_cas_acq_rel(&tbl[pt_idx(vaddr, level)], &expected,
			   pte_make_leaf(paddr, level, attr)))
		return 0;
	*found = expected;
	*found_level = level;
	return -EEXIST;
}

int ukplat_pt_update_attr(struct uk_pagetable *pt, __vaddr_t vaddr,
			  unsigned int level, __pte_t expected,
			  unsigned long attr)
{
	unsigned long old, want;
	pt_slot_t *slot;

	if (level > PAGE_MAX_LEVEL || !pte_is_leaf(expected, level) ||
	    (attr & ~PAGE_ATTR_MASK) || vaddr >= PT_VADDR_LIMIT)
		return -EINVAL;
	old = pte_attr(expected);
	/* Making an invalid entry valid could be the make of a writer's
	 * break-before-make, and a type change needs one: writers only. */
	if (!pte_hw_valid(expected) ||
	    ((old ^ attr) & PAGE_ATTR_TYPE_MASK))
		return -EBUSY;
	/* Only add: taking a right away needs a shootdown (writers only). */
	want = old | (attr & PAGE_ATTR_PROT_MASK);
	if (want == old)
		return 0;
	slot = pt_find_slot(pt, PAGE_Lx_ALIGN_DOWN(vaddr, level), level);
	if (!slot || !uk_cas_acq_rel(slot, &expected,
				     pte_with_attr(expected, level, want)))
		return -EAGAIN;
	return 0;
}

struct pt_leaf_iter {
	struct uk_pagetable *pt;
	__vaddr_t start, end; /* end exclusive, <= PT_VADDR_LIMIT */
	ukplat_pt_leaf_fn fn;
	void *arg;
};

static int pt_for_each_in(struct pt_leaf_iter *it, pt_slot_t *tbl,
			  unsigned int level, __vaddr_t tbase)
{
	__vaddr_t size = PAGE_Lx_SIZE(level);
	__vaddr_t first = it->start > tbase ? it->start : tbase;
	unsigned int i = pt_idx(first, level);

	for (; i < PT_PTES_PER_LEVEL; i++) {
		__vaddr_t va = tbase + i * size;
		__pte_t e;
		int rc;

		if (va >= it->end)
			break;
		e = uk_load_acquire(&tbl[i]);
		if (!pte_present(e))
			continue;
		if (pte_is_leaf(e, level))
			rc = it->fn(va, level, e, it->arg);
		else
			rc = pt_for_each_in(it, pt_table(it->pt,
							 pte_table_paddr(e)),
					    level - 1, va);
		if (rc)
			return rc;
	}
	return 0;
}

int ukplat_pt_for_each_leaf(struct uk_pagetable *pt, __vaddr_t vaddr,
			    __sz len, ukplat_pt_leaf_fn fn, void *arg)
{
	struct pt_leaf_iter it = { pt, vaddr, 0, fn, arg };

	if (!len || vaddr >= PT_VADDR_LIMIT)
		return 0;
	it.end = len > PT_VADDR_LIMIT - vaddr ? PT_VADDR_LIMIT : vaddr + len;
	return pt_for_each_in(&it, pt_table(pt, pt->root), PT_TOP_LEVEL, 0);
}
