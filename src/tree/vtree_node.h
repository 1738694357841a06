/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtree node layout (private to src/tree; white-box tests may include it).
 *
 * Two node kinds share a common header:
 *   leaf:     n entries, start[] / end[] / item[] sorted by start;
 *   internal: n children, and per child its lowest start (min[]), highest
 *             end (max[]) and the largest hole between two consecutive
 *             entries inside its subtree (gap[]).
 * Holes between child i and child i + 1 are min[i + 1] - max[i]; the hole
 * before the first entry and after the last are handled by vt_find_gap at
 * the top. Every node records the generation of the transaction that
 * created it (gen); a node whose gen equals the running transaction's is
 * private to that transaction and may be edited in place.
 *
 * Field ownership (what makes readers race-free without atomics):
 *   leaf, n, total, gen, dead and the arrays are written only while the
 *   node is private (before the commit that publishes it) and never again;
 *   link and rcu are writer-side bookkeeping that readers never read (the
 *   writer links a published node onto its retired list, and uk_rcu_call
 *   uses its head).
 * Different fields are different memory locations in C11, so a writer
 * linking a published node onto its retired list does not race with a
 * reader searching the same node.
 */
#ifndef UK_VTREE_NODE_H
#define UK_VTREE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uk/plat.h>
#include "tree/vtree.h"

#define VT_FANOUT 16                    /* slots in leaves and internal nodes */
#define VT_MIN_FILL (VT_FANOUT / 4)     /* fewest slots of a non-root node */
#define VT_MAX_HEIGHT 32                /* > log_{MIN_FILL}(2^64) + 1 */
#define VT_NODE_ALIGN 64

struct vt_node {
	/* Reader-visible; constant once published. */
	uint8_t leaf;          /* 1: struct vt_leaf, 0: struct vt_inode */
	uint8_t n;             /* used slots */
	/* Set only on a private node dropped again in its own transaction
	 * (never reachable from a root; checked by the validator). */
	uint8_t dead;
	size_t total;          /* entries in this subtree */
	unsigned long gen;     /* generation of the creating transaction */
	/* Writer-only: fresh/retired list link, then the RCU callback head. */
	struct vt_node *link;
	struct uk_rcu_head rcu;
};

struct vt_leaf {
	_Alignas(VT_NODE_ALIGN) struct vt_node h;
	__vaddr_t start[VT_FANOUT];
	__vaddr_t end[VT_FANOUT];
	void *item[VT_FANOUT];
};

struct vt_inode {
	_Alignas(VT_NODE_ALIGN) struct vt_node h;
	struct vt_node *child[VT_FANOUT];
	__vaddr_t min[VT_FANOUT];
	__vaddr_t max[VT_FANOUT];
	__sz gap[VT_FANOUT];
};

_Static_assert(VT_FANOUT >= 8 && VT_FANOUT <= 255, "fanout out of range");
_Static_assert(VT_MIN_FILL >= 2 && 2 * VT_MIN_FILL <= VT_FANOUT,
	       "min fill must allow split and merge");
_Static_assert(sizeof(struct vt_leaf) % VT_NODE_ALIGN == 0, "leaf size");
_Static_assert(sizeof(struct vt_inode) % VT_NODE_ALIGN == 0, "inode size");
_Static_assert(offsetof(struct vt_leaf, h) == 0, "header first");
_Static_assert(offsetof(struct vt_inode, h) == 0, "header first");

static inline struct vt_leaf *vt_leaf(struct vt_node *n)
{
	return (struct vt_leaf *)n;
}

static inline const struct vt_leaf *vt_cleaf(const struct vt_node *n)
{
	return (const struct vt_leaf *)n;
}

static inline struct vt_inode *vt_inode(struct vt_node *n)
{
	return (struct vt_inode *)n;
}

static inline const struct vt_inode *vt_cinode(const struct vt_node *n)
{
	return (const struct vt_inode *)n;
}

/* What a parent caches about one child. */
struct vt_sum {
	__vaddr_t min, max;
	__sz gap;
};

/* Summary of a non-empty node, computed from its own slots (O(fanout)). */
void vtn_summary(const struct vt_node *n, struct vt_sum *s);
/* Refresh internal slot @i from its child. */
void vtn_refresh_slot(struct vt_inode *in, unsigned int i);

/* Allocate a node of the given kind, stamped with @gen; NULL on failure
 * (goes through fault injection). */
struct vt_node *vtn_alloc(bool leaf, unsigned long gen);
/* Free now: only for nodes no reader can reach (never published). */
void vtn_free(struct vt_node *n);
/* Free a chain (linked through ->link) after one grace period: for nodes
 * unreachable from the new root. */
void vtn_retire_rcu(struct vt_node *chain);
/* Copy the reader-visible contents of @src into @dst (same kind); @dst
 * keeps its own gen and bookkeeping. */
void vtn_copy(struct vt_node *dst, const struct vt_node *src);

/* Slot of the child whose range may hold @addr: the last child with
 * min <= @addr, or 0 when @addr lies below every child. */
unsigned int vtn_child_slot(const struct vt_inode *in, __vaddr_t addr);
/* Index of the first leaf entry with start >= @addr (n when none). */
unsigned int vtn_leaf_lower(const struct vt_leaf *l, __vaddr_t addr);

/* Node memory (vtree_cache.c): recycled, 64-byte aligned. */
void *vtn_mem_get(bool leaf, size_t size);
void vtn_mem_put(bool leaf, void *mem);

/*
 * How many of keys[from .. n) are <= addr (keys ascending). Branch-free:
 * a lookup at a random address mispredicts every early-exit loop once per
 * node, which cost more than the whole fixed-length count.
 */
static inline unsigned int vtn_count_le(const __vaddr_t *keys, unsigned int from,
					unsigned int n, __vaddr_t addr)
{
	unsigned int c = 0;

	for (unsigned int k = 0; k < VT_FANOUT; k++)
		c += (k >= from) & (k < n) & (keys[k] <= addr);
	return c;
}

#endif /* UK_VTREE_NODE_H */
