/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Local APIC (xAPIC, MMIO through the uncached part of the direct map):
 * enabling, IPIs, INIT-SIPI-SIPI. The legacy 8259 PIC is masked so that
 * only IPIs ever interrupt a CPU.
 */
#include <karch.h>
#include "x86.h"

#define LAPIC_PHYS 0xfee00000UL
#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define SVR_ENABLE 0x100
#define ICR_FIXED 0x000
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)
#define ICR_ALL_BUT_SELF (3u << 18)

static uint32_t apic_ids[KMAX_CPUS];
static unsigned int ncpus_online = 1;

static volatile uint32_t *lapic_reg(unsigned int reg)
{
	return (volatile uint32_t *)((uintptr_t)karch_phys_to_virt(LAPIC_PHYS) +
				     reg);
}

uint32_t x86_apic_id(void)
{
	return *lapic_reg(LAPIC_ID) >> 24;
}

void x86_apic_eoi(void)
{
	*lapic_reg(LAPIC_EOI) = 0;
}

static void pic_mask(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void x86_apic_init(void)
{
	unsigned int id = karch_cpu_id();

	if (id == 0)
		pic_mask();
	apic_ids[id] = x86_apic_id();
	*lapic_reg(LAPIC_TPR) = 0;
	*lapic_reg(LAPIC_SVR) = SVR_ENABLE | VEC_SPURIOUS;
}

/* Write the ICR. Interrupts stay off between the two halves: an IPI sent
 * from an interrupt handler in between would change the destination. */
static void icr_write(uint32_t dest, uint32_t lo)
{
	unsigned long flags = karch_irq_save();

	while (*lapic_reg(LAPIC_ICR_LO) & ICR_PENDING)
		karch_cpu_relax();
	*lapic_reg(LAPIC_ICR_HI) = dest << 24;
	*lapic_reg(LAPIC_ICR_LO) = lo;
	karch_irq_restore(flags);
}

void karch_send_ipi(unsigned int cpu, enum kipi kind)
{
	uint32_t vec = kind == KIPI_TLB ? VEC_IPI_TLB : VEC_IPI_WAKE;

	/* Stores before the IPI are visible to the handler (the ICR is an
	 * uncached MMIO write; the fence orders earlier cached stores). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	icr_write(apic_ids[cpu], ICR_FIXED | ICR_ASSERT | vec);
}

static void delay(unsigned long n)
{
	for (volatile unsigned long i = 0; i < n; i++)
		karch_cpu_relax();
}

extern const char ap_trampoline[], ap_trampoline_end[];

unsigned int karch_start_cpus(void (*entry)(unsigned int cpu))
{
	char *dst = karch_phys_to_virt(AP_TRAMPOLINE);
	unsigned int want = x86_ncpus_present, spins;

	for (const char *s = ap_trampoline; s < ap_trampoline_end; s++)
		*dst++ = *s;
	x86_set_ap_entry(entry);
	if (want > 1) {
		/* Broadcast: every AP wakes and takes the next dense id. */
		icr_write(0, ICR_ALL_BUT_SELF | ICR_INIT | ICR_ASSERT | ICR_LEVEL);
		delay(10000);
		for (int i = 0; i < 2; i++) {
			icr_write(0, ICR_ALL_BUT_SELF | ICR_STARTUP | ICR_ASSERT |
					     (AP_TRAMPOLINE >> 12));
			delay(1000);
		}
	}
	/* Boot only: the APs run while we poll. */
	for (spins = 0; x86_aps_arrived() + 1 < want && spins < 200000000u;
	     spins++)
		karch_cpu_relax();
	ncpus_online = x86_aps_arrived() + 1;
	/* Every AP runs in the upper half now: drop the identity map. */
	boot_pml4[0] = 0;
	write_cr3(read_cr3());
	return ncpus_online;
}
