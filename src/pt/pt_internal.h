/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the page-table files: table addressing, table page
 * allocation, the TLB gather and the range walker used by unmap,
 * set_attr and map rollback. Only src/pt/ includes this.
 */
#ifndef UK_PT_INTERNAL_H
#define UK_PT_INTERNAL_H

#include "lib/errno.h"
#include <stdbool.h>
#include <uk/falloc.h>
#include <uk/pagetable.h>
#include <uk/physmem.h>
#include <uk/plat.h>
#include "atomic.h"
#include "pte.h"

#define PT_TOP_LEVEL (PT_LEVELS - 1)
/* Addresses the 4 levels translate: [0, 2^48). */
#define PT_VADDR_LIMIT (1UL << PAGE_Lx_SHIFT(PT_LEVELS))
#define PT_LEVEL_FRAMES(lvl) (1UL << (PT_LEVEL_SHIFT * (lvl)))

_Static_assert(PT_LEVELS == 4 && PT_PTES_PER_LEVEL == 512,
	       "4 levels of 512 entries");
_Static_assert(PAGE_Lx_SHIFT(PT_LEVELS) == 48, "48-bit virtual addresses");

/* A table page seen as its 512 slots. Every access is atomic. */
typedef _Atomic __pte_t pt_slot_t;

_Static_assert(sizeof(pt_slot_t) == sizeof(__pte_t), "slots are plain PTEs");

static inline pt_slot_t *pt_table(const struct uk_pagetable *pt,
				  __paddr_t tpaddr)
{
	return (pt_slot_t *)uk_physmem_kmap(pt->fa->pm, tpaddr);
}

static inline unsigned int pt_idx(__vaddr_t vaddr, unsigned int level)
{
	return (vaddr >> PAGE_Lx_SHIFT(level)) & (PT_PTES_PER_LEVEL - 1);
}

/* [vaddr, *end) for @pages pages, inside the library's part of @pt (all
 * of the translated range unless a kernel keeps the rest). */
static inline bool pt_range_ok(const struct uk_pagetable *pt, __vaddr_t vaddr,
			       unsigned long pages, __vaddr_t *end)
{
	if (!PAGE_ALIGNED(vaddr) || vaddr < pt->va_start ||
	    vaddr >= pt->va_end || pages > (pt->va_end - vaddr) >> PAGE_SHIFT)
		return false;
	*end = vaddr + (pages << PAGE_SHIFT);
	return true;
}

/* pt_free.c: table pages. alloc: fault injection, zeroed, counted. */
int pt_table_alloc(struct uk_pagetable *pt, __paddr_t *paddr);
/* Take a page from the calling thread's active reserve, if any. */
bool pt_reserve_take(__paddr_t *paddr);
/* Free a table page that was never visible to anybody. */
void pt_table_free_now(struct uk_pagetable *pt, __paddr_t paddr);

/*
 * pt_gather.c: the TLB gather of an operation (include/uk/pagetable.h).
 * begin returns the calling thread's active gather for @pt, or @own freshly
 * initialised; end finishes @own (and leaves an active one to its owner).
 */
struct ukplat_tlb_gather *pt_gather_begin(struct uk_pagetable *pt,
					  struct ukplat_tlb_gather *own);
void pt_gather_end(struct ukplat_tlb_gather *g, struct ukplat_tlb_gather *own);
/* A change in [va, va + len) that needs a flush: an entry cleared, rights
 * lowered or memory type changed (leaf @level), or, with @tables, a table
 * page unlinked. Record it before queueing the frame it freed. */
void pt_gather_range(struct ukplat_tlb_gather *g, __vaddr_t va, __sz len,
		     unsigned int level, bool tables);
/* Free after the flush and a grace period. @leaf: count @frames in
 * pt->pending_frames (false for table pages). */
void pt_gather_free(struct ukplat_tlb_gather *g, __paddr_t paddr,
		    unsigned long frames, bool leaf);
/* Run @fn over [start, end) after the flush (the make of a BBM). */
void pt_gather_make(struct ukplat_tlb_gather *g, ukplat_tlb_make_fn fn,
		    __vaddr_t start, __vaddr_t end, unsigned long attr,
		    unsigned long flags);

/*
 * pt_unmap.c: the range walker. Visits every present entry in [start, end)
 * level by level, skipping exactly the span of each empty entry. @leaf is
 * called for leaves the range covers entirely (partial large leaves are
 * left alone: the callers' checking pass refused those). With @free_tables,
 * table pages whose whole span is in the range are unlinked after their
 * contents and recorded in @g (range with TABLES, page queued).
 */
struct pt_range_op;
typedef void (*pt_leaf_fn)(struct pt_range_op *op, pt_slot_t *slot,
			   __vaddr_t vaddr, unsigned int level, __pte_t pte);
struct pt_range_op {
	struct uk_pagetable *pt;
	pt_leaf_fn leaf;
	bool free_tables;
	bool only_empty;            /* unlink only tables without leaves */
	bool broke;                 /* set_attr: some leaf awaits its make */
	struct ukplat_tlb_gather *g;
	void *arg;
};
void pt_range_apply(struct pt_range_op *op, __vaddr_t start, __vaddr_t end);
/* A make step's walk: @leaf over [start, end) with @arg, into @g, no
 * table freed. */
void pt_make_apply(struct ukplat_tlb_gather *g, pt_leaf_fn leaf,
		   __vaddr_t start, __vaddr_t end, void *arg);
/* -EINVAL when a large leaf crosses start or end. */
int pt_range_check(struct uk_pagetable *pt, __vaddr_t start, __vaddr_t end);
/* ukplat_page_unmap of [vaddr, end) into @g; with @only_empty no leaf is
 * touched and only leafless tables are unlinked (map's stale tables). */
int pt_unmap_range(struct ukplat_tlb_gather *g, __vaddr_t vaddr,
		   __vaddr_t end, unsigned long flags, bool only_empty);
/* No leaf anywhere below the table page @tpaddr of a level-@level slot. */
bool pt_subtree_empty(struct uk_pagetable *pt, __paddr_t tpaddr,
		      unsigned int level);

/* A leaf a CPU may cache: mapped with some right. PROT_NONE leaves (and
 * the broken half of a break-before-make) are hardware-invalid. */
static inline bool pte_hw_valid(__pte_t pte)
{
	return (pte_attr(pte) & PAGE_ATTR_PROT_MASK) != PAGE_ATTR_PROT_NONE;
}

/* pt_walk.c: the slot mapping @vaddr at @level, NULL when a table on the
 * way is missing or a larger leaf covers it. */
pt_slot_t *pt_find_slot(struct uk_pagetable *pt, __vaddr_t vaddr,
			unsigned int level);

#endif /* UK_PT_INTERNAL_H */
