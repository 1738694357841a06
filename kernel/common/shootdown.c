/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLB shootdown by IPI (x86_64's karch_tlb_shootdown).
 *
 * One shootdown at a time (sd_busy). The initiator publishes the request,
 * then the mask of CPUs that still have to flush (release), sends KIPI_TLB
 * to each, flushes itself and waits, halted, until the mask is empty. A
 * target's handler reads the mask (acquire) and the request, flushes, then
 * clears its bit (release: its flush is done before the initiator can see
 * the bit gone); the last one wakes the initiator. The next shootdown
 * cannot overwrite the request before every target has cleared its bit,
 * so no handler reads a half-written request.
 *
 * Why it cannot deadlock: targets answer with interrupts enabled wherever
 * they may wait (kwait_until halts with interrupts on; the fault handler
 * runs with the interrupted context's IF), and the only code that runs
 * with interrupts off (spinlocks, handlers) never waits for a shootdown or
 * for a lock held across one. An initiator waiting for sd_busy waits
 * halted, so it acks the shootdown in progress.
 */
#include <uk/plat.h>
#include "kernel.h"

static struct {
	struct uk_tlb_flush_req req;
	unsigned int initiator;
	unsigned long pending; /* CPUs that have not flushed yet */
} sd;
static bool sd_busy;
static struct kwaitq sd_lockq, sd_ackq;

static bool sd_free(void *arg)
{
	(void)arg;
	return !__atomic_load_n(&sd_busy, __ATOMIC_ACQUIRE);
}

static bool sd_done(void *arg)
{
	(void)arg;
	return __atomic_load_n(&sd.pending, __ATOMIC_ACQUIRE) == 0;
}

static void sd_lock(void)
{
	for (;;) {
		kwait_until(&sd_lockq, sd_free, NULL);
		if (!__atomic_exchange_n(&sd_busy, true, __ATOMIC_ACQUIRE))
			return;
	}
}

static void sd_unlock(void)
{
	__atomic_store_n(&sd_busy, false, __ATOMIC_RELEASE);
	kwake(&sd_lockq);
}

void kshootdown_by_ipi(const struct uk_tlb_flush_req *req)
{
	unsigned int self = karch_cpu_id();
	unsigned long targets;

	sd_lock();
	sd.req = *req;
	sd.initiator = self;
	targets = konline_mask() & ~(1UL << self);
	__atomic_store_n(&sd.pending, targets, __ATOMIC_RELEASE);
	for (unsigned long m = targets; m; m &= m - 1)
		karch_send_ipi((unsigned int)__builtin_ctzl(m), KIPI_TLB);
	karch_tlb_flush_local(req->start, req->len, req->level, req->flags);
	kwait_until(&sd_ackq, sd_done, NULL);
	kcpus[self].shootdowns_sent++;
	sd_unlock();
}

void kipi_tlb(void)
{
	unsigned long bit = 1UL << karch_cpu_id();
	unsigned int initiator;
	unsigned long left;

	if (!(__atomic_load_n(&sd.pending, __ATOMIC_ACQUIRE) & bit))
		return; /* a late duplicate: nothing asked of us */
	/* Read before clearing our bit: once the mask is empty, the next
	 * shootdown may rewrite sd. */
	initiator = sd.initiator;
	karch_tlb_flush_local(sd.req.start, sd.req.len, sd.req.level,
			      sd.req.flags);
	kthis_cpu()->tlb_ipis++;
	left = __atomic_and_fetch(&sd.pending, ~bit, __ATOMIC_ACQ_REL);
	if (!left)
		karch_send_ipi(initiator, KIPI_WAKE);
}
