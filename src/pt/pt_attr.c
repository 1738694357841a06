/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ukplat_page_set_attr and the format-independent accessors.
 *
 * Algorithm
 *  Same two passes as unmap (see pt_unmap.c): the checking pass refuses a
 *  large leaf crossing a boundary, then the range walker rewrites every
 *  present leaf in the range. Each rewrite is a CAS loop from the entry it
 *  read to pte_with_attr(entry): the frame is kept, and an entry changed
 *  concurrently (a fault upgrading rights with ukplat_pt_update_attr) is
 *  reread rather than overwritten with stale bits; an entry found empty is
 *  left empty. One TLB flush for the range when anything changed.
 *
 * Invariants
 *  1. set_attr never adds or removes a leaf or a table.
 *  2. A PROT_NONE attribute keeps the leaf (hardware-invalid, software-
 *     present, see arch/pte.h), so a later set_attr can restore access with
 *     the contents intact.
 */
#include "pt_internal.h"

static void pt_attr_leaf(struct pt_range_op *op, pt_slot_t *slot,
			 __vaddr_t vaddr, unsigned int level, __pte_t pte)
{
	unsigned long attr = *(unsigned long *)op->arg;

	(void)vaddr;
	while (pte_is_leaf(pte, level)) {
		__pte_t new = pte_with_attr(pte, level, attr);

		if (new == pte)
			return;
		if (uk_cas_acq_rel(slot, &pte, new)) {
			op->changed = true;
			return;
		}
	}
}

int ukplat_page_set_attr(struct uk_pagetable *pt, __vaddr_t vaddr,
			 unsigned long pages, unsigned long attr,
			 unsigned long flags)
{
	struct pt_range_op op = { .pt = pt, .leaf = pt_attr_leaf,
				  .free_tables = false, .arg = &attr };
	__vaddr_t end;
	int rc;

	(void)flags;
	if (!pt_range_ok(pt, vaddr, pages, &end) || (attr & ~PAGE_ATTR_MASK))
		return -EINVAL;
	rc = pt_range_check(pt, vaddr, end);
	if (rc || !pages)
		return rc;
	pt_range_apply(&op, vaddr, end);
	if (op.changed)
		ukplat_tlb_flush(pt, vaddr, end - vaddr);
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

void *ukplat_page_kmap(struct uk_pagetable *pt, __paddr_t paddr,
		       unsigned long pages, unsigned long flags)
{
	struct uk_physmem *pm = pt->fa->pm;

	(void)flags;
	if (pages > pm->size >> PAGE_SHIFT ||
	    !uk_physmem_contains(pm, paddr, pages << PAGE_SHIFT))
		return NULL;
	return uk_physmem_kmap(pm, paddr);
}
