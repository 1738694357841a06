/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VMA objects. A published VMA is immutable (only `state` changes, and only
 * atomically): every split, merge or attribute change works on a private
 * copy made here, published by a tree commit, and the original is retired
 * through RCU once no reader can reach it.
 */
#include "lib/string.h"
#include "vas_internal.h"

int vma_set_name(struct uk_vma *vma, const char *name)
{
	char *copy;
	size_t len;

	vma->name = NULL;
	if (!name)
		return 0;
	len = uk_strlen(name) + 1;
	copy = ukplat_malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, name, len);
	vma->name = copy;
	return 0;
}

struct uk_vma *vma_clone_range(const struct uk_vma *vma, __vaddr_t start,
			       __vaddr_t end)
{
	struct uk_vma *copy;

	UK_ASSERT(start >= vma->start && end <= vma->end && start < end);
	copy = ukplat_aligned_alloc(UK_CACHELINE, vma->size);
	if (!copy)
		return NULL;
	memcpy(copy, vma, vma->size);
	copy->start = start;
	copy->end = end;
	atomic_init(&copy->state, uk_load_relaxed(&vma->state));
	if (vma_set_name(copy, vma->name)) {
		ukplat_free(copy);
		return NULL;
	}
	if (vma->ops->clone && vma->ops->clone(copy, vma)) {
		ukplat_free((void *)copy->name);
		ukplat_free(copy);
		return NULL;
	}
	return copy;
}

void vma_free(struct uk_vma *vma)
{
	if (vma->ops->destroy)
		vma->ops->destroy(vma);
	ukplat_free((void *)vma->name);
	ukplat_free(vma);
}

static void vma_free_cb(struct uk_rcu_head *head)
{
	vma_free((struct uk_vma *)((char *)head -
				   offsetof(struct uk_vma, rcu)));
}

void vma_retire(struct uk_vma *vma)
{
	uk_rcu_call(&vma->rcu, vma_free_cb);
}

static bool names_equal(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return uk_strcmp(a, b) == 0;
}

bool vma_compatible(const struct uk_vma *a, const struct uk_vma *b)
{
	return a->end == b->start && a->ops == b->ops && a->attr == b->attr &&
	       a->flags == b->flags && a->page_lvl == b->page_lvl &&
	       names_equal(a->name, b->name);
}
