/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exception dispatch (vectors.S saves the context as struct karm_frame).
 *
 * Data and instruction aborts taken at EL1 go to kfault() with the
 * faulting address (FAR_EL1) and the whole ESR_EL1, from which the
 * library's arm64 decoder (arch/arm64/fault.c) reads EC, WnR and the
 * fault status. Interrupts are unmasked around kfault when the
 * interrupted context had them unmasked. The IRQ vector handles SGIs
 * (karm_irq). Everything else stops the machine through kpanic_exception.
 */
#include <karch.h>
#include "arm64.h"
#include "trap.h"

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_DABT_CUR 0x25
#define ESR_FNV (1UL << 10) /* FAR not valid */
#define KARM_EFAULT 14

/* probe.S: where a fetch fault of karch_probe_exec returns to (lr) and
 * where that probe recovers. */
extern const char karm_probe_exec_ret[], karm_probe_exec_fixup[];

/*
 * kfault found no exception-table entry for the faulting PC. A fetch
 * fault of karch_probe_exec happened at the VAS address it called, with
 * lr pointing back into the probe: recover that one, nothing else.
 */
static uintptr_t abort_unresolved(const struct karm_frame *f)
{
	if (ESR_EC(f->esr) == ESR_EC_IABT_CUR && f->elr == f->far &&
	    f->x[30] == (uintptr_t)karm_probe_exec_ret)
		return (uintptr_t)karm_probe_exec_fixup;
	kpanic_exception("unresolved page fault (ESR)", f->esr, f->elr,
			 f->far);
}

static void trap_abort(struct karm_frame *f)
{
	uint64_t ec = ESR_EC(f->esr);
	uintptr_t resume;

	if ((ec != ESR_EC_DABT_CUR && ec != ESR_EC_IABT_CUR) ||
	    (f->esr & ESR_FNV))
		kpanic_exception("synchronous exception (ESR)", f->esr, f->elr,
				 f->far);
	if (!(f->spsr & KARM_DAIF_I))
		karch_irq_enable();
	resume = kfault(f->far, f->esr, f->elr);
	karch_irq_disable();
	if (resume == 0) {
		/*
		 * Resolved: the access is retried after the ERET. The table
		 * walker is a separate observer: without a DSB the new entry
		 * may not be visible to this CPU's walk yet and the access
		 * would fault again (harmless, the library finds the entry and
		 * returns, but a wasted exception). The ERET is the context
		 * synchronisation that a DSB + ISB pair needs.
		 */
		__asm__ volatile("dsb ishst" ::: "memory");
		return;
	}
	if (resume == KFAULT_UNRESOLVED)
		resume = abort_unresolved(f);
	f->elr = resume;
	f->x[0] = (uint64_t)-KARM_EFAULT;
}

void karm_trap(struct karm_frame *f)
{
	switch (f->kind) {
	case KARM_VEC_CUR_SPX_SYNC:
		trap_abort(f);
		break;
	case KARM_VEC_CUR_SPX_IRQ:
		karm_irq();
		break;
	default:
		kpanic_exception("unexpected exception vector", f->kind,
				 f->elr, f->far);
	}
}
