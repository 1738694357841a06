/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The platform contract: everything the ukvmem core needs from its host.
 *
 * The core (src/vas except the file type, src/tree, src/pt, src/mm except
 * the host's physical memory, arch/) is freestanding C11: it includes only
 * this header, the compiler's freestanding headers and its own, and calls
 * nothing outside the ukplat_* and uk_rcu_* functions declared here and
 * memcpy/memset/memmove (tools/check-freestanding.sh enforces it). A kernel
 * that embeds ukvmem implements this header (its lock, its RCU or an epoch
 * scheme, its allocator, its per-CPU data, its TLB shootdown). On a Linux
 * host, src/plat/ implements it with pthreads, malloc and mmap, and the RCU
 * part with liburcu (memb flavor) or ConcurrencyKit's ck_epoch, picked at
 * build time.
 *
 * Call contexts. Every function below says from which of these the core
 * calls it (and so which a platform must support):
 *   THREAD  a thread (or a kernel's CPU running ordinary code) with
 *           interrupts enabled, outside every RCU read section: may sleep,
 *           may wait for other CPUs and for grace periods.
 *   FAULT   the page-fault path (uk_vas_fault from an exception handler
 *           with interrupts enabled); it is THREAD outside its read
 *           section and READ inside. A kernel that resolves faults with
 *           interrupts disabled must make every function marked FAULT work
 *           there too: a mutex that spins instead of sleeping, an
 *           allocator and cache slots that never sleep.
 *   READ    inside an RCU read section: may take a lock that its holder
 *           keeps for a bounded time without waiting for a grace period,
 *           and may spin; must never wait for a grace period.
 *   ANY     also with interrupts disabled: never sleeps, never waits for
 *           another CPU, takes no lock.
 * The core never calls a THREAD-only function from READ or FAULT, and
 * nothing but ANY functions with interrupts disabled. See docs/design.md,
 * "The platform contract".
 *
 * Any thread may call any function here without registering first: the
 * host's backends register a thread lazily on first use and unregister it
 * when it exits.
 */
#ifndef UK_PLAT_H
#define UK_PLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uk/vmem_types.h>

/* ---- Mutual exclusion -------------------------------------------------- */

/*
 * A sleeping mutex that knows its owner, so `_locked` functions can assert.
 * The core sees opaque storage; each platform keeps its own lock in it (the
 * host: a pthread mutex and the owner's id) and checks with a
 * _Static_assert that it fits. Opaque storage rather than a type from a
 * per-platform header keeps every struct of the public headers (struct
 * uk_vas embeds a mutex) the same on every platform, so the core and its
 * freestanding check build from one set of headers. There is no static
 * initializer: every mutex goes through ukplat_mutex_init (the one global
 * lock of the core is initialised through a once flag made of atomics).
 *
 * Contexts: init/destroy THREAD. lock/unlock THREAD, FAULT and READ: the
 * frame allocator's and the tree node cache's locks are taken inside read
 * sections (held for a bounded time, never across a grace period); the VAS
 * lock is taken only outside them. Never with interrupts disabled.
 * Not recursive.
 */
#define UK_MUTEX_SIZE 64
#define UK_MUTEX_ALIGN 16
struct uk_mutex {
	_Alignas(UK_MUTEX_ALIGN) unsigned char opaque[UK_MUTEX_SIZE];
};

void ukplat_mutex_init(struct uk_mutex *mtx);
void ukplat_mutex_destroy(struct uk_mutex *mtx);
void ukplat_mutex_lock(struct uk_mutex *mtx);
void ukplat_mutex_unlock(struct uk_mutex *mtx);
/* True when the calling context holds @mtx (for assertions only). ANY. */
bool ukplat_mutex_held(struct uk_mutex *mtx);

/* A non-zero id unique among live threads (host; the core does not call
 * it, a kernel need not provide it). */
uintptr_t ukplat_thread_id(void);

/* Body of a spin-wait loop (the frame caches' flag lock, once flags):
 * pause, or yield the CPU to another thread (the host: sched_yield; a
 * kernel whose threads can be preempted while holding such a flag should
 * yield too, or the spinner waits for the next preemption). ANY; must not
 * wait for anything itself. */
void ukplat_cpu_relax(void);

/* ---- Failure ------------------------------------------------------------ */

/* An invariant of the core broke: report @file:@line and @msg, then stop
 * (the host: print to stderr and abort; a kernel: panic). ANY. */
__attribute__((noreturn)) void ukplat_panic(const char *file, unsigned int line,
					    const char *msg);

/* The core's assert: checked unless NDEBUG (debug and debugoptimized
 * builds), like assert(3), but through ukplat_panic. */
#ifndef NDEBUG
#define UK_ASSERT(x)                                                           \
	((x) ? (void)0 : ukplat_panic(__FILE__, __LINE__, "assertion failed: " #x))
#else
#define UK_ASSERT(x) ((void)sizeof(!(x)))
#endif

/* ---- RCU ----------------------------------------------------------------
 *
 * Read sections nest and never block a writer for longer than the section.
 * A grace period (uk_rcu_synchronize) returns only after every read section
 * that was running when it started has ended; everything a reader did in
 * that section happens before synchronize returns (also for ThreadSanitizer:
 * backends annotate the edge). Deferred callbacks run after a grace period,
 * on an unspecified thread. Never call uk_rcu_synchronize or uk_rcu_barrier
 * inside a read section or from a callback.
 *
 * Contexts: read_lock, read_unlock, read_ongoing: ANY (a kernel's fault
 * handler may run with interrupts disabled around its section).
 * synchronize, barrier: THREAD only (they wait). call, free_deferred:
 * THREAD, FAULT and READ; they never wait and never fail. pending,
 * backend: ANY.
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

/* ---- Memory allocation for metadata (VMAs, tree nodes, records) -------
 *
 * Contexts: THREAD, FAULT and READ (a context's frame cache is allocated on
 * its first frame allocation, which may be a fault inside its read
 * section): may take a lock held for a bounded time, never waits for a
 * grace period. NULL when out of memory (and when fault injection fails
 * UK_INJECT_META). free: same contexts.
 */

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
/* ANY (the core asks at every allocation site). A kernel without fault
 * injection returns false; the other three are for tests only. */
bool ukplat_inject_fail(enum uk_inject_site site);
void ukplat_inject_arm(enum uk_inject_site site, unsigned long kth);
/* Calls seen at @site since the last arm (to size fault-injection loops).
 * Counting starts with the first ukplat_inject_arm() of the process (until
 * then ukplat_inject_fail() is a single relaxed load); arming @site with 0
 * resets its count without arming it. */
unsigned long ukplat_inject_calls(enum uk_inject_site site);
/* Disarm every site, zero every count and stop counting. */
void ukplat_inject_reset(void);

/* ---- Large metadata ----------------------------------------------------
 *
 * Zero-filled memory of @len bytes (a multiple of PAGE_SIZE), PAGE_SIZE
 * aligned, for metadata too large for ukplat_malloc: the frame allocator's
 * bitmaps (unless the caller hands memory in, uk_falloc_create_in) and the
 * validator's scratch list. NULL when out of memory. Not subject to fault
 * injection. THREAD; may sleep. The host maps it lazily with mmap.
 */
void *ukplat_pages_alloc(__sz len);
void ukplat_pages_free(void *ptr, __sz len);

/* ---- Per-context words --------------------------------------------------
 *
 * A few pointers the core keeps per execution context: per thread where
 * threads may sleep and migrate (the host; a kernel keeps them in its
 * thread structure), or per CPU in a kernel that runs one context per CPU.
 * A page-fault handler sees the words of the context it interrupted.
 * Initially NULL. get/set: ANY, and fast (the fault path reads them).
 */
enum ukplat_ctx_word {
	UKPLAT_CTX_ACTIVE_VAS, /* uk_vas_get_active / uk_vas_set_active */
	UKPLAT_CTX_PT_RESERVE, /* the writer's table-page reserve (src/pt) */
	UKPLAT_CTX_PAGING_OFF, /* software MMU: demand paging disabled */
	UKPLAT_CTX_TLB_GATHER, /* the writer's active TLB gather (src/pt) */
	UKPLAT_CTX_NWORDS
};
void *ukplat_ctx_get(enum ukplat_ctx_word w);
void ukplat_ctx_set(enum ukplat_ctx_word w, void *val);

/* ---- Cache slots ---------------------------------------------------------
 *
 * A slot holds one pointer per thread (the host) or per CPU (a kernel: the
 * platform's choice); the frame allocator keeps its per-thread/per-CPU
 * single-frame caches in one slot per allocator. The core never assumes
 * that a value is its context's alone: with per-CPU slots, threads of one
 * CPU share it, and a thread that migrates after ukplat_slot_get keeps
 * using the old CPU's value; the core guards what it keeps in a slot with
 * its own lock, and keeps every value it installed in its own list too.
 *
 * create: THREAD. @dtor, where contexts end (threads exit), runs in the
 * ending context with its non-NULL value; a platform whose contexts never
 * end (CPUs) never calls it. Returns 0, or -ENOMEM when the platform has no
 * slot left (the core then works without caches). The storage is the
 * platform's.
 * delete: THREAD, only when no context uses the slot any more; no dtor runs
 * after it (the core frees what it installed itself).
 * get: FAULT, READ, THREAD; the calling context's value or NULL.
 * install: FAULT, READ, THREAD; stores @val if the calling context's value
 * is NULL and returns the value afterwards: @val, or the one found (the
 * caller then frees @val and uses that one), or NULL when the platform
 * cannot store it (the caller frees @val and goes without). One atomic
 * step, so a context that migrated between get and install cannot
 * overwrite another's value.
 */
struct ukplat_slot {
	uintptr_t opaque[2];
};
int ukplat_slot_create(struct ukplat_slot *slot, void (*dtor)(void *val));
void ukplat_slot_delete(struct ukplat_slot *slot);
void *ukplat_slot_get(const struct ukplat_slot *slot);
void *ukplat_slot_install(const struct ukplat_slot *slot, void *val);

#endif /* UK_PLAT_H */
