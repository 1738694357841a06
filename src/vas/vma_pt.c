/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page-table work done on behalf of a VMA by writers: the operation's TLB
 * gather, removing pages and pre-faulting (populate, WILLNEED, a stack's
 * premapped part).
 *
 * Pre-faulting is split in two so that map stays all or nothing: prepare
 * takes every frame from the type's fault hook before the tree commit (and
 * gives them all back if one fails); install runs after the commit and
 * uses the same CAS as faults, so a fault that got to a page first keeps
 * its frame and the prepared one goes back.
 */
#include "lib/string.h"
#include "vas_internal.h"

void vas_tlb_begin(struct uk_vas *vas, struct ukplat_tlb_gather *g)
{
	vas_assert_locked(vas);
	ukplat_tlb_gather_init(g, vas->pt);
	ukplat_tlb_gather_use(g);
}

void vas_tlb_end(struct ukplat_tlb_gather *g)
{
	ukplat_tlb_gather_use(NULL);
	ukplat_tlb_gather_finish(g);
}

int vma_unmap_range(struct uk_vma *vma, __vaddr_t vaddr, __sz len)
{
	if (vma->ops->unmap)
		return vma->ops->unmap(vma, vaddr, len);
	return ukplat_page_unmap(vma->vas->pt, vaddr, len >> PAGE_SHIFT, 0);
}

int vma_dontneed_range(struct uk_vma *vma, __vaddr_t vaddr, __sz len,
		       unsigned long ptflags)
{
	return ukplat_page_unmap(vma->vas->pt, vaddr, len >> PAGE_SHIFT,
				 ptflags | PAGE_FLAG_KEEP_TABLES);
}

void vma_fault_undo(struct uk_vma *vma, struct uk_vm_fault *f)
{
	if (vma->ops->fault_undo)
		vma->ops->fault_undo(vma, f);
	else
		uk_ffree(vma->vas->pt->fa, f->paddr, f->len >> PAGE_SHIFT);
}

/* A prepared frame that will not be installed goes back to its type. */
static void give_back(struct uk_vma *vma, __vaddr_t vbase, unsigned int level,
		      __paddr_t paddr)
{
	struct uk_vm_fault f = {
		.vaddr = vbase,
		.vbase = vbase,
		.len = PAGE_Lx_SIZE(level),
		.paddr = paddr,
		.type = UK_VMA_FAULT_SOFT,
		.level = level,
	};

	vma_fault_undo(vma, &f);
}

static bool page_present(struct uk_pagetable *pt, __vaddr_t vbase)
{
	unsigned int level;
	__pte_t pte;

	return ukplat_pt_lookup(pt, vbase, &level, &pte) == 0;
}

int vas_prefault_prepare(struct vas_prefault *pf, struct uk_vma *vma,
			 __vaddr_t start, __vaddr_t end, bool skip_present)
{
	__sz psize = vma_page_size(vma);
	size_t i;
	int rc = 0;

	memset(pf, 0, sizeof(*pf));
	pf->vma = vma;
	pf->start = start;
	pf->end = end;
	pf->level = vma_level(vma);
	pf->type = UK_VMA_FAULT_SOFT |
		   ((vma->attr & PAGE_ATTR_PROT_WRITE) ? UK_VMA_FAULT_WRITE : 0);
	/* PROT_NONE pages are never installed: access must fault. */
	if (!vma->ops->fault || start >= end ||
	    !(vma->attr & PAGE_ATTR_PROT_MASK))
		return 0;
	pf->n = (end - start) / psize;
	pf->frames = ukplat_malloc(pf->n * sizeof(*pf->frames));
	if (!pf->frames)
		return -ENOMEM;
	for (i = 0; i < pf->n; i++)
		pf->frames[i] = __PADDR_INV;
	for (i = 0; i < pf->n && !rc; i++) {
		struct uk_vm_fault f = {
			.vaddr = start + i * psize,
			.vbase = start + i * psize,
			.len = psize,
			.paddr = __PADDR_ANY,
			.type = pf->type,
			.level = pf->level,
		};

		if (skip_present && page_present(vma->vas->pt, f.vbase))
			continue;
		rc = vma->ops->fault(vma, &f);
		if (!rc)
			pf->frames[i] = f.paddr;
		else if (rc == -EFAULT || rc == UKPLAT_PAGE_MAPX_ESKIP)
			rc = 0; /* a page the type never backs (guard); ESKIP
				 * is how Unikraft's types say it */
	}
	if (!rc)
		rc = ukplat_pt_reserve(vma->vas->pt, start, end - start,
				       pf->level, &pf->tables);
	if (rc)
		vas_prefault_release(pf);
	return rc;
}

void vas_prefault_install(struct vas_prefault *pf)
{
	struct uk_pagetable *pt = pf->vma->vas->pt;
	__sz psize = PAGE_Lx_SIZE(pf->level);
	unsigned int found_level;
	__pte_t found;
	size_t i;
	int rc;

	ukplat_pt_reserve_use(&pf->tables);
	for (i = 0; i < pf->n; i++) {
		__vaddr_t vbase = pf->start + i * psize;

		if (pf->frames[i] == __PADDR_INV)
			continue;
		rc = ukplat_pt_install(pt, vbase, pf->frames[i], pf->level,
				       pf->vma->attr, &found, &found_level);
		/* Tables come from the reserve: only a fault that resolved
		 * this page first can stop us; it keeps its frame. */
		UK_ASSERT(rc == 0 || rc == -EEXIST);
		if (rc)
			give_back(pf->vma, vbase, pf->level, pf->frames[i]);
		pf->frames[i] = __PADDR_INV;
	}
	ukplat_pt_reserve_use(NULL);
}

void vas_prefault_release(struct vas_prefault *pf)
{
	__sz psize = PAGE_Lx_SIZE(pf->level);
	size_t i;

	for (i = 0; pf->frames && i < pf->n; i++)
		if (pf->frames[i] != __PADDR_INV)
			give_back(pf->vma, pf->start + i * psize, pf->level,
				  pf->frames[i]);
	ukplat_free(pf->frames);
	pf->frames = NULL;
	pf->n = 0;
	if (pf->vma)
		ukplat_pt_reserve_release(pf->vma->vas->pt, &pf->tables);
}
