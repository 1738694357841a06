/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ukplat_page_map / ukplat_page_mapx.
 *
 * Algorithm
 *  The range is filled front to back. For each position the page level is
 *  the largest one <= PAGE_FLAG_SIZE_TO_LEVEL(flags) to which the virtual
 *  address (and the physical one, when the caller gave it) is aligned and
 *  which fits in what is left; with PAGE_FLAG_FORCE_SIZE it is exactly that
 *  level, and misalignment of vaddr, length or paddr is refused with -EINVAL
 *  before anything is done. The frame comes from the caller (paddr +
 *  offset), from mapx->map (which may also answer ESKIP: leave the page
 *  empty, or ETOOBIG: retry the same position one level smaller) or, for
 *  __PADDR_ANY without a callback, from pt->fa (zeroed, FALLOC_FLAG_ALIGNED
 *  for large pages; a failed large allocation retries smaller unless the
 *  size is forced). Each page is installed with ukplat_pt_install.
 *
 *  Before the first install of a map that may use large pages, every
 *  leafless table whose whole span lies in the range (left over by unmaps
 *  that did not cover it; the range is the caller's) is unlinked, and the
 *  TLB flushed once if any was: a slot that held a table and then a leaf
 *  changes page size, which needs break-before-make. A table with a leaf
 *  below where a large page should go gives -EEXIST, like a leaf.
 *
 *  All or nothing: on failure the pages installed so far are removed again
 *  by the range walker of pt_unmap.c over [vaddr, failure point) minus the
 *  ESKIP ranges (kept in a small log: those may be filled by others), and
 *  tables whose whole span lies in such a part are freed. A frame goes back
 *  to mapx->undo when there is one, else it is freed if this call or the
 *  callback allocated it; frames the caller passed in paddr are never freed.
 *  The page whose install failed was never visible and is disposed of at
 *  once; rolled-back pages were visible, so their frames are freed after
 *  the TLB flush (one, through the gather) and a grace period (undo is
 *  called as soon as the PTE is cleared: the caller has not published the
 *  range yet).
 *
 * Invariants
 *  1. Within [vaddr, failure point), every leaf outside the skip log was
 *     installed by this call (the range is the caller's; a present page
 *     makes the map fail instead of being overwritten).
 *  2. Only ranges whose every page was visited are rolled back, so the
 *     walker's "whole span covered" rule never frees a table a neighbour
 *     may use.
 */
#include "lib/string.h"
#include "pt_internal.h"

#define PT_SKIPS_INLINE 8

struct pt_skip {
	__vaddr_t start, end;
};

struct pt_map_ctx {
	struct uk_pagetable *pt;
	__vaddr_t vaddr;
	__paddr_t paddr;
	unsigned long attr;
	unsigned int max_level;
	bool force;
	const struct ukplat_page_mapx *mapx; /* NULL without a callback */
	struct ukplat_tlb_gather *g;
	struct pt_skip *skips;
	unsigned int nskips, cap;
	struct pt_skip skips_inline[PT_SKIPS_INLINE];
};

static int pt_skip_add(struct pt_map_ctx *c, __vaddr_t start, __vaddr_t end)
{
	if (c->nskips && c->skips[c->nskips - 1].end == start) {
		c->skips[c->nskips - 1].end = end;
		return 0;
	}
	if (c->nskips == c->cap) {
		struct pt_skip *n = ukplat_malloc(2 * c->cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		memcpy(n, c->skips, c->nskips * sizeof(*n));
		if (c->skips != c->skips_inline)
			ukplat_free(c->skips);
		c->skips = n;
		c->cap *= 2;
	}
	c->skips[c->nskips].start = start;
	c->skips[c->nskips].end = end;
	c->nskips++;
	return 0;
}

/* Give back the frame of a page this call installed or tried to install. */
static void pt_map_dispose(struct pt_map_ctx *c, __vaddr_t va, __paddr_t pa,
			   unsigned int level, bool visible)
{
	if (c->mapx && c->mapx->undo) {
		c->mapx->undo(c->pt, va, pa, level, c->mapx->ctx);
		return;
	}
	if (c->paddr != __PADDR_ANY && pa == c->paddr + (va - c->vaddr))
		return; /* the caller's frame */
	if (visible) {
		pt_gather_free(c->g, pa, PT_LEVEL_FRAMES(level), true);
	} else {
		int rc = uk_ffree(c->pt->fa, pa, PT_LEVEL_FRAMES(level));

		(void)rc;
	}
}

static void pt_rollback_leaf(struct pt_range_op *op, pt_slot_t *slot,
			     __vaddr_t vaddr, unsigned int level, __pte_t pte)
{
	struct pt_map_ctx *c = op->arg;
	__pte_t old = uk_xchg_acq_rel(slot, (__pte_t)0);

	(void)pte;
	if (!pte_is_leaf(old, level))
		return;
	if (pte_hw_valid(old))
		pt_gather_range(op->g, vaddr, PAGE_Lx_SIZE(level), level,
				false);
	pt_map_dispose(c, vaddr, pte_paddr(old, level), level, true);
}

static void pt_map_rollback(struct pt_map_ctx *c, __vaddr_t done)
{
	struct pt_range_op op = { .pt = c->pt, .leaf = pt_rollback_leaf,
				  .free_tables = true, .g = c->g, .arg = c };
	__vaddr_t from = c->vaddr;

	for (unsigned int i = 0; i < c->nskips; i++) {
		pt_range_apply(&op, from, c->skips[i].start);
		from = c->skips[i].end;
	}
	pt_range_apply(&op, from, done);
}

/*
 * Large pages need their slots empty, but a table left behind by 4 KiB
 * mappings whose unmaps each covered only part of its span may sit there
 * (leafless). Unlink every leafless table whose span lies in the range (it
 * is the caller's) before the first install, and flush once: a table
 * replaced by a leaf changes the page size of the entry, which needs
 * break-before-make (no CPU may still walk the old table).
 */
static void pt_map_drop_stale_tables(struct pt_map_ctx *c, __vaddr_t end)
{
	if (!c->max_level)
		return;
	/* A large leaf crossing an end: the installs will say -EEXIST. */
	if (pt_unmap_range(c->g, c->vaddr, end, 0, true))
		return;
	ukplat_tlb_gather_finish(c->g);
}

static int pt_map_install(struct pt_map_ctx *c, __vaddr_t va, __paddr_t pa,
			  unsigned int level)
{
	unsigned int found_level;
	__pte_t found;
	int rc;

	rc = ukplat_pt_install(c->pt, va, pa, level, c->attr, &found,
			       &found_level);
	if (rc)
		pt_map_dispose(c, va, pa, level, false);
	return rc;
}

/* Get the frame of the page at @va of level *level (which may shrink). */
static int pt_map_frame(struct pt_map_ctx *c, __vaddr_t va,
			unsigned int *level, __paddr_t *pa)
{
	for (;;) {
		unsigned int l = *level;
		int rc;

		*pa = c->paddr == __PADDR_ANY ? __PADDR_ANY
					      : c->paddr + (va - c->vaddr);
		if (c->mapx) {
			rc = c->mapx->map(c->pt, va, pa, l, c->mapx->ctx);
			if (rc < 0 || rc == UKPLAT_PAGE_MAPX_ESKIP)
				return rc;
			if (rc == UKPLAT_PAGE_MAPX_ETOOBIG) {
				if (c->force || l == 0)
					return -EINVAL;
				*level = l - 1;
				continue;
			}
			if (rc != 0 || *pa == __PADDR_ANY)
				return -EINVAL;
			if (!PAGE_Lx_ALIGNED(*pa, l)) {
				pt_map_dispose(c, va, *pa, l, false);
				return -EINVAL;
			}
			return 0;
		}
		if (*pa != __PADDR_ANY)
			return 0;
		rc = uk_falloc_frames(c->pt->fa, pa, PT_LEVEL_FRAMES(l),
				      FALLOC_FLAG_ZERO |
					      (l ? FALLOC_FLAG_ALIGNED : 0));
		if (!rc)
			return 0;
		if (c->force || l == 0)
			return -ENOMEM;
		*level = l - 1;
	}
}

static unsigned int pt_map_level(const struct pt_map_ctx *c, __vaddr_t va,
				 __vaddr_t end)
{
	unsigned int l = c->max_level;

	if (c->force)
		return l;
	for (; l > 0; l--) {
		if (PAGE_Lx_ALIGNED(va, l) && end - va >= PAGE_Lx_SIZE(l) &&
		    (c->paddr == __PADDR_ANY ||
		     PAGE_Lx_ALIGNED(c->paddr + (va - c->vaddr), l)))
			break;
	}
	return l;
}

static int pt_map_check(const struct uk_pagetable *pt, __vaddr_t vaddr,
			__paddr_t paddr, unsigned long pages,
			unsigned long attr, unsigned long flags, __vaddr_t *end)
{
	unsigned int l = PAGE_FLAG_SIZE_TO_LEVEL(flags);

	if (!pt_range_ok(pt, vaddr, pages, end) || l > PAGE_MAX_LEVEL ||
	    (attr & ~PAGE_ATTR_MASK))
		return -EINVAL;
	if (paddr != __PADDR_ANY &&
	    (!PAGE_ALIGNED(paddr) || paddr + (pages << PAGE_SHIFT) < paddr))
		return -EINVAL;
	if ((flags & PAGE_FLAG_FORCE_SIZE) &&
	    (!PAGE_Lx_ALIGNED(vaddr, l) || !PAGE_Lx_ALIGNED(*end, l) ||
	     (paddr != __PADDR_ANY && !PAGE_Lx_ALIGNED(paddr, l))))
		return -EINVAL;
	return 0;
}

int ukplat_page_mapx(struct uk_pagetable *pt, __vaddr_t vaddr,
		     __paddr_t paddr, unsigned long pages, unsigned long attr,
		     unsigned long flags, const struct ukplat_page_mapx *mapx)
{
	struct ukplat_tlb_gather own;
	struct pt_map_ctx c = {
		.pt = pt, .vaddr = vaddr, .paddr = paddr, .attr = attr,
		.max_level = PAGE_FLAG_SIZE_TO_LEVEL(flags),
		.force = (flags & PAGE_FLAG_FORCE_SIZE) != 0,
		.mapx = (mapx && mapx->map) ? mapx : NULL,
		.nskips = 0, .cap = PT_SKIPS_INLINE,
	};
	__vaddr_t end, va;
	int rc;

	rc = pt_map_check(pt, vaddr, paddr, pages, attr, flags, &end);
	if (rc || !pages)
		return rc;
	c.skips = c.skips_inline;
	c.g = pt_gather_begin(pt, &own);
	pt_map_drop_stale_tables(&c, end);
	for (va = vaddr; va < end; ) {
		unsigned int level = pt_map_level(&c, va, end);
		__paddr_t pa;

		rc = pt_map_frame(&c, va, &level, &pa);
		if (rc == UKPLAT_PAGE_MAPX_ESKIP)
			rc = pt_skip_add(&c, va, va + PAGE_Lx_SIZE(level));
		else if (!rc)
			rc = pt_map_install(&c, va, pa, level);
		if (rc)
			break;
		va += PAGE_Lx_SIZE(level);
	}
	if (rc)
		pt_map_rollback(&c, va);
	pt_gather_end(c.g, &own);
	if (c.skips != c.skips_inline)
		ukplat_free(c.skips);
	return rc;
}

int ukplat_page_map(struct uk_pagetable *pt, __vaddr_t vaddr, __paddr_t paddr,
		    unsigned long pages, unsigned long attr,
		    unsigned long flags)
{
	return ukplat_page_mapx(pt, vaddr, paddr, pages, attr, flags, NULL);
}
