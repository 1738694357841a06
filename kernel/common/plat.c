/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The platform ukvmem runs on in this kernel (include/uk/plat.h), except
 * RCU (rcu.c) and the TLB hook (tlb.c).
 *
 * One execution context per CPU: there is no scheduler, so the per-context
 * words and the cache slots are per CPU, and a fault handler runs in the
 * context of the code it interrupted (the same CPU). Mutexes halt while
 * they wait (kmutex.c). Metadata comes from the kernel heap.
 */
#include <uk/plat.h>
#include "kernel.h"
#include "kmutex.h"

_Static_assert(sizeof(struct kmutex) <= UK_MUTEX_SIZE &&
		       _Alignof(struct kmutex) <= UK_MUTEX_ALIGN,
	       "struct uk_mutex holds a kmutex");

static struct kmutex *km(struct uk_mutex *m)
{
	return (struct kmutex *)(void *)m->opaque;
}

void ukplat_mutex_init(struct uk_mutex *mtx)
{
	kmutex_init(km(mtx));
}

void ukplat_mutex_destroy(struct uk_mutex *mtx)
{
	KASSERT(!km(mtx)->locked);
}

void ukplat_mutex_lock(struct uk_mutex *mtx)
{
	kmutex_lock(km(mtx));
}

void ukplat_mutex_unlock(struct uk_mutex *mtx)
{
	kmutex_unlock(km(mtx));
}

bool ukplat_mutex_held(struct uk_mutex *mtx)
{
	return kmutex_held(km(mtx));
}

uintptr_t ukplat_thread_id(void)
{
	return karch_cpu_id() + 1;
}

void ukplat_cpu_relax(void)
{
	karch_cpu_relax();
}

void ukplat_panic(const char *file, unsigned int line, const char *msg)
{
	kpanic("ukvmem: %s (%s:%u)", msg, file, line);
}

/* ---- Metadata ------------------------------------------------------------ */

void *ukplat_malloc(size_t size)
{
	return kheap_alloc(size, 16);
}

void *ukplat_calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return NULL;
	p = kheap_alloc(n * size, 16);
	if (p)
		__builtin_memset(p, 0, n * size);
	return p;
}

void *ukplat_aligned_alloc(size_t align, size_t size)
{
	return kheap_alloc(size, align);
}

void ukplat_free(void *ptr)
{
	kheap_free(ptr);
}

void *ukplat_pages_alloc(__sz len)
{
	void *p = kheap_alloc(len, PAGE_SIZE);

	if (p)
		__builtin_memset(p, 0, len);
	return p;
}

void ukplat_pages_free(void *ptr, __sz len)
{
	(void)len;
	kheap_free(ptr);
}

/* ---- Fault injection: none in the kernel ------------------------------ */

bool ukplat_inject_fail(enum uk_inject_site site)
{
	(void)site;
	return false;
}

void ukplat_inject_arm(enum uk_inject_site site, unsigned long kth)
{
	(void)site;
	(void)kth;
}

unsigned long ukplat_inject_calls(enum uk_inject_site site)
{
	(void)site;
	return 0;
}

void ukplat_inject_reset(void)
{
}

/* ---- Per-CPU context words and cache slots ------------------------------ */

#define KMAX_SLOTS 8

static void *ctx_words[KMAX_CPUS][UKPLAT_CTX_NWORDS];
static void *slot_vals[KMAX_CPUS][KMAX_SLOTS];
static unsigned int slots_used;

void *ukplat_ctx_get(enum ukplat_ctx_word w)
{
	return ctx_words[karch_cpu_id()][w];
}

void ukplat_ctx_set(enum ukplat_ctx_word w, void *val)
{
	ctx_words[karch_cpu_id()][w] = val;
}

/* CPUs never end, so @dtor is never called. A deleted slot's index is not
 * reused (KMAX_SLOTS is plenty for the allocators a kernel creates). */
int ukplat_slot_create(struct ukplat_slot *slot, void (*dtor)(void *val))
{
	unsigned int i = __atomic_fetch_add(&slots_used, 1, __ATOMIC_RELAXED);

	(void)dtor;
	if (i >= KMAX_SLOTS)
		return -12; /* -ENOMEM */
	for (unsigned int c = 0; c < KMAX_CPUS; c++)
		__atomic_store_n(&slot_vals[c][i], NULL, __ATOMIC_RELAXED);
	slot->opaque[0] = i;
	return 0;
}

void ukplat_slot_delete(struct ukplat_slot *slot)
{
	(void)slot;
}

void *ukplat_slot_get(const struct ukplat_slot *slot)
{
	return __atomic_load_n(&slot_vals[karch_cpu_id()][slot->opaque[0]],
			       __ATOMIC_ACQUIRE);
}

void *ukplat_slot_install(const struct ukplat_slot *slot, void *val)
{
	void *expected = NULL;
	void **p = &slot_vals[karch_cpu_id()][slot->opaque[0]];

	if (__atomic_compare_exchange_n(p, &expected, val, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return val;
	return expected;
}
