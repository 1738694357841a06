/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The default frame allocator: struct uk_falloc over a buddy allocator
 * (buddy.c) with per-thread single-frame caches (fcache.c) in front.
 *
 * Algorithm
 *   - One frame anywhere: pop from the thread's cache (fcache.c).
 *   - n frames anywhere: a buddy block of 2^ceil(log2 n) frames, whose
 *     unused tail goes straight back; when no block is large enough, the
 *     lowest run of n free frames (aligned as FALLOC_FLAG_ALIGNED asks).
 *     A block is naturally aligned, so FALLOC_FLAG_ALIGNED costs nothing
 *     more in the common case: 512 frames are 2 MiB aligned, 262144 frames
 *     1 GiB aligned (frame numbers are absolute and the physical base is
 *     1 GiB aligned).
 *   - n frames at an address: carve exactly that range out of the buddy.
 *   - When the buddy cannot satisfy a request and caches hold frames, all
 *     caches are drained into the buddy and the request is tried once more,
 *     so frames parked in caches never cause -ENOMEM.
 *   - Free of one frame: into the thread's cache. Free of n frames: into
 *     the buddy, merging. Any sub-range of an allocation, or a range over
 *     several adjacent allocations, may be freed: the buddy does not know
 *     allocation boundaries, only free blocks.
 *
 * The state bitmap
 *   One atomic bit per frame, set while a user owns the frame. It turns a
 *   double free, or a free of a frame never allocated, into -EINVAL with
 *   nothing changed, and answers uk_falloc_is_allocated. Frames are thus
 *   in exactly one of three places:
 *     1. a free block of the buddy (bfree bit set, state bit clear),
 *     2. a per-thread cache (both bits clear),
 *     3. a user (state bit set, bfree bit clear).
 *   free_memory counts 1 and 2, so after every allocation is freed
 *   free_memory == total_memory exactly (uk_falloc_validate checks this).
 *
 * Locking and ordering
 *   1. Allocation sets the state bits after the frames left the buddy or
 *      the cache, with fetch_or (acq_rel); the bits were clear (asserted).
 *   2. A single-frame free clears its bit with one fetch_and (acq_rel)
 *      before anything else: of two racing frees of the same frame exactly
 *      one sees the bit set and proceeds, the other gets -EINVAL.
 *   3. A multi-frame free holds the buddy lock, checks that every bit is
 *      set, then clears word by word with fetch_and; if a racing
 *      single-frame free (which does not take the buddy lock) got to a bit
 *      first, the words already cleared are restored and -EINVAL returned.
 *      Multi-frame frees serialise on the buddy lock, so only such a racing
 *      double free can make the rollback run.
 *   4. Frame contents pass from one owner to the next through the cache
 *      mutex and the buddy mutex (release on unlock, acquire on lock).
 *   Lock order: cache registry -> one cache -> buddy. Drain takes them in
 *   that order and is never called with any of them held.
 */
#include "lib/errno.h"
#include "lib/bits.h"
#include "lib/string.h"

#include "mm/bitmap.h"
#include "mm/fcache.h"

#define FALLOC_FLAGS_KNOWN (FALLOC_FLAG_ALIGNED | FALLOC_FLAG_ZERO)

/* ---- state bitmap -------------------------------------------------------- */

/*
 * Each word of the state bitmap (64 frames) sits on its own cache line.
 * The per-thread caches refill with whole aligned 64-frame blocks, so two
 * threads allocating single frames set bits in different lines: a packed
 * bitmap made every allocation bounce one line between the CPUs.
 */
#define STATE_STRIDE (UK_CACHELINE / sizeof(unsigned long))

static inline _Atomic unsigned long *state_word(struct mm_falloc *f,
						unsigned long w)
{
	return &f->state[w * STATE_STRIDE];
}

/*
 * Walk the words that bits [*s, e) touch: each call yields one word index
 * *w and the mask *m of the range's bits in it, and advances *s.
 */
static inline bool seg_next(unsigned long *s, unsigned long e,
			    unsigned long *w, unsigned long *m)
{
	unsigned long lo = *s % BM_BITS, wstart = *s - lo;
	unsigned long hi = e - wstart < BM_BITS ? e - wstart : BM_BITS;

	if (*s >= e)
		return false;
	*w = BM_WORD(*s);
	*m = bm_mask(lo, hi);
	*s = wstart + hi;
	return true;
}

static void state_set(struct mm_falloc *f, unsigned long i, unsigned long n)
{
	unsigned long s = i, w, m, old;

	while (seg_next(&s, i + n, &w, &m)) {
		old = uk_fetch_or_acq_rel(state_word(f, w), m);
		UK_ASSERT(!(old & m));
		(void)old;
	}
}

/* True when every bit of [i, i + n) is set. */
static bool state_all(struct mm_falloc *f, unsigned long i, unsigned long n)
{
	unsigned long s = i, w, m;

	while (seg_next(&s, i + n, &w, &m))
		if ((uk_load_acquire(state_word(f, w)) & m) != m)
			return false;
	return true;
}

/* True when some bit of [i, i + n) is set. */
static bool state_any(struct mm_falloc *f, unsigned long i, unsigned long n)
{
	unsigned long s = i, w, m;

	while (seg_next(&s, i + n, &w, &m))
		if (uk_load_acquire(state_word(f, w)) & m)
			return true;
	return false;
}

/* Clear [i, i + n), all set; roll back and fail if one was not (3.). */
static int state_clear(struct mm_falloc *f, unsigned long i, unsigned long n)
{
	unsigned long s = i, w, m, old, s2 = i, w2, m2;

	while (seg_next(&s, i + n, &w, &m)) {
		old = uk_fetch_and_acq_rel(state_word(f, w), ~m);
		if ((old & m) == m)
			continue;
		/* Restore what this call cleared: bits of this word that
		 * were set, and the whole range of the earlier words. */
		uk_fetch_or_acq_rel(state_word(f, w), old & m);
		while (seg_next(&s2, i + n, &w2, &m2) && w2 < w)
			uk_fetch_or_acq_rel(state_word(f, w2), m2);
		return -EINVAL;
	}
	return 0;
}

/* ---- allocation ----------------------------------------------------------- */

static inline unsigned long nframes(struct mm_falloc *f)
{
	return f->buddy.nframes;
}

static inline unsigned long base_pfn(struct mm_falloc *f)
{
	return f->buddy.base_pfn;
}

/* True when [paddr, paddr + frames pages) is a page-aligned range inside
 * the zone (no overflow for any input). */
static bool range_ok(struct mm_falloc *f, __paddr_t paddr,
		     unsigned long frames)
{
	return frames && frames <= nframes(f) && PAGE_ALIGNED(paddr) &&
	       uk_physmem_contains(f->fa.pm, paddr, frames << PAGE_SHIFT);
}

static unsigned long alloc_one(struct mm_falloc *f)
{
	unsigned long pfn = mm_fcache_alloc(f);

	if (pfn == MM_PFN_INV && mm_fcache_cached(f)) {
		mm_fcache_drain(f);
		pfn = mm_fcache_alloc(f);
	}
	if (pfn != MM_PFN_INV)
		state_set(f, pfn - base_pfn(f), 1);
	return pfn;
}

static unsigned long alloc_any(struct mm_falloc *f, unsigned long n,
			       unsigned long flags)
{
	unsigned long align = 1, pfn;
	int retry;

	if (flags & FALLOC_FLAG_ALIGNED)
		align = 1UL << bm_log2_up(n);
	for (retry = 0;; retry++) {
		mm_buddy_lock(&f->buddy);
		pfn = mm_buddy_alloc_locked(&f->buddy, n, true, align);
		if (pfn != MM_PFN_INV)
			state_set(f, pfn - base_pfn(f), n);
		mm_buddy_unlock(&f->buddy);
		if (pfn != MM_PFN_INV || retry || !mm_fcache_cached(f))
			return pfn;
		mm_fcache_drain(f);
	}
}

static int alloc_at(struct mm_falloc *f, unsigned long pfn, unsigned long n)
{
	unsigned long i = pfn - base_pfn(f);
	int rc, retry;

	for (retry = 0;; retry++) {
		mm_buddy_lock(&f->buddy);
		rc = mm_buddy_alloc_at_locked(&f->buddy, pfn, n);
		if (!rc)
			state_set(f, i, n);
		mm_buddy_unlock(&f->buddy);
		/* Frames owned by a user will not come back from a cache. */
		if (!rc || retry || state_any(f, i, n) || !mm_fcache_cached(f))
			return rc;
		mm_fcache_drain(f);
	}
}

static int mm_falloc(struct uk_falloc *fa, __paddr_t *paddr,
		     unsigned long frames, unsigned long flags)
{
	struct mm_falloc *f = mm_falloc_of(fa);
	unsigned long pfn;
	int rc;

	if (ukplat_inject_fail(UK_INJECT_FRAME))
		return -ENOMEM;
	if (!paddr || !frames || (flags & ~FALLOC_FLAGS_KNOWN))
		return -EINVAL;

	if (*paddr == __PADDR_ANY) {
		if (frames > nframes(f))
			return -ENOMEM;
		pfn = frames == 1 ? alloc_one(f) : alloc_any(f, frames, flags);
		if (pfn == MM_PFN_INV)
			return -ENOMEM;
	} else {
		if (!range_ok(f, *paddr, frames))
			return -EINVAL;
		pfn = *paddr >> PAGE_SHIFT;
		if ((flags & FALLOC_FLAG_ALIGNED) &&
		    (pfn & ((1UL << bm_log2_up(frames)) - 1)))
			return -EINVAL;
		rc = alloc_at(f, pfn, frames);
		if (rc)
			return rc;
	}
	if (flags & FALLOC_FLAG_ZERO)
		memset(uk_physmem_kmap(fa->pm, pfn << PAGE_SHIFT), 0,
		       frames << PAGE_SHIFT);
	*paddr = pfn << PAGE_SHIFT;
	return 0;
}

/* ---- free ----------------------------------------------------------------- */

static int mm_ffree(struct uk_falloc *fa, __paddr_t paddr,
		    unsigned long frames)
{
	struct mm_falloc *f = mm_falloc_of(fa);
	unsigned long pfn, i, old;
	int rc = -EINVAL;

	if (!range_ok(f, paddr, frames))
		return -EINVAL;
	pfn = paddr >> PAGE_SHIFT;
	i = pfn - base_pfn(f);

	if (frames == 1) {
		old = uk_fetch_and_acq_rel(state_word(f, BM_WORD(i)), ~BM_BIT(i));
		if (!(old & BM_BIT(i)))
			return -EINVAL;
		mm_fcache_free(f, pfn);
		return 0;
	}
	mm_buddy_lock(&f->buddy);
	if (state_all(f, i, frames))
		rc = state_clear(f, i, frames);
	if (!rc)
		mm_buddy_free_locked(&f->buddy, pfn, frames);
	mm_buddy_unlock(&f->buddy);
	return rc;
}

/* ---- statistics and queries ----------------------------------------------- */

static __sz mm_free_memory(struct uk_falloc *fa)
{
	struct mm_falloc *f = mm_falloc_of(fa);
	unsigned long n = mm_buddy_free_frames(&f->buddy) + mm_fcache_cached(f);

	return (__sz)n << PAGE_SHIFT;
}

__sz uk_falloc_used(struct uk_falloc *fa)
{
	__sz free = fa->free_memory(fa);

	return free < fa->total_memory ? fa->total_memory - free : 0;
}

int uk_falloc_is_allocated(struct uk_falloc *fa, __paddr_t paddr,
			   unsigned long frames)
{
	struct mm_falloc *f = mm_falloc_of(fa);

	if (!range_ok(f, paddr, frames))
		return -EINVAL;
	return state_all(f, (paddr >> PAGE_SHIFT) - base_pfn(f), frames);
}

void uk_falloc_drain(struct uk_falloc *fa)
{
	mm_fcache_drain(mm_falloc_of(fa));
}

int uk_falloc_validate(struct uk_falloc *fa)
{
	struct mm_falloc *f = mm_falloc_of(fa);
	unsigned long w, owned = 0, cached;
	int rc;

	/* Before the buddy lock: the registry lock comes first in the order. */
	cached = mm_fcache_cached(f);
	mm_buddy_lock(&f->buddy);
	rc = mm_buddy_validate_locked(&f->buddy);
	for (w = 0; !rc && w < f->state_words; w++) {
		unsigned long s = uk_load_acquire(state_word(f, w));

		if (s & f->buddy.bfree[w])
			rc = -EFAULT; /* owned and free at once */
		owned += uk_popcount64(s);
	}
	if (!rc && owned + mm_buddy_free_frames(&f->buddy) + cached !=
			   nframes(f))
		rc = -EFAULT;
	mm_buddy_unlock(&f->buddy);
	return rc;
}

/* ---- life cycle ----------------------------------------------------------- */

/*
 * One block of metadata holds everything: the allocator itself, then the
 * state bitmap (cache-line aligned, one line per word), then the buddy's
 * bitmaps. It comes from the caller (uk_falloc_create_in) or from
 * ukplat_pages_alloc (uk_falloc_create).
 */
struct meta_layout {
	__sz state_off, buddy_off, size;
};

static bool pm_ok(const struct uk_physmem *pm)
{
	return pm && pm->host && pm->size && PAGE_ALIGNED(pm->base) &&
	       PAGE_ALIGNED(pm->size);
}

/* The layout for @pm; false for a zone the buddy cannot hold. */
static bool meta_layout(const struct uk_physmem *pm, struct meta_layout *l)
{
	unsigned long n = pm->size >> PAGE_SHIFT;
	unsigned long bwords = mm_buddy_meta_words(pm->base >> PAGE_SHIFT, n);

	if (!bwords)
		return false;
	l->state_off = (sizeof(struct mm_falloc) + UK_CACHELINE - 1) &
		       ~(__sz)(UK_CACHELINE - 1);
	l->buddy_off = l->state_off +
		       BM_WORDS(n) * STATE_STRIDE * sizeof(unsigned long);
	l->size = PAGE_ALIGN_UP(l->buddy_off + bwords * sizeof(unsigned long));
	return true;
}

__sz uk_falloc_meta_size(const struct uk_physmem *pm)
{
	struct meta_layout l;

	return pm_ok(pm) && meta_layout(pm, &l) ? l.size : 0;
}

/* Build the allocator in @meta (zero-filled, laid out as @l). */
static int falloc_init(struct uk_falloc **fap, struct uk_physmem *pm,
		       char *meta, const struct meta_layout *l, bool owned)
{
	struct mm_falloc *f = (struct mm_falloc *)(void *)meta;
	int rc;

	f->fa.falloc = mm_falloc;
	f->fa.ffree = mm_ffree;
	f->fa.free_memory = mm_free_memory;
	f->fa.total_memory = pm->size;
	f->fa.pm = pm;
	f->state = (_Atomic unsigned long *)(void *)(meta + l->state_off);
	f->state_words = BM_WORDS(pm->size >> PAGE_SHIFT);
	f->meta_size = l->size;
	f->meta_owned = owned;
	rc = mm_buddy_init(&f->buddy, pm->base >> PAGE_SHIFT,
			   pm->size >> PAGE_SHIFT,
			   (unsigned long *)(void *)(meta + l->buddy_off));
	if (rc)
		return rc;
	rc = mm_fcache_setup(f);
	if (rc) {
		mm_buddy_destroy(&f->buddy);
		return rc;
	}
	*fap = &f->fa;
	return 0;
}

int uk_falloc_create(struct uk_falloc **fap, struct uk_physmem *pm)
{
	struct meta_layout l;
	char *meta;
	int rc;

	if (!fap || !pm_ok(pm) || !meta_layout(pm, &l))
		return -EINVAL;
	if (ukplat_inject_fail(UK_INJECT_META))
		return -ENOMEM;
	meta = ukplat_pages_alloc(l.size); /* zero-filled */
	if (!meta)
		return -ENOMEM;
	rc = falloc_init(fap, pm, meta, &l, true);
	if (rc)
		ukplat_pages_free(meta, l.size);
	return rc;
}

int uk_falloc_create_in(struct uk_falloc **fap, struct uk_physmem *pm,
			void *meta, __sz len)
{
	struct meta_layout l;

	if (!fap || !pm_ok(pm) || !meta_layout(pm, &l) || !meta ||
	    !PAGE_ALIGNED((uintptr_t)meta) || len < l.size)
		return -EINVAL;
	memset(meta, 0, l.size);
	return falloc_init(fap, pm, meta, &l, false);
}

void uk_falloc_destroy(struct uk_falloc *fa)
{
	struct mm_falloc *f;
	__sz size;

	if (!fa)
		return;
	f = mm_falloc_of(fa);
	mm_fcache_teardown(f);
	mm_buddy_destroy(&f->buddy);
	if (f->meta_owned) {
		size = f->meta_size; /* @f lives in the block */
		ukplat_pages_free(f, size);
	}
}
