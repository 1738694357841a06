/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arm64 kernel memory layout and fixed system-register values, shared by
 * the assembly (boot.S, vectors.S), the linker script and C.
 *
 * Physical: QEMU virt has devices below 1 GiB (GICv2 distributor at
 * 0x08000000, CPU interface at 0x08010000, PL011 at 0x09000000) and RAM from
 * 0x40000000. A bare-metal ELF boot puts the DTB at the start of RAM, so the
 * image is loaded 2 MiB above it.
 *
 * Virtual: TTBR1 (the upper 256 TiB) holds the kernel: a direct map of
 * physical [0, 3 GiB) at KERNEL_VOFFSET made of 1 GiB blocks (devices in
 * the first, RAM in the next two), which contains the image itself. TTBR0
 * (the lower half) belongs to the ukvmem address space.
 */
#ifndef KARM_LAYOUT_H
#define KARM_LAYOUT_H

#ifdef __ASSEMBLER__
#define KARM_UL(x) x
#else
#define KARM_UL(x) x##UL
#endif

#define KERNEL_VOFFSET KARM_UL(0xffff000000000000)
#define KERNEL_PHYS KARM_UL(0x40200000)
#define RAM_PHYS KARM_UL(0x40000000)
#define DTB_PHYS RAM_PHYS
#define DIRECT_MAP_END_PHYS KARM_UL(0xc0000000) /* 3 GiB: blocks 0..2 */

#define GICD_PHYS KARM_UL(0x08000000)
#define GICC_PHYS KARM_UL(0x08010000)
#define UART_PHYS KARM_UL(0x09000000)

#define KARM_MAX_CPUS 8
/* Each CPU runs the suites, the library's fault path and nested trap
 * frames (288 bytes each) on this stack; nothing guards its end. */
#define BOOT_STACK_SIZE KARM_UL(32768)

/* MAIR_EL1: the library's encoding (arch/arm64/pte.h A64_MAIR_VALUE):
 * 0 Normal WB, 1 Normal WT, 2 Normal NC, 3 Device-nGnRE. */
#define KARM_MAIR KARM_UL(0x000000000444bbff)
#define KARM_ATTR_NORMAL 0
#define KARM_ATTR_DEVICE 3

/*
 * TCR_EL1: T0SZ = T1SZ = 16 (48-bit halves), 4 KiB granule in both
 * (TG0 = 00, TG1 = 10), walks inner/outer write-back write-allocate and
 * inner shareable, ASID from TTBR0 (A1 = 0), 8-bit ASIDs (AS = 0). IPS is
 * filled in at boot from ID_AA64MMFR0_EL1.PARange. EPD0 is set until an
 * address space is loaded, so that TTBR0 is never walked through a stale
 * root.
 */
#define TCR_T0SZ 16
#define TCR_EPD0 (KARM_UL(1) << 7)
#define TCR_IPS_SHIFT 32
#define KARM_TCR KARM_UL(0xb5103510)

/* SCTLR_EL1: M, C, SA, I, and the bits that are RES1 on ARMv8.0 (11, 20,
 * 22, 23, 28, 29). Bit 23 (SPAN on ARMv8.1) = 1 keeps PSTATE.PAN unchanged
 * on exception entry: the kernel touches the ukvmem address space, whose
 * leaves are EL0-accessible (arch/arm64/pte.h), so PAN must stay off. */
#define KARM_SCTLR KARM_UL(0x30d0180d)

/* Kernel-half block descriptors (level 1, 1 GiB): global, EL1-only (AP =
 * 00), access flag set, never executable from EL0 (UXN). Devices also
 * PXN. Normal memory is inner shareable. */
#define KBLOCK_DEVICE KARM_UL(0x006000000000040d)
#define KBLOCK_RAM KARM_UL(0x0040000000000701)

#endif /* KARM_LAYOUT_H */
