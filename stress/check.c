/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Invariant checks of the stress run.
 *
 * st_check_range walks the page table of a writer's own range inside one
 * RCU read section and looks every leaf's VMA up in the same section. A
 * writer calls it right after its call returned; since no one else edits
 * that range, any leaf there was installed for a VMA that is still
 * published, so:
 *   - a leaf outside every VMA, or in a VMA that does not back pages
 *     (reservation), is a fault that survived its VMA's removal;
 *   - a leaf with WRITE or EXEC its VMA lacks is a fault (or set_attr)
 *     that was not waited out before the rights were lowered;
 *   - a leaf of another level is a stale large or small page left by a
 *     REPLACE with another page size.
 * Concurrent faults only add leaves that satisfy all three.
 */
#include <uk/host.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "atomic.h"
#include "stress.h"

struct leaf_ctx {
	struct stress *st;
	const char *who;
	int rc;
	bool want_empty;
};

static int leaf_ok(__vaddr_t va, unsigned int level, __pte_t pte, void *arg)
{
	struct leaf_ctx *c = arg;
	const struct uk_vma *vma = uk_vma_find(&c->st->vas, va);
	unsigned long have = ukplat_pte_attr(pte) & PAGE_ATTR_PROT_MASK;
	unsigned int vlvl;

	if (c->want_empty) {
		c->rc = st_fail(c->st, c->who, "PTE at %#lx after unmap", va);
		return 1;
	}
	if (!vma || !vma->ops->fault) {
		c->rc = st_fail(c->st, c->who,
				"PTE at %#lx outside a backed VMA", va);
		return 1;
	}
	vlvl = vma->page_lvl < 0 ? 0 : (unsigned int)vma->page_lvl;
	if (level != vlvl) {
		c->rc = st_fail(c->st, c->who, "PTE at %#lx level %u, VMA %u",
				va, level, vlvl);
		return 1;
	}
	if (have & ~vma->attr & (PAGE_ATTR_PROT_WRITE | PAGE_ATTR_PROT_EXEC)) {
		c->rc = st_fail(c->st, c->who,
				"PTE at %#lx rights %#lx, VMA %#lx", va, have,
				vma->attr);
		return 1;
	}
	return 0;
}

static int walk(struct stress *st, const char *who, __vaddr_t va, __sz len,
		bool empty)
{
	struct leaf_ctx c = {st, who, 0, empty};

	uk_fetch_add_relaxed(&st->checks, 1);
	uk_rcu_read_lock();
	ukplat_pt_for_each_leaf(&st->pt, va, len, leaf_ok, &c);
	uk_rcu_read_unlock();
	return c.rc;
}

int st_check_range(struct stress *st, const char *who, __vaddr_t va,
		   __sz len)
{
	return walk(st, who, va, len, false);
}

int st_check_empty(struct stress *st, const char *who, __vaddr_t va,
		   __sz len)
{
	return walk(st, who, va, len, true);
}

int st_validate(struct stress *st, const char *who)
{
	char err[256];

	uk_fetch_add_relaxed(&st->checks, 1);
	if (uk_vas_validate(&st->vas, err, sizeof(err)))
		return st_fail(st, who, "validator: %s", err);
	return 0;
}

int st_check_frames(struct stress *st, const char *who)
{
	const struct uk_vma *v;
	long used, want = 0;

	uk_rcu_barrier();
	uk_rcu_read_lock();
	for (v = uk_vma_first(&st->vas); v; v = uk_vma_next(v))
		if (v->ops != &uk_vma_dma_ops)
			want += (long)uk_vma_resident(v);
	uk_rcu_read_unlock();
	want += uk_load_relaxed(&st->pt.nr_tables) * (long)PAGE_SIZE;
	want += uk_load_relaxed(&st->pt.pending_frames) * (long)PAGE_SIZE;
	want += (long)DMA_POOL;
	uk_falloc_drain(st->fa);
	used = (long)uk_falloc_used(st->fa);
	if (used != want)
		return st_fail(st, who,
			       "frame accounting: %ld bytes allocated, %ld "
			       "resident + tables + pending + DMA pool",
			       used, want);
	return 0;
}

int st_fail(struct stress *st, const char *who, const char *fmt, ...)
{
	static _Atomic int once;
	va_list ap;
	unsigned int i;

	uk_store_release(&st->stop, true);
	uk_store_release(&st->failed, true);
	if (atomic_exchange(&once, 1))
		return -1;
	fprintf(stderr, "STRESS FAILURE seed=%llu (%s, %s) %s: ", st->cfg.seed,
		ukplat_pt_format(), uk_rcu_backend(), who);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (i = 0; st->w && i < st->cfg.writers; i++)
		fprintf(stderr, "  writer %u op#%lu: %s\n", i, st->w[i].ops,
			st->w[i].desc);
	uk_vas_print(&st->vas, stderr);
	return -1;
}
