/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLB gather: one TLB flush per operation, and the deferred freeing of what
 * the operation took out of the table.
 *
 * Algorithm
 *  A range operation records into a gather (include/uk/pagetable.h) every
 *  change that needs a flush (pt_gather_range: the range grows to the union
 *  of the changes, the level to the largest leaf, TABLES when a table page
 *  was unlinked), every frame and table page it removed (pt_gather_free:
 *  records of up to PT_FREE_BATCH (paddr, frames) entries, allocated with
 *  ukplat_malloc as needed), and the second half of each break-before-make
 *  change (pt_gather_make: a function and a range, adjacent ranges of the
 *  same kind merged). ukplat_tlb_gather_finish then makes one request,
 *  runs the makes (which may free more: those entries were hardware-
 *  invalid since before the flush, so no CPU caches them), and hands each
 *  free record to uk_rcu_call, whose callback returns the entries to
 *  pt->fa. One flush and one grace period thus cover a whole operation.
 *
 * Invariants
 *  1. An entry is added only after its PTE (or the table entry pointing at
 *     the table page) was atomically cleared: no new walker can reach it.
 *  2. An entry is freed only after a grace period that started after the
 *     flush (records go to RCU after it), so no walker that may hold its
 *     address in a read section is left, and no CPU holds a translation.
 *  3. A make step runs only after a flush that covered its range.
 *  4. pt->pending_frames counts leaf frames (4 KiB units) between the add
 *     and the callback; table pages are counted in nr_tables until they are
 *     unlinked, then in neither.
 *
 * Out of memory: when a record cannot be allocated the entry in hand cannot
 * be queued. The fallback flushes what the gather holds now (an extra
 * request, only on this path; the entry's own PTE is already in the range:
 * callers record the range before the frame), waits for a grace period
 * with uk_rcu_synchronize and frees the entry at once. Neither may run
 * inside a read section; there the entry is leaked (counted in
 * pt_leaked_frames) rather than freed early. Range operations run outside
 * read sections, so this only happens on misuse. A make list that is full
 * is flushed early the same way.
 *
 * Orderings
 *  1. uk_rcu_call orders the clearing of the PTEs (atomic exchanges,
 *     before) with the callback's ffree (after a grace period): the RCU
 *     backend gives that edge, also to ThreadSanitizer.
 *  2. ukplat_tlb_flush is synchronous: when it returns no CPU translates
 *     through the cleared entries, so the makes and the frees after it are
 *     ordered after every stale access.
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


void ukplat_tlb_gather_init(struct ukplat_tlb_gather *g,
			    struct uk_pagetable *pt)
{
	g->pt = pt;
	g->start = g->end = 0;
	g->level = 0;
	g->flags = 0;
	g->frees = NULL;
	g->nmakes = 0;
}

void ukplat_tlb_gather_use(struct ukplat_tlb_gather *g)
{
	/* The calling context's active gather: a platform context word. */
	ukplat_ctx_set(UKPLAT_CTX_TLB_GATHER, g);
}

struct ukplat_tlb_gather *pt_gather_begin(struct uk_pagetable *pt,
					  struct ukplat_tlb_gather *own)
{
	struct ukplat_tlb_gather *g = ukplat_ctx_get(UKPLAT_CTX_TLB_GATHER);

	if (g && g->pt == pt)
		return g;
	ukplat_tlb_gather_init(own, pt);
	return own;
}

void pt_gather_end(struct ukplat_tlb_gather *g, struct ukplat_tlb_gather *own)
{
	if (g == own)
		ukplat_tlb_gather_finish(g);
}

void pt_gather_range(struct ukplat_tlb_gather *g, __vaddr_t va, __sz len,
		     unsigned int level, bool tables)
{
	if (g->start >= g->end) {
		g->start = va;
		g->end = va + len;
	} else {
		g->start = va < g->start ? va : g->start;
		g->end = va + len > g->end ? va + len : g->end;
	}
	if (level > g->level)
		g->level = level;
	if (tables)
		g->flags |= UK_TLB_FLUSH_TABLES;
}

/* The one request for what was gathered so far; then the makes. */
static void pt_gather_flush(struct ukplat_tlb_gather *g)
{
	struct uk_tlb_flush_req req = {
		.pt = g->pt, .start = g->start, .len = g->end - g->start,
		.level = g->level, .flags = g->flags,
	};
	unsigned int i, n = g->nmakes;

	if (g->start < g->end)
		ukplat_tlb_flush(&req);
	g->start = g->end = 0;
	g->level = 0;
	g->flags = 0;
	/* A make may free (queue) entries but never adds a make. */
	g->nmakes = 0;
	for (i = 0; i < n; i++)
		g->makes[i].fn(g, g->makes[i].start, g->makes[i].end,
			       g->makes[i].attr, g->makes[i].flags);
}

void pt_gather_make(struct ukplat_tlb_gather *g, ukplat_tlb_make_fn fn,
		    __vaddr_t start, __vaddr_t end, unsigned long attr,
		    unsigned long flags)
{
	unsigned int n = g->nmakes;

	if (n && g->makes[n - 1].fn == fn && g->makes[n - 1].end == start &&
	    g->makes[n - 1].attr == attr && g->makes[n - 1].flags == flags) {
		g->makes[n - 1].end = end;
		return;
	}
	if (n == UKPLAT_TLB_GATHER_MAKES) {
		pt_gather_flush(g); /* early flush: the list is full */
		n = 0;
	}
	g->makes[n].fn = fn;
	g->makes[n].start = start;
	g->makes[n].end = end;
	g->makes[n].attr = attr;
	g->makes[n].flags = flags;
	g->nmakes = n + 1;
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

static void pt_free_fallback(struct ukplat_tlb_gather *g, __paddr_t paddr,
			     unsigned long frames)
{
	int rc;

	if (uk_rcu_read_ongoing()) {
		uk_fetch_add_relaxed(&pt_leaked_frames, (long)frames);
		return;
	}
	pt_gather_flush(g);
	uk_rcu_synchronize();
	rc = uk_ffree(g->pt->fa, paddr, frames);
	UK_ASSERT(rc == 0);
	(void)rc;
}

void pt_gather_free(struct ukplat_tlb_gather *g, __paddr_t paddr,
		    unsigned long frames, bool leaf)
{
	struct pt_free_rec *rec = g->frees;

	if (!rec || rec->n == PT_FREE_BATCH) {
		rec = ukplat_malloc(sizeof(*rec));
		if (!rec) {
			pt_free_fallback(g, paddr, frames);
			return;
		}
		rec->pt = g->pt;
		rec->n = 0;
		rec->leaf_frames = 0;
		rec->next = g->frees;
		g->frees = rec;
	}
	rec->ent[rec->n].paddr = paddr;
	rec->ent[rec->n].frames = frames;
	rec->n++;
	if (leaf) {
		rec->leaf_frames += (long)frames;
		uk_fetch_add_relaxed(&g->pt->pending_frames, (long)frames);
	}
}

void ukplat_tlb_gather_finish(struct ukplat_tlb_gather *g)
{
	struct pt_free_rec *rec;

	pt_gather_flush(g);
	/* After the flush (ordering 2): nobody translates through them. */
	for (rec = g->frees; rec;) {
		struct pt_free_rec *next = rec->next;

		uk_rcu_call(&rec->head, pt_free_rec_cb);
		rec = next;
	}
	g->frees = NULL;
}

void ukplat_pt_free_frames_deferred(struct uk_pagetable *pt, __paddr_t paddr,
				    unsigned long frames)
{
	struct ukplat_tlb_gather g;

	if (!frames)
		return;
	/* The caller removed every translation of the frames already. */
	ukplat_tlb_gather_init(&g, pt);
	pt_gather_free(&g, paddr, frames, true);
	ukplat_tlb_gather_finish(&g);
}
