/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Anonymous memory and reservations.
 *
 * Anonymous pages come from the frame allocator on first touch, zeroed
 * unless the mapping is UK_VMA_MAP_UNINITIALIZED (large pages get frames
 * aligned to their size). A reservation has no fault hook, so any access
 * to it is an unresolved fault.
 */
#include "lib/string.h"
#include "vas/vas_internal.h"
#include "vas/types/types.h"

int vma_anon_frame(struct uk_vma *vma, struct uk_vm_fault *f, bool zero)
{
	struct uk_pagetable *pt = vma->vas->pt;
	unsigned long frames = f->len >> PAGE_SHIFT;
	__paddr_t paddr = __PADDR_ANY;
	int rc;

	rc = uk_falloc_frames(pt->fa, &paddr, frames,
			      frames > 1 ? FALLOC_FLAG_ALIGNED : 0);
	if (rc)
		return rc;
	if (zero)
		memset(ukplat_page_kptr(pt, paddr, frames, 0), 0, f->len);
	f->paddr = paddr;
	return 0;
}

static int anon_fault(struct uk_vma *vma, struct uk_vm_fault *f)
{
	return vma_anon_frame(vma, f, !(vma->flags & UK_VMA_FLAG_UNINITIALIZED));
}

const struct uk_vma_ops uk_vma_anon_ops = {
	.fault = anon_fault,
};

const struct uk_vma_ops uk_vma_rsvd_ops = {
	.fault = NULL,
};
