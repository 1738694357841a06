/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ukvmem's TLB hook (include/uk/plat.h, "TLB maintenance").
 *
 * ukplat_tlb_flush is synchronous: when it returns no CPU can use a
 * translation of the range any more, so the core may hand the frames and
 * table pages to RCU right after. It runs outside read sections with
 * interrupts enabled (checked here: a shootdown from a read section could
 * stall a grace period behind an IPI wait, and with interrupts off the
 * waiting CPU could not answer a concurrent shootdown).
 *
 * The negative-control build (-DKERNEL_NO_SHOOTDOWN) flushes only the
 * calling CPU: the suites' stale-TLB checks must then fail.
 */
#include <uk/plat.h>
#include "kernel.h"

static unsigned long flush_calls, local_calls;

void ukplat_tlb_flush(const struct uk_tlb_flush_req *req)
{
	if (uk_rcu_read_ongoing() || !karch_irq_enabled())
		kpanic("ukplat_tlb_flush from a read section or with "
		       "interrupts off");
	if (!req->len || (req->start | req->len) & (PAGE_SIZE - 1))
		kpanic("ukplat_tlb_flush: bad range %lx+%lx",
		       (unsigned long)req->start, (unsigned long)req->len);
	__atomic_fetch_add(&flush_calls, 1, __ATOMIC_RELAXED);
#ifdef KERNEL_NO_SHOOTDOWN
	karch_tlb_flush_local(req->start, req->len, req->level, req->flags);
#else
	karch_tlb_shootdown(req);
#endif
}

void ukplat_tlb_flush_local(struct uk_pagetable *pt, __vaddr_t va,
			    unsigned int level)
{
	(void)pt;
	__atomic_fetch_add(&local_calls, 1, __ATOMIC_RELAXED);
	karch_tlb_flush_local(PAGE_Lx_ALIGN_DOWN(va, level), PAGE_SIZE, level,
			      0);
}

/* The kernel's hook is fixed; setting another is refused loudly. */
void ukplat_set_tlb_flush(ukplat_tlb_flush_fn fn)
{
	if (fn)
		kpanic("ukplat_set_tlb_flush: the kernel's shootdown is fixed");
}

unsigned long ukplat_tlb_flush_count(void)
{
	return __atomic_load_n(&flush_calls, __ATOMIC_RELAXED);
}

unsigned long ukplat_tlb_flush_local_count(void)
{
	return __atomic_load_n(&local_calls, __ATOMIC_RELAXED);
}
