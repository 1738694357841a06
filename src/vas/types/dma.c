/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Direct-mapped physical memory: page n of the VMA maps paddr + n pages.
 * The frames belong to whoever gave the physical range, so unmap, DONTNEED
 * and a lost install race never free them. A split keeps each piece's
 * physical offset right; two pieces merge only when physically contiguous.
 */
#include "vas/vas_internal.h"
#include "vas/types/types.h"
#include <uk/physmem.h>

struct vma_dma {
	struct uk_vma base;
	__paddr_t paddr; /* physical address of base.start */
};

static const struct vma_dma *to_dma(const struct uk_vma *vma)
{
	return (const struct vma_dma *)vma;
}

static int dma_new(struct uk_vas *vas, __vaddr_t vaddr, __sz len, void *data,
		   unsigned long attr, unsigned long *flags,
		   struct uk_vma **out)
{
	const struct uk_vma_dma_args *args = data;
	unsigned int order = UK_VMA_MAP_SIZE_TO_ORDER(*flags);
	__sz align = order ? 1UL << order : PAGE_SIZE;
	struct vma_dma *d;

	(void)vaddr;
	(void)attr;
	if (!args || (args->paddr & (align - 1)) ||
	    !uk_physmem_contains(vas->pt->fa->pm, args->paddr, len))
		return -EINVAL;
	d = ukplat_aligned_alloc(UK_CACHELINE, sizeof(*d));
	if (!d)
		return -ENOMEM;
	*d = (struct vma_dma){0};
	d->base.size = sizeof(*d);
	d->paddr = args->paddr;
	*out = &d->base;
	return 0;
}

static int dma_fault(struct uk_vma *vma, struct uk_vm_fault *f)
{
	f->paddr = to_dma(vma)->paddr + (f->vbase - vma->start);
	return 0;
}

static void dma_fault_undo(struct uk_vma *vma, struct uk_vm_fault *f)
{
	(void)vma;
	(void)f; /* not ours to free */
}

static int dma_unmap(struct uk_vma *vma, __vaddr_t vaddr, __sz len)
{
	return ukplat_page_unmap(vma->vas->pt, vaddr, len >> PAGE_SHIFT,
				 PAGE_FLAG_KEEP_FRAMES);
}

static int dma_advise(struct uk_vma *vma, __vaddr_t vaddr, __sz len,
		      unsigned long advice)
{
	if (advice & UK_VMA_ADV_WILLNEED)
		return -EOPNOTSUPP; /* the default pre-fault */
	if (advice & UK_VMA_ADV_QUERY)
		return 0;
	return vma_dontneed_range(vma, vaddr, len, PAGE_FLAG_KEEP_FRAMES);
}

static int dma_clone(struct uk_vma *copy, const struct uk_vma *orig)
{
	((struct vma_dma *)copy)->paddr =
		to_dma(orig)->paddr + (copy->start - orig->start);
	return 0;
}

static int dma_merge(struct uk_vma *vma, struct uk_vma *next)
{
	__paddr_t end = to_dma(vma)->paddr + (vma->end - vma->start);

	return end == to_dma(next)->paddr ? 0 : -EPERM;
}

const struct uk_vma_ops uk_vma_dma_ops = {
	.new = dma_new,
	.fault = dma_fault,
	.fault_undo = dma_fault_undo,
	.unmap = dma_unmap,
	.advise = dma_advise,
	.clone = dma_clone,
	.merge = dma_merge,
};

__paddr_t uk_vma_dma_paddr(const struct uk_vma *vma)
{
	return vma->ops == &uk_vma_dma_ops ? to_dma(vma)->paddr : __PADDR_INV;
}
