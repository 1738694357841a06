/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Spinlocks and halting waits.
 *
 * kwait_until / kwake is a Dekker handshake: the waiter sets its bit in
 * the queue's mask and then checks the condition; the waker makes the
 * condition true and then reads the mask (both sides seq_cst). Either the
 * waker sees the bit and sends KIPI_WAKE, which ends the waiter's halt
 * even if it arrives before the hlt (karch_wait_for_irq enables interrupts
 * and halts as one step), or the waiter sees the condition and does not
 * halt. No wake-up is lost.
 */
#include "kernel.h"

unsigned long kspin_lock(struct kspinlock *l)
{
	unsigned long flags = karch_irq_save();

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			karch_cpu_relax();
	return flags;
}

void kspin_unlock(struct kspinlock *l, unsigned long flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	karch_irq_restore(flags);
}

void kwait_until(struct kwaitq *q, bool (*cond)(void *arg), void *arg)
{
	unsigned long bit = 1UL << karch_cpu_id();

	while (!cond(arg)) {
		bool can_halt = karch_irq_enabled();
		unsigned long flags = karch_irq_save();

		__atomic_fetch_or(&q->mask, bit, __ATOMIC_SEQ_CST);
		/* Our bit is visible before the condition is read again
		 * (pairs with the fence in kwake). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!cond(arg)) {
			if (can_halt) {
				kthis_cpu()->waits++;
				karch_wait_for_irq();
			} else {
				karch_cpu_relax();
			}
		}
		__atomic_fetch_and(&q->mask, ~bit, __ATOMIC_SEQ_CST);
		karch_irq_restore(flags);
	}
}

void kwake(struct kwaitq *q)
{
	unsigned long mask, self = 1UL << karch_cpu_id();

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	mask = __atomic_load_n(&q->mask, __ATOMIC_SEQ_CST) & ~self;
	while (mask) {
		unsigned int cpu = (unsigned int)__builtin_ctzl(mask);

		mask &= mask - 1;
		karch_send_ipi(cpu, KIPI_WAKE);
	}
}
