/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The arch layer alone, without the library or kernel/common: a kmain that
 * starts every CPU; each loads a hand-built TTBR0 root and
 *  - reads an unmapped page whose fault kfault resolves by mapping it (the
 *    read must then see the page's contents),
 *  - reads an address no one maps: the exception table makes the probe
 *    return -EFAULT,
 *  - calls into an unmapped address: the fetch-fault recovery of
 *    karch_probe_exec returns -EFAULT.
 * Exit status 0 when every CPU saw all three.
 */
#include <karch.h>
#include "arm64.h"

#define SMOKE_VA 0x10000000UL
#define SMOKE_HOLE 0x10200000UL /* no table covers it */
#define SMOKE_MAGIC 0x5a5a000000000000UL
#define PTE_TABLE 0x3UL
#define PTE_LEAF (0x3UL | 0x700UL | 1UL << 11 | 3UL << 53) /* AF SH nG XN */

extern const struct kextable_entry __start_kextable[], __stop_kextable[];

static uint64_t tables[4][512] __attribute__((aligned(4096)));
static uint64_t frames[KARM_MAX_CPUS][512] __attribute__((aligned(4096)));
static unsigned int cpus_ok, cpus_done, ncpus;

static void say(const char *s)
{
	while (*s)
		karch_putc(*s++);
}

uintptr_t kfault(__vaddr_t addr, unsigned long report, uintptr_t pc)
{
	unsigned int cpu = karch_cpu_id();

	if (addr == SMOKE_VA + cpu * 4096UL && (report & 0x3c) == 0x04) {
		tables[3][cpu] = karch_virt_to_phys(frames[cpu]) | PTE_LEAF;
		__asm__ volatile("dsb ishst" ::: "memory");
		return 0; /* invalid -> valid: no TLBI needed */
	}
	for (const struct kextable_entry *e = __start_kextable;
	     e < __stop_kextable; e++)
		if (e->insn == pc)
			return e->fixup;
	return KFAULT_UNRESOLVED;
}

void kpanic_exception(const char *what, unsigned long code, uintptr_t pc,
		      __vaddr_t addr)
{
	(void)code, (void)pc, (void)addr;
	say("smoke: panic: ");
	say(what);
	say("\n");
	karch_exit(3);
}

void kipi_tlb(void)
{
}

static void smoke_cpu(unsigned int cpu)
{
	uint64_t v = 0;
	bool ok;

	karch_vas_load(karch_virt_to_phys(tables[0]));
	frames[cpu][0] = SMOKE_MAGIC | cpu;
	ok = karch_probe_read(SMOKE_VA + cpu * 4096UL, &v) == 0 &&
	     v == (SMOKE_MAGIC | cpu);
	ok = ok && karch_probe_read(SMOKE_HOLE, &v) == -14;
	ok = ok && karch_probe_exec(SMOKE_HOLE) == -14;
	if (ok)
		__atomic_fetch_add(&cpus_ok, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&cpus_done, 1, __ATOMIC_RELEASE);
}

static void smoke_secondary(unsigned int cpu)
{
	smoke_cpu(cpu);
	karch_send_ipi(0, KIPI_WAKE);
	for (;;)
		karch_wait_for_irq();
}

void kmain(const struct kboot_info *bi)
{
	say("smoke: arm64 up\n");
	tables[0][0] = karch_virt_to_phys(tables[1]) | PTE_TABLE;
	tables[1][0] = karch_virt_to_phys(tables[2]) | PTE_TABLE;
	tables[2][SMOKE_VA >> 21] = karch_virt_to_phys(tables[3]) | PTE_TABLE;
	ncpus = karch_start_cpus(smoke_secondary);
	if (ncpus != bi->ncpus)
		say("smoke: not every CPU started\n");
	smoke_cpu(0);
	while (__atomic_load_n(&cpus_done, __ATOMIC_ACQUIRE) < ncpus)
		karch_wait_for_irq();
	say(cpus_ok == bi->ncpus ? "smoke: PASS\n" : "smoke: FAIL\n");
	karch_exit(cpus_ok == bi->ncpus ? 0 : 1);
}
