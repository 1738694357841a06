/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The platform contract: everything the ukvmem core needs from its host.
 *
 * A kernel that embeds ukvmem provides these functions (spinlock or sleeping
 * mutex, its RCU or an epoch scheme, its allocator, its TLB shootdown). On a
 * Linux host, src/plat/ implements them with pthreads and malloc, and src/rcu/
 * with liburcu (memb flavor) or ConcurrencyKit's ck_epoch, picked at build
 * time. No other file of the core talks to the host directly.
 *
 * Any thread may call any function here without registering first: backends
 * register a thread lazily on first use and unregister it when it exits.
 */
#ifndef UK_PLAT_H
#define UK_PLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <uk/vmem_types.h>

/* ---- Mutual exclusion -------------------------------------------------- */

/* A sleeping mutex that knows its owner, so `_locked` functions can assert. */
struct uk_mutex {
	pthread_mutex_t m;
	_Atomic(uintptr_t) owner; /* ukplat_thread_id() of holder, 0 if free */
};

void ukplat_mutex_init(struct uk_mutex *mtx);
void ukplat_mutex_destroy(struct uk_mutex *mtx);
void ukplat_mutex_lock(struct uk_mutex *mtx);
void ukplat_mutex_unlock(struct uk_mutex *mtx);
/* True when the calling thread holds @mtx (for assertions only). */
bool ukplat_mutex_held(struct uk_mutex *mtx);

/* A non-zero id unique among live threads. */
uintptr_t ukplat_thread_id(void);

/* ---- RCU ----------------------------------------------------------------
 *
 * Read sections nest and never block a writer for longer than the section.
 * A grace period (uk_rcu_synchronize) returns only after every read section
 * that was running when it started has ended; everything a reader did in
 * that section happens before synchronize returns (also for ThreadSanitizer:
 * backends annotate the edge). Deferred callbacks run after a grace period,
 * on an unspecified thread. Never call uk_rcu_synchronize or uk_rcu_barrier
 * inside a read section or from a callback.
 */
struct uk_rcu_head {
	uintptr_t opaque[2]; /* backend's own link (cds_wfcq node, ck stack) */
	void (*func)(struct uk_rcu_head *head);
};

void uk_rcu_read_lock(void);
void uk_rcu_read_unlock(void);
/* True when the calling thread is inside a read section (debug aid). */
bool uk_rcu_read_ongoing(void);
void uk_rcu_synchronize(void);
/* Run @func(@head) after a grace period. Never fails. */
void uk_rcu_call(struct uk_rcu_head *head, void (*func)(struct uk_rcu_head *));
/* Wait until every callback queued before this call has run. */
void uk_rcu_barrier(void);
/* Callbacks queued but not yet run (for accounting checks). */
long uk_rcu_pending(void);
/* Name of the compiled-in backend: "urcu-memb" or "ck_epoch". */
const char *uk_rcu_backend(void);

/* Free @ptr with ukplat_free after a grace period. */
void uk_rcu_free_deferred(void *ptr, struct uk_rcu_head *head);

/* ---- Memory allocation for metadata (VMAs, tree nodes, records) ------- */

void *ukplat_malloc(size_t size);
void *ukplat_calloc(size_t n, size_t size);
/* @align is a power of two and a multiple of sizeof(void *). */
void *ukplat_aligned_alloc(size_t align, size_t size);
void ukplat_free(void *ptr);

/* ---- TLB maintenance ---------------------------------------------------
 *
 * Called after PTEs in [vaddr, vaddr + len) of @pt were cleared or lost
 * rights, before the frames or tables they pointed to are handed to RCU.
 * A kernel shoots down remote TLBs here; the host has no TLB, so the hook
 * defaults to counting calls. Replace it with ukplat_set_tlb_flush().
 */
struct uk_pagetable;
typedef void (*ukplat_tlb_flush_fn)(struct uk_pagetable *pt, __vaddr_t vaddr,
				    __sz len);
void ukplat_tlb_flush(struct uk_pagetable *pt, __vaddr_t vaddr, __sz len);
void ukplat_set_tlb_flush(ukplat_tlb_flush_fn fn);
unsigned long ukplat_tlb_flush_count(void);

/* ---- Fault injection (tests) -------------------------------------------
 *
 * Every allocation site in the core calls ukplat_inject_fail(site) first and
 * fails with -ENOMEM when it returns true. Tests arm a site to fail on its
 * k-th call (counting from 1) with ukplat_inject_arm(); 0 disarms. Arming
 * UK_INJECT_ANY fails the k-th allocation of any kind.
 */
enum uk_inject_site {
	UK_INJECT_ANY = 0,
	UK_INJECT_META,   /* ukplat_malloc / calloc / aligned_alloc */
	UK_INJECT_FRAME,  /* frame allocator */
	UK_INJECT_PTPAGE, /* page-table page */
	UK_INJECT_FILE,   /* file read for a file mapping */
	UK_INJECT_NSITES
};
bool ukplat_inject_fail(enum uk_inject_site site);
void ukplat_inject_arm(enum uk_inject_site site, unsigned long kth);
/* Calls seen at @site since the last arm (to size fault-injection loops).
 * Counting starts with the first ukplat_inject_arm() of the process (until
 * then ukplat_inject_fail() is a single relaxed load); arming @site with 0
 * resets its count without arming it. */
unsigned long ukplat_inject_calls(enum uk_inject_site site);
/* Disarm every site, zero every count and stop counting. */
void ukplat_inject_reset(void);

#endif /* UK_PLAT_H */
