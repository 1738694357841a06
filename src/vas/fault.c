/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fault path: no lock on the lookup, one CAS to install.
 *
 *   1. rcu_read_lock; find the VMA (vt_snapshot: acquire on the root).
 *   2. A PENDING VMA (a REPLACE whose old PTEs are still being removed):
 *      leave the read section; wait for vas->lock and retry, or, with
 *      UK_VMA_FAULT_NOWAIT (or when the caller is itself inside a read
 *      section), return -EAGAIN.
 *   3. Check the access against the VMA's attributes.
 *   4. Walk: a present leaf with the rights the access needs is a spurious
 *      fault (another CPU resolved it, or this CPU's TLB held an older
 *      entry): drop this CPU's entry, done, no hook call. A valid leaf
 *      with fewer rights but the VMA's memory type (set_attr raised them)
 *      gets the missing rights by one CAS, then the same local drop. An
 *      entry the fault may not touch (hardware-invalid: a writer's
 *      break-before-make; or another memory type: a writer is changing
 *      it) is handled like step 2: the writer holds vas->lock until it is
 *      done.
 *   5. The type's hook supplies a frame; ukplat_pt_install publishes it
 *      with one CAS from the empty entry. Losing the CAS means another
 *      fault or a populate won: give our frame back and re-check.
 *
 * The fault never asks for a TLB shootdown and never waits inside its
 * read section, so it may run with interrupts disabled: a shootdown waits
 * for this CPU's acknowledgement, which only a CPU with interrupts enabled
 * gives. Where it waits (step 2) it is outside the read section.
 *
 * Orderings relied on:
 *   (a) the acquire load of vma->state pairs with the release store in
 *       vas_edit_finish: LIVE implies the old VMAs' PTEs are gone;
 *   (b) all of steps 1-5 are inside one read section, so a writer's
 *       uk_rcu_synchronize after unpublishing the VMA waits for the
 *       install to be done before it clears or downgrades the range.
 */
#include "vas_internal.h"
#include "fault.h"

void (*_Atomic vas_fault_window_hook)(struct uk_vas *vas, __vaddr_t vaddr);

/* Rights an access of @type needs from a VMA or a PTE. */
static unsigned long needed_prot(unsigned int type)
{
	switch (type & UK_VMA_FAULT_ACCESSTYPE_MASK) {
	case UK_VMA_FAULT_WRITE:
		return PAGE_ATTR_PROT_WRITE;
	case UK_VMA_FAULT_EXEC:
		return PAGE_ATTR_PROT_EXEC;
	default:
		return PAGE_ATTR_PROT_READ;
	}
}

static bool covers(unsigned long have, unsigned long want)
{
	want &= PAGE_ATTR_PROT_MASK;
	return (have & want) == want;
}

/* Step 4. Returns 0 when the page is now usable, -ENOENT when it is not
 * present, -EAGAIN when it changed under us, VAS_FAULT_WAIT when only the
 * writer that holds vas->lock may change it. */
static int check_present(struct uk_pagetable *pt, struct uk_vma *vma,
			 __vaddr_t vaddr, unsigned int type, __pte_t *pte,
			 unsigned int *level)
{
	__vaddr_t base;
	int rc;

	if (ukplat_pt_lookup(pt, vaddr, level, pte))
		return -ENOENT;
	base = PAGE_Lx_ALIGN_DOWN(vaddr, *level);
	if (!covers(ukplat_pte_attr(*pte), needed_prot(type))) {
		/* Raise to the VMA's rights (only adds, same frame and
		 * type; -EBUSY otherwise). */
		rc = ukplat_pt_update_attr(pt, base, *level, *pte, vma->attr);
		if (rc)
			return rc == -EBUSY ? VAS_FAULT_WAIT : rc;
	}
	/* The entry is usable; this CPU may still cache the one that
	 * faulted (arm64 may keep it; x86 dropped it on the #PF). */
	ukplat_tlb_flush_local(pt, base, *level);
	return 0;
}

int vas_fault_vma_rcu(struct uk_vas *vas, struct uk_vma *vma,
		      __vaddr_t vaddr, unsigned int type)
{
	struct uk_pagetable *pt = vas->pt;
	unsigned int level = vma_level(vma), found_level;
	struct uk_vm_fault f;
	__pte_t found;
	int rc, tries;

	if (!vma->ops->fault)
		return -EFAULT;
	if (!covers(vma->attr, needed_prot(type)))
		return -EACCES;
	/* Each retry means another thread changed this very entry; a slot
	 * that stays occupied without a usable leaf is a conflict. */
	for (tries = 0; tries < 16; tries++) {
		rc = check_present(pt, vma, vaddr, type, &f.pte, &f.level);
		if (rc != -ENOENT && rc != -EAGAIN)
			return rc;
		if (rc == -EAGAIN)
			continue;
		f.vaddr = vaddr;
		f.vbase = PAGE_Lx_ALIGN_DOWN(vaddr, level);
		f.len = PAGE_Lx_SIZE(level);
		f.paddr = __PADDR_ANY;
		f.type = type;
		f.level = level;
		rc = vma->ops->fault(vma, &f);
		if (rc)
			return rc;
		if (UK_UNLIKELY(uk_load_relaxed(&vas_fault_window_hook)))
			uk_load_relaxed(&vas_fault_window_hook)(vas, vaddr);
		rc = ukplat_pt_install(pt, f.vbase, f.paddr, level, vma->attr,
				       &found, &found_level);
		if (rc != -EEXIST) {
			if (rc)
				vma_fault_undo(vma, &f); /* never visible */
			return rc;
		}
		/* Another fault or a populate won the CAS. */
		vma_fault_undo(vma, &f);
	}
	return -EAGAIN;
}

/* One attempt inside a read section. */
static int fault_once(struct uk_vas *vas, __vaddr_t vaddr, unsigned int type)
{
	struct uk_vma *vma;
	int rc;

	uk_rcu_read_lock();
	vma = vas_find_rcu(vas, vaddr);
	if (!vma)
		rc = -EFAULT;
	else if (uk_load_acquire(&vma->state) == UK_VMA_STATE_PENDING)
		rc = VAS_FAULT_WAIT;
	else
		rc = vas_fault_vma_rcu(vas, vma, vaddr, type);
	uk_rcu_read_unlock();
	return rc;
}

int uk_vas_fault(struct uk_vas *vas, __vaddr_t vaddr, unsigned int type)
{
	bool nowait = type & UK_VMA_FAULT_NOWAIT;
	int rc;

	if (!vas)
		return -EINVAL;
	if (!uk_vas_paging_enabled())
		return -EFAULT; /* this thread switched demand paging off */
	type &= ~UK_VMA_FAULT_NOWAIT; /* the type hooks never see it */
	for (;;) {
		rc = fault_once(vas, vaddr, type);
		if (rc != VAS_FAULT_WAIT)
			return rc;
		/* Waiting inside a read section would deadlock with the
		 * writer's grace period: such a caller gets -EAGAIN too. */
		if (nowait || uk_rcu_read_ongoing())
			return -EAGAIN;
		/* The writer holds the lock until the VMA is live and every
		 * entry it broke is made again. We hold no read section and
		 * (being able to sleep) have interrupts enabled, so its
		 * shootdown does not wait for us. */
		ukplat_mutex_lock(&vas->lock);
		ukplat_mutex_unlock(&vas->lock);
	}
}

int uk_vas_fault_hw(struct uk_vas *vas, __vaddr_t vaddr, unsigned long report)
{
	int type = uk_arch_fault_type(report);

	if (type < 0)
		return type;
	return uk_vas_fault(vas, vaddr, (unsigned int)type);
}

int uk_vas_fault_hw_nowait(struct uk_vas *vas, __vaddr_t vaddr,
			   unsigned long report)
{
	int type = uk_arch_fault_type(report);

	if (type < 0)
		return type;
	return uk_vas_fault(vas, vaddr,
			    (unsigned int)type | UK_VMA_FAULT_NOWAIT);
}
