/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Baseline "list-global-lock": the upstream (Unikraft) ukvmem design. VMAs
 * sit in an address-sorted doubly linked list; lookups walk it from the
 * head (uk_vma_find in Unikraft); first-fit placement walks it for a hole.
 * Upstream has no locking at all, which is not safe on SMP; the smallest
 * safe version takes one global mutex around every operation, faults
 * included, for the whole fault (dropping it between lookup and install
 * would let an unmap free the VMA and its page table under the fault).
 *
 * Fair comparison: the fault does the same work as ukvmem's (baseline.h),
 * on the same page tables and frames. The only untimed shortcut is bulk(),
 * which appends at the tail to build big layouts in O(1) per VMA.
 */
#include <pthread.h>
#include <stdlib.h>

#include "baseline.h"

struct bd_list {
	pthread_mutex_t lock;
	struct bvma head; /* sentinel: head.next is the lowest VMA */
	long n;
	struct uk_pagetable pt;
};

static void *l_create(void)
{
	struct bd_list *l = calloc(1, sizeof(*l));

	if (!l || ukplat_pt_init(&l->pt, benv.fa))
		abort();
	pthread_mutex_init(&l->lock, NULL);
	l->head.next = l->head.prev = &l->head;
	return l;
}

static void unlink_vma(struct bd_list *l, struct bvma *v)
{
	v->prev->next = v->next;
	v->next->prev = v->prev;
	l->n--;
}

static void insert_before(struct bd_list *l, struct bvma *pos,
			  struct bvma *v)
{
	v->next = pos;
	v->prev = pos->prev;
	pos->prev->next = v;
	pos->prev = v;
	l->n++;
}

static void l_destroy(void *d)
{
	struct bd_list *l = d;

	while (l->head.next != &l->head) {
		struct bvma *v = l->head.next;

		bl_clear(&l->pt, v);
		unlink_vma(l, v);
		free(v);
	}
	uk_rcu_barrier();
	ukplat_pt_destroy(&l->pt);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

/* The VMA containing @va, or NULL. Walks from the lowest. */
static struct bvma *find(struct bd_list *l, __vaddr_t va)
{
	for (struct bvma *v = l->head.next; v != &l->head; v = v->next) {
		if (va < v->start)
			return NULL;
		if (va < v->end)
			return v;
	}
	return NULL;
}

/* First VMA with end > @va (or the sentinel). */
static struct bvma *find_after(struct bd_list *l, __vaddr_t va)
{
	struct bvma *v = l->head.next;

	while (v != &l->head && v->end <= va)
		v = v->next;
	return v;
}

static int insert(struct bd_list *l, struct bvma *v)
{
	struct bvma *pos = find_after(l, v->start);

	if (pos != &l->head && pos->start < v->end)
		return -EEXIST;
	insert_before(l, pos, v);
	return 0;
}

static int l_map(void *d, __vaddr_t va, __sz len, unsigned long attr,
		 enum bench_kind kind, __paddr_t paddr, bool populate)
{
	struct bd_list *l = d;
	struct bvma *v = bl_new(va, len, attr, kind, paddr);
	int rc;

	if (!v)
		return -ENOMEM;
	pthread_mutex_lock(&l->lock);
	rc = insert(l, v);
	if (!rc && populate && (rc = bl_populate(&l->pt, v))) {
		bl_clear(&l->pt, v);
		unlink_vma(l, v);
	}
	pthread_mutex_unlock(&l->lock);
	if (rc)
		free(v);
	return rc;
}

static int l_map_any(void *d, __vaddr_t *va, __sz len, unsigned long attr)
{
	struct bd_list *l = d;
	struct bvma *v = bl_new(0, len, attr, BK_ZERO, 0), *pos;
	__vaddr_t cur = UK_VAS_VMA_BASE;

	if (!v)
		return -ENOMEM;
	pthread_mutex_lock(&l->lock);
	/* First fit: walk the holes in address order. */
	for (pos = l->head.next; pos != &l->head; pos = pos->next) {
		if (pos->end <= cur)
			continue;
		if (pos->start >= cur && pos->start - cur >= len)
			break;
		cur = pos->end;
	}
	v->start = cur;
	v->end = cur + len;
	insert_before(l, pos, v);
	pthread_mutex_unlock(&l->lock);
	*va = cur;
	return 0;
}

/* Whole-VMA operations: -EINVAL unless [va, va+len) is exactly one VMA. */
static struct bvma *exact(struct bd_list *l, __vaddr_t va, __sz len)
{
	struct bvma *v = find(l, va);

	return v && v->start == va && v->end == va + len ? v : NULL;
}

static int l_unmap(void *d, __vaddr_t va, __sz len)
{
	struct bd_list *l = d;
	struct bvma *v;
	int rc = -EINVAL;

	pthread_mutex_lock(&l->lock);
	v = exact(l, va, len);
	if (v && !(rc = bl_clear(&l->pt, v)))
		unlink_vma(l, v);
	pthread_mutex_unlock(&l->lock);
	if (!rc)
		free(v);
	return rc;
}

static int l_set_attr(void *d, __vaddr_t va, __sz len, unsigned long attr)
{
	struct bd_list *l = d;
	struct bvma *v;
	int rc = -EINVAL;

	pthread_mutex_lock(&l->lock);
	v = exact(l, va, len);
	if (v)
		rc = bl_set_attr(&l->pt, v, attr);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

static int l_dontneed(void *d, __vaddr_t va, __sz len)
{
	struct bd_list *l = d;
	struct bvma *v;
	int rc = -EINVAL;

	pthread_mutex_lock(&l->lock);
	v = exact(l, va, len);
	if (v)
		rc = bl_clear(&l->pt, v);
	pthread_mutex_unlock(&l->lock);
	return rc;
}

static int l_fault(void *d, __vaddr_t va)
{
	struct bd_list *l = d;
	struct bvma *v;
	int rc;

	pthread_mutex_lock(&l->lock);
	v = find(l, va);
	rc = v ? bl_fault_vma(&l->pt, v, va) : -EFAULT;
	pthread_mutex_unlock(&l->lock);
	return rc;
}

static bool l_lookup(void *d, __vaddr_t va)
{
	struct bd_list *l = d;
	bool found;

	pthread_mutex_lock(&l->lock);
	found = find(l, va) != NULL;
	pthread_mutex_unlock(&l->lock);
	return found;
}

static int l_bulk(void *d, __vaddr_t base, long from, long to, long stride)
{
	struct bd_list *l = d;
	int rc = 0;

	pthread_mutex_lock(&l->lock);
	for (long i = from; i < to && !rc; i++) {
		__vaddr_t va = base + (__vaddr_t)(i * stride) * PAGE_SIZE;
		struct bvma *v = bl_new(va, PAGE_SIZE,
					i % 2 ? PAGE_ATTR_PROT_READ
					      : PAGE_ATTR_PROT_RW,
					BK_ZERO, 0);
		struct bvma *last = l->head.prev;

		if (!v) {
			rc = -ENOMEM;
			break;
		}
		/* Untimed set-up: append when above everything. */
		if (last == &l->head || last->end <= va)
			insert_before(l, &l->head, v);
		else if ((rc = insert(l, v)))
			free(v);
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

static struct uk_pagetable *l_pt(void *d)
{
	return &((struct bd_list *)d)->pt;
}

const struct bench_design bench_list_lock = {
	.name = "list-global-lock",
	.create = l_create,
	.destroy = l_destroy,
	.map = l_map,
	.map_any = l_map_any,
	.unmap = l_unmap,
	.set_attr = l_set_attr,
	.dontneed = l_dontneed,
	.fault = l_fault,
	.lookup = l_lookup,
	.bulk = l_bulk,
	.pt = l_pt,
};
