/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interrupt and exception entry: one 16-byte stub per vector (pushing a
 * zero error code where the CPU pushes none, then the vector), a common
 * path that saves the general registers as struct x86_trapframe and calls
 * x86_trap(). Ring 0 only, no stack switch (no TSS/IST): -mno-red-zone
 * keeps the interrupted code's stack below %rsp free. The kernel uses no
 * SSE/x87 (-mgeneral-regs-only), so nothing else needs saving.
 *
 * Also the guarded VAS accesses (karch_probe_*), each with its exception
 * table entry.
 */
#define EFAULT 14

	.text
	.align 16
	.globl x86_isr_stubs
x86_isr_stubs:
	vec = 0
	.rept 256
	.align 16
	/* Vectors with a CPU-pushed error code: 8, 10-14, 17, 21, 29, 30. */
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	vec = vec + 1
	.endr

trap_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	cld
	call x86_trap
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp			/* vector, error code */
	iretq

/* int karch_probe_read(__vaddr_t va, uint64_t *val): on a fault with no
 * resolution the trap handler sets %rax = -EFAULT and resumes at 2. */
	.globl karch_probe_read
karch_probe_read:
	xor %eax, %eax
1:	mov (%rdi), %rdx
	mov %rdx, (%rsi)
2:	ret
	.pushsection kextable, "a"
	.quad 1b, 2b
	.popsection

/* int karch_probe_write(__vaddr_t va, uint64_t val) */
	.globl karch_probe_write
karch_probe_write:
	xor %eax, %eax
1:	mov %rsi, (%rdi)
2:	ret
	.pushsection kextable, "a"
	.quad 1b, 2b
	.popsection

/* int karch_probe_exec(__vaddr_t va): the fetch faults at @va itself; the
 * trap handler recognises x86_probe_exec_ret on the stack (see cpu.c). */
	.globl karch_probe_exec, x86_probe_exec_ret
karch_probe_exec:
	xor %eax, %eax
	call *%rdi
x86_probe_exec_ret:
	ret

	.section .rodata
	.globl karch_ret_insn, karch_ret_insn_len
karch_ret_insn:
	.byte 0xc3
	.align 4
karch_ret_insn_len:
	.long 1
	.section .note.GNU-stack, "", @progbits
