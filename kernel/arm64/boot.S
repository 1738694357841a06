/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry of every CPU. QEMU starts CPU 0 at _start_phys with the MMU off;
 * the others start at secondary_entry_phys through PSCI CPU_ON with their
 * index in x0. Until the MMU is on the code runs at physical addresses,
 * so it uses only PC-relative addressing (adr/adrp) and no stack.
 *
 * CPU 0 clears .bss and builds two tiny tables: the kernel half (TTBR1,
 * the direct map of layout.h) and an identity map of the first RAM
 * gigabyte (TTBR0) that covers the instructions switching the MMU on.
 * Every CPU then programs MAIR/TCR/TTBRs, enables the MMU, jumps to the
 * higher half, disables TTBR0 walks (EPD0: the identity map is dropped
 * and the lower half stays empty until an address space is loaded), takes
 * its stack and vector table, and calls karm_cpu_entry(index, entry EL).
 * x19 (index) and x20 (CurrentEL at entry) survive until then: the
 * helpers below use x0..x3 only.
 */
#include "layout.h"

	.section .text.boot, "ax"
	.global _start
_start:
	mov	x19, xzr
	mrs	x20, CurrentEL		/* reported by karm_cpu_entry */
	bl	drop_to_el1
	bl	clear_bss
	bl	build_boot_tables
	b	cpu_common

	.global secondary_entry
secondary_entry:
	mov	x19, x0
	mrs	x20, CurrentEL
	bl	drop_to_el1

cpu_common:
	bl	mmu_on
	ldr	x0, =higher_half	/* link-time (virtual) address */
	br	x0

/*
 * Entered at EL2 (QEMU -M virt,virtualization=on): run EL1 in AArch64 with
 * no traps of timers or FP, and return to the caller at EL1h with every
 * exception masked. At EL1 already: nothing to do.
 */
drop_to_el1:
	mrs	x0, CurrentEL
	cmp	x0, #(2 << 2)
	b.ne	1f
	mov	x0, #(1 << 31)		/* HCR_EL2.RW: EL1 is AArch64 */
	msr	hcr_el2, x0
	mov	x0, #3			/* EL1 may use the physical timer */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	mov	x0, #0x33ff		/* CPTR_EL2: no FP/SIMD traps */
	msr	cptr_el2, x0
	mov	x0, #0x3c5		/* SPSR: EL1h, D, A, I, F masked */
	msr	spsr_el2, x0
	msr	elr_el2, x30
	eret
1:	ret

/* MMU off: plain stores (no DC ZVA, which faults on Device memory). */
clear_bss:
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:	ret

/*
 * Table entries hold physical addresses: adrp gives them here since the
 * MMU is off. The tables are written with the MMU and caches off while
 * the walker will read them through the cache (TCR says write-back), so
 * their lines are invalidated afterwards (a no-op under QEMU, required on
 * hardware).
 */
build_boot_tables:
	adrp	x0, kernel_l0
	adrp	x1, kernel_l1
	orr	x2, x1, #3		/* table descriptor */
	str	x2, [x0]		/* VA 0xffff0000_00000000 -> l1 */
	ldr	x2, =KBLOCK_DEVICE	/* PA [0, 1 GiB): devices */
	str	x2, [x1]
	ldr	x2, =(KBLOCK_RAM | 0x40000000)
	str	x2, [x1, #8]
	ldr	x2, =(KBLOCK_RAM | 0x80000000)
	str	x2, [x1, #16]
	adrp	x0, idmap_l0
	adrp	x3, idmap_l1
	orr	x2, x3, #3
	str	x2, [x0]
	ldr	x2, =(KBLOCK_RAM | 0x40000000)
	str	x2, [x3, #8]		/* VA = PA for the first RAM GiB */
	dsb	sy
	adrp	x0, kernel_l0		/* the four tables are contiguous */
	add	x1, x0, #(4 * 4096)
1:	dc	ivac, x0
	add	x0, x0, #64
	cmp	x0, x1
	b.lo	1b
	dsb	sy
	ret

mmu_on:
	ldr	x0, =KARM_MAIR
	msr	mair_el1, x0
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #0xf		/* PARange */
	cmp	x1, #5
	mov	x2, #5
	csel	x1, x1, x2, lo		/* at most 48 bits (TCR.IPS = 101) */
	ldr	x0, =KARM_TCR
	orr	x0, x0, x1, lsl #TCR_IPS_SHIFT
	msr	tcr_el1, x0
	adrp	x0, idmap_l0
	msr	ttbr0_el1, x0
	adrp	x0, kernel_l0
	msr	ttbr1_el1, x0
	mov	x0, #(3 << 20)		/* CPACR_EL1.FPEN: no FP/SIMD traps */
	msr	cpacr_el1, x0
	isb
	tlbi	vmalle1			/* nothing from before this boot */
	dsb	nsh
	isb
	ldr	x0, =KARM_SCTLR
	msr	sctlr_el1, x0
	isb
	ret				/* x30 is identity mapped */

	.text
higher_half:
	mrs	x0, tcr_el1		/* drop the identity map */
	orr	x0, x0, #TCR_EPD0
	msr	tcr_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	mrs	x0, id_aa64mmfr1_el1	/* PAN implemented: make sure it is off */
	ubfx	x0, x0, #20, #4
	cbz	x0, 1f
	msr	pan, #0
1:	ldr	x0, =boot_stacks
	mov	x1, #BOOT_STACK_SIZE
	madd	x0, x19, x1, x0
	add	sp, x0, x1
	ldr	x0, =karm_vectors
	msr	vbar_el1, x0
	isb
	mov	x0, x19
	lsr	x1, x20, #2		/* the EL this CPU was started at */
	bl	karm_cpu_entry
2:	wfi
	b	2b

	.section .bss.boot_tables, "aw", %nobits
	.balign 4096
kernel_l0:	.skip 4096
kernel_l1:	.skip 4096
idmap_l0:	.skip 4096
idmap_l1:	.skip 4096

	.section .bss.boot_stacks, "aw", %nobits
	.balign 16
	.global boot_stacks
boot_stacks:	.skip (BOOT_STACK_SIZE * KARM_MAX_CPUS)
