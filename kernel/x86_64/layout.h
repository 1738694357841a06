/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x86_64 kernel memory layout, shared by the assembly and C files.
 *
 *   0xffffffff80000000 + P   the kernel image (PML4[511], PDPT[510]): the
 *                            first GiB of RAM, 2 MiB pages, -mcmodel=kernel
 *   0xffff800000000000 + P   the direct map of the first 4 GiB (PML4[256]),
 *                            2 MiB pages, the top GiB uncached (LAPIC)
 *   [0, 2^47)                the VAS (ukvmem); empty in the kernel's tables
 *                            except while booting (identity map of 1 GiB)
 */
#ifndef X86_LAYOUT_H
#define X86_LAYOUT_H

#define KERNEL_VMA 0xffffffff80000000
#define DIRECT_MAP 0xffff800000000000
#define KERNEL_PHYS 0x100000
#define DIRECT_MAP_GIB 4

#define KSTACK_SIZE 16384
#define AP_TRAMPOLINE 0x8000 /* SIPI vector 0x08 */

/* GDT selectors (boot.S builds the GDT). */
#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_CODE32 0x18

/* Interrupt vectors. */
#define VEC_PF 14
#define VEC_IPI_WAKE 0xf0
#define VEC_IPI_TLB 0xf1
#define VEC_SPURIOUS 0xff

#endif /* X86_LAYOUT_H */
