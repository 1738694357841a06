/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Baseline "btree-rwlock": ukvmem's own B-tree (src/tree, the same lookup
 * and first-fit code) protected by a pthread reader-writer lock instead of
 * RCU. Faults and lookups take the read lock for the whole fault (as
 * Linux's mmap_lock did before per-VMA locks); writers take the write lock.
 *
 * Fair comparison: the fault does the same work as ukvmem's (baseline.h) on
 * the same page tables and frames; lookups are the same vt_lookup. The tree
 * still retires replaced nodes through uk_rcu_call (that is how vtree
 * frees), a small writer-side cost ukvmem pays too. VMA records are freed
 * at once: the write lock excludes every reader.
 */
#include <pthread.h>
#include <stdlib.h>

#include "baseline.h"
#include "tree/vtree.h"

struct bd_rw {
	pthread_rwlock_t lock;
	struct vt_tree tree;
	struct uk_pagetable pt;
};

static void *r_create(void)
{
	struct bd_rw *r = calloc(1, sizeof(*r));

	if (!r || ukplat_pt_init(&r->pt, benv.fa))
		abort();
	pthread_rwlock_init(&r->lock, NULL);
	vt_init(&r->tree, PAGE_SIZE, 1UL << 47);
	return r;
}

static struct bvma *lookup(struct bd_rw *r, __vaddr_t va)
{
	struct vt_entry e;

	return vt_lookup(vt_snapshot(&r->tree), va, &e) ? e.item : NULL;
}

static void r_destroy(void *d)
{
	struct bd_rw *r = d;
	struct vt_entry e;

	while (vt_first(vt_snapshot(&r->tree), &e)) {
		struct vt_txn x;

		bl_clear(&r->pt, e.item);
		vt_txn_begin(&x, &r->tree);
		if (vt_txn_erase(&x, e.start))
			abort();
		vt_txn_commit(&x);
		free(e.item);
	}
	uk_rcu_barrier();
	vt_destroy(&r->tree);
	ukplat_pt_destroy(&r->pt);
	pthread_rwlock_destroy(&r->lock);
	free(r);
}

static int tree_insert(struct bd_rw *r, struct bvma *v)
{
	struct vt_txn x;
	int rc;

	vt_txn_begin(&x, &r->tree);
	rc = vt_txn_insert(&x, v->start, v->end, v);
	if (rc)
		vt_txn_abort(&x);
	else
		vt_txn_commit(&x);
	return rc;
}

static int tree_erase(struct bd_rw *r, __vaddr_t start)
{
	struct vt_txn x;
	int rc;

	vt_txn_begin(&x, &r->tree);
	rc = vt_txn_erase(&x, start);
	if (rc)
		vt_txn_abort(&x);
	else
		vt_txn_commit(&x);
	return rc;
}

static int r_map(void *d, __vaddr_t va, __sz len, unsigned long attr,
		 enum bench_kind kind, __paddr_t paddr, bool populate)
{
	struct bd_rw *r = d;
	struct bvma *v = bl_new(va, len, attr, kind, paddr);
	int rc;

	if (!v)
		return -ENOMEM;
	pthread_rwlock_wrlock(&r->lock);
	rc = tree_insert(r, v);
	if (!rc && populate && (rc = bl_populate(&r->pt, v))) {
		bl_clear(&r->pt, v);
		tree_erase(r, v->start);
	}
	pthread_rwlock_unlock(&r->lock);
	if (rc)
		free(v);
	return rc;
}

static int r_map_any(void *d, __vaddr_t *va, __sz len, unsigned long attr)
{
	struct bd_rw *r = d;
	struct bvma *v = bl_new(0, len, attr, BK_ZERO, 0);
	int rc;

	if (!v)
		return -ENOMEM;
	pthread_rwlock_wrlock(&r->lock);
	rc = vt_find_gap(vt_snapshot(&r->tree), UK_VAS_VMA_BASE, 1UL << 47,
			 len, PAGE_SIZE, va);
	if (!rc) {
		v->start = *va;
		v->end = *va + len;
		rc = tree_insert(r, v);
	}
	pthread_rwlock_unlock(&r->lock);
	if (rc)
		free(v);
	return rc;
}

static struct bvma *exact(struct bd_rw *r, __vaddr_t va, __sz len)
{
	struct bvma *v = lookup(r, va);

	return v && v->start == va && v->end == va + len ? v : NULL;
}

static int r_unmap(void *d, __vaddr_t va, __sz len)
{
	struct bd_rw *r = d;
	struct bvma *v;
	int rc = -EINVAL;

	pthread_rwlock_wrlock(&r->lock);
	v = exact(r, va, len);
	if (v && !(rc = bl_clear(&r->pt, v)))
		rc = tree_erase(r, va);
	pthread_rwlock_unlock(&r->lock);
	if (!rc)
		free(v);
	return rc;
}

static int r_set_attr(void *d, __vaddr_t va, __sz len, unsigned long attr)
{
	struct bd_rw *r = d;
	struct bvma *v;
	int rc = -EINVAL;

	pthread_rwlock_wrlock(&r->lock);
	v = exact(r, va, len);
	if (v)
		rc = bl_set_attr(&r->pt, v, attr);
	pthread_rwlock_unlock(&r->lock);
	return rc;
}

static int r_dontneed(void *d, __vaddr_t va, __sz len)
{
	struct bd_rw *r = d;
	struct bvma *v;
	int rc = -EINVAL;

	pthread_rwlock_wrlock(&r->lock);
	v = exact(r, va, len);
	if (v)
		rc = bl_clear(&r->pt, v);
	pthread_rwlock_unlock(&r->lock);
	return rc;
}

static int r_fault(void *d, __vaddr_t va)
{
	struct bd_rw *r = d;
	struct bvma *v;
	int rc;

	pthread_rwlock_rdlock(&r->lock);
	v = lookup(r, va);
	rc = v ? bl_fault_vma(&r->pt, v, va) : -EFAULT;
	pthread_rwlock_unlock(&r->lock);
	return rc;
}

static bool r_lookup(void *d, __vaddr_t va)
{
	struct bd_rw *r = d;
	bool found;

	pthread_rwlock_rdlock(&r->lock);
	found = lookup(r, va) != NULL;
	pthread_rwlock_unlock(&r->lock);
	return found;
}

static int r_bulk(void *d, __vaddr_t base, long from, long to, long stride)
{
	struct bd_rw *r = d;
	int rc = 0;

	pthread_rwlock_wrlock(&r->lock);
	for (long i = from; i < to && !rc; i++) {
		__vaddr_t va = base + (__vaddr_t)(i * stride) * PAGE_SIZE;
		struct bvma *v = bl_new(va, PAGE_SIZE,
					i % 2 ? PAGE_ATTR_PROT_READ
					      : PAGE_ATTR_PROT_RW,
					BK_ZERO, 0);

		if (!v)
			rc = -ENOMEM;
		else if ((rc = tree_insert(r, v)))
			free(v);
	}
	pthread_rwlock_unlock(&r->lock);
	return rc;
}

static struct uk_pagetable *r_pt(void *d)
{
	return &((struct bd_rw *)d)->pt;
}

const struct bench_design bench_btree_rwlock = {
	.name = "btree-rwlock",
	.create = r_create,
	.destroy = r_destroy,
	.map = r_map,
	.map_any = r_map_any,
	.unmap = r_unmap,
	.set_attr = r_set_attr,
	.dontneed = r_dontneed,
	.fault = r_fault,
	.lookup = r_lookup,
	.bulk = r_bulk,
	.pt = r_pt,
};
