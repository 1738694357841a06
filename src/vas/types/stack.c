/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Thread stacks: one VMA of guard + stack + guard. Faults in the guards are
 * never resolved (a stack overflow must trap); the usable part is demand
 * zero (unless UK_VMA_MAP_UNINITIALIZED), with the premapped part at the growing end faulted in by map. A
 * stack never merges or splits, and keeps its frames until it is unmapped.
 */
#include "vas/vas_internal.h"
#include "vas/types/types.h"

/* Is the page at @vbase one of @vma's guards? A stack never splits, so
 * its start and end stay where map put them. */
static bool stack_guard(const struct uk_vma *vma, __vaddr_t vbase)
{
	return vbase < vma->start + UK_VMA_STACK_BOTTOM_GUARD_SIZE ||
	       vbase + UK_VMA_STACK_TOP_GUARD_SIZE >= vma->end;
}

static int stack_fault(struct uk_vma *vma, struct uk_vm_fault *f)
{
	if (stack_guard(vma, f->vbase))
		return -EFAULT;
	return vma_anon_frame(vma, f,
			      !(vma->flags & UK_VMA_FLAG_UNINITIALIZED));
}

static int stack_refuse_split(struct uk_vma *vma, __vaddr_t vaddr,
			      struct uk_vma **new_vma)
{
	(void)vma;
	(void)vaddr;
	(void)new_vma;
	return -EPERM;
}

static int stack_refuse_merge(struct uk_vma *vma, struct uk_vma *next)
{
	(void)vma;
	(void)next;
	return -EPERM;
}

static int stack_advise(struct uk_vma *vma, __vaddr_t vaddr, __sz len,
			unsigned long advice)
{
	(void)vma;
	(void)vaddr;
	(void)len;
	/* Frames stay until unmap; WILLNEED uses the default pre-fault. */
	return advice & UK_VMA_ADV_WILLNEED ? -EOPNOTSUPP : -EPERM;
}

const struct uk_vma_ops uk_vma_stack_ops = {
	.fault = stack_fault,
	.split = stack_refuse_split,
	.merge = stack_refuse_merge,
	.advise = stack_advise,
};

int uk_vma_map_stack(struct uk_vas *vas, __vaddr_t *vaddr, __sz len,
		     unsigned long flags, const char *name, __sz premapped_len)
{
	__vaddr_t va;
	__sz pre_off;
	int rc;

	if (!vaddr || !len || !PAGE_ALIGNED(len) ||
	    !PAGE_ALIGNED(premapped_len) ||
	    len > ~(__sz)0 - UK_VMA_STACK_GUARDS_SIZE ||
	    (flags & UK_VMA_MAP_SIZE_FLAGS & ~UK_VMA_MAP_SIZE_4KB))
		return -EINVAL;
	/* Capped like Unikraft does; POPULATE premaps the whole stack. */
	if (premapped_len > len || (flags & UK_VMA_MAP_POPULATE))
		premapped_len = len;
	/* The usable part starts after the bottom guard; the premapped part
	 * sits at its growing end. */
	pre_off = UK_VMA_STACK_BOTTOM_GUARD_SIZE +
		  ((flags & UK_VMA_STACK_GROWS_UP) ? 0 : len - premapped_len);
	va = *vaddr; /* a fixed address is the VMA's start */
	rc = vas_map_populate(vas, &va, len + UK_VMA_STACK_GUARDS_SIZE,
			      PAGE_ATTR_PROT_RW, flags, name, &uk_vma_stack_ops,
			      NULL, pre_off, premapped_len);
	if (!rc)
		*vaddr = va + UK_VMA_STACK_BOTTOM_GUARD_SIZE;
	return rc;
}
