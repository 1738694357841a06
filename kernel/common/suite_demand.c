/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Demand faults on private pages: every CPU maps its own anonymous region
 * at its own fixed address (all CPUs map and unmap at once, so the VAS
 * mutex is contended; fixed so that no other CPU's region can appear
 * where a CPU checks that its unmapped region faults), reads
 * each page (a zero-filled page appears), writes a tag, reads it back,
 * then unmaps. Every fault is a real #PF resolved by uk_vas_fault_hw.
 */
#include "ksuite.h"

#define PAGES 48
#define REGION_BASE 0x4000000000UL /* 256 GiB; CPU i at + i GiB */

static void run(unsigned int cpu)
{
	unsigned int rounds = ksuite_rounds(12);

	for (unsigned int r = 0; r < rounds; r++) {
		__vaddr_t va = REGION_BASE + ((__vaddr_t)cpu << 30);
		uint64_t v;
		int rc;

		rc = uk_vma_map_anon(&kvas, &va, PAGES * PAGE_SIZE,
				     PAGE_ATTR_PROT_RW, 0, "demand");
		KCHECK(rc == 0, "map: %d", rc);
		if (rc)
			return;
		for (unsigned long p = 0; p < PAGES; p++) {
			__vaddr_t a = va + p * PAGE_SIZE + (cpu % 512) * 8;

			rc = karch_probe_read(a, &v);
			KCHECK(rc == 0 && v == 0, "fresh page %lx: rc %d v %lx",
			       (unsigned long)a, rc, (unsigned long)v);
			rc = karch_probe_write(a, ktag(cpu, p, r));
			KCHECK(rc == 0, "write %lx: %d", (unsigned long)a, rc);
		}
		for (unsigned long p = 0; p < PAGES; p++) {
			__vaddr_t a = va + p * PAGE_SIZE + (cpu % 512) * 8;

			rc = karch_probe_read(a, &v);
			KCHECK(rc == 0 && v == ktag(cpu, p, r),
			       "read back %lx: rc %d v %lx", (unsigned long)a, rc,
			       (unsigned long)v);
		}
		rc = uk_vma_unmap(&kvas, va, PAGES * PAGE_SIZE, 0);
		KCHECK(rc == 0, "unmap: %d", rc);
		rc = karch_probe_read(va, &v);
		KCHECK(rc == -EFAULT, "read after unmap: %d", rc);
		krcu_poll(false);
	}
}

const struct ksuite ksuite_demand = {.name = "demand", .run = run};
