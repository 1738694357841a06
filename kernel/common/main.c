/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel main: set up the heap, bring up every CPU, hand the rest of RAM
 * to ukvmem's frame allocator, build the VAS and run the suites on every
 * CPU at once. Exit status 0 when every check passed.
 */
#include "kernel.h"
#include "kvas.h"

/* Metadata heap: this much of RAM right after the image. */
#define KHEAP_SIZE (24UL << 20)

struct kcpu kcpus[KMAX_CPUS];
unsigned int kncpus;
static unsigned long online_mask;

unsigned long konline_mask(void)
{
	return __atomic_load_n(&online_mask, __ATOMIC_ACQUIRE);
}

static void cpu_online(unsigned int id)
{
	struct kcpu *c = &kcpus[id];

	c->id = id;
	krcu_cpu_init(c);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_or(&online_mask, 1UL << id, __ATOMIC_SEQ_CST);
}

static unsigned int go; /* set by the boot CPU once the VAS exists */
static struct kwaitq go_q;

static bool go_set(void *arg)
{
	(void)arg;
	return __atomic_load_n(&go, __ATOMIC_ACQUIRE) != 0;
}

static _Noreturn void secondary(unsigned int id)
{
	cpu_online(id);
	karch_irq_enable();
	kwait_until(&go_q, go_set, NULL);
	kvas_cpu_enter();
	ksuites_run();
	kvas_cpu_leave();
	kbarrier(); /* the boot CPU tears down, reports and exits */
	for (;;) {
		karch_irq_disable();
		karch_wait_for_irq();
	}
}

_Noreturn void kmain(const struct kboot_info *bi)
{
	__paddr_t frames = bi->ram_start + KHEAP_SIZE;
	unsigned int failed;

	kprintf("ukvmem kernel (%s): RAM %lx-%lx, %u CPUs present\n", bi->arch,
		(unsigned long)bi->ram_start, (unsigned long)bi->ram_end,
		bi->ncpus);
	if (frames + (16UL << 20) > bi->ram_end)
		kpanic("not enough RAM");
	kheap_init(karch_phys_to_virt(bi->ram_start), KHEAP_SIZE);
	cpu_online(0);
	kncpus = karch_start_cpus(secondary);
	kprintf("%u CPUs online\n", kncpus);
	if (kncpus != bi->ncpus)
		kpanic("only %u of %u CPUs came up", kncpus, bi->ncpus);
	kvas_setup(frames, bi->ram_end);
	karch_irq_enable();
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	kwake(&go_q);
	kvas_cpu_enter();
	failed = ksuites_run();
	kvas_cpu_leave();
	kbarrier();
	kvas_report();
	failed += kvas_teardown();
	kprintf("kernel: %s (%u failed checks)\n", failed ? "FAIL" : "PASS",
		failed);
	karch_exit(failed ? 1 : 0);
}
