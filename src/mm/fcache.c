/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-thread single-frame caches ("magazines") in front of the buddy.
 *
 * Algorithm
 *   Each thread that allocates or frees single frames gets, per allocator,
 *   a cache: a stack of up to MM_FCACHE_MAX frame numbers. Allocation pops
 *   the most recently freed (cache-hot) frame; an empty cache first takes
 *   MM_FCACHE_BATCH frames from the buddy under one hold of its mutex. A
 *   free pushes; a full cache first returns its MM_FCACHE_BATCH oldest
 *   frames to the buddy. So a thread takes the shared buddy mutex once per
 *   MM_FCACHE_BATCH (64) single-frame operations at most, and never while
 *   it only recycles its own frames.
 *
 *   A refill takes one aligned block of MM_FCACHE_BATCH frames when the
 *   buddy has one: the block's frames are one word of the state bitmap,
 *   which sits on its own cache line (falloc.c), so threads allocating
 *   single frames do not bounce bitmap lines between CPUs.
 *
 *   The cache is found through a platform cache slot of the allocator
 *   (ukplat_slot_*: per thread on the host, per CPU in a kernel); where
 *   threads exit, the slot's destructor flushes and frees the cache. Every
 *   cache is also linked into the allocator's registry, so that
 *   mm_fcache_drain (uk_falloc_drain, and the allocator itself when the
 *   buddy runs dry) can empty the caches of other threads.
 *
 * Invariants
 *   1. A frame in a cache is in no free block of the buddy and its state
 *      bit is clear: it counts as free memory but nobody owns it.
 *   2. c->n == c->count, and c->pfn[0 .. n) are distinct cached frames.
 *   3. A cache is in the registry from just after it won its slot until
 *      it is empty and about to be freed. (With per-CPU slots another
 *      thread of the CPU may use it in between; a drain or a statistic
 *      that misses it then is a snapshot taken before the cache existed.)
 *
 *   With per-CPU slots several threads may use one cache (threads of one
 *   CPU, a thread that migrated after looking its cache up): the cache's
 *   lock makes that safe, it is only slower. A context installs its new
 *   cache with ukplat_slot_install, which keeps a cache another thread of
 *   the CPU installed first; the loser frees its own before registering.
 *
 * Locking (order: f->reg_lock -> c->lock -> buddy lock)
 *   - c->lock (the flag c->busy, cache_lock) protects c->n and c->pfn.
 *     The owner takes it for each
 *     operation; it is uncontended except while somebody drains, which is
 *     what makes other threads' caches safe to drain. It is also the
 *     happens-before edge that hands a frame's contents from a thread that
 *     freed it to a drainer (and on through the buddy mutex to the next
 *     owner).
 *   - f->reg_lock protects the registry list. Drain and statistics hold it
 *     across their walk, so a cache cannot be freed under them: the exit
 *     destructor unlinks under reg_lock before freeing.
 *   - c->count mirrors c->n for statistics read without c->lock (relaxed:
 *     the sum is exact only when the allocator is quiescent).
 */
#include "lib/errno.h"
#include "lib/string.h"

#include "mm/fcache.h"

struct mm_fcache {
	_Atomic int busy;             /* the cache's lock, see cache_lock */
	unsigned long n;              /* frames held, under lock */
	_Atomic unsigned long count;  /* mirror of n for statistics */
	struct mm_falloc *f;
	struct mm_fcache *next, *prev; /* registry, under f->reg_lock */
	unsigned long pfn[MM_FCACHE_MAX];
} __uk_cacheline_aligned;

_Static_assert(MM_FCACHE_BATCH <= MM_FCACHE_MAX, "batch fits the cache");

/*
 * A cache's lock is one atomic flag: the owner takes it around each
 * operation and almost never finds it taken (only while a drain empties
 * the cache), so an uncontended CAS replaces a pthread mutex on the fault
 * path. Acquire on taking and release on dropping make it the
 * happens-before edge the comment at the top describes.
 */
static void cache_lock(struct mm_fcache *c)
{
	int unlocked = 0;

	while (!uk_cas_acq_rel(&c->busy, &unlocked, 1)) {
		unlocked = 0;
		ukplat_cpu_relax();
	}
}

static void cache_unlock(struct mm_fcache *c)
{
	uk_store_release(&c->busy, 0);
}

static void cache_set_n(struct mm_fcache *c, unsigned long n)
{
	c->n = n;
	uk_store_relaxed(&c->count, n);
}

/* Return the @cnt oldest frames of @c to the buddy. c->lock held. */
static void cache_flush_locked(struct mm_fcache *c, unsigned long cnt)
{
	struct mm_buddy *b = &c->f->buddy;
	unsigned long i;

	if (!cnt)
		return;
	mm_buddy_lock(b);
	for (i = 0; i < cnt; i++)
		mm_buddy_free_locked(b, c->pfn[i], 1);
	mm_buddy_unlock(b);
	memmove(c->pfn, c->pfn + cnt, (c->n - cnt) * sizeof(c->pfn[0]));
	cache_set_n(c, c->n - cnt);
}

/* Take up to a batch of frames from the buddy. c->lock held, c->n == 0. */
static void cache_refill_locked(struct mm_fcache *c)
{
	struct mm_buddy *b = &c->f->buddy;
	unsigned long n = 0, pfn;

	mm_buddy_lock(b);
	/* One aligned block when there is one: its frames share one word of
	 * the state bitmap that no other thread's frames touch. */
	pfn = mm_buddy_alloc_locked(b, MM_FCACHE_BATCH, false, 1);
	if (pfn != MM_PFN_INV) {
		for (; n < MM_FCACHE_BATCH; n++)
			c->pfn[MM_FCACHE_BATCH - 1 - n] = pfn + n;
	}
	while (n < MM_FCACHE_BATCH) {
		pfn = mm_buddy_alloc_locked(b, 1, false, 1);
		if (pfn == MM_PFN_INV)
			break;
		/* Highest first, so the lowest frame is popped first. */
		c->pfn[MM_FCACHE_BATCH - 1 - n++] = pfn;
	}
	mm_buddy_unlock(b);
	if (n < MM_FCACHE_BATCH)
		memmove(c->pfn, c->pfn + MM_FCACHE_BATCH - n,
			n * sizeof(c->pfn[0]));
	cache_set_n(c, n);
}

static void reg_unlink_locked(struct mm_falloc *f, struct mm_fcache *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		f->caches = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

static void cache_free(struct mm_fcache *c)
{
	ukplat_free(c);
}

/* Slot destructor: the thread exits (never called for CPUs). */
static void cache_dtor(void *arg)
{
	struct mm_fcache *c = arg;
	struct mm_falloc *f = c->f;

	cache_lock(c);
	cache_flush_locked(c, c->n);
	cache_unlock(c);

	ukplat_mutex_lock(&f->reg_lock);
	reg_unlink_locked(f, c);
	ukplat_mutex_unlock(&f->reg_lock);
	cache_free(c);
}

/* The calling thread's cache, created on first use; NULL when it cannot
 * be created (the caller then goes to the buddy directly). */
static struct mm_fcache *cache_get(struct mm_falloc *f)
{
	struct mm_fcache *c, *cur;

	if (!f->slot_ok)
		return NULL;
	c = ukplat_slot_get(&f->slot);
	if (UK_LIKELY(c != NULL))
		return c;

	c = ukplat_aligned_alloc(UK_CACHELINE, sizeof(*c));
	if (!c)
		return NULL;
	atomic_init(&c->busy, 0);
	cache_set_n(c, 0);
	c->f = f;
	c->prev = NULL;
	cur = ukplat_slot_install(&f->slot, c);
	if (cur != c) {
		/* Another thread of this CPU was first (or no room): @c was
		 * never visible to anybody. */
		cache_free(c);
		return cur;
	}
	ukplat_mutex_lock(&f->reg_lock);
	c->next = f->caches;
	if (c->next)
		c->next->prev = c;
	f->caches = c;
	ukplat_mutex_unlock(&f->reg_lock);
	return c;
}

unsigned long mm_fcache_alloc(struct mm_falloc *f)
{
	struct mm_fcache *c = cache_get(f);
	unsigned long pfn = MM_PFN_INV;

	if (UK_UNLIKELY(!c)) {
		mm_buddy_lock(&f->buddy);
		pfn = mm_buddy_alloc_locked(&f->buddy, 1, false, 1);
		mm_buddy_unlock(&f->buddy);
		return pfn;
	}
	cache_lock(c);
	if (c->n == 0)
		cache_refill_locked(c);
	if (c->n > 0) {
		pfn = c->pfn[c->n - 1];
		cache_set_n(c, c->n - 1);
	}
	cache_unlock(c);
	return pfn;
}

void mm_fcache_free(struct mm_falloc *f, unsigned long pfn)
{
	struct mm_fcache *c = cache_get(f);

	if (UK_UNLIKELY(!c)) {
		mm_buddy_lock(&f->buddy);
		mm_buddy_free_locked(&f->buddy, pfn, 1);
		mm_buddy_unlock(&f->buddy);
		return;
	}
	cache_lock(c);
	if (c->n == MM_FCACHE_MAX)
		cache_flush_locked(c, MM_FCACHE_BATCH);
	c->pfn[c->n] = pfn;
	cache_set_n(c, c->n + 1);
	cache_unlock(c);
}

void mm_fcache_drain(struct mm_falloc *f)
{
	struct mm_fcache *c;

	ukplat_mutex_lock(&f->reg_lock);
	for (c = f->caches; c; c = c->next) {
		cache_lock(c);
		cache_flush_locked(c, c->n);
		cache_unlock(c);
	}
	ukplat_mutex_unlock(&f->reg_lock);
}

unsigned long mm_fcache_cached(struct mm_falloc *f)
{
	struct mm_fcache *c;
	unsigned long n = 0;

	ukplat_mutex_lock(&f->reg_lock);
	for (c = f->caches; c; c = c->next)
		n += uk_load_relaxed(&c->count);
	ukplat_mutex_unlock(&f->reg_lock);
	return n;
}

int mm_fcache_setup(struct mm_falloc *f)
{
	ukplat_mutex_init(&f->reg_lock);
	f->caches = NULL;
	/* Without a slot every thread uses the buddy directly: slower, but
	 * correct, so a failure here is not fatal. */
	f->slot_ok = ukplat_slot_create(&f->slot, cache_dtor) == 0;
	return 0;
}

void mm_fcache_teardown(struct mm_falloc *f)
{
	struct mm_fcache *c;

	/* After this no exit destructor runs for our caches. */
	if (f->slot_ok)
		ukplat_slot_delete(&f->slot);
	f->slot_ok = false;
	ukplat_mutex_lock(&f->reg_lock);
	while ((c = f->caches) != NULL) {
		cache_lock(c);
		cache_flush_locked(c, c->n);
		cache_unlock(c);
		reg_unlink_locked(f, c);
		cache_free(c);
	}
	ukplat_mutex_unlock(&f->reg_lock);
	ukplat_mutex_destroy(&f->reg_lock);
}
