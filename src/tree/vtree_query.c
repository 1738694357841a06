/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtree queries: lookup, neighbours, first/last, counts and vt_find_gap.
 *
 * Algorithm
 *   Every query is a single root-to-leaf descent on an immutable snapshot
 *   (no backtracking): an internal slot's min/max bound its whole subtree,
 *   so the descent can pick the one child that holds the answer.
 *     lookup(a):      last child with min <= a, must have a < max;
 *     next_from(a):   first child with max > a (it holds an entry ending
 *                     above a, and no earlier child does);
 *     prev_before(a): last child with min < a.
 *   vt_find_gap walks holes in address order and prunes every subtree whose
 *   cached largest inner hole is shorter than len or that lies wholly below
 *   lo; it stops at the first hole above hi. With page alignment any hole of
 *   at least len bytes fits, so at most three paths are walked (the one at
 *   lo, the one at hi and the successful one): O(log n). With a larger
 *   alignment a hole that is long enough may still not hold an aligned
 *   address; the walk then continues with the next candidate.
 *
 * Invariants relied on (checked by vt_validate)
 *   Q1. Entries are sorted and disjoint; child ranges [min, max) of one node
 *       are sorted and disjoint.
 *   Q2. min/max/gap of each internal slot are exact for the child's subtree.
 *
 * Ordering guarantees
 *   1. Queries read node fields with plain loads. They are only ever given a
 *      root obtained by vt_snapshot (acquire) or the writer's own working
 *      root, and no published node is ever written again (vtree_node.c, I1),
 *      so every load is ordered after the writes that initialised the node.
 *   2. Queries write no shared memory (the read side scales).
 */
#include "lib/errno.h"
#include "tree/vtree_node.h"

static void leaf_entry(const struct vt_leaf *l, unsigned int i,
		       struct vt_entry *e)
{
	e->start = l->start[i];
	e->end = l->end[i];
	e->item = l->item[i];
}

bool vt_lookup(const struct vt_node *root, __vaddr_t addr, struct vt_entry *e)
{
	const struct vt_node *n = root;
	const struct vt_leaf *l;
	unsigned int i;

	if (!n)
		return false;
	while (!n->leaf) {
		const struct vt_inode *in = vt_cinode(n);

		i = vtn_count_le(in->min, 1, n->n, addr);
		if (addr < in->min[i] || addr >= in->max[i])
			return false;
		n = in->child[i];
	}
	l = vt_cleaf(n);
	/* i = entries with start <= addr */
	i = vtn_count_le(l->start, 0, n->n, addr);
	if (i == 0 || addr >= l->end[i - 1])
		return false;
	leaf_entry(l, i - 1, e);
	return true;
}

bool vt_next_from(const struct vt_node *root, __vaddr_t addr,
		  struct vt_entry *e)
{
	const struct vt_node *n = root;
	const struct vt_leaf *l;
	unsigned int i;

	if (!n)
		return false;
	while (!n->leaf) {
		const struct vt_inode *in = vt_cinode(n);

		for (i = 0; i < n->n && in->max[i] <= addr; i++)
			;
		if (i == n->n)
			return false;
		n = in->child[i];
	}
	l = vt_cleaf(n);
	for (i = 0; i < n->n && l->end[i] <= addr; i++)
		;
	if (i == n->n)
		return false;
	leaf_entry(l, i, e);
	return true;
}

bool vt_prev_before(const struct vt_node *root, __vaddr_t addr,
		    struct vt_entry *e)
{
	const struct vt_node *n = root;
	const struct vt_leaf *l;
	unsigned int i;

	if (!n)
		return false;
	while (!n->leaf) {
		const struct vt_inode *in = vt_cinode(n);

		for (i = n->n; i > 0 && in->min[i - 1] >= addr; i--)
			;
		if (i == 0)
			return false;
		n = in->child[i - 1];
	}
	l = vt_cleaf(n);
	i = vtn_leaf_lower(l, addr);
	if (i == 0)
		return false;
	leaf_entry(l, i - 1, e);
	return true;
}

bool vt_first(const struct vt_node *root, struct vt_entry *e)
{
	const struct vt_node *n = root;

	if (!n)
		return false;
	while (!n->leaf)
		n = vt_cinode(n)->child[0];
	leaf_entry(vt_cleaf(n), 0, e);
	return true;
}

bool vt_last(const struct vt_node *root, struct vt_entry *e)
{
	const struct vt_node *n = root;

	if (!n)
		return false;
	while (!n->leaf)
		n = vt_cinode(n)->child[n->n - 1];
	leaf_entry(vt_cleaf(n), n->n - 1, e);
	return true;
}

/* ---- vt_find_gap -------------------------------------------------------- */

struct gap_query {
	__vaddr_t lo, hi;
	__sz len, align;
};

/* Does the hole [hs, he), clipped to [lo, hi), hold an aligned range? */
static bool hole_fits(const struct gap_query *q, __vaddr_t hs, __vaddr_t he,
		      __vaddr_t *out)
{
	__vaddr_t a;

	if (hs < q->lo)
		hs = q->lo;
	if (he > q->hi)
		he = q->hi;
	if (hs >= he || he - hs < q->len)
		return false;
	a = (hs + (q->align - 1)) & ~(__vaddr_t)(q->align - 1);
	if (a < hs || a >= he || he - a < q->len)
		return false; /* wrapped, or alignment ate the hole */
	*out = a;
	return true;
}

/* The lowest fitting hole strictly between two entries of @n's subtree. */
static bool gap_in(const struct vt_node *n, const struct gap_query *q,
		   __vaddr_t *out)
{
	unsigned int i;

	if (n->leaf) {
		const struct vt_leaf *l = vt_cleaf(n);

		for (i = 0; i + 1 < n->n; i++) {
			if (l->end[i] >= q->hi)
				return false;
			if (l->start[i + 1] > q->lo &&
			    hole_fits(q, l->end[i], l->start[i + 1], out))
				return true;
		}
		return false;
	}
	const struct vt_inode *in = vt_cinode(n);

	for (i = 0; i < n->n; i++) {
		if (in->min[i] >= q->hi)
			return false;
		/* Holes inside child i lie in [min[i], max[i]). */
		if (in->max[i] > q->lo && in->gap[i] >= q->len &&
		    gap_in(in->child[i], q, out))
			return true;
		if (i + 1 < n->n && in->min[i + 1] > q->lo &&
		    in->min[i + 1] - in->max[i] >= q->len &&
		    hole_fits(q, in->max[i], in->min[i + 1], out))
			return true;
	}
	return false;
}

int vt_find_gap(const struct vt_node *root, __vaddr_t lo, __vaddr_t hi,
		__sz len, __sz align, __vaddr_t *out)
{
	struct gap_query q = {.lo = lo, .hi = hi, .len = len, .align = align};
	struct vt_sum s;

	if (len == 0 || align == 0 || (align & (align - 1)) != 0)
		return -EINVAL;
	if (lo >= hi)
		return -ENOMEM;
	if (!root)
		return hole_fits(&q, lo, hi, out) ? 0 : -ENOMEM;
	vtn_summary(root, &s);
	if (hole_fits(&q, 0, s.min, out))
		return 0;
	if (s.gap >= len && gap_in(root, &q, out))
		return 0;
	if (hole_fits(&q, s.max, __VADDR_INV, out))
		return 0;
	return -ENOMEM;
}

/* ---- Sizes -------------------------------------------------------------- */

size_t vt_count(const struct vt_node *root)
{
	return root ? root->total : 0;
}

size_t vt_node_count(const struct vt_node *root)
{
	size_t c = 1;
	unsigned int i;

	if (!root)
		return 0;
	if (!root->leaf)
		for (i = 0; i < root->n; i++)
			c += vt_node_count(vt_cinode(root)->child[i]);
	return c;
}

unsigned int vt_height(const struct vt_node *root)
{
	unsigned int h = 0;

	for (; root; h++)
		root = root->leaf ? NULL : vt_cinode(root)->child[0];
	return h;
}
