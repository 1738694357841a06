/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guarded accesses to the VAS (karch.h). Each faulting instruction has an
 * exception-table entry (section kextable, struct kextable_entry); when
 * the fault is not resolved, trap.c resumes at the fixup with x0 = -EFAULT,
 * which the fixup returns.
 */
.macro extable insn, fixup
	.pushsection kextable, "a"
	.balign 8
	.quad	\insn, \fixup
	.popsection
.endm

	.text
	.global karch_probe_read	/* int (__vaddr_t va, uint64_t *val) */
karch_probe_read:
1:	ldr	x2, [x0]
	str	x2, [x1]
	mov	x0, #0
2:	ret
	extable 1b, 2b

	.global karch_probe_write	/* int (__vaddr_t va, uint64_t val) */
karch_probe_write:
1:	str	x1, [x0]
	mov	x0, #0
2:	ret
	extable 1b, 2b

/*
 * int karch_probe_exec(__vaddr_t va): call the return instruction at @va.
 * Data written to @va reaches instruction fetch only after the
 * instruction cache is invalidated (the DSB completes the stores first; a
 * CPU without CTR_EL0.IDC would also need a DC CVAU, which could fault on
 * @va and is not used: QEMU and the cores this runs on report IDC). A fetch
 * fault is taken at @va itself, with lr = karm_probe_exec_ret, which is
 * what trap.c recognises.
 */
	.global karch_probe_exec
	.global karm_probe_exec_ret
	.global karm_probe_exec_fixup
karch_probe_exec:
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	dsb	ish
	ic	iallu
	dsb	nsh
	isb
	blr	x0
karm_probe_exec_ret:
	mov	x0, #0
karm_probe_exec_fixup:
	ldp	x29, x30, [sp], #16
	ret

	.section .rodata
	.global karch_ret_insn
	.global karch_ret_insn_len
	.balign 4
karch_ret_insn:
	.word	0xd65f03c0		/* ret */
karch_ret_insn_len:
	.word	4
