/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtree: an RCU-protected, copy-on-write B-tree of disjoint address ranges.
 *
 * Entries are [start, end) ranges with an opaque item pointer (the VAS
 * stores its VMAs). Keys live in the nodes, so lookups never touch items.
 *
 * Readers take a snapshot of the root (vt_snapshot) inside an RCU read
 * section and then use the query functions on that root: they take no lock,
 * write no shared memory, and see one consistent version of the tree for as
 * long as they stay in the section, whatever writers do meanwhile.
 *
 * Writers hold the owner's mutex and change the tree in a transaction: each
 * change copies the path it touches (a node created in the current
 * transaction is private and may be edited in place; a published node is
 * never modified), vt_txn_commit publishes the new root with one release
 * store and retires the replaced nodes through uk_rcu_call. vt_txn_abort
 * frees the private nodes and leaves the tree exactly as it was, so an
 * -ENOMEM half-way through a multi-step change is harmless.
 *
 * Every internal node keeps, per child, the child's lowest start, highest
 * end and the largest free gap between entries inside it, so vt_find_gap
 * finds the lowest fitting hole in O(log n).
 */
#ifndef UK_VTREE_H
#define UK_VTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <uk/vmem_types.h>

struct vt_node;

struct vt_tree {
	_Atomic(struct vt_node *) root; /* NULL when empty */
	__vaddr_t lo, hi;               /* address bounds for gaps [lo, hi) */
	unsigned long gen;              /* transaction generation (writer) */
};

struct vt_entry {
	__vaddr_t start, end;
	void *item;
};

/* Entries must lie inside [lo, hi). */
void vt_init(struct vt_tree *t, __vaddr_t lo, __vaddr_t hi);
/* Free all nodes now. No reader or writer may be running; nodes retired
 * by earlier commits are still freed by their RCU callbacks. */
void vt_destroy(struct vt_tree *t);

/* ---- Queries: on a snapshot, in an RCU read section (or under the
 * writer's mutex, where the snapshot is the current tree) ---------------- */

/* The current root (acquire): pairs with the release in vt_txn_commit.
 * The nodes below it stay valid and unchanged until the caller's read
 * section ends (or, for the writer, until its next commit: a commit retires
 * the nodes it replaced, so do not keep a pre-commit root across one). */
const struct vt_node *vt_snapshot(struct vt_tree *t);
/* Entry containing @addr. */
bool vt_lookup(const struct vt_node *root, __vaddr_t addr, struct vt_entry *e);
/* First entry with end > @addr (contains @addr or lies above it). */
bool vt_next_from(const struct vt_node *root, __vaddr_t addr,
		  struct vt_entry *e);
/* Last entry with start < @addr. */
bool vt_prev_before(const struct vt_node *root, __vaddr_t addr,
		    struct vt_entry *e);
bool vt_first(const struct vt_node *root, struct vt_entry *e);
bool vt_last(const struct vt_node *root, struct vt_entry *e);
/*
 * Lowest a >= @lo, a % @align == 0, with [a, a + len) inside [lo, hi) and
 * free of entries (@align a power of two >= PAGE_SIZE). Returns 0 with *out,
 * or -ENOMEM when no hole fits, -EINVAL when @len is 0 or @align is not a
 * power of two. O(log n) with PAGE_SIZE alignment (holes that are long
 * enough always fit); a larger alignment may visit more candidate holes.
 */
int vt_find_gap(const struct vt_node *root, __vaddr_t lo, __vaddr_t hi,
		__sz len, __sz align, __vaddr_t *out);
/* Number of entries (O(1)); number of nodes (O(nodes)); height (0 when
 * empty, O(height)); bytes of the largest node kind. */
size_t vt_count(const struct vt_node *root);
size_t vt_node_count(const struct vt_node *root);
unsigned int vt_height(const struct vt_node *root);
size_t vt_node_size(void);
/* Nodes allocated and not yet freed, over all trees (leak checks: call
 * uk_rcu_barrier() first so retired nodes have been freed). */
long vt_live_nodes(void);

/*
 * Check every invariant: entries ordered and disjoint, inside [lo, hi),
 * cached min/max/gap values exact, fill within bounds (root excepted), all
 * leaves at one depth. Returns 0, or -EUCLEAN with a message in @err.
 */
int vt_validate(const struct vt_node *root, __vaddr_t lo, __vaddr_t hi,
		char *err, size_t errlen);

/* ---- Writers: hold the owner's mutex for the whole transaction -------- */

struct vt_txn {
	struct vt_tree *t;
	struct vt_node *root;    /* working root (private or published) */
	struct vt_node *retired; /* published nodes this txn replaced */
	struct vt_node *fresh;   /* private nodes, freed on abort */
	unsigned long gen;
};

void vt_txn_begin(struct vt_txn *x, struct vt_tree *t);
/* Working root, to query the tree as this transaction has changed it (pass
 * it to any query above; vt_snapshot still returns the published tree).
 * Valid until the next insert/erase/commit/abort of @x. */
const struct vt_node *vt_txn_root(const struct vt_txn *x);
/*
 * Each operation is all-or-nothing on its own: on any error the working tree
 * is exactly as before the call, so the caller may go on, commit the earlier
 * operations, or abort. Cost O(log n): copies at most the path to the root
 * and, on erase, one sibling per level (nodes already private to this
 * transaction are reused, so a batch near one address copies each node
 * once). Allocates before it changes anything.
 */
/* Insert [start, end) -> item. -EINVAL unless start < end and the range is
 * inside the tree's [lo, hi); -EEXIST on overlap; -ENOMEM. */
int vt_txn_insert(struct vt_txn *x, __vaddr_t start, __vaddr_t end,
		  void *item);
/* Remove the entry that starts at @start. -ENOENT, -ENOMEM. */
int vt_txn_erase(struct vt_txn *x, __vaddr_t start);
/* Publish (one release store); replaced nodes are freed after a grace
 * period. Never fails; never waits (uk_rcu_call only). @x is finished. */
void vt_txn_commit(struct vt_txn *x);
/* Drop every change; the tree is as before vt_txn_begin (the published
 * nodes were never written). Frees this transaction's nodes at once. */
void vt_txn_abort(struct vt_txn *x);

#endif /* UK_VTREE_H */
