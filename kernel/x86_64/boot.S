/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multiboot entry (QEMU -kernel): 32-bit protected mode, paging off. Build
 * the boot page tables, enter long mode, jump to the upper half and call
 * x86_start(multiboot info). Also the AP trampoline (real mode -> long
 * mode) that the boot CPU copies to AP_TRAMPOLINE before INIT-SIPI-SIPI.
 */
#include "layout.h"
#define KMAX_CPUS 16 /* karch.h */

#define V2P(x) ((x) - KERNEL_VMA)
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-aligned modules, memory info */

#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16) /* ring 0 honours read-only pages */
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_PS 0x80

/* PAE, CR3 = boot_pml4, EFER.LME|NXE, then paging and WP: long mode
 * (compatibility) until the far jump to a 64-bit segment. A macro, not a
 * function: the secondaries run it at once without a stack. */
.macro ENTER_LONG_MODE
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $V2P(boot_pml4), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0
.endm

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

/* ---- Boot page tables (zeroed by _start32) ------------------------------ */
	.section .bss.pagetables, "aw", @nobits
	.align 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_lo:	.skip 4096
boot_pdpt_hi:	.skip 4096
boot_pdpt_dm:	.skip 4096
boot_pd:	.skip 4096 * DIRECT_MAP_GIB
boot_tables_end:

/* ---- 32-bit entry ---------------------------------------------------- */
	.section .boot32, "ax"
	.code32
	.globl _start32
_start32:
	cli
	mov %ebx, %esi			/* multiboot info, kept for x86_start */

	/* Zero .bss (the tables included): do not rely on the loader. */
	mov $V2P(__bss_start), %edi
	mov $V2P(__bss_end), %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl

	/* boot_pd: DIRECT_MAP_GIB GiB of 2 MiB pages; the last GiB (LAPIC,
	 * IOAPIC, PCI holes) uncached. */
	mov $V2P(boot_pd), %edi
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $(PTE_P | PTE_RW | PTE_PS), %eax
	cmp $(512 * (DIRECT_MAP_GIB - 1)), %ecx
	jb 2f
	or $(PTE_PCD | PTE_PWT), %eax
2:	mov %eax, (%edi, %ecx, 8)
	movl $0, 4(%edi, %ecx, 8)
	inc %ecx
	cmp $(512 * DIRECT_MAP_GIB), %ecx
	jne 1b

	/* PDPTs: identity and kernel image share the first PD. */
	mov $V2P(boot_pd) + (PTE_P | PTE_RW), %eax
	mov %eax, V2P(boot_pdpt_lo)
	mov %eax, V2P(boot_pdpt_hi) + 510 * 8
	mov $V2P(boot_pdpt_dm), %edi
	xor %ecx, %ecx
3:	mov %eax, (%edi, %ecx, 8)
	add $4096, %eax
	inc %ecx
	cmp $DIRECT_MAP_GIB, %ecx
	jne 3b

	mov $V2P(boot_pml4), %edi
	movl $V2P(boot_pdpt_lo) + (PTE_P | PTE_RW), (%edi)
	movl $V2P(boot_pdpt_dm) + (PTE_P | PTE_RW), 256 * 8(%edi)
	movl $V2P(boot_pdpt_hi) + (PTE_P | PTE_RW), 511 * 8(%edi)

	ENTER_LONG_MODE
	lgdt gdtr_phys
	ljmp $SEL_CODE64, $start64_low

	.code64
start64_low:
	movabs $start64_high, %rax
	jmp *%rax

/* ---- GDT: null, 64-bit code, data, 32-bit code ------------------------ */
	.section .rodata
	.align 16
	.globl x86_gdt
x86_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* SEL_CODE64 */
	.quad 0x00cf92000000ffff	/* SEL_DATA */
	.quad 0x00cf9a000000ffff	/* SEL_CODE32 */
x86_gdt_end:
	.align 16
gdtr_high:
	.word x86_gdt_end - x86_gdt - 1
	.quad x86_gdt

	.section .boot32, "ax"
	.align 16
	.globl gdtr_phys
gdtr_phys:
	.word x86_gdt_end - x86_gdt - 1
	.long V2P(x86_gdt)

/* ---- Upper half ---------------------------------------------------------- */
	.text
	.code64
start64_high:
	lgdt gdtr_high(%rip)
	call load_segments
	/* The boot CPU uses kstacks[0]. */
	lea kstacks + KSTACK_SIZE(%rip), %rsp
	xor %ebp, %ebp
	mov %esi, %edi			/* multiboot info (physical) */
	call x86_start
	ud2

load_segments:
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	ret

/* A secondary arrives here from the trampoline, in long mode on the
 * identity map. Take the next dense id and its stack. */
	.globl ap_entry64
ap_entry64:
	lgdt gdtr_high(%rip)
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov $1, %eax
	lock xadd %eax, x86_next_cpu(%rip)
	cmp $KMAX_CPUS, %eax
	jae park
	mov %eax, %edi
	mov %rax, %rcx
	inc %rcx
	imul $KSTACK_SIZE, %rcx
	lea kstacks(%rip), %rsp
	add %rcx, %rsp
	xor %ebp, %ebp
	call x86_ap_start
	ud2

/* More CPUs than KMAX_CPUS: no stack for this one. */
park:	cli
	hlt
	jmp park

/* ---- AP trampoline, copied to AP_TRAMPOLINE ----------------------------- */
#define T(x) (AP_TRAMPOLINE + (x) - ap_trampoline)
	.section .rodata
	.code16
	.globl ap_trampoline, ap_trampoline_end
ap_trampoline:
	cli
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %ss
	lgdtl T(ap_gdtr)
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $SEL_CODE32, $T(ap_tramp32)
	.code32
ap_tramp32:
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %ss
	ENTER_LONG_MODE
	ljmp $SEL_CODE64, $T(ap_tramp64)
	.code64
ap_tramp64:
	movabs $ap_entry64, %rax
	jmp *%rax
	.align 8
ap_gdtr:
	.word x86_gdt_end - x86_gdt - 1
	.long V2P(x86_gdt)
ap_trampoline_end:
	.section .note.GNU-stack, "", @progbits
