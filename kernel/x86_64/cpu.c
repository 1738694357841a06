/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x86_64 CPU setup and traps: the IDT, the dispatch of exceptions and IPIs,
 * interrupt masking, the per-CPU id (through the GS base), halting.
 */
#include <errno.h>
#include <karch.h>
#include "x86.h"

#define MSR_GS_BASE 0xc0000101

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const char x86_isr_stubs[];
extern const char x86_probe_exec_ret[];

/* Per-CPU word the GS base points at: the dense id. */
static unsigned int cpu_ids[KMAX_CPUS];

static const char *const exc_names[32] = {
	"#DE divide", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound", "#UD invalid opcode", "#NM no FPU", "#DF double fault",
	"coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
	"#SS stack fault", "#GP general protection", "#PF page fault",
	"reserved 15", "#MF x87", "#AC alignment", "#MC machine check",
	"#XM SIMD", "#VE virtualization", "#CP control protection",
};

static void idt_build(void)
{
	for (unsigned int v = 0; v < 256; v++) {
		uint64_t off = (uint64_t)(uintptr_t)(x86_isr_stubs + 16 * v);

		idt[v].off_lo = (uint16_t)off;
		idt[v].sel = SEL_CODE64;
		idt[v].ist = 0;
		/* Interrupt gate (IF cleared on entry), DPL 0, present. */
		idt[v].type = 0x8e;
		idt[v].off_mid = (uint16_t)(off >> 16);
		idt[v].off_hi = (uint32_t)(off >> 32);
		idt[v].zero = 0;
	}
}

void x86_idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = {sizeof(idt) - 1, (uintptr_t)idt};

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void x86_cpu_set_id(unsigned int id)
{
	cpu_ids[id] = id;
	wrmsr(MSR_GS_BASE, (uintptr_t)&cpu_ids[id]);
}

unsigned int karch_cpu_id(void)
{
	unsigned int id;

	__asm__ volatile("movl %%gs:0, %0" : "=r"(id));
	return id;
}

void karch_cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* ---- Interrupt state ---------------------------------------------------- */

static unsigned long read_rflags(void)
{
	unsigned long f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f) : : "memory");
	return f;
}

void karch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

void karch_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

bool karch_irq_enabled(void)
{
	return (read_rflags() & RFLAGS_IF) != 0;
}

unsigned long karch_irq_save(void)
{
	unsigned long f = read_rflags();

	karch_irq_disable();
	return f & RFLAGS_IF;
}

void karch_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		karch_irq_enable();
}

/* sti delays interrupts by one instruction, so none is taken between it
 * and hlt: a pending one wakes the hlt instead of being lost before it. */
void karch_wait_for_irq(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* ---- Traps ----------------------------------------------------------------- */

/* A fetch fault from karch_probe_exec: pc is the VAS address, the call's
 * return address is on top of the stack. Emulate the return. */
static bool recover_probe_exec(struct x86_trapframe *tf)
{
	uint64_t *sp = (uint64_t *)(uintptr_t)tf->rsp;

	if (!(tf->error & (1UL << 4)) || tf->rip >= KARCH_VAS_END ||
	    sp[0] != (uintptr_t)x86_probe_exec_ret)
		return false;
	tf->rip = sp[0];
	tf->rsp += 8;
	tf->rax = (uint64_t)(long)-EFAULT;
	return true;
}

static void page_fault(struct x86_trapframe *tf)
{
	/* Read CR2 first: a nested fault would overwrite it. */
	__vaddr_t addr = read_cr2();
	uintptr_t fix;

	/* IF as the interrupted code had it: a CPU waiting in a fault (for a
	 * writer's lock, a grace period) keeps answering shootdowns. */
	if (tf->rflags & RFLAGS_IF)
		karch_irq_enable();
	fix = kfault(addr, tf->error, tf->rip);
	karch_irq_disable();
	if (!fix)
		return;
	if (fix != KFAULT_UNRESOLVED) {
		tf->rip = fix;
		tf->rax = (uint64_t)(long)-EFAULT;
		return;
	}
	if (!recover_probe_exec(tf))
		kpanic_exception("#PF page fault", tf->error, tf->rip, addr);
}

void x86_trap(struct x86_trapframe *tf);
void x86_trap(struct x86_trapframe *tf)
{
	switch (tf->vector) {
	case VEC_PF:
		page_fault(tf);
		return;
	case VEC_IPI_WAKE:
		x86_apic_eoi();
		return;
	case VEC_IPI_TLB:
		kipi_tlb();
		x86_apic_eoi();
		return;
	case VEC_SPURIOUS:
		return; /* no EOI for the spurious vector */
	}
	kpanic_exception(tf->vector < 32 && exc_names[tf->vector]
				 ? exc_names[tf->vector]
				 : "unexpected interrupt",
			 tf->vector < 32 ? tf->error : tf->vector, tf->rip, 0);
}

/* ---- Boot -------------------------------------------------------------------- */

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 1 MiB, above 1 MiB */
};

#define MB_INFO_MEM (1u << 0)
#define CMOS_ADDR 0x70
#define CMOS_DATA 0x71
/* QEMU stores the CPU count minus one here for the firmware. */
#define CMOS_QEMU_NCPUS 0x5f

extern char _end[];
/* Next dense id a secondary takes (boot.S). */
unsigned int x86_next_cpu = 1;
char kstacks[KMAX_CPUS][KSTACK_SIZE] __attribute__((aligned(4096)));

static unsigned int cmos_ncpus(void)
{
	unsigned int n;

	outb(CMOS_ADDR, CMOS_QEMU_NCPUS);
	n = inb(CMOS_DATA) + 1u;
	return n > KMAX_CPUS ? KMAX_CPUS : n;
}

static void cpu_init(unsigned int id)
{
	x86_cpu_set_id(id);
	x86_idt_load();
	x86_apic_init();
}

void x86_start(uint32_t mbi_phys);
void x86_start(uint32_t mbi_phys)
{
	const struct multiboot_info *mbi = karch_phys_to_virt(mbi_phys);
	uint64_t ram_top = 64UL << 20;
	static struct kboot_info bi;

	x86_console_init();
	idt_build();
	cpu_init(0);
	if (mbi->flags & MB_INFO_MEM)
		ram_top = 0x100000UL + (uint64_t)mbi->mem_upper * 1024;
	if (ram_top > (DIRECT_MAP_GIB - 1UL) << 30)
		ram_top = (DIRECT_MAP_GIB - 1UL) << 30;
	/* Frames start above the image and the multiboot info QEMU put
	 * right after it. */
	bi.ram_start = (V2P_IMAGE(_end) + (4UL << 20)) & ~((2UL << 20) - 1);
	bi.ram_end = ram_top & ~((2UL << 20) - 1);
	bi.ncpus = x86_ncpus_present = cmos_ncpus();
	bi.arch = "x86_64";
	kmain(&bi);
}

static void (*ap_entry)(unsigned int cpu);
static unsigned int ap_arrived;
unsigned int x86_ncpus_present = 1;

void x86_set_ap_entry(void (*entry)(unsigned int cpu))
{
	ap_entry = entry;
}

unsigned int x86_aps_arrived(void)
{
	return __atomic_load_n(&ap_arrived, __ATOMIC_ACQUIRE);
}

void x86_ap_start(unsigned int id);
void x86_ap_start(unsigned int id)
{
	cpu_init(id);
	__atomic_fetch_add(&ap_arrived, 1, __ATOMIC_RELEASE);
	ap_entry(id);
	for (;;)
		__asm__ volatile("cli; hlt");
}
