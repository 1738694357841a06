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
	rc = ukplat_pt_init(&kpt, kfa);
	if (rc)
		kpanic("ukplat_pt_init: %d", rc);
	karch_vas_prepare_root(karch_phys_to_virt(kpt.root));
	rc = uk_vas_init(&kvas, &kpt, NULL);
	if (rc)
		kpanic("uk_vas_init: %d", rc);
	kfault_set_vas(&kvas);
	kprintf("VAS: %lu MiB of frames at %lx, root %lx, RCU %s\n",
		(unsigned long)(kpm.size >> 20), (unsigned long)start,
		(unsigned long)kpt.root, uk_rcu_backend());
}

void kvas_cpu_enter(void)
{
	karch_vas_load(kpt.root);
	uk_vas_set_active(&kvas);
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
