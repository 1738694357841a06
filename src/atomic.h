/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The only way the core touches shared memory concurrently: C11 atomics
 * named by their ordering, so each call site says what it pairs with and
 * ThreadSanitizer understands every edge.
 */
#ifndef UK_ATOMIC_H
#define UK_ATOMIC_H

#include <stdatomic.h>
#include <stdbool.h>

#define uk_load_relaxed(p) atomic_load_explicit((p), memory_order_relaxed)
#define uk_load_acquire(p) atomic_load_explicit((p), memory_order_acquire)
#define uk_store_relaxed(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)
#define uk_store_release(p, v) atomic_store_explicit((p), (v), memory_order_release)
#define uk_xchg_acq_rel(p, v) atomic_exchange_explicit((p), (v), memory_order_acq_rel)
#define uk_fetch_add_relaxed(p, v) atomic_fetch_add_explicit((p), (v), memory_order_relaxed)
#define uk_fetch_sub_relaxed(p, v) atomic_fetch_sub_explicit((p), (v), memory_order_relaxed)
#define uk_fetch_add_acq_rel(p, v) atomic_fetch_add_explicit((p), (v), memory_order_acq_rel)
#define uk_fetch_or_acq_rel(p, v) atomic_fetch_or_explicit((p), (v), memory_order_acq_rel)
#define uk_fetch_and_acq_rel(p, v) atomic_fetch_and_explicit((p), (v), memory_order_acq_rel)
/* Strong CAS; on failure *expected gets the current value (acquire). */
#define uk_cas_acq_rel(p, expected, desired)                                   \
	atomic_compare_exchange_strong_explicit((p), (expected), (desired),    \
						memory_order_acq_rel,          \
						memory_order_acquire)
#define uk_fence_seq_cst() atomic_thread_fence(memory_order_seq_cst)

/* Publish an RCU-protected pointer / read one inside a read section. */
#define uk_rcu_assign(p, v) uk_store_release((p), (v))
#define uk_rcu_deref(p) uk_load_acquire(p)

#define UK_CACHELINE 64
#define __uk_cacheline_aligned __attribute__((aligned(UK_CACHELINE)))

#define UK_LIKELY(x) __builtin_expect(!!(x), 1)
#define UK_UNLIKELY(x) __builtin_expect(!!(x), 0)

#endif /* UK_ATOMIC_H */
