/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GICv2 (QEMU -M virt,gic-version=2), used only for one thing: SGI 0 wakes
 * CPUs waiting in WFI. The kernel never unmasks IRQs: WFI wakes on an
 * interrupt pending at the CPU interface whatever PSTATE.I says, and the
 * waiter drains (acknowledges) the SGI before it re-checks its condition,
 * so a wake-up sent between its check and its WFI is never lost (the SGI
 * stays pending and the WFI returns at once).
 */
#include "arm64.h"

#define GICD_CTLR 0x000
#define GICD_ISENABLER0 0x100
#define GICD_SGIR 0xf00
#define GICD_SGIR_OTHERS (1u << 24) /* TargetListFilter = all but self */
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GIC_SPURIOUS 1023
#define WAKE_SGI 0

static volatile uint32_t *gicd(unsigned int off)
{
	return (volatile uint32_t *)karm_phys_to_virt(GICD_PHYS + off);
}

static volatile uint32_t *gicc(unsigned int off)
{
	return (volatile uint32_t *)karm_phys_to_virt(GICC_PHYS + off);
}

void karm_gic_init_dist(void)
{
	*gicd(GICD_CTLR) = 1;
}

/* Banked per CPU: SGI enable, priority mask, CPU interface enable. */
void karm_gic_init_cpu(void)
{
	*gicd(GICD_ISENABLER0) = 1u << WAKE_SGI;
	*gicc(GICC_PMR) = 0xff;
	*gicc(GICC_CTLR) = 1;
}

/* The DSB orders the waker's earlier stores (the condition) before the
 * SGI can reach another CPU, whose re-check must see them. */
void karm_gic_wake_others(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
	*gicd(GICD_SGIR) = GICD_SGIR_OTHERS | WAKE_SGI;
}

/* Acknowledge every pending SGI (each source CPU's copy is separate). */
void karm_gic_drain(void)
{
	for (;;) {
		uint32_t iar = *gicc(GICC_IAR);

		if ((iar & 0x3ff) == GIC_SPURIOUS)
			break;
		*gicc(GICC_EOIR) = iar;
	}
}
