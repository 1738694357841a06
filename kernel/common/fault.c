/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The common page-fault entry: lower-half faults go to uk_vas_fault_hw on
 * the VAS the kernel gave (with interrupts as the interrupted code had
 * them, see karch.h); what it does not resolve is recovered through the
 * exception table or is a kernel bug.
 */
#include "lib/errno.h"
#include <uk/vmem.h>
#include "kernel.h"

extern const struct kextable_entry __start_kextable[], __stop_kextable[];

static struct uk_vas *fault_vas;

void kfault_set_vas(struct uk_vas *vas)
{
	__atomic_store_n(&fault_vas, vas, __ATOMIC_RELEASE);
}

static uintptr_t extable_find(uintptr_t pc)
{
	for (const struct kextable_entry *e = __start_kextable;
	     e < __stop_kextable; e++)
		if (e->insn == pc)
			return e->fixup;
	return 0;
}

uintptr_t kfault(__vaddr_t addr, unsigned long report, uintptr_t pc)
{
	struct uk_vas *vas = __atomic_load_n(&fault_vas, __ATOMIC_ACQUIRE);
	struct kcpu *c = kthis_cpu();
	uintptr_t fix;
	int rc;

	c->faults++;
	if (uk_rcu_read_ongoing())
		kpanic("fault at %lx (pc %lx) inside an RCU read section",
		       (unsigned long)addr, (unsigned long)pc);
	if (vas && addr < KARCH_VAS_END) {
		/*
		 * The arch left interrupts as the faulting code had them.
		 * Enabled: the fault may wait (for a REPLACE in progress),
		 * and -EAGAIN (the entry kept changing) just means retry.
		 * Disabled: this CPU cannot ack a shootdown, so it must not
		 * wait for the writer who waits for that ack, nor retry while
		 * it is in progress: the NOWAIT fault returns -EAGAIN instead
		 * and the access takes its fixup.
		 */
		bool irqs = karch_irq_enabled();

		rc = irqs ? uk_vas_fault_hw(vas, addr, report)
			  : uk_vas_fault_hw_nowait(vas, addr, report);
		if (rc == 0 || (rc == -EAGAIN && irqs)) {
			c->faults_resolved++;
			return 0;
		}
	}
	fix = extable_find(pc);
	if (fix) {
		c->faults_fixed++;
		return fix;
	}
	return KFAULT_UNRESOLVED;
}
