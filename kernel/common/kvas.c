/* SPDX-License-Identifier: BSD-3-Clause */
#include "kvas.h"

struct uk_vas kvas;
struct uk_falloc *kfa;
struct uk_pagetable kpt;
static struct uk_physmem kpm;

void kvas_setup(__paddr_t start, __paddr_t end)
{
	int rc;

	kpm.base = start;
	kpm.size = end - start;
	kpm.host = karch_phys_to_virt(start);
	rc = uk_falloc_create(&kfa, &kpm);
	if (rc)
		kpanic("uk_falloc_create: %d", rc);
	/* The library owns the lower half of a root it allocates; the kernel
	 * copies its own half in before any CPU loads it. */
	rc = ukplat_pt_init_range(&kpt, kfa, __PADDR_ANY, 0, KARCH_VAS_END);
	if (rc)
		kpanic("ukplat_pt_init_range: %d", rc);
	karch_vas_prepare_root(karch_phys_to_virt(kpt.root));
	rc = uk_vas_init_range(&kvas, &kpt, NULL, PAGE_SIZE, KARCH_VAS_END);
	if (rc)
		kpanic("uk_vas_init_range: %d", rc);
	kfault_set_vas(&kvas);
	kprintf("VAS: %lu MiB of frames at %lx, root %lx, RCU %s\n",
		(unsigned long)(kpm.size >> 20), (unsigned long)start,
		(unsigned long)kpt.root, uk_rcu_backend());
}

/*
 * The end: every CPU is back on the kernel's own tables (karch_vas_unload),
 * so the VAS and its page table can go. Destroy must free every frame and
 * every table page of the lower half and the root, and leave the kernel's
 * upper-half tables (copied into the root) alone: the frame allocator is
 * then empty. Returns the number of failed checks.
 */
unsigned int kvas_teardown(void)
{
	unsigned int failed = 0;
	long tables;
	__sz used;

	kfault_set_vas(NULL);
	uk_vas_destroy(&kvas);
	uk_rcu_barrier();
	ukplat_pt_destroy(&kpt);
	used = uk_falloc_used(kfa);
	tables = atomic_load_explicit(&kpt.nr_tables, memory_order_relaxed);
	if (used || tables) {
		kprintf("  check failed: after destroy %lu KiB of frames and "
			"%ld table pages in use\n", (unsigned long)(used >> 10),
			tables);
		failed++;
	}
	if (uk_falloc_validate(kfa)) {
		kprintf("  check failed: uk_falloc_validate after destroy\n");
		failed++;
	}
	kprintf("teardown: VAS and page table destroyed, %s\n",
		failed ? "FAIL" : "every frame back");
	return failed;
}

void kvas_cpu_enter(void)
{
	karch_vas_load(kpt.root);
	uk_vas_set_active(&kvas);
}

void kvas_cpu_leave(void)
{
	uk_vas_set_active(NULL);
	karch_vas_unload();
}

void kvas_report(void)
{
	kprintf("cpu   faults  resolved  fixups  shootdowns  tlb-ipis  halts\n");
	for (unsigned int i = 0; i < kncpus; i++) {
		struct kcpu *c = &kcpus[i];

		kprintf("%3u %8lu  %8lu  %6lu  %10lu  %8lu  %5lu\n", i,
			c->faults, c->faults_resolved, c->faults_fixed,
			c->shootdowns_sent, c->tlb_ipis, c->waits);
	}
	kprintf("TLB hook calls: %lu\n", ukplat_tlb_flush_count());
}
