/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RCU backend on liburcu's memb flavor (membarrier-based, any thread may
 * read after registering).
 *
 * Licence: liburcu is LGPL-2.1. We are BSD-3-Clause, so this file does NOT
 * define _LGPL_SOURCE: the read-side fast paths are called as library
 * functions (10-12 ns per section here) instead of being inlined from
 * liburcu's LGPL static headers into our objects. Do not change that without
 * a licence review.
 *
 * Design:
 *  - Lazy registration. liburcu wants urcu_memb_register_thread() before a
 *    thread reads, calls call_rcu (it takes a read lock internally to pick a
 *    call_rcu_data) or rcu_barrier. rcu_enter() registers the calling thread
 *    on its first read_lock / call / synchronize / barrier and sets a
 *    pthread key whose destructor unregisters it when the thread exits.
 *    liburcu's own call_rcu worker is already registered; the callback
 *    trampoline marks it (t_urcu_thread) so a callback may use the API
 *    without registering twice.
 *  - Nesting is liburcu's; t_depth mirrors it for uk_rcu_read_ongoing() and
 *    for the exit destructor, which closes sections a thread left open.
 *  - Deferred callbacks go through urcu_memb_call_rcu() with one of two
 *    trampolines (user callback or uk_rcu_free_deferred); uk_rcu_barrier()
 *    is urcu_memb_barrier().
 *
 * Orderings (liburcu provides them; annotations tell TSan, see tsan.h):
 *  1. Everything a reader did in a section happens before a grace period
 *     that the section overlapped ends: release(&rcu_gp_token) before each
 *     read-unlock, acquire after urcu_memb_synchronize_rcu().
 *  2. Everything before uk_rcu_call() happens before the callback:
 *     release(head) before call_rcu, acquire(head) in the trampoline, which
 *     also acquires the grace-period token (1).
 *  3. A callback happens before the uk_rcu_barrier() that waited for it:
 *     release(&rcu_cb_token) after the callback, acquire after the barrier.
 */
#include <assert.h>
#include <stdlib.h>

#include <urcu/urcu-memb.h>

#include "plat/rcu_common.h"

_Static_assert(sizeof(struct rcu_head) <= sizeof(((struct uk_rcu_head *)0)->opaque),
	       "urcu rcu_head must fit in uk_rcu_head.opaque");
_Static_assert(_Alignof(struct rcu_head) <= _Alignof(struct uk_rcu_head),
	       "urcu rcu_head alignment");

static pthread_once_t rcu_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t rcu_key;
static _Thread_local bool t_registered;
static _Thread_local bool t_urcu_thread; /* liburcu's call_rcu worker */
static _Thread_local unsigned int t_depth;

static void rcu_thread_exit(void *arg)
{
	(void)arg;
	/* A thread that exits inside a read section would block every
	 * grace period forever; close its sections. */
	while (t_depth > 0) {
		t_depth--;
		uk_tsan_release(&rcu_gp_token);
		urcu_memb_read_unlock();
	}
	if (t_registered) {
		t_registered = false;
		urcu_memb_unregister_thread();
	}
}

static void rcu_key_create(void)
{
	int rc = pthread_key_create(&rcu_key, rcu_thread_exit);

	assert(rc == 0);
	(void)rc;
}

static void rcu_register_slow(void)
{
	pthread_once(&rcu_key_once, rcu_key_create);
	urcu_memb_register_thread();
	t_registered = true;
	/* Non-NULL so the destructor runs. Also re-arms it when another
	 * key's destructor uses RCU after ours ran. */
	pthread_setspecific(rcu_key, &t_registered);
}

static inline void rcu_enter(void)
{
	if (UK_UNLIKELY(!t_registered && !t_urcu_thread))
		rcu_register_slow();
}

void uk_rcu_read_lock(void)
{
	rcu_enter();
	urcu_memb_read_lock();
	t_depth++;
}

void uk_rcu_read_unlock(void)
{
	assert(t_depth > 0);
	t_depth--;
	uk_tsan_release(&rcu_gp_token);
	urcu_memb_read_unlock();
}

bool uk_rcu_read_ongoing(void)
{
	return t_depth > 0;
}

void uk_rcu_synchronize(void)
{
	assert(t_depth == 0 && "uk_rcu_synchronize inside a read section");
	rcu_enter();
	urcu_memb_synchronize_rcu();
	uk_tsan_acquire(&rcu_gp_token);
}

static void rcu_tramp_call(struct rcu_head *rh)
{
	t_urcu_thread = true;
	rcu_run_call((struct uk_rcu_head *)(void *)rh);
}

static void rcu_tramp_free(struct rcu_head *rh)
{
	t_urcu_thread = true;
	rcu_run_free((struct uk_rcu_head *)(void *)rh);
}

void uk_rcu_call(struct uk_rcu_head *head, void (*func)(struct uk_rcu_head *))
{
	rcu_enter();
	rcu_prep_call(head, func);
	uk_tsan_release(head);
	urcu_memb_call_rcu((struct rcu_head *)(void *)head->opaque,
			   rcu_tramp_call);
}

void uk_rcu_free_deferred(void *ptr, struct uk_rcu_head *head)
{
	rcu_enter();
	rcu_prep_free(head, ptr);
	uk_tsan_release(head);
	urcu_memb_call_rcu((struct rcu_head *)(void *)head->opaque,
			   rcu_tramp_free);
}

void uk_rcu_barrier(void)
{
	assert(t_depth == 0 && "uk_rcu_barrier inside a read section");
	rcu_enter();
	urcu_memb_barrier();
	uk_tsan_acquire(&rcu_cb_token);
}

long uk_rcu_pending(void)
{
	return atomic_load_explicit(&rcu_npending, memory_order_acquire);
}

const char *uk_rcu_backend(void)
{
	return "urcu-memb";
}
