/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The writer protocol shared by map, unmap and set_attr.
 *
 * An edit changes the VMAs over [start, end) in four steps, all under
 * vas->lock:
 *   1. collect the published VMAs the range touches (e->old);
 *   2. build private VMAs for what the tree will hold instead (e->fresh):
 *      the pieces of old VMAs outside the range, new or changed VMAs
 *      inside it, merged with each other and with compatible neighbours;
 *   3. commit: one tree transaction erases e->old and inserts e->fresh and
 *      publishes them with one release store of the root;
 *   4. finish: fresh VMAs become live, old ones are retired via RCU.
 * Every allocation happens in steps 1-3, and nothing is visible before
 * the commit, so an error anywhere before it leaves the VAS untouched.
 * The page-table work between 3 and 4 (after a grace period) belongs to
 * the callers, which know what it is.
 */
#include "lib/string.h"
#include "vas_internal.h"

int vma_vec_push(struct vma_vec *vec, struct uk_vma *vma)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 8;
		struct uk_vma **v = ukplat_malloc(cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		if (vec->n)
			memcpy(v, vec->v, vec->n * sizeof(*v));
		ukplat_free(vec->v);
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = vma;
	return 0;
}

void vma_vec_release(struct vma_vec *vec)
{
	ukplat_free(vec->v);
	vec->v = NULL;
	vec->n = vec->cap = 0;
}

void vas_edit_init(struct vas_edit *e, struct uk_vas *vas, __vaddr_t start,
		   __vaddr_t end)
{
	memset(e, 0, sizeof(*e));
	e->vas = vas;
	e->start = start;
	e->end = end;
}

int vas_edit_collect(struct vas_edit *e, bool strict)
{
	const struct vt_node *root = vt_snapshot(e->vas->tree);
	__vaddr_t covered = e->start;
	struct uk_vma *vma;
	bool holes = false;
	int rc;

	vas_assert_locked(e->vas);
	for (vma = vas_next_from(root, e->start); vma && vma->start < e->end;
	     vma = vas_next_from(root, vma->end)) {
		holes |= vma->start > covered;
		covered = vma->end;
		rc = vma_vec_push(&e->old, vma);
		if (rc)
			return rc;
	}
	holes |= covered < e->end;
	if (strict && (e->old.n == 0 || holes))
		return -ENOENT;
	return 0;
}

/* A range end at @addr inside @vma must fall on one of its pages. */
static bool cut_aligned(const struct uk_vma *vma, __vaddr_t addr)
{
	return addr <= vma->start || addr >= vma->end ||
	       PAGE_Lx_ALIGNED(addr, vma_level(vma));
}

/* The part of @vma from @cut on, cut off by the type's split hook. */
static int split_piece(struct uk_vma *vma, __vaddr_t from, __vaddr_t to,
		       __vaddr_t cut, struct uk_vma **piece)
{
	struct uk_vma *lo, *hi = NULL;
	int rc;

	*piece = vma_clone_range(vma, from, to);
	if (!*piece)
		return -ENOMEM;
	if (!vma->ops->split)
		return 0;
	/* Ask the type on a throw-away copy of the whole VMA whether it may
	 * be cut at @cut (Unikraft's split hook shape). */
	lo = vma_clone_range(vma, vma->start, vma->end);
	if (!lo) {
		rc = -ENOMEM;
	} else {
		rc = vma->ops->split(lo, cut, &hi);
		if (hi)
			vma_free(hi);
		vma_free(lo);
	}
	if (rc) {
		vma_free(*piece);
		*piece = NULL;
	}
	return rc;
}

int vas_edit_keep_outside(struct vas_edit *e)
{
	struct uk_vma *first, *last, *piece;
	int rc;

	if (e->old.n == 0)
		return 0;
	first = e->old.v[0];
	last = e->old.v[e->old.n - 1];
	if (!cut_aligned(first, e->start) || !cut_aligned(last, e->end))
		return -EINVAL;
	if (first->start < e->start) {
		rc = split_piece(first, first->start, e->start, e->start,
				 &piece);
		if (rc)
			return rc;
		rc = vas_edit_add(e, piece);
		if (rc) {
			vma_free(piece);
			return rc;
		}
	}
	if (last->end > e->end) {
		rc = split_piece(last, e->end, last->end, e->end, &piece);
		if (rc)
			return rc;
		rc = vas_edit_add(e, piece);
		if (rc) {
			vma_free(piece);
			return rc;
		}
	}
	return 0;
}

int vas_edit_add(struct vas_edit *e, struct uk_vma *vma)
{
	size_t i;
	int rc = vma_vec_push(&e->fresh, vma);

	if (rc)
		return rc;
	for (i = e->fresh.n - 1; i > 0 && e->fresh.v[i - 1]->start > vma->start;
	     i--)
		e->fresh.v[i] = e->fresh.v[i - 1];
	e->fresh.v[i] = vma;
	return 0;
}

/* May @a (private) absorb @b? Asks the type's merge hook. */
static bool may_merge(struct uk_vma *a, struct uk_vma *b)
{
	if (!vma_compatible(a, b))
		return false;
	return !a->ops->merge || a->ops->merge(a, b) == 0;
}

static void absorb(struct uk_vma *into, struct uk_vma *from)
{
	into->end = from->end;
	if (uk_load_relaxed(&from->state) == UK_VMA_STATE_PENDING)
		uk_store_relaxed(&into->state, UK_VMA_STATE_PENDING);
}

static bool is_old(const struct vas_edit *e, const struct uk_vma *vma)
{
	size_t i;

	for (i = 0; i < e->old.n; i++)
		if (e->old.v[i] == vma)
			return true;
	return false;
}

/* Merge the published neighbour @nb with fresh VMA at @idx (@nb_first:
 * the neighbour lies before it). */
static int merge_neighbour(struct vas_edit *e, struct uk_vma *nb, size_t idx,
			   bool nb_first)
{
	struct uk_vma *f = e->fresh.v[idx];
	struct uk_vma *lo = nb_first ? nb : f, *hi = nb_first ? f : nb;
	struct uk_vma *copy;
	int rc;

	if (!nb || is_old(e, nb) || !vma_compatible(lo, hi))
		return 0;
	copy = vma_clone_range(nb, nb->start, nb->end);
	if (!copy)
		return -ENOMEM;
	if (nb_first) {
		if (!may_merge(copy, f)) {
			vma_free(copy);
			return 0;
		}
		absorb(copy, f);
		vma_free(f);
		e->fresh.v[idx] = copy;
	} else {
		if (!may_merge(f, copy)) {
			vma_free(copy);
			return 0;
		}
		absorb(f, copy);
		vma_free(copy);
	}
	rc = vma_vec_push(&e->old, nb);
	/* On failure the merged copy stays private and is freed by abort;
	 * the neighbour was not yet listed, so nothing else to undo. */
	return rc;
}

int vas_edit_merge(struct vas_edit *e)
{
	const struct vt_node *root = vt_snapshot(e->vas->tree);
	struct vt_entry ent;
	size_t i, j;
	int rc;

	if (e->fresh.n == 0)
		return 0;
	/* Among the fresh VMAs (all private: extend in place). */
	for (i = 0, j = 1; j < e->fresh.n; j++) {
		if (may_merge(e->fresh.v[i], e->fresh.v[j])) {
			absorb(e->fresh.v[i], e->fresh.v[j]);
			vma_free(e->fresh.v[j]);
		} else {
			e->fresh.v[++i] = e->fresh.v[j];
		}
	}
	e->fresh.n = i + 1;
	/* With the published neighbours just outside. */
	if (vt_prev_before(root, e->fresh.v[0]->start, &ent)) {
		rc = merge_neighbour(e, ent.item, 0, true);
		if (rc)
			return rc;
	}
	if (vt_next_from(root, e->fresh.v[e->fresh.n - 1]->end, &ent)) {
		rc = merge_neighbour(e, ent.item, e->fresh.n - 1, false);
		if (rc)
			return rc;
	}
	return 0;
}

struct uk_vma *vas_edit_fresh_at(const struct vas_edit *e, __vaddr_t addr)
{
	size_t i;

	for (i = 0; i < e->fresh.n; i++)
		if (e->fresh.v[i]->start <= addr && addr < e->fresh.v[i]->end)
			return e->fresh.v[i];
	return NULL;
}

int vas_edit_commit(struct vas_edit *e)
{
	size_t i;
	int rc = 0;

	vt_txn_begin(&e->txn, e->vas->tree);
	for (i = 0; i < e->old.n && !rc; i++)
		rc = vt_txn_erase(&e->txn, e->old.v[i]->start);
	for (i = 0; i < e->fresh.n && !rc; i++)
		rc = vt_txn_insert(&e->txn, e->fresh.v[i]->start,
				   e->fresh.v[i]->end, e->fresh.v[i]);
	if (rc) {
		vt_txn_abort(&e->txn);
		return rc;
	}
	/* Release store of the root: the fresh VMAs' contents (written
	 * while private) happen before any reader that finds them. */
	vt_txn_commit(&e->txn);
	return 0;
}

void vas_edit_clear_old(struct vas_edit *e)
{
	size_t i;

	if (!e->old.n)
		return;
	/* Every fault that found an old VMA has finished (and installed
	 * what it installs) once this returns; none can find them now. */
	uk_rcu_synchronize();
	for (i = 0; i < e->old.n; i++) {
		struct uk_vma *o = e->old.v[i];
		__vaddr_t s = vma_clip_start(o, e->start);
		__vaddr_t t = vma_clip_end(o, e->end);

		if (s < t)
			vma_unmap_range(o, s, t - s);
	}
}

void vas_edit_finish(struct vas_edit *e)
{
	size_t i;

	/* Pairs with the acquire load of state in the fault path: a fault
	 * that sees LIVE also sees the old PTEs gone. */
	for (i = 0; i < e->fresh.n; i++)
		uk_store_release(&e->fresh.v[i]->state, UK_VMA_STATE_LIVE);
	for (i = 0; i < e->old.n; i++)
		vma_retire(e->old.v[i]);
	vma_vec_release(&e->old);
	vma_vec_release(&e->fresh);
}

void vas_edit_abort(struct vas_edit *e)
{
	size_t i;

	for (i = 0; i < e->fresh.n; i++)
		vma_free(e->fresh.v[i]);
	vma_vec_release(&e->old);
	vma_vec_release(&e->fresh);
}
