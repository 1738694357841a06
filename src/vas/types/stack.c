/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Thread stacks: one VMA of guard + stack + guard. Faults in the guards are
 * never resolved (a stack overflow must trap); the usable part is demand
 * zero, with the premapped part at the growing end faulted in by map. A
 * stack never merges or splits, and keeps its frames until it is unmapped.
 */
#include "vas/vas_internal.h"
#include "vas/types/types.h"

struct vma_stack {
	struct uk_vma base;
	__vaddr_t usable_start, usable_end; /* outside: guard pages */
};

static struct vma_stack *to_stack(struct uk_vma *vma)
{
	return (struct vma_stack *)vma;
}

static int stack_new(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		     void *data, unsigned long attr, unsigned long *flags,
		     struct uk_vma **out)
{
	bool up = *flags & UK_VMA_STACK_GROWS_UP;
	__sz low = (up ? UK_VMA_STACK_GUARD_PAGES_TOP
		       : UK_VMA_STACK_GUARD_PAGES_BOTTOM) * PAGE_SIZE;
	__sz high = (up ? UK_VMA_STACK_GUARD_PAGES_BOTTOM
			: UK_VMA_STACK_GUARD_PAGES_TOP) * PAGE_SIZE;
	struct vma_stack *s;

	(void)vas;
	(void)data;
	(void)attr;
	if (len <= low + high)
		return -EINVAL;
	s = ukplat_aligned_alloc(UK_CACHELINE, sizeof(*s));
	if (!s)
		return -ENOMEM;
	*s = (struct vma_stack){0};
	s->base.size = sizeof(*s);
	s->usable_start = vaddr + low;
	s->usable_end = vaddr + len - high;
	*out = &s->base;
	return 0;
}

static int stack_fault(struct uk_vma *vma, struct uk_vm_fault *f)
{
	struct vma_stack *s = to_stack(vma);

	if (f->vbase < s->usable_start || f->vbase >= s->usable_end)
		return -EFAULT; /* guard page */
	return vma_anon_frame(vma, f, true);
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
	.new = stack_new,
	.fault = stack_fault,
	.split = stack_refuse_split,
	.merge = stack_refuse_merge,
	.advise = stack_advise,
};

int uk_vma_map_stack(struct uk_vas *vas, __vaddr_t *vaddr, __sz len,
		     unsigned long flags, const char *name, __sz premapped_len)
{
	bool up = flags & UK_VMA_STACK_GROWS_UP;
	__sz low = (up ? UK_VMA_STACK_GUARD_PAGES_TOP
		       : UK_VMA_STACK_GUARD_PAGES_BOTTOM) * PAGE_SIZE;
	__sz guards = (UK_VMA_STACK_GUARD_PAGES_TOP +
		       UK_VMA_STACK_GUARD_PAGES_BOTTOM) * PAGE_SIZE;
	__vaddr_t va;
	int rc;

	if (!vaddr || !len || !PAGE_ALIGNED(len) ||
	    !PAGE_ALIGNED(premapped_len) || premapped_len > len ||
	    len > ~(__sz)0 - guards ||
	    (flags & UK_VMA_MAP_SIZE_MASK & ~UK_VMA_MAP_SIZE_4KB))
		return -EINVAL;
	/* POPULATE premaps the whole usable stack. */
	if (flags & UK_VMA_MAP_POPULATE)
		premapped_len = len;
	/* A fixed address names the first usable byte. */
	va = *vaddr == __VADDR_ANY ? __VADDR_ANY : *vaddr - low;
	if (*vaddr != __VADDR_ANY && *vaddr < low)
		return -EINVAL;
	rc = vas_map_populate(vas, &va, len + guards, PAGE_ATTR_PROT_RW,
			      flags, name, &uk_vma_stack_ops, NULL,
			      up ? low : low + len - premapped_len,
			      premapped_len);
	if (!rc)
		*vaddr = va + low;
	return rc;
}
