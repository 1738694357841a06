/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RCU backend on ConcurrencyKit's ck_epoch (BSD-2-Clause, so nothing to
 * keep out of line for licence reasons).
 *
 * Design:
 *  - One global ck_epoch_t. Each thread gets a record lazily on first use
 *    (ck_epoch_recycle() first, else a new cache-aligned one), and gives it
 *    back from a pthread key destructor. ck records are never freed; ours
 *    also sit on a private list (rcu_threads, prepend-only) so a barrier
 *    can visit them.
 *  - Read sections: ck_epoch_begin/end(rec, NULL) on the thread's record;
 *    ck counts the nesting itself, t_depth mirrors it.
 *  - Deferrals: ck_epoch_call_strict() on the caller's own record, inside a
 *    read section of the caller (see ordering 2). ck has no background
 *    reclaimer, so every RCU_POLL_EVERY-th call polls the caller's record
 *    (ck_epoch_poll: non-blocking, runs what became safe), and
 *    uk_rcu_synchronize() runs the callbacks its own record held before it
 *    waited.
 *  - Grace periods: ck_epoch_synchronize_wait() with a callback that
 *    spins a little, then sleeps 20 us at a time, while a reader holds us up (ck alone
 *    busy-spins, which starves a preempted reader on few cores).
 *
 * Invariants:
 *  I1. Only a record's owner pushes onto its pending stacks (call_strict,
 *      an upmc push). Anyone holding rcu_reclaim_lock may pop them (an
 *      atomic batch pop), so pushes and pops never conflict, and pops never
 *      conflict with each other.
 *  I2. Every callback runs with rcu_reclaim_lock held (polls take it with
 *      trylock and skip if busy). Hence a barrier that takes the lock knows
 *      no callback popped before it is still running or waiting.
 *  I3. A callback runs only after a grace period that began after it was
 *      pushed: ck's own epoch buckets ensure it for poll/barrier_wait on a
 *      record, and rcu_steal() pops lists first and waits afterwards.
 *  I4. A thread's record is empty when it is unregistered: the exit
 *      destructor runs ck_epoch_barrier_wait() on it until no bucket holds
 *      anything (callbacks may queue more on this thread).
 *  I5. A thread never polls or steals while inside a read section or a
 *      callback (t_in_cb), so callbacks never nest and reclaim never waits
 *      on its own thread.
 *
 * Orderings (ck provides them; annotations tell TSan, see tsan.h; ck's
 * inline helpers use inline asm that TSan does not see):
 *  1. A read section happens before a grace period that overlapped it
 *     ends: release(&rcu_gp_token) before ck_epoch_end, acquire after
 *     every wait and first thing in every callback.
 *  2. uk_rcu_call()'s writes happen before its callback: the caller pushes
 *     and then releases the head inside its own read section, so no grace
 *     period can complete (and no callback can run) before the release;
 *     the trampoline acquires the head. The same section also orders the
 *     pushed links before a barrier that walks them after its wait (1).
 *  3. A callback happens before the uk_rcu_barrier() that waited for it:
 *     rcu_reclaim_lock, plus release/acquire of rcu_cb_token.
 */
#include <assert.h>
#include <stdlib.h>
#include <time.h>

#include <ck_epoch.h>

#include "plat/rcu_common.h"

_Static_assert(sizeof(ck_epoch_entry_t) <= sizeof(((struct uk_rcu_head *)0)->opaque),
	       "ck_epoch_entry must fit in uk_rcu_head.opaque");
_Static_assert(_Alignof(ck_epoch_entry_t) <= _Alignof(struct uk_rcu_head),
	       "ck_epoch_entry alignment");

#define RCU_POLL_EVERY 16
/* Blocked observations a grace period spins through before yielding. */
#define RCU_GP_SPINS 100
/* Lists popped by one barrier pass before it waits and runs them. */
#define RCU_STEAL_MAX 64

struct rcu_thread {
	ck_epoch_record_t rec;   /* first: recycled records map back by cast */
	struct rcu_thread *next; /* rcu_threads list, under rcu_reg_lock */
};

static ck_epoch_t rcu_epoch;
static pthread_once_t rcu_once = PTHREAD_ONCE_INIT;
static pthread_key_t rcu_key;
static pthread_mutex_t rcu_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t rcu_reclaim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rcu_thread *rcu_threads; /* under rcu_reg_lock */

static _Thread_local struct rcu_thread *t_thr;
static _Thread_local unsigned int t_depth;
static _Thread_local unsigned int t_ncalls;
static _Thread_local bool t_in_cb;

/* ---- Grace periods and callback lists ----------------------------------- */

/* Called by ck while a reader holds the grace period up: spin briefly
 * (sections are short), then sleep (the reader may be preempted). */
static void rcu_gp_block(ck_epoch_t *global, ck_epoch_record_t *cr, void *ct)
{
	unsigned int *nblocked = ct;
	unsigned int i;

	(void)global;
	(void)cr;
	if (++*nblocked < RCU_GP_SPINS) {
		for (i = 0; i < 64; i++)
			ck_pr_stall();
	} else {
		/* Sleep rather than sched_yield(): with more runnable threads
		 * than cores, a yield often returns at once while the reader
		 * we wait for stays preempted. */
		struct timespec ts = { 0, 20000 };

		nanosleep(&ts, NULL);
	}
}

static void rcu_gp_wait(void)
{
	unsigned int nblocked = 0;

	ck_epoch_synchronize_wait(&rcu_epoch, rcu_gp_block, &nblocked);
	uk_tsan_acquire(&rcu_gp_token);
}

static void rcu_tramp_call(ck_epoch_entry_t *e)
{
	rcu_run_call((struct uk_rcu_head *)(void *)e);
}

static void rcu_tramp_free(ck_epoch_entry_t *e)
{
	rcu_run_free((struct uk_rcu_head *)(void *)e);
}

/* Run popped lists; call after a grace period, with the reclaim lock. */
static void rcu_run_lists(ck_stack_entry_t **lists, unsigned int n)
{
	ck_stack_entry_t *cur, *next;
	unsigned int i;

	for (i = 0; i < n; i++) {
		for (cur = lists[i]; cur != NULL; cur = next) {
			ck_epoch_entry_t *e = (ck_epoch_entry_t *)(void *)
				((char *)cur - offsetof(ck_epoch_entry_t, stack_entry));

			next = CK_STACK_NEXT(cur);
			e->function(e);
		}
	}
}

/* Pop every pending list of @thr into @lists; reclaim lock held. */
static unsigned int rcu_steal(struct rcu_thread *thr, ck_stack_entry_t **lists,
			      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < CK_EPOCH_LENGTH; i++) {
		ck_stack_entry_t *l = ck_stack_batch_pop_upmc(&thr->rec.pending[i]);

		if (l)
			lists[n++] = l;
	}
	return n;
}

static bool rcu_record_empty(ck_epoch_record_t *rec)
{
	unsigned int i;

	for (i = 0; i < CK_EPOCH_LENGTH; i++)
		if (ck_pr_load_ptr(&rec->pending[i].head) != NULL)
			return false;
	return true;
}

/* ---- Registration -------------------------------------------------------- */

static void rcu_thread_exit(void *arg)
{
	struct rcu_thread *thr = arg;

	assert(thr == t_thr);
	while (t_depth > 0) {
		t_depth--;
		uk_tsan_release(&rcu_gp_token);
		ck_epoch_end(&thr->rec, NULL);
	}
	pthread_mutex_lock(&rcu_reclaim_lock);
	t_in_cb = true;
	while (!rcu_record_empty(&thr->rec)) {
		unsigned int nblocked = 0;

		ck_epoch_barrier_wait(&thr->rec, rcu_gp_block, &nblocked);
	}
	t_in_cb = false;
	pthread_mutex_lock(&rcu_reg_lock);
	ck_epoch_unregister(&thr->rec);
	pthread_mutex_unlock(&rcu_reg_lock);
	pthread_mutex_unlock(&rcu_reclaim_lock);
	t_thr = NULL;
}

static void rcu_init(void)
{
	int rc;

	ck_epoch_init(&rcu_epoch);
	rc = pthread_key_create(&rcu_key, rcu_thread_exit);
	assert(rc == 0);
	(void)rc;
}

static void rcu_register_slow(void)
{
	struct rcu_thread *thr;
	ck_epoch_record_t *rec;
	void *mem;

	pthread_once(&rcu_once, rcu_init);
	pthread_mutex_lock(&rcu_reg_lock);
	rec = ck_epoch_recycle(&rcu_epoch, NULL);
	if (rec) {
		thr = (struct rcu_thread *)(void *)rec;
	} else {
		/* Not ukplat_malloc: registration must not fail by injection,
		 * and this memory is never given back (ck keeps records). */
		if (posix_memalign(&mem, _Alignof(struct rcu_thread),
				   sizeof(struct rcu_thread)) != 0)
			abort();
		thr = mem;
		ck_epoch_register(&rcu_epoch, &thr->rec, NULL);
		thr->next = rcu_threads;
		rcu_threads = thr;
	}
	pthread_mutex_unlock(&rcu_reg_lock);
	t_thr = thr;
	/* Also re-arms the destructor if another key's destructor uses RCU
	 * after ours ran. */
	pthread_setspecific(rcu_key, thr);
}

static inline ck_epoch_record_t *rcu_enter(void)
{
	if (UK_UNLIKELY(t_thr == NULL))
		rcu_register_slow();
	return &t_thr->rec;
}

/* ---- API ----------------------------------------------------------------- */

void uk_rcu_read_lock(void)
{
	ck_epoch_begin(rcu_enter(), NULL);
	t_depth++;
}

void uk_rcu_read_unlock(void)
{
	assert(t_depth > 0);
	t_depth--;
	uk_tsan_release(&rcu_gp_token);
	ck_epoch_end(&t_thr->rec, NULL);
}

bool uk_rcu_read_ongoing(void)
{
	return t_depth > 0;
}

void uk_rcu_synchronize(void)
{
	ck_stack_entry_t *lists[CK_EPOCH_LENGTH];
	unsigned int n;

	assert(t_depth == 0 && "uk_rcu_synchronize inside a read section");
	rcu_enter();
	if (t_in_cb || pthread_mutex_trylock(&rcu_reclaim_lock) != 0) {
		rcu_gp_wait();
		return;
	}
	t_in_cb = true;
	n = rcu_steal(t_thr, lists, 0);
	rcu_gp_wait();
	rcu_run_lists(lists, n);
	t_in_cb = false;
	pthread_mutex_unlock(&rcu_reclaim_lock);
}

static void rcu_poll(ck_epoch_record_t *rec)
{
	if (t_depth > 0 || t_in_cb ||
	    pthread_mutex_trylock(&rcu_reclaim_lock) != 0)
		return;
	t_in_cb = true;
	ck_epoch_poll(rec);
	t_in_cb = false;
	pthread_mutex_unlock(&rcu_reclaim_lock);
}

static void rcu_defer(struct uk_rcu_head *head, ck_epoch_cb_t *tramp)
{
	ck_epoch_record_t *rec = &t_thr->rec;

	/* Ordering 2: push and release inside our own read section. */
	uk_rcu_read_lock();
	ck_epoch_call_strict(rec, (ck_epoch_entry_t *)(void *)head->opaque,
			     tramp);
	uk_tsan_release(head);
	uk_rcu_read_unlock();
	if (++t_ncalls % RCU_POLL_EVERY == 0)
		rcu_poll(rec);
}

void uk_rcu_call(struct uk_rcu_head *head, void (*func)(struct uk_rcu_head *))
{
	rcu_enter();
	rcu_prep_call(head, func);
	rcu_defer(head, rcu_tramp_call);
}

void uk_rcu_free_deferred(void *ptr, struct uk_rcu_head *head)
{
	rcu_enter();
	rcu_prep_free(head, ptr);
	rcu_defer(head, rcu_tramp_free);
}

/*
 * Pop the lists of every record (lock order: reclaim, then reg), wait one
 * grace period per RCU_STEAL_MAX lists, run them. Records of exited threads
 * are empty (I4) but harmless to visit.
 */
void uk_rcu_barrier(void)
{
	ck_stack_entry_t *lists[RCU_STEAL_MAX];
	struct rcu_thread *thr;
	unsigned int n = 0;

	assert(t_depth == 0 && "uk_rcu_barrier inside a read section");
	assert(!t_in_cb && "uk_rcu_barrier from a callback");
	rcu_enter();
	pthread_mutex_lock(&rcu_reclaim_lock);
	t_in_cb = true;
	pthread_mutex_lock(&rcu_reg_lock);
	thr = rcu_threads;
	pthread_mutex_unlock(&rcu_reg_lock);
	for (; thr != NULL; thr = thr->next) {
		if (n + CK_EPOCH_LENGTH > RCU_STEAL_MAX) {
			rcu_gp_wait();
			rcu_run_lists(lists, n);
			n = 0;
		}
		n = rcu_steal(thr, lists, n);
	}
	if (n > 0) {
		rcu_gp_wait();
		rcu_run_lists(lists, n);
	}
	t_in_cb = false;
	pthread_mutex_unlock(&rcu_reclaim_lock);
	uk_tsan_acquire(&rcu_cb_token);
}

long uk_rcu_pending(void)
{
	return atomic_load_explicit(&rcu_npending, memory_order_acquire);
}

const char *uk_rcu_backend(void)
{
	return "ck_epoch";
}
