/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GICv2 (QEMU -M virt,gic-version=2), used only for SGIs: the IPIs of
 * karch.h (SGI number = enum kipi). Every SGI is enabled with priority
 * 0x80, above the priority mask 0xff. PSTATE.I decides when the
 * handler runs; WFI wakes on a pending SGI whatever PSTATE.I says.
 */
#include "arm64.h"

#define GICD_CTLR 0x000
#define GICD_ISENABLER0 0x100
#define GICD_IPRIORITYR0 0x400 /* 4 registers cover the 16 SGIs */
#define GICD_ITARGETSR0 0x800
#define GICD_SGIR 0xf00
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GIC_INTID_MASK 0x3ffu
#define GIC_SPURIOUS 1023u
#define GIC_SGIS 0xffffu

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

/* Banked per CPU: SGI priorities and enables, priority mask, CPU
 * interface enable. */
void karm_gic_init_cpu(void)
{
	for (unsigned int i = 0; i < 4; i++)
		*gicd(GICD_IPRIORITYR0 + 4 * i) = 0x80808080u;
	*gicd(GICD_ISENABLER0) = GIC_SGIS;
	*gicc(GICC_PMR) = 0xff;
	*gicc(GICC_CTLR) = 1;
}

/* GICD_ITARGETSR0..7 are banked and read as the reading CPU's own
 * target-list bit in every byte. */
uint8_t karm_gic_own_target(void)
{
	return (uint8_t)*gicd(GICD_ITARGETSR0);
}

/* The DSB orders the sender's earlier stores before the SGI can reach the
 * target, whose handler or re-check must see them (karch_send_ipi). */
void karm_gic_send_sgi(uint8_t target, unsigned int sgi)
{
	__asm__ volatile("dsb ish" ::: "memory");
	*gicd(GICD_SGIR) = (uint32_t)target << 16 | sgi;
}

/* Acknowledge one pending SGI; KARM_GIC_NONE when none is left. Each
 * source CPU's copy of an SGI is pending separately, each is acked. */
unsigned int karm_gic_ack(void)
{
	uint32_t iar = *gicc(GICC_IAR);

	if ((iar & GIC_INTID_MASK) == GIC_SPURIOUS)
		return KARM_GIC_NONE;
	*gicc(GICC_EOIR) = iar;
	return iar & GIC_INTID_MASK;
}
