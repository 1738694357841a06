/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Boot smoke test, without the library: every CPU comes up, says hello,
 * and reads an unmapped lower-half address; the fault hook maps a page
 * there (in a hand-built TTBR0 table) and the read is retried and must see
 * the page's contents.
 */
#include "arm64.h"

#define SMOKE_VA 0x10000000UL
#define SMOKE_MAGIC 0x5a5a000000000000UL
#define PTE_PAGE 0x3UL
#define PTE_TABLE 0x3UL
#define PTE_AF_SH (0x700UL) /* AF, inner shareable, AttrIndx 0 (WB) */
#define PTE_NG (1UL << 11)
#define PTE_XN (3UL << 53)
#define SMOKE_ASID 1UL

static struct karm_boot_info boot;
static uint64_t tables[4][512] __attribute__((aligned(4096)));
static uint64_t frames[KARM_MAX_CPUS][512] __attribute__((aligned(4096)));
static volatile unsigned int cpus_done;

extern char secondary_entry[];

static void say(const char *s)
{
	karm_uart_puts(s);
}

static void smoke_tables(void)
{
	tables[0][0] = karm_virt_to_phys(tables[1]) | PTE_TABLE;
	tables[1][0] = karm_virt_to_phys(tables[2]) | PTE_TABLE;
	tables[2][SMOKE_VA >> 21] = karm_virt_to_phys(tables[3]) | PTE_TABLE;
	__asm__ volatile("dsb ishst" ::: "memory");
	karm_write_sysreg(ttbr0_el1,
			  karm_virt_to_phys(tables[0]) | SMOKE_ASID << 48);
	karm_write_sysreg(tcr_el1, karm_read_sysreg(tcr_el1) & ~TCR_EPD0);
	karm_isb();
}

/* Invalid -> valid needs no TLBI (invalid entries are never cached): the
 * DSB makes the entry visible to the walker, the ERET synchronises. */
static int smoke_fault(uint64_t far, uint64_t esr, uint64_t *elr)
{
	unsigned int cpu = karm_cpu_index();
	uint64_t fsc = esr & 0x3f;

	(void)elr;
	if (far != SMOKE_VA + cpu * 4096UL || (fsc & 0x3c) != 0x04)
		return -1;
	tables[3][cpu] = karm_virt_to_phys(frames[cpu]) | PTE_PAGE |
			 PTE_AF_SH | PTE_NG | PTE_XN;
	__asm__ volatile("dsb ishst" ::: "memory");
	return 0;
}

static void smoke_cpu(unsigned int cpu)
{
	uint64_t v;

	frames[cpu][0] = SMOKE_MAGIC | cpu;
	v = *(volatile uint64_t *)(SMOKE_VA + cpu * 4096UL);
	say(v == (SMOKE_MAGIC | cpu) ? "hello: fault resolved\n"
				     : "hello: WRONG DATA\n");
	__atomic_fetch_add(&cpus_done, 1, __ATOMIC_RELEASE);
}

void karm_cpu_entry(unsigned int cpu)
{
	karm_write_sysreg(tpidr_el1, cpu);
	if (cpu == 0) {
		if (karm_fdt_parse(karm_phys_to_virt(DTB_PHYS), &boot) != 0) {
			say("no device tree\n");
			karm_exit(2);
		}
		karm_psci_init(boot.psci_smc);
		karm_gic_init_dist();
		karm_set_fault_hook(smoke_fault);
		smoke_tables();
	} else {
		smoke_tables();
	}
	karm_gic_init_cpu();
	smoke_cpu(cpu);
	if (cpu != 0) {
		karm_gic_wake_others();
		for (;;)
			__asm__ volatile("wfi");
	}
	for (unsigned int i = 1; i < boot.ncpus; i++)
		if (karm_psci_cpu_on(boot.mpidr[i],
				     karm_virt_to_phys(secondary_entry), i) != 0)
			say("CPU_ON failed\n");
	while (__atomic_load_n(&cpus_done, __ATOMIC_ACQUIRE) < boot.ncpus) {
		__asm__ volatile("wfi");
		karm_gic_drain();
	}
	say("smoke: all CPUs up\n");
	karm_exit(0);
}
