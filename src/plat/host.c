/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host services on Linux: an owner-tracking mutex, thread ids, spin-wait
 * relax, panic, metadata allocation through malloc and mmap, and the
 * TLB-flush hook.
 *
 * Design:
 *  - struct uk_mutex's opaque storage holds a struct host_mutex: a default
 *    pthread mutex and its holder in an atomic word. Invariant: owner == ukplat_thread_id() of the holder while
 *    it is held, 0 otherwise. The owner word is written only by the holder
 *    (after lock, before unlock), so relaxed accesses suffice: a thread
 *    compares it with its own id, and only it can have stored that id. The
 *    pthread mutex gives all the ordering the protected data needs.
 *  - ukplat_thread_id() is the address of a thread-local byte: non-zero and
 *    unique among live threads (it may be reused after a thread exits).
 *  - Allocators ask ukplat_inject_fail(UK_INJECT_META) first, so tests can
 *    make any metadata allocation fail.
 *  - The TLB hook is an atomic function pointer (release on set, acquire on
 *    call, so a hook's own initialisation is visible to flushing threads);
 *    every ukplat_tlb_flush() call is checked against the contract of
 *    plat.h (outside read sections, well-formed request; abort otherwise)
 *    and counted, whether a hook is set or not.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include <uk/plat.h>
#include "atomic.h"

/* ---- Mutex --------------------------------------------------------------- */

struct host_mutex {
	pthread_mutex_t m;
	_Atomic(uintptr_t) owner; /* ukplat_thread_id() of holder, 0 if free */
};

_Static_assert(sizeof(struct host_mutex) <= UK_MUTEX_SIZE,
	       "the host mutex fits struct uk_mutex");
_Static_assert(_Alignof(struct host_mutex) <= UK_MUTEX_ALIGN,
	       "struct uk_mutex is aligned enough for the host mutex");

static struct host_mutex *hm(struct uk_mutex *mtx)
{
	return (struct host_mutex *)(void *)mtx->opaque;
}

void ukplat_mutex_init(struct uk_mutex *umtx)
{
	struct host_mutex *mtx = hm(umtx);
	int rc = pthread_mutex_init(&mtx->m, NULL);

	assert(rc == 0);
	(void)rc;
	atomic_init(&mtx->owner, 0);
}

void ukplat_mutex_destroy(struct uk_mutex *umtx)
{
	struct host_mutex *mtx = hm(umtx);

	assert(uk_load_relaxed(&mtx->owner) == 0);
	pthread_mutex_destroy(&mtx->m);
}

void ukplat_mutex_lock(struct uk_mutex *umtx)
{
	struct host_mutex *mtx = hm(umtx);
	uintptr_t self = ukplat_thread_id();

	/* Not recursive: relocking would deadlock below. */
	assert(uk_load_relaxed(&mtx->owner) != self);
	pthread_mutex_lock(&mtx->m);
	uk_store_relaxed(&mtx->owner, self);
}

void ukplat_mutex_unlock(struct uk_mutex *umtx)
{
	struct host_mutex *mtx = hm(umtx);

	assert(uk_load_relaxed(&mtx->owner) == ukplat_thread_id());
	uk_store_relaxed(&mtx->owner, (uintptr_t)0);
	pthread_mutex_unlock(&mtx->m);
}

bool ukplat_mutex_held(struct uk_mutex *umtx)
{
	struct host_mutex *mtx = hm(umtx);

	return uk_load_relaxed(&mtx->owner) == ukplat_thread_id();
}

uintptr_t ukplat_thread_id(void)
{
	static _Thread_local char anchor;

	return (uintptr_t)&anchor;
}

void ukplat_cpu_relax(void)
{
	sched_yield();
}

void ukplat_panic(const char *file, unsigned int line, const char *msg)
{
	fprintf(stderr, "ukvmem: %s:%u: %s\n", file, line, msg);
	abort();
}

/* ---- Metadata allocation ------------------------------------------------- */

void *ukplat_malloc(size_t size)
{
	if (ukplat_inject_fail(UK_INJECT_META))
		return NULL;
	return malloc(size);
}

void *ukplat_calloc(size_t n, size_t size)
{
	if (ukplat_inject_fail(UK_INJECT_META))
		return NULL;
	return calloc(n, size);
}

void *ukplat_aligned_alloc(size_t align, size_t size)
{
	void *p;

	assert(align != 0 && (align & (align - 1)) == 0);
	assert(align % sizeof(void *) == 0);
	if (ukplat_inject_fail(UK_INJECT_META))
		return NULL;
	if (posix_memalign(&p, align, size ? size : 1) != 0)
		return NULL;
	return p;
}

void ukplat_free(void *ptr)
{
	free(ptr);
}

/* Zero-filled and lazily backed: untouched pages cost nothing. */
void *ukplat_pages_alloc(__sz len)
{
	void *p;

	assert(len && len % PAGE_SIZE == 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void ukplat_pages_free(void *ptr, __sz len)
{
	if (ptr)
		munmap(ptr, len);
}

/* ---- TLB maintenance ----------------------------------------------------- */

static _Atomic(ukplat_tlb_flush_fn) tlb_flush_fn;
static _Atomic(unsigned long) tlb_flush_calls;
static _Atomic(unsigned long) tlb_flush_local_calls;

/* The contract of plat.h, checked on every call whatever the build type:
 * a kernel's shootdown from inside a read section (or with a bogus range)
 * would deadlock or miss entries, so the host refuses loudly. */
static const char *tlb_req_error(const struct uk_tlb_flush_req *req)
{
	if (uk_rcu_read_ongoing())
		return "called inside an RCU read section";
	if (!req || !req->pt)
		return "no request or no page table";
	if (!PAGE_ALIGNED(req->start) || !req->len || !PAGE_ALIGNED(req->len) ||
	    req->start + req->len < req->start)
		return "range not page aligned, empty or wrapping";
	if (req->level > PAGE_MAX_LEVEL)
		return "level beyond the largest leaf";
	if (req->flags & ~UK_TLB_FLUSH_TABLES)
		return "unknown flags";
	return NULL;
}

void ukplat_tlb_flush(const struct uk_tlb_flush_req *req)
{
	const char *err = tlb_req_error(req);
	ukplat_tlb_flush_fn fn;

	if (err) {
		fprintf(stderr, "ukplat_tlb_flush: %s\n", err);
		abort();
	}
	fn = uk_load_acquire(&tlb_flush_fn);
	uk_fetch_add_relaxed(&tlb_flush_calls, 1);
	if (fn)
		fn(req);
}

void ukplat_tlb_flush_local(struct uk_pagetable *pt, __vaddr_t va,
			    unsigned int level)
{
	/* The host has no TLB; any context is fine, so nothing to check. */
	(void)pt;
	(void)va;
	(void)level;
	uk_fetch_add_relaxed(&tlb_flush_local_calls, 1);
}

/* NULL restores the default (count only). */
void ukplat_set_tlb_flush(ukplat_tlb_flush_fn fn)
{
	uk_store_release(&tlb_flush_fn, fn);
}

unsigned long ukplat_tlb_flush_count(void)
{
	return uk_load_relaxed(&tlb_flush_calls);
}

unsigned long ukplat_tlb_flush_local_count(void)
{
	return uk_load_relaxed(&tlb_flush_local_calls);
}
