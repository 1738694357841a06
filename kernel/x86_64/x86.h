/* SPDX-License-Identifier: BSD-3-Clause */
/* x86_64 helpers private to kernel/x86_64. */
#ifndef X86_H
#define X86_H

#include <stdint.h>
#include "layout.h"

/* Saved by trap.S, in push order reversed (lowest address first). */
struct x86_trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

#define RFLAGS_IF (1UL << 9)

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

#define V2P_IMAGE(p) ((uint64_t)(uintptr_t)(p) - KERNEL_VMA)

/* apic.c */
void x86_apic_init(void);
void x86_apic_eoi(void);
uint32_t x86_apic_id(void);
void x86_apic_start_aps(void);
/* cpu.c */
extern unsigned int x86_ncpus_present;
extern uint64_t boot_pml4[];
void x86_set_ap_entry(void (*entry)(unsigned int cpu));
unsigned int x86_aps_arrived(void);
void x86_idt_load(void);
void x86_cpu_set_id(unsigned int id);
/* console.c */
void x86_console_init(void);

#endif /* X86_H */
