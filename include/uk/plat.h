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
 * The core asks for a flush once per operation (an unmap, a REPLACE, a
 * set_attr, a DONTNEED, the stale tables a large-page map drops), never per
 * page: the page-table layer gathers the range, the largest leaf level and
 * whether table pages were unlinked, then makes one request before any
 * frame or table page of the range is handed to RCU. So no frame or table
 * page is reused before every CPU dropped its translations.
 *
 * Call context of ukplat_tlb_flush (the core keeps it): a writer holding
 * the VAS lock (or the only user of a page table), outside every RCU read
 * section, interrupts enabled; it may sleep or wait for other CPUs. A
 * kernel's shootdown waits for the other CPUs' acknowledgements; those CPUs
 * must be able to take the IPI, which is why the core never asks from a
 * read section or from a fault (see docs/design.md, "TLB contract").
 */
struct uk_pagetable;

/* Table pages were unlinked: drop paging-structure (walk) caches too. */
#define UK_TLB_FLUSH_TABLES 0x1U

struct uk_tlb_flush_req {
	struct uk_pagetable *pt; /* the address space (a kernel: ASID/PCID) */
	__vaddr_t start;         /* page aligned */
	__sz len;                /* > 0, a multiple of the page size */
	unsigned int level;      /* largest leaf level in the range (0: 4K,
				  * 1: 2M, 2: 1G) */
	unsigned int flags;      /* UK_TLB_FLUSH_* */
};

/* Synchronous: returns only after every CPU that may cache a translation
 * of @req->pt in the range has dropped it. */
void ukplat_tlb_flush(const struct uk_tlb_flush_req *req);

/* This CPU only, any context (also inside a read section, interrupts off):
 * drop a possibly cached entry for @va of @level after its rights were
 * raised or a fault found it already usable (arm64 may keep an entry that
 * faulted; x86 needs nothing, the #PF dropped it, but may invlpg). Never
 * waits for other CPUs. */
void ukplat_tlb_flush_local(struct uk_pagetable *pt, __vaddr_t va,
			    unsigned int level);

/* Host platform only (tests): the hook ukplat_tlb_flush calls after its
 * checks (NULL: count only), and the number of calls since start. The
 * host's ukplat_tlb_flush aborts with a message when called inside an RCU
 * read section or with a malformed request, whatever hook is set. */
typedef void (*ukplat_tlb_flush_fn)(const struct uk_tlb_flush_req *req);
void ukplat_set_tlb_flush(ukplat_tlb_flush_fn fn);
unsigned long ukplat_tlb_flush_count(void);
unsigned long ukplat_tlb_flush_local_count(void);

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
