/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ukvmem's TLB hook. ukplat_tlb_flush is synchronous: when it returns no
 * CPU can use a translation of the range any more, so the core may hand
 * the frames and table pages to RCU right after. The negative-control
 * build (-DKERNEL_NO_SHOOTDOWN) flushes only the calling CPU: the suites'
 * stale-TLB check must then fail.
 */
#include <uk/plat.h>
#include "kernel.h"

static unsigned long flush_calls;

static void flush(const struct uk_tlb_flush_req *req)
{
	__atomic_fetch_add(&flush_calls, 1, __ATOMIC_RELAXED);
#ifdef KERNEL_NO_SHOOTDOWN
	karch_tlb_flush_local(req->start, req->len, req->level, req->flags);
#else
	karch_tlb_shootdown(req);
#endif
}

void ukplat_tlb_flush(struct uk_pagetable *pt, __vaddr_t vaddr, __sz len)
{
	struct uk_tlb_flush_req req = {
		.pt = pt, .start = vaddr, .len = len,
		.level = 0, .flags = UK_TLB_FLUSH_TABLES,
	};

	flush(&req);
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
