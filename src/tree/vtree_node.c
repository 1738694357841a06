/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtree nodes: allocation, copy, retirement and the cached summaries.
 *
 * Algorithm
 *   Nodes are allocated 64-byte aligned, recycled through vtree_cache.c
 *   (which goes through fault injection, so any allocation may return
 *   NULL). A node
 *   is created private to one transaction, filled in, published by that
 *   transaction's commit and from then on never written again except for
 *   the writer-only fields link and rcu. A replaced published node is freed
 *   through uk_rcu_call; a private node is freed directly.
 *
 * Invariants
 *   I1. A published node's reader-visible fields (leaf, n, total, gen, the
 *       arrays) never change.
 *   I2. A node is freed directly only if it was never published; otherwise
 *       only from an RCU callback, i.e. after every reader that could have
 *       reached it has left its read section.
 *   I3. vt_live_nodes() = nodes allocated - nodes freed, over all trees.
 *
 * Ordering guarantees
 *   1. vt_snapshot loads the root with acquire; it pairs with the release
 *      store in vt_txn_commit, so everything the writer wrote into the new
 *      nodes happens before any reader reads them through that root.
 *   2. vtn_retire_rcu is called only after the release store of the root
 *      that no longer reaches the node (see vtree_txn.c, ordering 2), so the
 *      grace period covers every reader that could have loaded it.
 *   3. The live-node counter is relaxed: it is a statistic read after
 *      uk_rcu_barrier(), which orders the callbacks' decrements before it.
 */
#include "lib/string.h"
#include "atomic.h"
#include "tree/vtree_node.h"

static _Atomic long vt_live;

static size_t vtn_size(bool leaf)
{
	return leaf ? sizeof(struct vt_leaf) : sizeof(struct vt_inode);
}

size_t vt_node_size(void)
{
	return sizeof(struct vt_inode) > sizeof(struct vt_leaf)
		       ? sizeof(struct vt_inode)
		       : sizeof(struct vt_leaf);
}

long vt_live_nodes(void)
{
	return uk_load_relaxed(&vt_live);
}

struct vt_node *vtn_alloc(bool leaf, unsigned long gen)
{
	struct vt_node *n = vtn_mem_get(leaf, vtn_size(leaf));

	if (!n)
		return NULL;
	memset(n, 0, vtn_size(leaf));
	n->leaf = leaf;
	n->gen = gen;
	uk_fetch_add_relaxed(&vt_live, 1);
	return n;
}

void vtn_free(struct vt_node *n)
{
	uk_fetch_sub_relaxed(&vt_live, 1);
	vtn_mem_put(n->leaf, n);
}

/* Frees a whole chain (linked through ->link) after one grace period. */
static void vtn_rcu_cb(struct uk_rcu_head *head)
{
	struct vt_node *n = (struct vt_node *)((char *)head -
					       offsetof(struct vt_node, rcu));
	struct vt_node *next;

	for (; n; n = next) {
		next = n->link;
		vtn_free(n);
	}
}

void vtn_retire_rcu(struct vt_node *chain)
{
	/* One callback per commit, not per node: queuing a callback can
	 * wake the reclaimer thread, which costs more than the free. The
	 * chain's links are writer-only fields no reader looks at. */
	if (chain)
		uk_rcu_call(&chain->rcu, vtn_rcu_cb);
}

void vtn_copy(struct vt_node *dst, const struct vt_node *src)
{
	UK_ASSERT(dst->leaf == src->leaf);
	dst->n = src->n;
	dst->total = src->total;
	if (src->leaf) {
		struct vt_leaf *d = vt_leaf(dst);
		const struct vt_leaf *s = vt_cleaf(src);

		memcpy(d->start, s->start, sizeof(d->start));
		memcpy(d->end, s->end, sizeof(d->end));
		memcpy(d->item, s->item, sizeof(d->item));
	} else {
		struct vt_inode *d = vt_inode(dst);
		const struct vt_inode *s = vt_cinode(src);

		memcpy(d->child, s->child, sizeof(d->child));
		memcpy(d->min, s->min, sizeof(d->min));
		memcpy(d->max, s->max, sizeof(d->max));
		memcpy(d->gap, s->gap, sizeof(d->gap));
	}
}

void vtn_summary(const struct vt_node *n, struct vt_sum *s)
{
	unsigned int i;

	s->min = s->max = 0;
	s->gap = 0;
	if (n->n == 0)
		return;
	if (n->leaf) {
		const struct vt_leaf *l = vt_cleaf(n);

		s->min = l->start[0];
		s->max = l->end[n->n - 1];
		for (i = 0; i + 1 < n->n; i++)
			if (l->start[i + 1] - l->end[i] > s->gap)
				s->gap = l->start[i + 1] - l->end[i];
	} else {
		const struct vt_inode *in = vt_cinode(n);

		s->min = in->min[0];
		s->max = in->max[n->n - 1];
		for (i = 0; i < n->n; i++) {
			if (in->gap[i] > s->gap)
				s->gap = in->gap[i];
			if (i + 1 < n->n && in->min[i + 1] - in->max[i] > s->gap)
				s->gap = in->min[i + 1] - in->max[i];
		}
	}
}

void vtn_refresh_slot(struct vt_inode *in, unsigned int i)
{
	struct vt_sum s;

	vtn_summary(in->child[i], &s);
	in->min[i] = s.min;
	in->max[i] = s.max;
	in->gap[i] = s.gap;
}

unsigned int vtn_child_slot(const struct vt_inode *in, __vaddr_t addr)
{
	return vtn_count_le(in->min, 1, in->h.n, addr);
}

unsigned int vtn_leaf_lower(const struct vt_leaf *l, __vaddr_t addr)
{
	unsigned int i = 0;

	while (i < l->h.n && l->start[i] < addr)
		i++;
	return i;
}

/* ---- Tree lifetime ------------------------------------------------------ */

void vt_init(struct vt_tree *t, __vaddr_t lo, __vaddr_t hi)
{
	atomic_init(&t->root, NULL);
	t->lo = lo;
	t->hi = hi;
	t->gen = 0;
}

static void vtn_free_subtree(struct vt_node *n)
{
	unsigned int i;

	if (!n->leaf)
		for (i = 0; i < n->n; i++)
			vtn_free_subtree(vt_inode(n)->child[i]);
	vtn_free(n);
}

void vt_destroy(struct vt_tree *t)
{
	struct vt_node *root = uk_load_relaxed(&t->root);

	if (root)
		vtn_free_subtree(root);
	uk_store_relaxed(&t->root, NULL);
}

const struct vt_node *vt_snapshot(struct vt_tree *t)
{
	/* Ordering 1: pairs with the release store in vt_txn_commit. */
	return uk_rcu_deref(&t->root);
}
