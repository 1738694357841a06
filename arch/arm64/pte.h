/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AArch64 VMSAv8-64 stage 1 descriptors, 4 KiB granule, 48-bit VA (Arm ARM
 * D8.3). Our level 3 = lookup level 0, 2 = level 1 (1 GiB blocks), 1 = level 2
 * (2 MiB blocks), 0 = level 3 (4 KiB pages).
 *
 * Descriptor type, bits[1:0]: 11 = table (our levels 3..1) or page (our
 * level 0), 01 = block (our levels 1 and 2), x0 = invalid.
 *
 * Encoding chosen here for a leaf:
 *  - AttrIndx[4:2] = the PAGE_ATTR_TYPE_* value (type >> 3), which assumes
 *      MAIR_EL1 = 0x000000000444bbff (A64_MAIR_VALUE):
 *      Attr0 0xff Normal, inner/outer write-back non-transient RW-allocate
 *      Attr1 0xbb Normal, inner/outer write-through non-transient RW-alloc
 *      Attr2 0x44 Normal, inner/outer non-cacheable
 *      Attr3 0x04 Device-nGnRE
 *  - SH[9:8] = 11 inner shareable (ignored by hardware for Device memory);
 *  - AP[7:6]: AP[1] (bit 6) = EL0 access, always set (user mapping, as US
 *    on x86), AP[2] (bit 7) = read-only, set unless PROT_WRITE;
 *  - AF (bit 10) set on install (no access-flag faults for our leaves);
 *  - nG (bit 11) set: user mappings are per address space (ASID tagged);
 *  - PXN (53) and UXN (54) both set unless PROT_EXEC (mirrors x86 NX);
 *  - output address bits 12..47.
 * A table descriptor is bits[1:0] = 11 and the address only (no APTable,
 * XNTable): the rights are decided by the leaf.
 * Like x86, EL0 cannot have write or exec without read here: PROT_WRITE and
 * PROT_EXEC imply PROT_READ. A PROT_NONE leaf is the read-only leaf with
 * the valid bit cleared and software bit 58 (A64_PTE_SW_PROTNONE) set: the
 * hardware sees an invalid descriptor (translation fault), software sees
 * the frame.
 *
 * Everything here is prefixed a64_pte_ / A64_PTE_ so that this header and
 * x86_64/pte.h can be included in the same translation unit.
 */
#ifndef UK_ARCH_ARM64_PTE_H
#define UK_ARCH_ARM64_PTE_H

#include <stdbool.h>
#include <uk/vmem_types.h>

#define A64_PTE_VALID (1ULL << 0)
#define A64_PTE_TABLE (1ULL << 1) /* table (levels 1..3) or page (level 0) */
#define A64_PTE_TYPE_MASK 0x3ULL
#define A64_PTE_TYPE_BLOCK 0x1ULL
#define A64_PTE_TYPE_TABLE 0x3ULL
#define A64_PTE_TYPE_PAGE 0x3ULL
#define A64_PTE_ATTRINDX_SHIFT 2
#define A64_PTE_ATTRINDX_MASK (0x7ULL << A64_PTE_ATTRINDX_SHIFT)
#define A64_PTE_ATTRINDX(i) (((__pte_t)(i)) << A64_PTE_ATTRINDX_SHIFT)
#define A64_PTE_NS (1ULL << 5)
#define A64_PTE_AP_EL0 (1ULL << 6) /* AP[1] */
#define A64_PTE_AP_RO (1ULL << 7)  /* AP[2] */
#define A64_PTE_SH_SHIFT 8
#define A64_PTE_SH_MASK (0x3ULL << A64_PTE_SH_SHIFT)
#define A64_PTE_SH_INNER (0x3ULL << A64_PTE_SH_SHIFT)
#define A64_PTE_AF (1ULL << 10)
#define A64_PTE_NG (1ULL << 11)
#define A64_PTE_PXN (1ULL << 53)
#define A64_PTE_UXN (1ULL << 54)
#define A64_PTE_SW_PROTNONE (1ULL << 58) /* software bits are 55..58 */
#define A64_PTE_ADDR_MASK 0x0000fffffffff000ULL /* bits 12..47 */

/* MAIR indices of the PAGE_ATTR_TYPE_* values, and the MAIR_EL1 value a
 * kernel using this encoding must program. */
#define A64_MAIR_IDX_NORMAL_WB 0
#define A64_MAIR_IDX_NORMAL_WT 1
#define A64_MAIR_IDX_NORMAL_NC 2
#define A64_MAIR_IDX_DEVICE 3
#define A64_MAIR_VALUE 0x000000000444bbffULL

_Static_assert(PAGE_SHIFT == 12, "arm64: 4 KiB granule");
_Static_assert(A64_PTE_ADDR_MASK == (((1ULL << 48) - 1) & ~0xfffULL),
	       "arm64 output address bits 12..47");
_Static_assert((PAGE_ATTR_TYPE_NORMAL_WB >> PAGE_ATTR_TYPE_SHIFT) ==
		       A64_MAIR_IDX_NORMAL_WB &&
	       (PAGE_ATTR_TYPE_NORMAL_WT >> PAGE_ATTR_TYPE_SHIFT) ==
		       A64_MAIR_IDX_NORMAL_WT &&
	       (PAGE_ATTR_TYPE_NORMAL_NC >> PAGE_ATTR_TYPE_SHIFT) ==
		       A64_MAIR_IDX_NORMAL_NC &&
	       (PAGE_ATTR_TYPE_DEVICE >> PAGE_ATTR_TYPE_SHIFT) ==
		       A64_MAIR_IDX_DEVICE,
	       "AttrIndx is the PAGE_ATTR_TYPE_* value");
_Static_assert(((A64_MAIR_VALUE >> (8 * A64_MAIR_IDX_DEVICE)) & 0xff) == 0x04,
	       "MAIR: device index holds Device-nGnRE");
_Static_assert((A64_PTE_ADDR_MASK & (A64_PTE_TYPE_MASK |
		A64_PTE_ATTRINDX_MASK | A64_PTE_NS | A64_PTE_AP_EL0 |
		A64_PTE_AP_RO | A64_PTE_SH_MASK | A64_PTE_AF | A64_PTE_NG |
		A64_PTE_PXN | A64_PTE_UXN | A64_PTE_SW_PROTNONE)) == 0,
	       "arm64 attribute bits overlap the address");

static inline bool a64_pte_present(__pte_t pte)
{
	return (pte & (A64_PTE_VALID | A64_PTE_SW_PROTNONE)) != 0;
}

static inline bool a64_pte_is_leaf(__pte_t pte, unsigned int level)
{
	if (!a64_pte_present(pte) || level > PAGE_MAX_LEVEL)
		return false;
	/* level 0: page descriptor (11); above: block descriptor (01) */
	return level == 0 || !(pte & A64_PTE_TABLE);
}

static inline __pte_t a64_pte_leaf_bits(unsigned int level,
					unsigned long attr)
{
	unsigned long prot = attr & PAGE_ATTR_PROT_MASK;
	__pte_t pte = A64_PTE_ATTRINDX((attr & PAGE_ATTR_TYPE_MASK) >>
				       PAGE_ATTR_TYPE_SHIFT) |
		      A64_PTE_AP_EL0 | A64_PTE_SH_INNER | A64_PTE_AF |
		      A64_PTE_NG;

	pte |= level == 0 ? A64_PTE_TYPE_PAGE : A64_PTE_TYPE_BLOCK;
	if (prot == PAGE_ATTR_PROT_NONE)
		pte = (pte & ~A64_PTE_VALID) | A64_PTE_SW_PROTNONE;
	if (!(prot & PAGE_ATTR_PROT_WRITE))
		pte |= A64_PTE_AP_RO;
	if (!(prot & PAGE_ATTR_PROT_EXEC))
		pte |= A64_PTE_PXN | A64_PTE_UXN;
	return pte;
}

static inline __pte_t a64_pte_make_leaf(__paddr_t paddr, unsigned int level,
					unsigned long attr)
{
	return ((__pte_t)paddr & A64_PTE_ADDR_MASK & PAGE_Lx_MASK(level)) |
	       a64_pte_leaf_bits(level, attr);
}

static inline __pte_t a64_pte_make_table(__paddr_t paddr)
{
	return ((__pte_t)paddr & A64_PTE_ADDR_MASK) | A64_PTE_TYPE_TABLE;
}

static inline __paddr_t a64_pte_paddr(__pte_t pte, unsigned int level)
{
	return (__paddr_t)(pte & A64_PTE_ADDR_MASK & PAGE_Lx_MASK(level));
}

static inline __paddr_t a64_pte_table_paddr(__pte_t pte)
{
	return (__paddr_t)(pte & A64_PTE_ADDR_MASK);
}

static inline unsigned long a64_pte_attr(__pte_t pte)
{
	unsigned long attr = ((pte & A64_PTE_ATTRINDX_MASK) >>
			      A64_PTE_ATTRINDX_SHIFT) & 0x3;

	attr <<= PAGE_ATTR_TYPE_SHIFT;
	if (!(pte & A64_PTE_VALID))
		return attr | PAGE_ATTR_PROT_NONE;
	attr |= PAGE_ATTR_PROT_READ;
	if (!(pte & A64_PTE_AP_RO))
		attr |= PAGE_ATTR_PROT_WRITE;
	if (!(pte & A64_PTE_UXN))
		attr |= PAGE_ATTR_PROT_EXEC;
	return attr;
}

static inline __pte_t a64_pte_with_attr(__pte_t pte, unsigned int level,
					unsigned long attr)
{
	const __pte_t managed = A64_PTE_TYPE_MASK | A64_PTE_ATTRINDX_MASK |
				A64_PTE_AP_EL0 | A64_PTE_AP_RO |
				A64_PTE_SH_MASK | A64_PTE_AF | A64_PTE_NG |
				A64_PTE_PXN | A64_PTE_UXN |
				A64_PTE_SW_PROTNONE;

	return (pte & ~managed) | a64_pte_leaf_bits(level, attr);
}

#endif /* UK_ARCH_ARM64_PTE_H */
