/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Recycled node memory. A writer copies O(height) nodes per change and RCU
 * frees as many a grace period later; with glibc's aligned_alloc that
 * churn cost more than the tree work itself. Freed nodes of each size go
 * on a bounded free list instead and are handed to the next allocation.
 *
 * The list is shared by every tree and thread (RCU callbacks push, writers
 * pop), under one mutex held for a few instructions. Its mutex is also the
 * happens-before edge that hands a node's memory from the freeing thread
 * to the next user. Allocation still asks fault injection first, so the
 * failure points tests walk are the same with or without the cache.
 */
#include <stdbool.h>
#include "lib/once.h"
#include "tree/vtree_node.h"

#define VT_CACHE_MAX 4096 /* nodes kept per size (4.2 MB at most) */

struct vt_free_node {
	struct vt_free_node *next;
};

static struct vt_node_cache {
	struct uk_mutex lock; /* initialised through @once */
	uk_once_t once;
	struct vt_free_node *head[2]; /* [leaf] */
	unsigned long n[2];
} vt_cache = {.once = UK_ONCE_INIT};

static void cache_init(void)
{
	ukplat_mutex_init(&vt_cache.lock);
}

static struct vt_free_node *cache_pop(bool leaf)
{
	struct vt_free_node *f;

	uk_once(&vt_cache.once, cache_init);
	ukplat_mutex_lock(&vt_cache.lock);
	f = vt_cache.head[leaf];
	if (f) {
		vt_cache.head[leaf] = f->next;
		vt_cache.n[leaf]--;
	}
	ukplat_mutex_unlock(&vt_cache.lock);
	return f;
}

void *vtn_mem_get(bool leaf, size_t size)
{
	struct vt_free_node *f = cache_pop(leaf);

	if (!f) /* asks fault injection itself */
		return ukplat_aligned_alloc(VT_NODE_ALIGN, size);
	if (ukplat_inject_fail(UK_INJECT_META)) {
		vtn_mem_put(leaf, f);
		return NULL;
	}
	return f;
}

void vtn_mem_put(bool leaf, void *mem)
{
	struct vt_free_node *f = mem;
	bool kept = false;

	uk_once(&vt_cache.once, cache_init);
	ukplat_mutex_lock(&vt_cache.lock);
	if (vt_cache.n[leaf] < VT_CACHE_MAX) {
		f->next = vt_cache.head[leaf];
		vt_cache.head[leaf] = f;
		vt_cache.n[leaf]++;
		kept = true;
	}
	ukplat_mutex_unlock(&vt_cache.lock);
	if (!kept)
		ukplat_free(mem);
}
