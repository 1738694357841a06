/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The page-table entry contract between the common page-table code
 * (src/pt/) and the hardware formats (arch/<format>/pte.h). The build picks
 * the format (meson -Dpt_format=, UKVMEM_PT_ARM64 in ukvmem_config.h); both
 * format headers can be included together, this one maps pte_* onto one.
 *
 * Levels are ours: 0 = 4 KiB page, 1 = 2 MiB, 2 = 1 GiB, 3 = root table.
 *
 *  pte_present(pte)          the slot is in use: a table, a leaf, or a
 *                            PROT_NONE leaf (hardware-invalid, software-
 *                            present: keeps its frame). An empty slot is 0.
 *  pte_is_leaf(pte, level)   present and maps memory (never at level 3).
 *  pte_make_leaf(pa, l, a)   leaf of level l for frame pa (aligned to the
 *                            level) with PAGE_ATTR_* a. Never 0.
 *  pte_make_table(pa)        entry pointing at the table page pa. Never 0.
 *  pte_paddr(pte, level)     frame of a leaf (base of the whole large page).
 *  pte_table_paddr(pte)      table page of a table entry.
 *  pte_attr(pte)             PAGE_ATTR_* (prot + type) of a leaf. WRITE and
 *                            EXEC imply READ in both formats.
 *  pte_with_attr(pte, l, a)  same frame, new attributes.
 */
#ifndef UK_ARCH_PTE_H
#define UK_ARCH_PTE_H

#include "ukvmem_config.h"
#include "x86_64/pte.h"
#include "arm64/pte.h"

_Static_assert(sizeof(__pte_t) == 8, "both formats use 64-bit entries");
_Static_assert(PT_PTES_PER_LEVEL * sizeof(__pte_t) == PAGE_SIZE,
	       "a table is one page");
_Static_assert(PAGE_Lx_SHIFT(PAGE_MAX_LEVEL) == 30, "1 GiB largest leaf");

#if UKVMEM_PT_ARM64
#define PTE_FORMAT_NAME "arm64"
#define __PTE_FN(name) a64_pte_##name
#else
#define PTE_FORMAT_NAME "x86_64"
#define __PTE_FN(name) x86_pte_##name
#endif

static inline bool pte_present(__pte_t pte)
{
	return __PTE_FN(present)(pte);
}

static inline bool pte_is_leaf(__pte_t pte, unsigned int level)
{
	return __PTE_FN(is_leaf)(pte, level);
}

static inline __pte_t pte_make_leaf(__paddr_t paddr, unsigned int level,
				    unsigned long attr)
{
	return __PTE_FN(make_leaf)(paddr, level, attr);
}

static inline __pte_t pte_make_table(__paddr_t paddr)
{
	return __PTE_FN(make_table)(paddr);
}

static inline __paddr_t pte_paddr(__pte_t pte, unsigned int level)
{
	return __PTE_FN(paddr)(pte, level);
}

static inline __paddr_t pte_table_paddr(__pte_t pte)
{
	return __PTE_FN(table_paddr)(pte);
}

static inline unsigned long pte_attr(__pte_t pte)
{
	return __PTE_FN(attr)(pte);
}

static inline __pte_t pte_with_attr(__pte_t pte, unsigned int level,
				    unsigned long attr)
{
	return __PTE_FN(with_attr)(pte, level, attr);
}

#endif /* UK_ARCH_PTE_H */
