/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x86_64 4-level paging entries (Intel SDM vol. 3, 4.5; AMD APM vol. 2, 5.3).
 *
 * Our level 3 = PML4, 2 = PDPT (1 GiB pages with PS), 1 = PD (2 MiB pages
 * with PS), 0 = PT (4 KiB pages). Encoding chosen here:
 *  - every entry we write is user accessible (US), on every level, because
 *    the address space this library manages is the one its users run in;
 *  - a leaf always has A set, and D set when it is writable (as Linux does
 *    for kernel mappings: the walker never has to write A/D back);
 *  - no G (user mappings are per address space), NX unless PROT_EXEC;
 *  - memory type through the default PAT (IA32_PAT reset value
 *    0x0007040600070406: index 0 WB, 1 WT, 2 UC-, 3 UC), so only PWT/PCD are
 *    used and the PAT bit (bit 7 at level 0, bit 12 above) is always 0:
 *      NORMAL_WB -> -, NORMAL_WT -> PWT, NORMAL_NC -> PCD (UC-),
 *      DEVICE -> PCD|PWT (UC);
 *  - a table entry is P|RW|US|A: the rights are decided by the leaf.
 * x86 cannot express "present but not readable": PROT_WRITE and PROT_EXEC
 * imply PROT_READ. PROT_NONE leaves (software present, hardware absent)
 * are encoded like Linux's _PAGE_PROTNONE: P clear, X86_PTE_SW_PROTNONE
 * set, every other bit as for a read-only leaf, so the frame is kept and
 * any access faults (as "not present": the fault handler must look at the
 * entry, not only at the error code).
 *
 * Everything here is prefixed x86_pte_ / X86_PTE_ so that this header and
 * arm64/pte.h can be included in the same translation unit.
 */
#ifndef UK_ARCH_X86_64_PTE_H
#define UK_ARCH_X86_64_PTE_H

#include <stdbool.h>
#include <uk/vmem_types.h>

#define X86_PTE_P (1ULL << 0)
#define X86_PTE_RW (1ULL << 1)
#define X86_PTE_US (1ULL << 2)
#define X86_PTE_PWT (1ULL << 3)
#define X86_PTE_PCD (1ULL << 4)
#define X86_PTE_A (1ULL << 5)
#define X86_PTE_D (1ULL << 6)
#define X86_PTE_PS (1ULL << 7)  /* levels 1 and 2; PAT at level 0 */
#define X86_PTE_G (1ULL << 8)
#define X86_PTE_SW_PROTNONE (1ULL << 9) /* available to software */
#define X86_PTE_NX (1ULL << 63)
#define X86_PTE_ADDR_MASK 0x000ffffffffff000ULL /* bits 12..51 */

_Static_assert(PAGE_SHIFT == 12, "x86_64 pages are 4 KiB");
_Static_assert(X86_PTE_ADDR_MASK == (((1ULL << 52) - 1) & ~0xfffULL),
	       "x86_64 physical address bits 12..51");
_Static_assert((X86_PTE_ADDR_MASK & (X86_PTE_P | X86_PTE_RW | X86_PTE_US |
		X86_PTE_PWT | X86_PTE_PCD | X86_PTE_A | X86_PTE_D |
		X86_PTE_PS | X86_PTE_G | X86_PTE_SW_PROTNONE |
		X86_PTE_NX)) == 0, "x86_64 flag bits overlap the address");

static inline bool x86_pte_present(__pte_t pte)
{
	return (pte & (X86_PTE_P | X86_PTE_SW_PROTNONE)) != 0;
}

static inline bool x86_pte_is_leaf(__pte_t pte, unsigned int level)
{
	if (!x86_pte_present(pte) || level > PAGE_MAX_LEVEL)
		return false;
	return level == 0 || (pte & X86_PTE_PS);
}

static inline __pte_t x86_pte_type_bits(unsigned long attr)
{
	switch (attr & PAGE_ATTR_TYPE_MASK) {
	case PAGE_ATTR_TYPE_NORMAL_WT:
		return X86_PTE_PWT;
	case PAGE_ATTR_TYPE_NORMAL_NC:
		return X86_PTE_PCD;
	case PAGE_ATTR_TYPE_DEVICE:
		return X86_PTE_PCD | X86_PTE_PWT;
	default:
		return 0;
	}
}

/* Everything but the address of a leaf of @level with @attr. */
static inline __pte_t x86_pte_leaf_bits(unsigned int level,
					unsigned long attr)
{
	unsigned long prot = attr & PAGE_ATTR_PROT_MASK;
	__pte_t pte = X86_PTE_US | X86_PTE_A | x86_pte_type_bits(attr);

	pte |= prot == PAGE_ATTR_PROT_NONE ? X86_PTE_SW_PROTNONE : X86_PTE_P;
	if (prot & PAGE_ATTR_PROT_WRITE)
		pte |= X86_PTE_RW | X86_PTE_D;
	if (!(prot & PAGE_ATTR_PROT_EXEC))
		pte |= X86_PTE_NX;
	if (level > 0)
		pte |= X86_PTE_PS;
	return pte;
}

static inline __pte_t x86_pte_make_leaf(__paddr_t paddr, unsigned int level,
					unsigned long attr)
{
	return ((__pte_t)paddr & X86_PTE_ADDR_MASK & PAGE_Lx_MASK(level)) |
	       x86_pte_leaf_bits(level, attr);
}

static inline __pte_t x86_pte_make_table(__paddr_t paddr)
{
	return ((__pte_t)paddr & X86_PTE_ADDR_MASK) | X86_PTE_P | X86_PTE_RW |
	       X86_PTE_US | X86_PTE_A;
}

static inline __paddr_t x86_pte_paddr(__pte_t pte, unsigned int level)
{
	return (__paddr_t)(pte & X86_PTE_ADDR_MASK & PAGE_Lx_MASK(level));
}

static inline __paddr_t x86_pte_table_paddr(__pte_t pte)
{
	return (__paddr_t)(pte & X86_PTE_ADDR_MASK);
}

static inline unsigned long x86_pte_attr(__pte_t pte)
{
	unsigned long attr;

	if (!(pte & X86_PTE_P))
		attr = PAGE_ATTR_PROT_NONE;
	else {
		attr = PAGE_ATTR_PROT_READ;
		if (pte & X86_PTE_RW)
			attr |= PAGE_ATTR_PROT_WRITE;
		if (!(pte & X86_PTE_NX))
			attr |= PAGE_ATTR_PROT_EXEC;
	}
	switch (pte & (X86_PTE_PCD | X86_PTE_PWT)) {
	case X86_PTE_PWT:
		return attr | PAGE_ATTR_TYPE_NORMAL_WT;
	case X86_PTE_PCD:
		return attr | PAGE_ATTR_TYPE_NORMAL_NC;
	case X86_PTE_PCD | X86_PTE_PWT:
		return attr | PAGE_ATTR_TYPE_DEVICE;
	default:
		return attr | PAGE_ATTR_TYPE_NORMAL_WB;
	}
}

/* Same frame, new attributes; bits we do not manage (G, software bits
 * other than PROTNONE) are kept. */
static inline __pte_t x86_pte_with_attr(__pte_t pte, unsigned int level,
					unsigned long attr)
{
	const __pte_t managed = X86_PTE_P | X86_PTE_RW | X86_PTE_US |
				X86_PTE_PWT | X86_PTE_PCD | X86_PTE_A |
				X86_PTE_D | X86_PTE_PS | X86_PTE_SW_PROTNONE |
				X86_PTE_NX;

	return (pte & ~managed) | x86_pte_leaf_bits(level, attr);
}

#endif /* UK_ARCH_X86_64_PTE_H */
