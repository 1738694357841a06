/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtree transactions: copy-on-write insert and erase, commit and abort.
 *
 * Algorithm
 *   A transaction owns a working root. Each operation first walks the
 *   working tree read-only to validate its arguments (-EINVAL, -EEXIST,
 *   -ENOENT) and to count exactly how many nodes it will need: one copy per
 *   published node on its path, one node per split (plus a new root), one
 *   copy per published sibling it borrows from. It allocates them all into a
 *   reserve, and only then changes anything; if an allocation fails it frees
 *   the reserve and returns -ENOMEM with the working tree untouched. So every
 *   operation is all-or-nothing by itself, and the transaction is too.
 *   Changing a node means: if it is private (gen == txn gen) edit it in
 *   place; otherwise copy it (cow), link the copy into its parent (already
 *   private, since paths are copied top-down) and put the original on the
 *   retired list. Insert splits a full node into halves (9 + 8; 13 + 4 when the
 *   insert is at either end, see split_point) and grows a
 *   new root when the root splits. Erase fixes an underfull non-root node
 *   (< VT_MIN_FILL) with its left sibling (right for slot 0): merge into the
 *   path node when both fit in one node, otherwise borrow to even them out;
 *   an empty root leaf disappears and an internal root with one child is
 *   replaced by that child.
 *
 * Invariants
 *   T1. No published node is written (except the writer-only link/rcu).
 *   T2. Every node reachable from the working root and created in this
 *       transaction is on the fresh list; every published node that is no
 *       longer reachable from it is on the retired list exactly once.
 *       Private nodes dropped again (merged away, collapsed root) stay on the
 *       fresh list marked dead.
 *   T3. Between operations the working tree satisfies everything vt_validate
 *       checks; the published tree is the one before vt_txn_begin.
 *
 * Why readers never restart (and need no dead marking)
 *   Every change is path-copied up to the root, so a published node is never
 *   modified and the only shared location a commit writes is the root
 *   pointer. A reader that loaded root R sees exactly the tree reachable from
 *   R, made of immutable nodes, for its whole read section, whatever commits
 *   happen meanwhile; a multi-node change (split up to the root, merge,
 *   borrow) becomes visible atomically with the one root store. The maple
 *   tree instead replaces a node in place in its (published) parent's slot,
 *   so a reader already below that slot runs on a node that no longer
 *   belongs to the tree, and a rebalance touching several nodes is not one
 *   atomic step; it therefore marks replaced nodes dead and has readers
 *   restart. Here a replaced node stays consistent with the snapshot that
 *   reaches it, and the grace period keeps it alive until that snapshot's
 *   readers are gone. The price is O(height) node copies per operation
 *   (shared by later operations of the same transaction).
 *
 * Ordering guarantees
 *   1. All writes to the new nodes happen before the release store of the
 *      root in vt_txn_commit (program order + release); readers acquire the
 *      root in vt_snapshot.
 *   2. Retired nodes are handed to uk_rcu_call only after that store, so any
 *      reader that can still reach one started before the store, and the
 *      grace period outlasts it. The link of a retired node is read before
 *      uk_rcu_call, which may free it at any time afterwards.
 *   3. Abort frees fresh nodes directly: they were never stored to the root,
 *      so no reader can have seen them.
 *   4. The writer's own loads of the root are relaxed: the owner's mutex
 *      orders them after the previous commit.
 */
#include "lib/errno.h"
#include "lib/string.h"
#include "atomic.h"
#include "tree/vtree_node.h"

/* ---- Node reserve ------------------------------------------------------- */

#define VT_RESERVE_MAX (2 * VT_MAX_HEIGHT + 2)

struct vt_reserve {
	struct vt_node *pool[2][VT_RESERVE_MAX]; /* [leaf] */
	unsigned int cnt[2];
};

static void reserve_drop(struct vt_reserve *r)
{
	unsigned int k;

	for (k = 0; k < 2; k++)
		while (r->cnt[k] > 0)
			vtn_free(r->pool[k][--r->cnt[k]]);
}

/* need[0]: internal nodes, need[1]: leaves. */
static int reserve_fill(struct vt_txn *x, struct vt_reserve *r,
			const unsigned int need[2])
{
	unsigned int k;

	r->cnt[0] = r->cnt[1] = 0;
	for (k = 0; k < 2; k++) {
		UK_ASSERT(need[k] <= VT_RESERVE_MAX);
		while (r->cnt[k] < need[k]) {
			struct vt_node *n = vtn_alloc(k == 1, x->gen);

			if (!n) {
				reserve_drop(r);
				return -ENOMEM;
			}
			r->pool[k][r->cnt[k]++] = n;
		}
	}
	return 0;
}

static struct vt_node *take(struct vt_txn *x, struct vt_reserve *r, bool leaf)
{
	struct vt_node *n;

	UK_ASSERT(r->cnt[leaf] > 0);
	n = r->pool[leaf][--r->cnt[leaf]];
	n->link = x->fresh;
	x->fresh = n;
	return n;
}

static bool is_private(const struct vt_txn *x, const struct vt_node *n)
{
	return n->gen == x->gen;
}

/* Writable version of @n: itself if private, else a copy (old retired). */
static struct vt_node *cow(struct vt_txn *x, struct vt_reserve *r,
			   struct vt_node *n)
{
	struct vt_node *c;

	if (is_private(x, n))
		return n;
	c = take(x, r, n->leaf);
	vtn_copy(c, n);
	n->link = x->retired;
	x->retired = n;
	return c;
}

/* @n leaves the working tree. */
static void drop(struct vt_txn *x, struct vt_node *n)
{
	if (is_private(x, n)) {
		n->dead = 1;
	} else {
		n->link = x->retired;
		x->retired = n;
	}
}

/* ---- Path walk (read-only) --------------------------------------------- */

struct vt_path {
	struct vt_node *node[VT_MAX_HEIGHT];
	unsigned int slot[VT_MAX_HEIGHT]; /* child slot taken at node[d] */
	unsigned int h;
};

static void walk(struct vt_node *root, __vaddr_t key, struct vt_path *p)
{
	struct vt_node *n = root;

	p->h = 0;
	for (;;) {
		UK_ASSERT(p->h < VT_MAX_HEIGHT);
		p->node[p->h] = n;
		if (n->leaf)
			break;
		p->slot[p->h] = vtn_child_slot(vt_inode(n), key);
		n = vt_inode(n)->child[p->slot[p->h]];
		p->h++;
	}
	p->h++;
}

static void count_copies(const struct vt_txn *x, const struct vt_path *p,
			 unsigned int need[2])
{
	unsigned int d;

	for (d = 0; d < p->h; d++)
		if (!is_private(x, p->node[d]))
			need[p->node[d]->leaf]++;
}

/* ---- Begin / commit / abort -------------------------------------------- */

void vt_txn_begin(struct vt_txn *x, struct vt_tree *t)
{
	x->t = t;
	x->gen = ++t->gen;
	x->root = uk_load_relaxed(&t->root); /* ordering 4 */
	x->retired = NULL;
	x->fresh = NULL;
}

const struct vt_node *vt_txn_root(const struct vt_txn *x)
{
	return x->root;
}

void vt_txn_commit(struct vt_txn *x)
{
	struct vt_node *n, *next;

	/* Ordering 1: publishes every write into the fresh nodes. */
	uk_rcu_assign(&x->t->root, x->root);
	/* Ordering 2: retire only what the new root no longer reaches (the
	 * retired list, chained through ->link, goes to RCU in one piece). */
	vtn_retire_rcu(x->retired);
	for (n = x->fresh; n; n = next) {
		next = n->link;
		if (n->dead)
			vtn_free(n); /* never published */
	}
	x->retired = x->fresh = NULL;
	x->root = NULL;
	x->t = NULL;
}

void vt_txn_abort(struct vt_txn *x)
{
	struct vt_node *n, *next;

	/* Ordering 3: nothing here was ever published. */
	for (n = x->fresh; n; n = next) {
		next = n->link;
		vtn_free(n);
	}
	/* The retired nodes are still the published tree: keep them. */
	x->retired = x->fresh = NULL;
	x->root = NULL;
	x->t = NULL;
}

/* ---- Insert ------------------------------------------------------------- */

struct vt_op {
	struct vt_txn *x;
	struct vt_reserve r;
	__vaddr_t start, end;
	void *item;
};

/*
 * Entries the left node keeps when @cnt (one over the fanout) split after
 * an insert at @pos. Halves in general; but address spaces grow at their
 * ends (ascending or descending maps), and halving there leaves every node
 * half empty for good, so an insert at either end leaves the node it came
 * from nearly full and starts the new one at the minimum fill.
 */
static unsigned int split_point(unsigned int cnt, unsigned int pos)
{
	if (pos == cnt - 1)
		return cnt - VT_MIN_FILL;
	if (pos == 0)
		return VT_MIN_FILL;
	return (cnt + 1) / 2;
}

/* Insert into a private leaf; returns the new right half when it split. */
static struct vt_node *ins_leaf(struct vt_op *op, struct vt_node *n)
{
	struct vt_leaf *l = vt_leaf(n), *r;
	__vaddr_t s[VT_FANOUT + 1], e[VT_FANOUT + 1];
	void *it[VT_FANOUT + 1];
	unsigned int pos = vtn_leaf_lower(l, op->start), cnt = n->n, nl;

	memcpy(s, l->start, pos * sizeof(s[0]));
	memcpy(e, l->end, pos * sizeof(e[0]));
	memcpy(it, l->item, pos * sizeof(it[0]));
	s[pos] = op->start;
	e[pos] = op->end;
	it[pos] = op->item;
	memcpy(s + pos + 1, l->start + pos, (cnt - pos) * sizeof(s[0]));
	memcpy(e + pos + 1, l->end + pos, (cnt - pos) * sizeof(e[0]));
	memcpy(it + pos + 1, l->item + pos, (cnt - pos) * sizeof(it[0]));
	cnt++;

	nl = cnt <= VT_FANOUT ? cnt : split_point(cnt, pos);
	memcpy(l->start, s, nl * sizeof(s[0]));
	memcpy(l->end, e, nl * sizeof(e[0]));
	memcpy(l->item, it, nl * sizeof(it[0]));
	n->n = (uint8_t)nl;
	n->total = nl;
	if (nl == cnt)
		return NULL;

	r = vt_leaf(take(op->x, &op->r, true));
	memcpy(r->start, s + nl, (cnt - nl) * sizeof(s[0]));
	memcpy(r->end, e + nl, (cnt - nl) * sizeof(e[0]));
	memcpy(r->item, it + nl, (cnt - nl) * sizeof(it[0]));
	r->h.n = (uint8_t)(cnt - nl);
	r->h.total = cnt - nl;
	return &r->h;
}

/* Put @child into slot @pos of private @in; returns the new right half
 * when @in split. in->h.total must already count @child's entries. */
static struct vt_node *ins_child(struct vt_op *op, struct vt_inode *in,
				 unsigned int pos, struct vt_node *child)
{
	struct vt_node *c[VT_FANOUT + 1];
	struct vt_inode *r;
	unsigned int cnt = in->h.n, nl, i;

	if (cnt < VT_FANOUT) {
		memmove(in->child + pos + 1, in->child + pos,
			(cnt - pos) * sizeof(in->child[0]));
		memmove(in->min + pos + 1, in->min + pos,
			(cnt - pos) * sizeof(in->min[0]));
		memmove(in->max + pos + 1, in->max + pos,
			(cnt - pos) * sizeof(in->max[0]));
		memmove(in->gap + pos + 1, in->gap + pos,
			(cnt - pos) * sizeof(in->gap[0]));
		in->child[pos] = child;
		in->h.n++;
		vtn_refresh_slot(in, pos);
		return NULL;
	}

	memcpy(c, in->child, pos * sizeof(c[0]));
	c[pos] = child;
	memcpy(c + pos + 1, in->child + pos, (cnt - pos) * sizeof(c[0]));
	cnt++;
	nl = split_point(cnt, pos);
	r = vt_inode(take(op->x, &op->r, false));
	r->h.n = (uint8_t)(cnt - nl);
	r->h.total = 0;
	for (i = 0; i < cnt - nl; i++) {
		r->child[i] = c[nl + i];
		vtn_refresh_slot(r, i);
		r->h.total += c[nl + i]->total;
	}
	in->h.n = (uint8_t)nl;
	in->h.total -= r->h.total;
	/* Slots below pos are unchanged; pos.. were shifted or replaced. */
	for (i = pos; i < nl; i++) {
		in->child[i] = c[i];
		vtn_refresh_slot(in, i);
	}
	return &r->h;
}

static struct vt_node *ins_rec(struct vt_op *op, struct vt_node *n)
{
	struct vt_inode *in;
	struct vt_node *c, *split;
	unsigned int i;

	if (n->leaf)
		return ins_leaf(op, n);
	in = vt_inode(n);
	i = vtn_child_slot(in, op->start);
	c = cow(op->x, &op->r, in->child[i]);
	in->child[i] = c;
	split = ins_rec(op, c);
	vtn_refresh_slot(in, i);
	n->total++;
	return split ? ins_child(op, in, i + 1, split) : NULL;
}

static int ins_prepare(struct vt_op *op, const struct vt_path *p)
{
	unsigned int need[2] = {0, 0};
	unsigned int d = p->h;

	count_copies(op->x, p, need);
	while (d-- > 0) {
		if (p->node[d]->n < VT_FANOUT)
			break;
		need[p->node[d]->leaf]++;
		if (d == 0)
			need[0]++; /* new root */
	}
	return reserve_fill(op->x, &op->r, need);
}

int vt_txn_insert(struct vt_txn *x, __vaddr_t start, __vaddr_t end,
		  void *item)
{
	struct vt_op op = {.x = x, .start = start, .end = end, .item = item};
	static const unsigned int one_leaf[2] = {0, 1};
	struct vt_entry e;
	struct vt_path p;
	struct vt_node *split;
	int rc;

	if (start >= end || start < x->t->lo || end > x->t->hi)
		return -EINVAL;
	if (vt_next_from(x->root, start, &e) && e.start < end)
		return -EEXIST;

	if (!x->root) {
		struct vt_leaf *l;

		rc = reserve_fill(x, &op.r, one_leaf);
		if (rc)
			return rc;
		l = vt_leaf(take(x, &op.r, true));
		l->start[0] = start;
		l->end[0] = end;
		l->item[0] = item;
		l->h.n = 1;
		l->h.total = 1;
		x->root = &l->h;
		return 0;
	}

	walk(x->root, start, &p);
	rc = ins_prepare(&op, &p);
	if (rc)
		return rc;
	/* Nothing below can fail. */
	x->root = cow(x, &op.r, x->root);
	split = ins_rec(&op, x->root);
	if (split) {
		struct vt_inode *nr = vt_inode(take(x, &op.r, false));

		nr->child[0] = x->root;
		nr->child[1] = split;
		nr->h.n = 2;
		nr->h.total = x->root->total + split->total;
		vtn_refresh_slot(nr, 0);
		vtn_refresh_slot(nr, 1);
		x->root = &nr->h;
	}
	UK_ASSERT(op.r.cnt[0] == 0 && op.r.cnt[1] == 0);
	return 0;
}

/* ---- Erase -------------------------------------------------------------- */

static void leaf_remove(struct vt_leaf *l, unsigned int i)
{
	unsigned int m = l->h.n - i - 1;

	memmove(l->start + i, l->start + i + 1, m * sizeof(l->start[0]));
	memmove(l->end + i, l->end + i + 1, m * sizeof(l->end[0]));
	memmove(l->item + i, l->item + i + 1, m * sizeof(l->item[0]));
	l->h.n--;
	l->h.total = l->h.n;
}

static void inode_remove(struct vt_inode *in, unsigned int i)
{
	unsigned int m = in->h.n - i - 1;

	memmove(in->child + i, in->child + i + 1, m * sizeof(in->child[0]));
	memmove(in->min + i, in->min + i + 1, m * sizeof(in->min[0]));
	memmove(in->max + i, in->max + i + 1, m * sizeof(in->max[0]));
	memmove(in->gap + i, in->gap + i + 1, m * sizeof(in->gap[0]));
	in->h.n--;
}

/*
 * Move @k slots from the front of @src to the back of @dst (to_back) or
 * from the back of @src to the front of @dst; same kind, @dst private.
 * Slot summaries of internal nodes move with their children. With @whole
 * (a merge: k == src->n) @src is only read, so it may be published.
 */
static void move_slots(struct vt_node *dst, struct vt_node *src,
		       unsigned int k, bool to_back, bool whole)
{
	unsigned int dn = dst->n, sn = src->n;
	unsigned int from = to_back ? 0 : sn - k, at = to_back ? dn : 0;
	size_t moved = 0;
	unsigned int i;

#define VT_MOVE(arr)                                                           \
	do {                                                                   \
		if (!to_back)                                                  \
			memmove(d->arr + k, d->arr, dn * sizeof(d->arr[0]));   \
		memcpy(d->arr + at, s->arr + from, k * sizeof(d->arr[0]));     \
		if (to_back && !whole)                                         \
			memmove(s->arr, s->arr + k, (sn - k) * sizeof(s->arr[0])); \
	} while (0)

	if (dst->leaf) {
		struct vt_leaf *d = vt_leaf(dst), *s = vt_leaf(src);

		VT_MOVE(start);
		VT_MOVE(end);
		VT_MOVE(item);
		moved = k;
	} else {
		struct vt_inode *d = vt_inode(dst), *s = vt_inode(src);

		VT_MOVE(child);
		VT_MOVE(min);
		VT_MOVE(max);
		VT_MOVE(gap);
		for (i = 0; i < k; i++)
			moved += d->child[at + i]->total;
	}
#undef VT_MOVE
	dst->n = (uint8_t)(dn + k);
	dst->total += moved;
	if (!whole) {
		src->n = (uint8_t)(sn - k);
		src->total -= moved;
	}
}

/* Child @i of private @in fell below VT_MIN_FILL: merge or borrow. */
static void rebalance(struct vt_op *op, struct vt_inode *in, unsigned int i)
{
	unsigned int si = i > 0 ? i - 1 : i + 1;
	struct vt_node *c = in->child[i], *s = in->child[si];

	if (c->n + s->n <= VT_FANOUT) {
		/* Merge the sibling into the (private) path node. */
		move_slots(c, s, s->n, si > i, true);
		drop(op->x, s);
		inode_remove(in, si);
		vtn_refresh_slot(in, si < i ? i - 1 : i);
		return;
	}
	s = cow(op->x, &op->r, s);
	in->child[si] = s;
	move_slots(c, s, (s->n - c->n) / 2, si > i, false);
	vtn_refresh_slot(in, i);
	vtn_refresh_slot(in, si);
}

static void era_rec(struct vt_op *op, struct vt_node *n)
{
	struct vt_inode *in;
	struct vt_node *c;
	unsigned int i;

	if (n->leaf) {
		leaf_remove(vt_leaf(n), vtn_leaf_lower(vt_leaf(n), op->start));
		return;
	}
	in = vt_inode(n);
	i = vtn_child_slot(in, op->start);
	c = cow(op->x, &op->r, in->child[i]);
	in->child[i] = c;
	era_rec(op, c);
	n->total--;
	if (c->n >= VT_MIN_FILL)
		vtn_refresh_slot(in, i);
	else
		rebalance(op, in, i);
}

/* Count the nodes era_rec will take, following the same decisions. */
static int era_prepare(struct vt_op *op, const struct vt_path *p)
{
	unsigned int need[2] = {0, 0};
	unsigned int d = p->h - 1, fill = p->node[d]->n - 1;

	count_copies(op->x, p, need);
	for (; d > 0 && fill < VT_MIN_FILL; d--) {
		const struct vt_inode *par = vt_cinode(p->node[d - 1]);
		unsigned int i = p->slot[d - 1];
		const struct vt_node *s = par->child[i > 0 ? i - 1 : i + 1];

		if (fill + s->n > VT_FANOUT) {
			if (!is_private(op->x, s))
				need[s->leaf]++; /* borrow copies it */
			break;
		}
		fill = par->h.n - 1; /* merge removes a slot from the parent */
	}
	return reserve_fill(op->x, &op->r, need);
}

int vt_txn_erase(struct vt_txn *x, __vaddr_t start)
{
	struct vt_op op = {.x = x, .start = start};
	struct vt_path p;
	struct vt_leaf *l;
	struct vt_node *root;
	unsigned int i;
	int rc;

	if (!x->root)
		return -ENOENT;
	walk(x->root, start, &p);
	l = vt_leaf(p.node[p.h - 1]);
	i = vtn_leaf_lower(l, start);
	if (i == l->h.n || l->start[i] != start)
		return -ENOENT;
	rc = era_prepare(&op, &p);
	if (rc)
		return rc;
	/* Nothing below can fail. */
	root = x->root = cow(x, &op.r, x->root);
	era_rec(&op, root);
	if (root->n == 0) {
		drop(x, root);
		x->root = NULL;
	} else if (!root->leaf && root->n == 1) {
		x->root = vt_inode(root)->child[0];
		drop(x, root);
	}
	UK_ASSERT(op.r.cnt[0] == 0 && op.r.cnt[1] == 0);
	return 0;
}
