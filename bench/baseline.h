/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the two lock-based baselines share: their VMA record and the work of
 * one fault and of each writer operation on the page table. Both do exactly
 * the work ukvmem's fault path does (src/vas/fault.c):
 *
 *   check the access against the VMA's attributes
 *   walk: a present leaf with write rights -> done; fewer rights -> CAS up
 *   frame: falloc one frame (+ memset 4 KiB for demand-zero) or, for DMA,
 *          the VMA's physical address plus the offset
 *   ukplat_pt_install (CAS from empty); lost race -> free the frame, retry
 *
 * on the same page-table code, the same frame allocator (per-thread frame
 * caches included) and the same physical memory. The only difference is
 * how the VMA is found and what protects it: the caller holds its lock
 * (global mutex, or the read side of a rwlock) across the whole fault, which
 * is what makes the fault safe against a concurrent unmap without RCU.
 */
#ifndef UK_BENCH_BASELINE_H
#define UK_BENCH_BASELINE_H

#include <errno.h>
#include <string.h>

#include "bench.h"

struct bvma {
	struct bvma *next, *prev; /* list baseline only */
	__vaddr_t start, end;
	unsigned long attr;
	enum bench_kind kind;
	__paddr_t paddr; /* BK_DMA: physical address of start */
};

static inline int bl_frame(struct uk_pagetable *pt, const struct bvma *v,
			   __vaddr_t vbase, __paddr_t *paddr)
{
	int rc;

	if (v->kind == BK_DMA) {
		*paddr = v->paddr + (vbase - v->start);
		return 0;
	}
	*paddr = __PADDR_ANY;
	rc = uk_falloc_frames(pt->fa, paddr, 1, 0);
	if (!rc && v->kind == BK_ZERO)
		memset(ukplat_page_kptr(pt, *paddr, 1, 0), 0, PAGE_SIZE);
	return rc;
}

/* One fault on @v, which the caller's lock keeps alive. */
static inline int bl_fault_vma(struct uk_pagetable *pt, const struct bvma *v,
			       __vaddr_t va)
{
	__vaddr_t vbase = PAGE_ALIGN_DOWN(va);
	unsigned int level, found_level;
	__pte_t pte, found;
	__paddr_t paddr;
	int rc;

	if (!(v->attr & PAGE_ATTR_PROT_WRITE))
		return -EACCES;
	for (int tries = 0; tries < 16; tries++) {
		if (!ukplat_pt_lookup(pt, va, &level, &pte)) {
			if (ukplat_pte_attr(pte) & PAGE_ATTR_PROT_WRITE)
				return 0;
			rc = ukplat_pt_update_attr(pt,
						   PAGE_Lx_ALIGN_DOWN(va, level),
						   level, pte, v->attr);
			if (rc == -EAGAIN)
				continue;
			return rc;
		}
		rc = bl_frame(pt, v, vbase, &paddr);
		if (rc)
			return rc;
		rc = ukplat_pt_install(pt, vbase, paddr, PAGE_LEVEL, v->attr,
				       &found, &found_level);
		if (rc != -EEXIST)
			return rc;
		if (v->kind != BK_DMA)
			uk_ffree(pt->fa, paddr, 1);
	}
	return -EAGAIN;
}

/* Writer side, under the exclusive lock. */
static inline int bl_populate(struct uk_pagetable *pt, const struct bvma *v)
{
	for (__vaddr_t va = v->start; va < v->end; va += PAGE_SIZE) {
		int rc = bl_fault_vma(pt, v, va);

		if (rc)
			return rc;
	}
	return 0;
}

static inline int bl_clear(struct uk_pagetable *pt, const struct bvma *v)
{
	return ukplat_page_unmap(pt, v->start,
				 (v->end - v->start) >> PAGE_SHIFT,
				 v->kind == BK_DMA ? PAGE_FLAG_KEEP_FRAMES : 0);
}

static inline int bl_set_attr(struct uk_pagetable *pt, struct bvma *v,
			      unsigned long attr)
{
	v->attr = attr;
	return ukplat_page_set_attr(pt, v->start,
				    (v->end - v->start) >> PAGE_SHIFT, attr, 0);
}

static inline struct bvma *bl_new(__vaddr_t va, __sz len, unsigned long attr,
				  enum bench_kind kind, __paddr_t paddr)
{
	struct bvma *v = calloc(1, sizeof(*v));

	if (v) {
		v->start = va;
		v->end = va + len;
		v->attr = attr;
		v->kind = kind;
		v->paddr = paddr;
	}
	return v;
}

#endif /* UK_BENCH_BASELINE_H */
