/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel-native epoch RCU (uk_rcu_* of include/uk/plat.h), one record per
 * CPU. Arch-neutral: the arm64 port uses it too (Debian ships no arm64
 * libck, and ck_epoch's x86_64 object needs SSE in the kernel).
 *
 * State: a global epoch gp_seq; per CPU the read-section nesting depth and
 * a state word, (epoch << 1) | 1 inside a section, 0 outside.
 *
 *  read_lock (outermost): state = (gp_seq << 1) | 1, then a full fence
 *    before the section's loads.
 *  read_unlock (outermost): state = 0 (seq_cst: the section's loads are
 *    done before), then wake a synchronizer if one is halted.
 *  synchronize: under gp_lock, gp_seq += 1 (seq_cst) to E, then for each
 *    CPU wait until its state is 0 or carries epoch E.
 *
 * Why a reader the scan skips is safe: the writer unpublished the object
 * before incrementing gp_seq. If the scan reads the reader's state before
 * the reader's store, the reader's fence (after its store) orders its
 * loads after the scan, hence after the unpublish: it cannot find the old
 * object. A reader that loaded the old epoch and stored its state before
 * the scan is waited for; one that re-enters loads gp_seq after the
 * increment and stores epoch E. gp_lock keeps gp_seq fixed during a scan.
 *
 * Interrupts are off while the outermost lock/unlock changes the record,
 * so a fault or IPI handler nesting a section sees a consistent pair.
 * Waiting synchronizers halt (kwait_until) and readers wake them.
 *
 * Deferred callbacks queue on one list; they run after a grace period in
 * krcu_poll (the suites' loops, outside any lock) and uk_rcu_barrier,
 * never inside uk_rcu_call (its caller may hold a lock a callback takes).
 */
#include <uk/plat.h>
#include "kernel.h"
#include "kmutex.h"

static unsigned long gp_seq = 1;
static struct kmutex gp_lock;
static struct kwaitq gp_waitq;

static struct {
	struct kspinlock lock;
	struct uk_rcu_head *head, **tail;
	long queued;      /* on the list */
} cbq = {.tail = &cbq.head};
static long npending;     /* queued or running */
static struct kmutex cb_lock; /* one batch runs at a time */

#define CB_NEXT(h) (*(struct uk_rcu_head **)&(h)->opaque[0])
#define CB_PTR(h) (*(void **)&(h)->opaque[1])
#define POLL_BATCH 64

void krcu_cpu_init(struct kcpu *c)
{
	c->rcu_nesting = 0;
	__atomic_store_n(&c->rcu_state, 0, __ATOMIC_RELAXED);
}

void uk_rcu_read_lock(void)
{
	unsigned long flags = karch_irq_save();
	struct kcpu *c = kthis_cpu();

	if (c->rcu_nesting++ == 0) {
		unsigned long e = __atomic_load_n(&gp_seq, __ATOMIC_RELAXED);

		__atomic_store_n(&c->rcu_state, (e << 1) | 1, __ATOMIC_RELAXED);
		/*
		 * A full barrier (x86_64: mfence; arm64: DMB ISH) between
		 * publishing the state and the section's first load of
		 * protected data, store->load and load->load. arm64 needs
		 * it explicitly: a release or seq_cst store (STLR) does not
		 * keep later plain loads from being satisfied before the
		 * store is visible, and a synchronizer that then misses this
		 * reader frees what it is reading. This is the ordering
		 * Debian's ck_epoch 0.7.1 ck_epoch_begin lacks; the kernel
		 * does not use ck_epoch and provides it here.
		 */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	karch_irq_restore(flags);
}

void uk_rcu_read_unlock(void)
{
	unsigned long flags = karch_irq_save();
	struct kcpu *c = kthis_cpu();
	bool outer;

	KASSERT(c->rcu_nesting > 0);
	outer = --c->rcu_nesting == 0;
	if (outer)
		__atomic_store_n(&c->rcu_state, 0, __ATOMIC_SEQ_CST);
	karch_irq_restore(flags);
	if (outer)
		kwake(&gp_waitq);
}

bool uk_rcu_read_ongoing(void)
{
	return kthis_cpu()->rcu_nesting > 0;
}

struct scan {
	struct kcpu *c;
	unsigned long epoch;
};

static bool reader_past(void *arg)
{
	struct scan *s = arg;
	/* seq_cst, not acquire: on arm64 this must be LDAR (RCsc), which
	 * stays after the gp_seq increment (a release write); an RCpc
	 * acquire (LDAPR) could be satisfied before it and miss a reader.
	 * x86_64: a plain load either way. */
	unsigned long st = __atomic_load_n(&s->c->rcu_state, __ATOMIC_SEQ_CST);

	return !(st & 1) || (st >> 1) == s->epoch;
}

void uk_rcu_synchronize(void)
{
	struct scan s;

	KASSERT(!uk_rcu_read_ongoing());
	kmutex_lock(&gp_lock);
	s.epoch = __atomic_add_fetch(&gp_seq, 1, __ATOMIC_SEQ_CST);
	/* Pairs with read_lock's fence (a Dekker handshake): the caller's
	 * unpublish (a release store, before this call) is ordered before
	 * the scan's loads of the states. The seq_cst increment is a full
	 * barrier on x86_64 and arm64 already; C11 only promises it with a
	 * fence, so say it. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < KMAX_CPUS; i++) {
		if (!kcpus[i].online)
			continue;
		s.c = &kcpus[i];
		kwait_until(&gp_waitq, reader_past, &s);
	}
	kmutex_unlock(&gp_lock);
}

static void enqueue(struct uk_rcu_head *head)
{
	unsigned long flags;

	__atomic_fetch_add(&npending, 1, __ATOMIC_RELAXED);
	CB_NEXT(head) = NULL;
	flags = kspin_lock(&cbq.lock);
	*cbq.tail = head;
	cbq.tail = &CB_NEXT(head);
	cbq.queued++;
	kspin_unlock(&cbq.lock, flags);
}

void uk_rcu_call(struct uk_rcu_head *head, void (*func)(struct uk_rcu_head *))
{
	head->func = func;
	enqueue(head);
}

void uk_rcu_free_deferred(void *ptr, struct uk_rcu_head *head)
{
	head->func = NULL;
	CB_PTR(head) = ptr;
	enqueue(head);
}

/* Caller holds cb_lock. */
static void run_batch(void)
{
	struct uk_rcu_head *h, *next;
	unsigned long flags;
	long n = 0;

	flags = kspin_lock(&cbq.lock);
	h = cbq.head;
	cbq.head = NULL;
	cbq.tail = &cbq.head;
	cbq.queued = 0;
	kspin_unlock(&cbq.lock, flags);
	if (!h)
		return;
	uk_rcu_synchronize();
	for (; h; h = next, n++) {
		next = CB_NEXT(h);
		if (h->func)
			h->func(h);
		else
			ukplat_free(CB_PTR(h));
	}
	__atomic_fetch_sub(&npending, n, __ATOMIC_RELEASE);
}

void krcu_poll(bool force)
{
	if (!force && __atomic_load_n(&cbq.queued, __ATOMIC_RELAXED) < POLL_BATCH)
		return;
	if (!kmutex_trylock(&cb_lock))
		return; /* another CPU is running a batch */
	run_batch();
	kmutex_unlock(&cb_lock);
}

/* Every callback queued before the call is either on the list (we run it)
 * or in the batch of the cb_lock holder, which finishes before we get it. */
void uk_rcu_barrier(void)
{
	KASSERT(!uk_rcu_read_ongoing());
	kmutex_lock(&cb_lock);
	run_batch();
	kmutex_unlock(&cb_lock);
}

long uk_rcu_pending(void)
{
	return __atomic_load_n(&npending, __ATOMIC_ACQUIRE);
}

const char *uk_rcu_backend(void)
{
	return "kernel-epoch";
}
