/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Decoding of hardware fault reports into UK_VMA_FAULT_* bits. Both decoders
 * are always compiled (tests check both on any host); uk_arch_fault_type
 * uses the build's page-table format.
 *
 * Each returns the access type (UK_VMA_FAULT_READ, _WRITE or _EXEC) ORed
 * with UK_VMA_FAULT_NONPRESENT when no translation existed and
 * UK_VMA_FAULT_MISCONFIG when an entry had reserved bits set, or -EINVAL
 * when the report is not a page fault this library can handle.
 *
 * Note that a PROT_NONE leaf (see arch/pte.h) is hardware-invalid, so an
 * access to it is reported with UK_VMA_FAULT_NONPRESENT although the page
 * table holds it: a fault handler must walk the table, not trust the bit.
 */
#ifndef UK_ARCH_FAULT_H
#define UK_ARCH_FAULT_H

/*
 * x86_64 #PF error code: bit 0 P (0: not present), bit 1 W/R, bit 3 RSVD,
 * bit 4 I/D (instruction fetch). U/S, PK, SS, SGX are ignored. -EINVAL when
 * both W/R and I/D are set (no such access).
 */
int x86_64_fault_type(unsigned long error_code);

/*
 * arm64 ESR_ELx of an instruction abort (EC 0x20, 0x21 -> EXEC) or a data
 * abort (EC 0x24, 0x25; WnR bit 6 -> WRITE, else READ). Fault status
 * ESR[5:0]: 0b0001xx translation fault (levels 0..3) -> NONPRESENT,
 * 0b0010xx access flag fault and 0b0011xx permission fault -> present.
 * Any other EC or status (address size, external abort, alignment, TLB
 * conflict, ...) -> -EINVAL.
 */
int arm64_fault_type(unsigned long esr);

/* The decoder of the build's page-table format. */
int uk_arch_fault_type(unsigned long report);

#endif /* UK_ARCH_FAULT_H */
