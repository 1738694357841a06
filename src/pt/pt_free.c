/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table pages and deferred freeing.
 *
 * Algorithm
 *  A range operation that takes frames or table pages out of the table
 *  collects them in a batch: a list of records of up to PT_FREE_BATCH
 *  (paddr, frames) entries, allocated with ukplat_malloc as needed. After
 *  the operation has cleared every PTE and flushed the TLB once, it commits
 *  the batch: each record goes to uk_rcu_call, whose callback returns the
 *  entries to pt->fa. One grace period thus covers a whole unmap.
 *
 * Invariants
 *  1. An entry is added only after its PTE (or the table entry pointing at
 *     the table page) was atomically cleared: no new walker can reach it.
 *  2. An entry is freed only after a grace period that started after the
 *     TLB flush (commit runs after the flush), so no walker that may still
 *     hold its address in a read section is left, and no stale translation.
 *  3. pt->pending_frames counts leaf frames (4 KiB units) between the add
 *     and the callback; table pages are counted in nr_tables until they are
 *     unlinked, then in neither.
 *
 * Out of memory: when a record cannot be allocated the entry in hand cannot
 * be queued. The fallback flushes the batch's range now (an extra flush,
 * only on this path), waits for a grace period with uk_rcu_synchronize and
 * frees the entry at once. uk_rcu_synchronize must not run inside a read
 * section; there the entry is leaked (counted in pt_leaked_frames) rather
 * than freed early. Range operations run under the VAS mutex, outside read
 * sections, so this only happens on misuse.
 *
 * Orderings
 *  1. uk_rcu_call orders the clearing of the PTEs (atomic exchanges,
 *     before) with the callback's ffree (after a grace period): the RCU
 *     backend gives that edge, also to ThreadSanitizer.
 *  2. The losing table of an install race was never published (its CAS
 *     failed) and is freed immediately.
 */
#include <stddef.h>
#include "pt_internal.h"

#define PT_FREE_BATCH 60

struct pt_free_rec {
	struct uk_rcu_head head;
	struct uk_pagetable *pt;
	struct pt_free_rec *next;
	unsigned int n;
	long leaf_frames;
	struct {
		__paddr_t paddr;
		unsigned long frames;
	} ent[PT_FREE_BATCH];
};

/* Frames given up by the out-of-memory fallback inside a read section. */
static _Atomic long pt_leaked_frames;

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

static void pt_free_rec_cb(struct uk_rcu_head *head)
{
	struct pt_free_rec *rec =
		(struct pt_free_rec *)((char *)head -
				       offsetof(struct pt_free_rec, head));
	struct uk_pagetable *pt = rec->pt;

	for (unsigned int i = 0; i < rec->n; i++) {
		int rc = uk_ffree(pt->fa, rec->ent[i].paddr,
				  rec->ent[i].frames);

		UK_ASSERT(rc == 0);
		(void)rc;
	}
	uk_fetch_sub_relaxed(&pt->pending_frames, rec->leaf_frames);
	ukplat_free(rec);
}

void pt_batch_init(struct pt_free_batch *b, struct uk_pagetable *pt,
		   __vaddr_t vaddr, __sz len)
{
	b->pt = pt;
	b->head = NULL;
	b->vaddr = vaddr;
	b->len = len;
}

static void pt_free_fallback(struct pt_free_batch *b, __paddr_t paddr,
			     unsigned long frames)
{
	if (uk_rcu_read_ongoing()) {
		uk_fetch_add_relaxed(&pt_leaked_frames, (long)frames);
		return;
	}
	ukplat_tlb_flush(b->pt, b->vaddr, b->len);
	uk_rcu_synchronize();
	int rc = uk_ffree(b->pt->fa, paddr, frames);

	UK_ASSERT(rc == 0);
	(void)rc;
}

void pt_batch_add(struct pt_free_batch *b, __paddr_t paddr,
		  unsigned long frames, bool leaf)
{
	struct pt_free_rec *rec = b->head;

	if (!rec || rec->n == PT_FREE_BATCH) {
		rec = ukplat_malloc(sizeof(*rec));
		if (!rec) {
			pt_free_fallback(b, paddr, frames);
			return;
		}
		rec->pt = b->pt;
		rec->n = 0;
		rec->leaf_frames = 0;
		rec->next = b->head;
		b->head = rec;
	}
	rec->ent[rec->n].paddr = paddr;
	rec->ent[rec->n].frames = frames;
	rec->n++;
	if (leaf) {
		rec->leaf_frames += (long)frames;
		uk_fetch_add_relaxed(&b->pt->pending_frames, (long)frames);
	}
}

void pt_batch_commit(struct pt_free_batch *b)
{
	struct pt_free_rec *rec = b->head;

	while (rec) {
		struct pt_free_rec *next = rec->next;

		uk_rcu_call(&rec->head, pt_free_rec_cb);
		rec = next;
	}
	b->head = NULL;
}

void ukplat_pt_free_frames_deferred(struct uk_pagetable *pt, __paddr_t paddr,
				    unsigned long frames)
{
	struct pt_free_batch b;

	if (!frames)
		return;
	pt_batch_init(&b, pt, 0, 0);
	pt_batch_add(&b, paddr, frames, true);
	pt_batch_commit(&b);
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
