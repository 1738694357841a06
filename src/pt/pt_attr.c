/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ukplat_page_set_attr and the format-independent accessors.
 *
 * Algorithm
 *  Same two passes as unmap (see pt_unmap.c): the checking pass refuses a
 *  large leaf crossing a boundary, then the range walker rewrites every
 *  present leaf in the range. Each rewrite is a CAS loop from the entry it
 *  read: the frame is kept, and an entry changed concurrently (a fault
 *  raising rights with ukplat_pt_update_attr) is reread rather than
 *  overwritten with stale bits; an entry found empty is left empty.
 *
 *  What a CPU may cache decides what needs a flush (one, through the
 *  operation's TLB gather):
 *   - rights only raised: nothing (a CPU holding the old entry faults, and
 *     the fault path finds the raised one and drops its own entry);
 *   - rights lowered: the range is recorded, flushed before set_attr
 *     returns;
 *   - memory type changed: break-before-make. The leaf first becomes its
 *     own PROT_NONE form, old type kept (hardware-invalid: the break), the
 *     range is recorded, and after the flush the gather's make step writes
 *     the new entry (type and rights). Faults meanwhile find an invalid
 *     entry whose type is not their VMA's and may not touch it.
 *
 * Invariants
 *  1. set_attr never adds or removes a leaf or a table.
 *  2. A PROT_NONE attribute keeps the leaf (hardware-invalid, software-
 *     present, see arch/pte.h), so a later set_attr can restore access with
 *     the contents intact.
 *  3. No CPU ever caches two memory types for one address: between the
 *     break and the make the entry is invalid and every CPU flushed it.
 */
#include "pt_internal.h"

static bool type_differs(unsigned long a, unsigned long b)
{
	return ((a ^ b) & PAGE_ATTR_TYPE_MASK) != 0;
}

/* The entry @pte becomes on the way to @attr: the break of a type change,
 * or the final entry. */
static __pte_t attr_step(__pte_t pte, unsigned int level, unsigned long attr)
{
	unsigned long old = pte_attr(pte);

	if (type_differs(old, attr))
		attr = (old & PAGE_ATTR_TYPE_MASK) | PAGE_ATTR_PROT_NONE;
	return pte_with_attr(pte, level, attr);
}

static void pt_attr_leaf(struct pt_range_op *op, pt_slot_t *slot,
			 __vaddr_t vaddr, unsigned int level, __pte_t pte)
{
	unsigned long attr = *(unsigned long *)op->arg;

	while (pte_is_leaf(pte, level)) {
		__pte_t new = attr_step(pte, level, attr);
		unsigned long old = pte_attr(pte);

		/* An invalid entry of the old type is its own break. */
		op->broke |= type_differs(old, attr);
		if (new == pte)
			return;
		if (!uk_cas_acq_rel(slot, &pte, new))
			continue;
		/* A valid entry lost a right or became invalid. */
		if (pte_hw_valid(pte) &&
		    (old & ~pte_attr(new) & PAGE_ATTR_PROT_MASK))
			pt_gather_range(op->g, vaddr, PAGE_Lx_SIZE(level),
					level, false);
		return;
	}
}

/* The make of a type change, after the flush: broken leaves (old type)
 * take @attr. */
static void pt_attr_make_leaf(struct pt_range_op *op, pt_slot_t *slot,
			      __vaddr_t vaddr, unsigned int level, __pte_t pte)
{
	unsigned long attr = *(unsigned long *)op->arg;

	(void)vaddr;
	while (pte_is_leaf(pte, level) && type_differs(pte_attr(pte), attr) &&
	       !uk_cas_acq_rel(slot, &pte, pte_with_attr(pte, level, attr)))
		;
}

static void pt_attr_make(struct ukplat_tlb_gather *g, __vaddr_t start,
			 __vaddr_t end, unsigned long attr,
			 unsigned long flags)
{
	(void)flags;
	pt_make_apply(g, pt_attr_make_leaf, start, end, &attr);
}

int ukplat_page_set_attr(struct uk_pagetable *pt, __vaddr_t vaddr,
			 unsigned long pages, unsigned long attr,
			 unsigned long flags)
{
	struct ukplat_tlb_gather own, *g;
	struct pt_range_op op = { .pt = pt, .leaf = pt_attr_leaf,
				  .arg = &attr };
	__vaddr_t end;
	int rc;

	(void)flags;
	if (!pt_range_ok(pt, vaddr, pages, &end) || (attr & ~PAGE_ATTR_MASK))
		return -EINVAL;
	rc = pt_range_check(pt, vaddr, end);
	if (rc || !pages)
		return rc;
	g = pt_gather_begin(pt, &own);
	op.g = g;
	pt_range_apply(&op, vaddr, end);
	if (op.broke)
		pt_gather_make(g, pt_attr_make, vaddr, end, attr, 0);
	pt_gather_end(g, &own);
	return 0;
}

__paddr_t ukplat_pte_paddr(__pte_t pte, unsigned int level)
{
	return pte_paddr(pte, level);
}

unsigned long ukplat_pte_attr(__pte_t pte)
{
	return pte_attr(pte);
}

const char *ukplat_pt_format(void)
{
	return PTE_FORMAT_NAME;
}

void *ukplat_page_kptr(struct uk_pagetable *pt, __paddr_t paddr,
		       unsigned long pages, unsigned long flags)
{
	struct uk_physmem *pm = pt->fa->pm;

	(void)flags;
	if (pages > pm->size >> PAGE_SHIFT ||
	    !uk_physmem_contains(pm, paddr, pages << PAGE_SHIFT))
		return NULL;
	return uk_physmem_kmap(pm, paddr);
}
