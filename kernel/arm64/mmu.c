/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VAS half: loading a root into TTBR0 (karch.h).
 *
 * Every VAS runs under one ASID (KARM_VAS_ASID): a CPU has at most one
 * VAS loaded, and loading one drops everything this CPU cached under the
 * ASID (as a CR3 write does on x86_64), so a CPU's TLB only ever holds
 * entries of its current root. The kernel half (TTBR1) is global and
 * never changes.
 */
#include <karch.h>
#include "arm64.h"

void karch_vas_prepare_root(void *root_va)
{
	(void)root_va; /* the kernel lives in TTBR1, the root is all VAS */
}

static void tlb_flush_asid_local(void)
{
	__asm__ volatile("tlbi aside1, %0\n\t"
			 "dsb nsh\n\t"
			 "isb" ::"r"(KARM_VAS_ASID << 48)
			 : "memory");
}

/* TTBR0 first, then walks enabled (EPD0 = 0), then the ASID's old
 * entries dropped: nothing touches the lower half in between. */
void karch_vas_load(__paddr_t root)
{
	karm_write_sysreg(ttbr0_el1, root | KARM_VAS_ASID << 48);
	karm_isb();
	karm_write_sysreg(tcr_el1, karm_read_sysreg(tcr_el1) & ~TCR_EPD0);
	karm_isb();
	tlb_flush_asid_local();
}

/* Walks disabled before the root is forgotten: TTBR0 is never walked
 * through a root that may be freed next. */
void karch_vas_unload(void)
{
	karm_write_sysreg(tcr_el1, karm_read_sysreg(tcr_el1) | TCR_EPD0);
	karm_isb();
	karm_write_sysreg(ttbr0_el1, 0);
	karm_isb();
	tlb_flush_asid_local();
}
