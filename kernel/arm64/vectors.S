/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EL1 exception vector table. Every entry saves the interrupted context as
 * a struct karm_frame (trap.h) on the current stack (SP_EL1: the kernel
 * never runs on SP_EL0) and calls karm_trap(frame). The handler may change
 * frame->elr (fault fixups); everything is restored from the frame and the
 * exception returns with eret. Exceptions stay masked in the handler
 * (PSTATE.DAIF set on entry); waiting with interrupts masked is fine since
 * WFI wakes on a pending interrupt whatever the mask.
 */
#define FRAME_SIZE 288
#define FRAME_KIND 248
#define FRAME_ELR 256
#define FRAME_SPSR 264
#define FRAME_ESR 272
#define FRAME_FAR 280

.macro vector kind
	.balign 0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	trap_common
.endm

.macro vector_group base	/* sync, IRQ, FIQ, SError */
	vector (\base + 0)
	vector (\base + 1)
	vector (\base + 2)
	vector (\base + 3)
.endm

	.text
	.balign 2048
	.global karm_vectors
karm_vectors:
	vector_group 0	/* current EL with SP_EL0 (never used) */
	vector_group 4	/* current EL with SP_EL1: the kernel */
	vector_group 8	/* lower EL, AArch64 (no EL0 code runs) */
	vector_group 12	/* lower EL, AArch32 */

trap_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	str	x0, [sp, #FRAME_KIND]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #FRAME_ELR]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #FRAME_ESR]
	mov	x0, sp
	bl	karm_trap
	ldp	x1, x2, [sp, #FRAME_ELR]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret
