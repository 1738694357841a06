/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interface every architecture implements for kernel/common.
 *
 * kernel/common (the kernel main, the platform ukvmem runs on, the in-kernel
 * suites) is written once, against this header only. An architecture
 * (kernel/x86_64, kernel/arm64) provides the boot path, the MMU, the
 * interrupt controller, exceptions and the exit path, and calls back into
 * common through the k*() entry points declared at the end.
 *
 * Memory layout every architecture keeps:
 *  - the whole lower half [0, KARCH_VAS_END) belongs to the VAS (ukvmem);
 *    the kernel never maps anything there itself;
 *  - the kernel image, its stacks and a direct map of all RAM live in the
 *    upper half and are mapped identically in every address space (x86_64:
 *    the same upper PML4 entries in every root; arm64: TTBR1).
 *
 * Contexts. "Any context" below means: any CPU, inside or outside an RCU
 * read section, with interrupts enabled or disabled, including interrupt
 * and exception handlers. Nothing here allocates memory.
 */
#ifndef KARCH_H
#define KARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uk/vmem_types.h>

/* Most CPUs a kernel brings up (per-CPU arrays are sized by it). */
#define KMAX_CPUS 16

/* End of the VAS half: x86_64 canonical lower half, arm64 48-bit TTBR0. */
#if defined(__x86_64__)
#define KARCH_VAS_END (1UL << 47)
#elif defined(__aarch64__)
#define KARCH_VAS_END (1UL << 48)
#endif

struct uk_tlb_flush_req;

/* What the boot path hands to kmain(). */
struct kboot_info {
	/* Free RAM for the kernel heap and ukvmem's frames: physical,
	 * page aligned, above the kernel image, entirely in the direct map. */
	__paddr_t ram_start;
	__paddr_t ram_end;
	/* CPUs present (the boot CPU included), at most KMAX_CPUS. */
	unsigned int ncpus;
	const char *arch;  /* "x86_64", "arm64" */
};

/* ---- CPUs --------------------------------------------------------------- */

/* Dense id of the calling CPU: 0 for the boot CPU, then 1..ncpus-1 in the
 * order the secondaries came up. Any context; constant per CPU. */
unsigned int karch_cpu_id(void);

/*
 * Boot CPU only, once, from kmain() with interrupts disabled: start every
 * other present CPU (x86_64: INIT-SIPI-SIPI; arm64: PSCI CPU_ON). Each
 * secondary sets itself up (stack, MMU with the kernel tables, vectors,
 * interrupt controller, its dense id) and calls @entry(id) with interrupts
 * disabled; @entry never returns. Returns when every secondary has reached
 * @entry, with the number of CPUs online (boot CPU included).
 */
unsigned int karch_start_cpus(void (*entry)(unsigned int cpu));

/* A hint in busy-wait loops (pause / yield). Any context. */
void karch_cpu_relax(void);

/* ---- Interrupts -----------------------------------------------------------
 *
 * The only interrupts a kernel takes are the IPIs below (no timer, no
 * devices; the legacy PIC is masked). Exceptions are separate (below).
 */
void karch_irq_enable(void);
void karch_irq_disable(void);
bool karch_irq_enabled(void);
/* Disable and return the previous state for karch_irq_restore. */
unsigned long karch_irq_save(void);
void karch_irq_restore(unsigned long flags);

/*
 * Called with interrupts disabled: enable them and wait for one, as one
 * atomic step, so that an interrupt which became pending after the caller
 * disabled interrupts (after it checked its wait condition) ends the wait
 * at once (x86_64: sti; hlt, the sti shadow covers the hlt; arm64: wfi with
 * the interrupt masked, then unmask). The interrupt's handler runs, and
 * the call returns with interrupts disabled again. May also return
 * spuriously; callers loop on their condition.
 */
void karch_wait_for_irq(void);

/* Inter-processor interrupts. */
enum kipi {
	KIPI_WAKE, /* end a karch_wait_for_irq on the target; handler no-op */
	KIPI_TLB,  /* run kipi_tlb() on the target (shootdown, x86_64) */
	KIPI_NR
};
/* Send @kind to CPU @cpu (never the caller). Any context. The IPI is
 * delivered after every store the sender made before the call is visible
 * to the target (x86_64: an mfence before the ICR write; arm64: dsb). */
void karch_send_ipi(unsigned int cpu, enum kipi kind);

/* ---- TLB ------------------------------------------------------------------ */

/*
 * This CPU only, any context: drop cached translations of the VAS for
 * [start, start + len) with leaves up to @level; with UK_TLB_FLUSH_TABLES
 * in @flags also the paging-structure (walk) caches. May flush more.
 */
void karch_tlb_flush_local(__vaddr_t start, __sz len, unsigned int level,
			   unsigned int flags);

/*
 * Every CPU: returns only after no CPU can use a translation of the range
 * any more. Called outside RCU read sections with interrupts enabled (the
 * platform's ukplat_tlb_flush). x86_64 implements it with
 * kshootdown_by_ipi() from common (IPIs plus acks); arm64 with broadcast
 * TLBI ... IS and dsb ish, no IPI.
 */
void karch_tlb_shootdown(const struct uk_tlb_flush_req *req);

/* ---- MMU --------------------------------------------------------------------
 *
 * The VAS root is a table page ukvmem allocated (struct uk_pagetable.root).
 */

/* Make a fresh VAS root usable as this kernel's root: x86_64 copies the
 * kernel's upper-half PML4 entries into @root_va (ukvmem only ever writes
 * entries of the lower half); arm64 has nothing to do (TTBR1). Once, before
 * the first karch_vas_load of @root. */
void karch_vas_prepare_root(void *root_va);
/* Load @root as this CPU's lower-half translation (x86_64: CR3, which also
 * flushes this CPU's non-global TLB entries; arm64: TTBR0 + TLBI). */
void karch_vas_load(__paddr_t root);
/* Switch this CPU back to the kernel's own tables (no lower half). */
void karch_vas_unload(void);

/* The direct map: every RAM address has a fixed upper-half alias. */
void *karch_phys_to_virt(__paddr_t paddr);
__paddr_t karch_virt_to_phys(const void *vaddr);

/* ---- Guarded accesses to the VAS -------------------------------------------
 *
 * Loads and stores the suites make to VAS addresses. A fault they raise goes
 * through kfault() like any other; when ukvmem does not resolve it (guard
 * page, reservation, PROT_NONE, no VMA), the exception table sends the CPU
 * to a recovery PC and the access returns -EFAULT instead of the kernel
 * panicking. @va is 8-byte aligned. Return 0 or -EFAULT.
 */
int karch_probe_read(__vaddr_t va, uint64_t *val);
int karch_probe_write(__vaddr_t va, uint64_t val);
/* An instruction fetch at @va (a call to it); the code at @va must be a
 * single return instruction. 0 or -EFAULT. */
int karch_probe_exec(__vaddr_t va);
/* Bytes of one return instruction, to write into executable VAS pages. */
extern const uint8_t karch_ret_insn[];
extern const unsigned int karch_ret_insn_len;

/* One entry of the exception table, emitted by the arch's probe code into
 * the section "kextable" (the linker provides __start_kextable and
 * __stop_kextable): a fault at @insn resumes at @fixup. */
struct kextable_entry {
	uintptr_t insn;
	uintptr_t fixup;
};

/* ---- Console and exit -------------------------------------------------------- */

/* One byte to the serial console (UART polling). Any context; callers
 * serialise whole lines (kprintf holds a spinlock with interrupts off). */
void karch_putc(char c);
/* Leave the emulator: @status 0 is success. x86_64: isa-debug-exit (the
 * QEMU process exits with (status << 1) | 1); arm64: semihosting. */
_Noreturn void karch_exit(int status);

/* ---- Entry points common provides, called by the architecture -------------- */

/* Boot CPU, once: MMU on, running in the upper half, direct map, console,
 * exception vectors and interrupt controller ready, interrupts disabled. */
_Noreturn void kmain(const struct kboot_info *bi);

/*
 * Every data/instruction abort or page fault: @addr the faulting address,
 * @report the hardware's description (x86_64: the #PF error code; arm64:
 * ESR_EL1), @pc where it happened. The arch has already re-enabled
 * interrupts if the interrupted context had them enabled, so a CPU that
 * waits inside a fault still answers shootdown IPIs, and left them off
 * otherwise (kfault then resolves without waiting: NOWAIT). Returns
 *  - 0: resolved, retry the access;
 *  - a recovery PC from the exception table: resume there, making the
 *    interrupted access return -EFAULT (x86_64: rax; arm64: x0);
 *  - KFAULT_UNRESOLVED: neither; the arch may recover a karch_probe_exec
 *    (the fault's pc is the VAS address, the probe's return address is on
 *    the stack / in lr) and otherwise calls kpanic_exception.
 */
#define KFAULT_UNRESOLVED ((uintptr_t)1)
uintptr_t kfault(__vaddr_t addr, unsigned long report, uintptr_t pc);

/* Any other exception: print and stop the machine with a failure. */
_Noreturn void kpanic_exception(const char *what, unsigned long code,
				uintptr_t pc, __vaddr_t addr);

/* The KIPI_TLB handler's work (interrupts disabled): flush this CPU's TLB
 * for the request being shot down and acknowledge it. */
void kipi_tlb(void);

/* x86_64's karch_tlb_shootdown: flush locally, send KIPI_TLB to every other
 * online CPU, wait (halted, woken by the acks) until each has flushed. */
void kshootdown_by_ipi(const struct uk_tlb_flush_req *req);

#endif /* KARCH_H */
