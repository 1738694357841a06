/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the page-table files: table addressing, table page
 * allocation, the deferred-free batches and the range walker used by unmap,
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
 * pt_free.c: a batch of frames and table pages taken out of the table,
 * handed to RCU by pt_batch_commit (after the caller's TLB flush). @vaddr
 * and @len are the range the batch's PTEs came from, flushed early in the
 * out-of-memory fallback.
 */
struct pt_free_rec;
struct pt_free_batch {
	struct uk_pagetable *pt;
	struct pt_free_rec *head;
	__vaddr_t vaddr;
	__sz len;
};
void pt_batch_init(struct pt_free_batch *b, struct uk_pagetable *pt,
		   __vaddr_t vaddr, __sz len);
/* @leaf: count @frames in pt->pending_frames (false for table pages). */
void pt_batch_add(struct pt_free_batch *b, __paddr_t paddr,
		  unsigned long frames, bool leaf);
void pt_batch_commit(struct pt_free_batch *b);

/*
 * pt_unmap.c: the range walker. Visits every present entry in [start, end)
 * level by level, skipping exactly the span of each empty entry. @leaf is
 * called for leaves the range covers entirely (partial large leaves are
 * left alone: the callers' checking pass refused those). With @free_tables,
 * table pages whose whole span is in the range are unlinked after their
 * contents and queued on @batch.
 */
struct pt_range_op {
	struct uk_pagetable *pt;
	void (*leaf)(struct pt_range_op *op, pt_slot_t *slot,
		     __vaddr_t vaddr, unsigned int level, __pte_t pte);
	bool free_tables;
	bool changed;               /* some PTE was changed */
	struct pt_free_batch batch;
	void *arg;
};
void pt_range_apply(struct pt_range_op *op, __vaddr_t start, __vaddr_t end);
/* -EINVAL when a large leaf crosses start or end. */
int pt_range_check(struct uk_pagetable *pt, __vaddr_t start, __vaddr_t end);

/* pt_walk.c: the slot mapping @vaddr at @level, NULL when a table on the
 * way is missing or a larger leaf covers it. */
pt_slot_t *pt_find_slot(struct uk_pagetable *pt, __vaddr_t vaddr,
			unsigned int level);

#endif /* UK_PT_INTERNAL_H */
