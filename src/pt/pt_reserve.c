/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table-page reserves: a writer that must install pages after a point of
 * no return (a tree commit) takes every table page it could need before
 * that point, so the installs themselves cannot run out of memory.
 *
 * The reserve is per thread (only the writer that made it draws from it;
 * concurrent faults allocate as usual): the active one is a per-context
 * word of the platform (plat.h). The count is an upper bound: one
 * table per aligned span of each level above the leaves that the range
 * touches. Pages not used go back to the frame allocator.
 */
#include "lib/errno.h"
#include <uk/falloc.h>
#include <uk/plat.h>
#include "pt_internal.h"

static unsigned long tables_needed(__vaddr_t vaddr, __sz len,
				   unsigned int level)
{
	unsigned long n = 0;
	unsigned int t;

	/* A leaf of @level sits in a table of @level, one per span of
	 * level + 1, and so on up to the root (which always exists). */
	for (t = level; t < PT_LEVELS - 1; t++) {
		unsigned int shift = PAGE_Lx_SHIFT(t + 1);

		n += ((vaddr + len - 1) >> shift) - (vaddr >> shift) + 1;
	}
	return n;
}

int ukplat_pt_reserve(struct uk_pagetable *pt, __vaddr_t vaddr, __sz len,
		      unsigned int level, struct ukplat_pt_reserve *r)
{
	unsigned long want = len ? tables_needed(vaddr, len, level) : 0;
	__paddr_t paddr;

	r->n = 0;
	r->pages = NULL;
	if (!want)
		return 0;
	r->pages = ukplat_malloc(want * sizeof(*r->pages));
	if (!r->pages)
		return -ENOMEM;
	while (r->n < want) {
		paddr = __PADDR_ANY;
		if (ukplat_inject_fail(UK_INJECT_PTPAGE) ||
		    uk_falloc_frames(pt->fa, &paddr, 1, FALLOC_FLAG_ZERO)) {
			ukplat_pt_reserve_release(pt, r);
			return -ENOMEM;
		}
		r->pages[r->n++] = paddr;
	}
	return 0;
}

void ukplat_pt_reserve_use(struct ukplat_pt_reserve *r)
{
	ukplat_ctx_set(UKPLAT_CTX_PT_RESERVE, r);
}

void ukplat_pt_reserve_release(struct uk_pagetable *pt,
			       struct ukplat_pt_reserve *r)
{
	while (r->n)
		uk_ffree(pt->fa, r->pages[--r->n], 1);
	ukplat_free(r->pages);
	r->pages = NULL;
}

bool pt_reserve_take(__paddr_t *paddr)
{
	struct ukplat_pt_reserve *r = ukplat_ctx_get(UKPLAT_CTX_PT_RESERVE);

	if (!r || !r->n)
		return false;
	*paddr = r->pages[--r->n];
	return true;
}
