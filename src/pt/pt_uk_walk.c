/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unikraft's page-table walk (ukplat_pt_walk) and PTE tests, for code that
 * inspects the table the way Unikraft code does. ukvmem's own callers use
 * ukplat_pt_lookup, which reports a missing leaf as -ENOENT.
 *
 * Ordering: each entry is read with an acquire load, pairing with the
 * release CAS that published it (pt_walk.c, ordering 1), so a table page
 * the walk descends into is seen zeroed or filled, never half written.
 * The caller's read section keeps every table page it reaches allocated.
 */
#include "pt_internal.h"

int ukplat_pt_walk(struct uk_pagetable *pt, __vaddr_t vaddr,
		   unsigned int *level, __vaddr_t *pt_vaddr, __pte_t *pte)
{
	unsigned int to = level ? *level : PAGE_LEVEL;
	unsigned int lvl = PT_TOP_LEVEL;
	pt_slot_t *tbl = pt_table(pt, pt->root);
	__pte_t e;

	if (to > PT_TOP_LEVEL || vaddr >= PT_VADDR_LIMIT)
		return -EINVAL;
	for (;;) {
		e = uk_load_acquire(&tbl[pt_idx(vaddr, lvl)]);
		if (lvl == to || !pte_present(e) || pte_is_leaf(e, lvl))
			break;
		tbl = pt_table(pt, pte_table_paddr(e));
		lvl--;
	}
	if (level)
		*level = lvl;
	if (pt_vaddr)
		*pt_vaddr = (__vaddr_t)tbl;
	if (pte)
		*pte = e;
	return 0;
}

bool ukplat_pte_present(__pte_t pte, unsigned int lvl)
{
	(void)lvl; /* both formats mark presence the same way at every level */
	return pte_present(pte);
}

bool ukplat_pte_is_leaf(__pte_t pte, unsigned int lvl)
{
	return pte_is_leaf(pte, lvl);
}
