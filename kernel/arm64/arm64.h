/* SPDX-License-Identifier: BSD-3-Clause */
/* System-register access, barriers and the arm64 kernel's own services. */
#ifndef KARM_ARM64_H
#define KARM_ARM64_H

#include <stdbool.h>
#include <stdint.h>
#include "layout.h"

#define karm_read_sysreg(reg)                                          \
	({                                                             \
		uint64_t __v;                                          \
		__asm__ volatile("mrs %0, " #reg : "=r"(__v));         \
		__v;                                                   \
	})
#define karm_write_sysreg(reg, v)                                      \
	__asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)) : "memory")

static inline void karm_isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

/* Physical address <-> kernel direct-map pointer (layout.h). */
static inline void *karm_phys_to_virt(uint64_t pa)
{
	return (void *)(pa + KERNEL_VOFFSET);
}

static inline uint64_t karm_virt_to_phys(const void *va)
{
	return (uint64_t)va - KERNEL_VOFFSET;
}

static inline unsigned int karm_cpu_index(void)
{
	return (unsigned int)karm_read_sysreg(tpidr_el1);
}

/* uart.c: PL011 output; one line at a time from any CPU. */
void karm_uart_putc(char c);
void karm_uart_write(const char *s, unsigned long len);
void karm_uart_puts(const char *s);

/* fdt.c: what the kernel needs from the device tree QEMU provides. */
struct karm_boot_info {
	uint64_t ram_base, ram_size;
	unsigned int ncpus;
	uint64_t mpidr[KARM_MAX_CPUS];
	bool psci_smc; /* PSCI conduit: SMC, else HVC */
};
int karm_fdt_parse(const void *fdt, struct karm_boot_info *info);

/* psci.c: CPU_ON, SYSTEM_OFF and the semihosting exit. */
int karm_psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t ctx);
void karm_psci_init(bool smc);
__attribute__((noreturn)) void karm_exit(int code);

/* gic.c: GICv2, SGIs only (cpu.c). */
#define KARM_GIC_NONE (~0u)
void karm_gic_init_dist(void);
void karm_gic_init_cpu(void);
uint8_t karm_gic_own_target(void);
void karm_gic_send_sgi(uint8_t target, unsigned int sgi);
unsigned int karm_gic_ack(void);

/* cpu.c: the IRQ vector's handler, and every CPU's C entry (boot.S). */
void karm_irq(void);
void karm_cpu_entry(unsigned int cpu, unsigned int entry_el);

#define KARM_DAIF_I (1UL << 7)

/* The ASID of every VAS (mmu.c, tlb.c). */
#define KARM_VAS_ASID 1UL

/* trap.c: the page-fault hook. It gets the faulting address, the ESR and
 * the interrupted PC (which it may move to a fixup) and returns 0 when the
 * access may be retried; non-zero stops the machine. */
typedef int (*karm_fault_fn)(uint64_t far, uint64_t esr, uint64_t *elr);
void karm_set_fault_hook(karm_fault_fn fn);

#endif /* KARM_ARM64_H */
