/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PSCI through QEMU's built-in firmware emulation and the semihosting exit.
 * The conduit comes from the DTB's /psci "method": QEMU uses HVC when the
 * guest starts at EL1 and SMC when it starts at EL2 (virtualization=on).
 * SMCCC: arguments in x0..x3, result in x0, x4..x17 may be clobbered.
 */
#include "arm64.h"

#define PSCI_CPU_ON_64 0xc4000003UL
#define PSCI_SYSTEM_OFF 0x84000008UL

static bool psci_use_smc;

void karm_psci_init(bool smc)
{
	psci_use_smc = smc;
}

static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (psci_use_smc)
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10",
				   "x11", "x12", "x13", "x14", "x15", "x16",
				   "x17", "memory");
	else
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10",
				   "x11", "x12", "x13", "x14", "x15", "x16",
				   "x17", "memory");
	return (int64_t)x0;
}

int karm_psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t ctx)
{
	return (int)psci_call(PSCI_CPU_ON_64, mpidr, entry_pa, ctx);
}

/*
 * Semihosting SYS_EXIT (0x18); on AArch64 its argument is a block holding
 * the reason and a subcode. With ADP_Stopped_ApplicationExit QEMU exits
 * with the subcode as its status. Without -semihosting the HLT traps as an
 * undefined instruction, so PSCI SYSTEM_OFF follows as a fallback (QEMU
 * then exits 0 and the console line carries the verdict).
 */
#define SEMIHOST_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

void karm_exit(int code)
{
	/* On this CPU's stack: two CPUs may stop at once (panics). QEMU
	 * reads the block through the current translation. */
	uint64_t block[2] = {ADP_STOPPED_APPLICATION_EXIT,
			     (uint64_t)(unsigned int)code};
	register uint64_t x0 __asm__("x0") = SEMIHOST_SYS_EXIT;
	register uint64_t x1 __asm__("x1") = (uint64_t)block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}
