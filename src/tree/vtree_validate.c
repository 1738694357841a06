/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtree validator: recomputes every cached value from scratch.
 *
 * Algorithm
 *   One depth-first walk. Each call checks a node's own slots and returns
 *   the node's true summary (min, max, largest inner hole, entry count),
 *   which the parent compares with what it caches for that child.
 *
 * Checked invariants
 *   V1. Leaf entries: start < end, sorted and disjoint (end <= next start),
 *       inside [lo, hi).
 *   V2. Internal slots: child non-NULL; cached min/max/gap equal the child's
 *       true values; child ranges sorted and disjoint (max[i] <= min[i+1]).
 *   V3. total equals the number of entries below; no node is marked dead.
 *   V4. Fill: every node <= VT_FANOUT; non-root nodes >= VT_MIN_FILL; a root
 *       leaf >= 1 entry; an internal root >= 2 children.
 *   V5. All leaves at one depth; height <= VT_MAX_HEIGHT.
 *
 * Ordering guarantees
 *   1. Like every query, it only reads, so it may run on a snapshot inside
 *      a read section while a writer works, or on a transaction's root.
 */
#include "lib/errno.h"
#include <stdarg.h>
#include "lib/fmt.h"
#include "tree/vtree_node.h"

struct vctx {
	__vaddr_t lo, hi;
	unsigned int leaf_depth; /* 0: no leaf seen yet */
	char *err;
	size_t errlen;
};

struct vres {
	struct vt_sum s;
	size_t total;
};

__attribute__((format(printf, 3, 4))) static int
fail(struct vctx *v, const struct vt_node *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (v->err && v->errlen > 0) {
		k = uk_snprintf(v->err, v->errlen, "node %p (%s, n=%u): ",
			     (const void *)n, n->leaf ? "leaf" : "internal",
			     (unsigned int)n->n);
		if (k >= 0 && (size_t)k < v->errlen) {
			va_start(ap, fmt);
			uk_vsnprintf(v->err + k, v->errlen - (size_t)k, fmt, ap);
			va_end(ap);
		}
	}
	return -EUCLEAN;
}

static int check_fill(struct vctx *v, const struct vt_node *n, bool root)
{
	unsigned int min = root ? (n->leaf ? 1 : 2) : VT_MIN_FILL;

	if (n->n > VT_FANOUT || n->n < min)
		return fail(v, n, "fill %u outside [%u, %u]%s", n->n, min,
			    VT_FANOUT, root ? " (root)" : "");
	if (n->dead)
		return fail(v, n, "reachable node marked dead");
	return 0;
}

static int check_leaf(struct vctx *v, const struct vt_node *n,
		      unsigned int depth, struct vres *out)
{
	const struct vt_leaf *l = vt_cleaf(n);
	unsigned int i;

	if (v->leaf_depth == 0)
		v->leaf_depth = depth;
	else if (v->leaf_depth != depth)
		return fail(v, n, "leaf at depth %u, others at %u", depth,
			    v->leaf_depth);
	for (i = 0; i < n->n; i++) {
		if (l->start[i] >= l->end[i])
			return fail(v, n, "entry %u: empty range [%#lx, %#lx)",
				    i, l->start[i], l->end[i]);
		if (l->start[i] < v->lo || l->end[i] > v->hi)
			return fail(v, n,
				    "entry %u: [%#lx, %#lx) outside [%#lx, %#lx)",
				    i, l->start[i], l->end[i], v->lo, v->hi);
		if (i > 0 && l->end[i - 1] > l->start[i])
			return fail(v, n,
				    "entries %u, %u out of order or overlapping:"
				    " [%#lx, %#lx) [%#lx, %#lx)",
				    i - 1, i, l->start[i - 1], l->end[i - 1],
				    l->start[i], l->end[i]);
	}
	if (n->total != n->n)
		return fail(v, n, "total %zu != n", n->total);
	vtn_summary(n, &out->s);
	out->total = n->n;
	return 0;
}

static int check_node(struct vctx *v, const struct vt_node *n,
		      unsigned int depth, bool root, struct vres *out);

static int check_inode(struct vctx *v, const struct vt_node *n,
		       unsigned int depth, struct vres *out)
{
	const struct vt_inode *in = vt_cinode(n);
	struct vres cr;
	unsigned int i;
	int rc;

	out->total = 0;
	for (i = 0; i < n->n; i++) {
		if (!in->child[i])
			return fail(v, n, "slot %u: NULL child", i);
		rc = check_node(v, in->child[i], depth + 1, false, &cr);
		if (rc)
			return rc;
		if (cr.s.min != in->min[i] || cr.s.max != in->max[i] ||
		    cr.s.gap != in->gap[i])
			return fail(v, n,
				    "slot %u: cached min/max/gap %#lx/%#lx/%#zx,"
				    " child has %#lx/%#lx/%#zx",
				    i, in->min[i], in->max[i], (size_t)in->gap[i],
				    cr.s.min, cr.s.max, (size_t)cr.s.gap);
		if (i > 0 && in->max[i - 1] > in->min[i])
			return fail(v, n, "slots %u, %u overlap", i - 1, i);
		out->total += cr.total;
	}
	if (n->total != out->total)
		return fail(v, n, "total %zu, children hold %zu", n->total,
			    out->total);
	vtn_summary(n, &out->s);
	return 0;
}

static int check_node(struct vctx *v, const struct vt_node *n,
		      unsigned int depth, bool root, struct vres *out)
{
	int rc;

	if (depth > VT_MAX_HEIGHT)
		return fail(v, n, "deeper than %u", VT_MAX_HEIGHT);
	if (((uintptr_t)n & (VT_NODE_ALIGN - 1)) != 0)
		return fail(v, n, "misaligned node");
	rc = check_fill(v, n, root);
	if (rc)
		return rc;
	return n->leaf ? check_leaf(v, n, depth, out)
		       : check_inode(v, n, depth, out);
}

int vt_validate(const struct vt_node *root, __vaddr_t lo, __vaddr_t hi,
		char *err, size_t errlen)
{
	struct vctx v = {.lo = lo, .hi = hi, .err = err, .errlen = errlen};
	struct vres r;

	if (err && errlen > 0)
		err[0] = '\0';
	if (!root)
		return 0;
	return check_node(&v, root, 1, true, &r);
}
