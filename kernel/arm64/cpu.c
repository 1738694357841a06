/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CPUs, interrupts, console and exit for kernel/common (karch.h).
 *
 * CPU 0 enters from boot.S, reads the DTB and calls kmain(). Secondaries
 * are started one at a time by karch_start_cpus through PSCI CPU_ON with
 * their dense id as context id; each comes up through boot.S, sets its id
 * (TPIDR_EL1) and GIC interface, announces itself and calls the entry
 * common gave, which never returns.
 */
#include <karch.h>
#include "arm64.h"
#include "kernel.h" /* kprintf */

_Static_assert(KARM_MAX_CPUS <= KMAX_CPUS, "per-CPU arrays of common");

extern char secondary_entry[];
extern char __kernel_end[];

static struct karm_boot_info boot;
static void (*secondary_fn)(unsigned int cpu);
/* GICv2 target-list bit of each CPU, written by the CPU itself before it
 * sets cpu_online (release); senders read it after seeing cpu_online. */
static uint8_t gic_target[KARM_MAX_CPUS];
static bool cpu_online[KARM_MAX_CPUS];

unsigned int karch_cpu_id(void)
{
	return karm_cpu_index();
}

void karch_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

static void cpu_setup(unsigned int cpu)
{
	karm_write_sysreg(tpidr_el1, cpu);
	karm_gic_init_cpu();
	gic_target[cpu] = karm_gic_own_target();
	__atomic_store_n(&cpu_online[cpu], true, __ATOMIC_RELEASE);
}

static void boot_cpu_main(unsigned int entry_el)
{
	struct kboot_info bi = { .arch = "arm64" };
	uint64_t ram_end;

	if (karm_fdt_parse(karm_phys_to_virt(DTB_PHYS), &boot) != 0) {
		karm_uart_puts("arm64: no usable device tree\n");
		karm_exit(2);
	}
	karm_psci_init(boot.psci_smc);
	kprintf("arm64: started at EL%u, PSCI through %s\n", entry_el,
		boot.psci_smc ? "SMC" : "HVC");
	karm_gic_init_dist();
	cpu_setup(0);
	ram_end = boot.ram_base + boot.ram_size;
	bi.ram_start = karm_virt_to_phys(__kernel_end);
	bi.ram_end = ram_end < DIRECT_MAP_END_PHYS ? ram_end
						   : DIRECT_MAP_END_PHYS;
	bi.ncpus = boot.ncpus;
	kmain(&bi);
}

/* boot.S: every CPU, MMU on, in the upper half, on its boot stack, at
 * EL1 whatever @entry_el QEMU started it at. */
void karm_cpu_entry(unsigned int cpu, unsigned int entry_el)
{
	if (cpu == 0)
		boot_cpu_main(entry_el);
	cpu_setup(cpu);
	karch_send_ipi(0, KIPI_WAKE);
	secondary_fn(cpu);
	kpanic_exception("secondary entry returned", 0, 0, 0);
}

unsigned int karch_start_cpus(void (*entry)(unsigned int cpu))
{
	unsigned int n = 1;

	secondary_fn = entry;
	__asm__ volatile("dsb ish" ::: "memory"); /* before CPU_ON */
	for (unsigned int i = 1; i < boot.ncpus; i++) {
		if (karm_psci_cpu_on(boot.mpidr[i],
				     karm_virt_to_phys(secondary_entry),
				     i) != 0) {
			karm_uart_puts("arm64: PSCI CPU_ON failed\n");
			break;
		}
		while (!__atomic_load_n(&cpu_online[i], __ATOMIC_ACQUIRE))
			karch_wait_for_irq();
		n++;
	}
	return n;
}

/* ---- Interrupts: only PSTATE.I is used (F, A, D stay masked) ---------- */

void karch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void karch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

bool karch_irq_enabled(void)
{
	return !(karm_read_sysreg(daif) & KARM_DAIF_I);
}

unsigned long karch_irq_save(void)
{
	unsigned long flags = karm_read_sysreg(daif);

	karch_irq_disable();
	return flags;
}

void karch_irq_restore(unsigned long flags)
{
	if (!(flags & KARM_DAIF_I))
		karch_irq_enable();
}

/*
 * WFI wakes on a pending interrupt even while PSTATE.I masks it, so an
 * IPI sent after the caller checked its condition (interrupts already
 * off) ends this WFI at once; unmasking then takes it (the ISB makes the
 * unmask take effect here), and its handler acknowledges it.
 */
void karch_wait_for_irq(void)
{
	__asm__ volatile("wfi\n\t"
			 "msr daifclr, #2\n\t"
			 "isb\n\t"
			 "msr daifset, #2" ::: "memory");
}

void karch_send_ipi(unsigned int cpu, enum kipi kind)
{
	karm_gic_send_sgi(gic_target[cpu], (unsigned int)kind);
}

/* The IRQ vector: acknowledge every pending SGI and run its work. */
void karm_irq(void)
{
	unsigned int sgi;

	while ((sgi = karm_gic_ack()) != KARM_GIC_NONE)
		if (sgi == KIPI_TLB)
			kipi_tlb();
}

/* ---- Console, exit, direct map --------------------------------------- */

void karch_putc(char c)
{
	karm_uart_putc(c);
}

void karch_exit(int status)
{
	karm_exit(status);
}

void *karch_phys_to_virt(__paddr_t paddr)
{
	return karm_phys_to_virt(paddr);
}

__paddr_t karch_virt_to_phys(const void *vaddr)
{
	return karm_virt_to_phys(vaddr);
}
