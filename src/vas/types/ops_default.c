/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unikraft's default VMA hooks (uk/vma_ops.h). They do what ukvmem does
 * for a NULL hook, so a type built on them behaves like one that leaves
 * the hook out. Callers: the VAS core, with vas->lock held, at the point
 * where it would run its own default (unmap: after every fault that could
 * see the VMA has finished).
 */
#include <uk/vma_ops.h>
#include "vas/vas_internal.h"

/* Defined without a prototype on purpose: see uk/vma_ops.h. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wold-style-definition"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
int uk_vma_op_deny()
{
	return -EPERM;
}
#pragma GCC diagnostic pop

static bool range_in_vma(const struct uk_vma *vma, __vaddr_t vaddr, __sz len)
{
	return vma && PAGE_ALIGNED(vaddr) && PAGE_ALIGNED(len) &&
	       vaddr >= vma->start && vaddr <= vma->end &&
	       len <= vma->end - vaddr;
}

int uk_vma_op_unmap(struct uk_vma *vma, __vaddr_t vaddr, __sz len)
{
	if (!range_in_vma(vma, vaddr, len))
		return -EINVAL;
	return ukplat_page_unmap(vma->vas->pt, vaddr, len >> PAGE_SHIFT, 0);
}

int uk_vma_op_set_attr(struct uk_vma *vma, unsigned long attr)
{
	(void)vma;
	(void)attr;
	return 0;
}

/* WILLNEED for one VMA: every frame first, then the installs. */
static int willneed(struct uk_vma *vma, __vaddr_t vaddr, __sz len)
{
	struct vas_prefault pf;
	int rc;

	rc = vas_prefault_prepare(&pf, vma, vaddr, vaddr + len, true);
	if (rc)
		return rc;
	if (pf.n)
		vas_prefault_install(&pf);
	vas_prefault_release(&pf);
	return 0;
}

int uk_vma_op_advise(struct uk_vma *vma, __vaddr_t vaddr, __sz len,
		     unsigned long advice)
{
	if (!range_in_vma(vma, vaddr, len))
		return -EINVAL;
	if ((advice & UK_VMA_ADV_QUERY) || !len)
		return 0;
	if (advice & UK_VMA_ADV_WILLNEED)
		return willneed(vma, vaddr, len);
	if (advice & UK_VMA_ADV_DONTNEED)
		return vma->ops->fault ? vma_dontneed_range(vma, vaddr, len, 0)
				       : 0;
	return 0;
}
