/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pieces shared by the two RCU backends (rcu_urcu.c, rcu_ck.c); exactly one
 * of them is compiled, so the statics below exist once per program.
 *
 * struct uk_rcu_head: opaque[] holds the backend's node (urcu's rcu_head or
 * ck's ck_epoch_entry, both two words), func the caller's callback. For
 * uk_rcu_free_deferred() func is not needed (the backend gets a dedicated
 * trampoline), so it stores the object pointer instead, as bytes.
 */
#ifndef UKPLAT_RCU_COMMON_H
#define UKPLAT_RCU_COMMON_H

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include <uk/plat.h>
#include "atomic.h"
#include "plat/tsan.h"

/* TSan token for "a read section ended" (see tsan.h). */
static char rcu_gp_token;
/* TSan token for "a deferred callback finished", acquired by barriers. */
static char rcu_cb_token;
/* Callbacks queued and not yet finished. */
static _Atomic(long) rcu_npending;

_Static_assert(offsetof(struct uk_rcu_head, opaque) == 0,
	       "backends map their node back to the head by a cast");
_Static_assert(sizeof(void *) == sizeof(void (*)(struct uk_rcu_head *)),
	       "uk_rcu_free_deferred keeps the object pointer in head->func");

/* Caller side of a deferral, before the head is handed to the backend.
 * The backend then does uk_tsan_release(head) once its last write to the
 * head is done and before the head can reach a callback. */
static inline void rcu_prep_call(struct uk_rcu_head *head,
				 void (*func)(struct uk_rcu_head *))
{
	head->func = func;
	uk_fetch_add_relaxed(&rcu_npending, 1);
}

static inline void rcu_prep_free(struct uk_rcu_head *head, void *ptr)
{
	memcpy(&head->func, &ptr, sizeof(ptr));
	uk_fetch_add_relaxed(&rcu_npending, 1);
}

static inline void rcu_cb_enter(struct uk_rcu_head *head)
{
	uk_tsan_acquire(&rcu_gp_token);
	uk_tsan_acquire(head);
}

/* The release pairs with the acquire load in uk_rcu_pending(): a caller
 * that sees the count drop also sees what the callback did. */
static inline void rcu_cb_exit(void)
{
	uk_tsan_release(&rcu_cb_token);
	atomic_fetch_sub_explicit(&rcu_npending, 1, memory_order_release);
}

static inline void rcu_run_call(struct uk_rcu_head *head)
{
	void (*func)(struct uk_rcu_head *);

	rcu_cb_enter(head);
	func = head->func;
	func(head);
	rcu_cb_exit();
}

static inline void rcu_run_free(struct uk_rcu_head *head)
{
	void *ptr;

	rcu_cb_enter(head);
	memcpy(&ptr, &head->func, sizeof(ptr));
	ukplat_free(ptr);
	rcu_cb_exit();
}

#endif /* UKPLAT_RCU_COMMON_H */
