/* SPDX-License-Identifier: BSD-3-Clause */
/* Placeholder runner: one demand fault per CPU (replaced by the suites). */
#include "lib/errno.h"
#include "kvas.h"

static __vaddr_t base;
static unsigned int failures;

unsigned int ksuites_run(void)
{
	unsigned int cpu = karch_cpu_id();
	uint64_t v;

	if (cpu == 0) {
		base = __VADDR_ANY;
		if (uk_vma_map_anon(&kvas, &base, 64 * PAGE_SIZE,
				    PAGE_ATTR_PROT_RW, 0, "smoke"))
			failures++;
	}
	kbarrier();
	if (karch_probe_write(base + cpu * PAGE_SIZE, 0x1000 + cpu) ||
	    karch_probe_read(base + cpu * PAGE_SIZE, &v) || v != 0x1000 + cpu)
		__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	kbarrier();
	return failures;
}
