/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Global buddy allocator of one frame zone.
 *
 * Algorithm
 *   Classic binary buddy over absolute frame numbers: a block of order k
 *   covers [p, p + 2^k) with p a multiple of 2^k; its buddy is p ^ 2^k.
 *   The zone [base, base + n) need not be aligned or a power of two: at init
 *   it is cut into maximal aligned blocks, and a buddy that would stick out
 *   of the zone is never free, so merges never leave the zone.
 *
 *   Free lists are bitmaps, one per order, one bit per aligned block of
 *   that order (2 bits per frame over all orders), so an 8 GiB zone
 *   (2 Mi frames) needs 512 KiB for them and nothing is stored in the
 *   frames themselves: the simulated physical memory is never touched.
 *   A per-order count skips empty orders and a per-order word hint makes
 *   "lowest free block" scans amortised cheap. Lowest-address-first keeps
 *   allocation deterministic and packs small blocks at the bottom.
 *
 *   A second bitmap, bfree, has one bit per frame, set while the frame is
 *   in any free block. It answers "is this range free" in O(n / 64) for
 *   allocations at an address, and lets the fallback find any run of n
 *   free frames when no single block is large enough (fragmentation or a
 *   count larger than the largest block).
 *
 *   - Allocate n frames: take the smallest free block of order
 *     >= ceil(log2 n), split it down, give the tail beyond n back.
 *   - Allocate at [p, p + n): check bfree; then for each free block that
 *     overlaps the range, remove it and give back its parts outside.
 *   - Free [p, p + n): cut into maximal aligned blocks, insert each, merging
 *     with its buddy while the buddy is a free block of the same order.
 *
 * Invariants (mm_buddy_validate_locked checks them)
 *   1. Free blocks never overlap and lie inside the zone.
 *   2. No free block has a free buddy of the same order (fully merged).
 *   3. bfree bit of a frame is set iff the frame is in a free block.
 *   4. nfree == number of set bfree bits == sum of nfree[k] << k.
 *   5. order[k].hint <= index of the word of the lowest set bit.
 *
 * Locking
 *   Everything except nfree is protected by b->lock (a ukplat mutex). nfree
 *   is written only under the lock and read relaxed by statistics, which
 *   are exact only when the allocator is quiescent. Lock order (see
 *   fcache.c): cache registry -> one cache -> buddy.
 */
#include "lib/errno.h"

#include "mm/bitmap.h"
#include "mm/buddy.h"

static inline struct mm_buddy_order *ord(struct mm_buddy *b, unsigned int k)
{
	/* k <= max_order < MM_BUDDY_ORDERS (init checks); tell the compiler. */
	if (k >= MM_BUDDY_ORDERS)
		__builtin_unreachable();
	return &b->order[k];
}

/* Index of block @pfn (aligned to 2^k) in order k's bitmap, or ~0UL when
 * the block is not entirely inside the zone. */
static unsigned long blk_index(struct mm_buddy *b, unsigned long pfn,
			       unsigned int k)
{
	unsigned long end = b->base_pfn + b->nframes;

	if (k > b->max_order || pfn < b->base_pfn || pfn >= end ||
	    end - pfn < (1UL << k))
		return ~0UL;
	return (pfn >> k) - ord(b, k)->first;
}

static bool blk_is_free(struct mm_buddy *b, unsigned long pfn, unsigned int k)
{
	unsigned long i = blk_index(b, pfn, k);

	return i != ~0UL && bm_test(ord(b, k)->bits, i);
}

static void blk_insert(struct mm_buddy *b, unsigned long pfn, unsigned int k)
{
	struct mm_buddy_order *o = ord(b, k);
	unsigned long i = blk_index(b, pfn, k);

	bm_set(o->bits, i);
	o->nfree++;
	if (BM_WORD(i) < o->hint)
		o->hint = BM_WORD(i);
}

static void blk_remove(struct mm_buddy *b, unsigned long pfn, unsigned int k)
{
	struct mm_buddy_order *o = ord(b, k);

	bm_clear(o->bits, blk_index(b, pfn, k));
	o->nfree--;
}

/* Free one aligned block, merging upwards. bfree is the caller's. */
static void blk_free(struct mm_buddy *b, unsigned long pfn, unsigned int k)
{
	while (k < b->max_order) {
		unsigned long buddy = pfn ^ (1UL << k);

		if (!blk_is_free(b, buddy, k))
			break;
		blk_remove(b, buddy, k);
		pfn &= ~(1UL << k);
		k++;
	}
	blk_insert(b, pfn, k);
}

/* Give [pfn, end) back as maximal aligned blocks. bfree is the caller's. */
static void range_free(struct mm_buddy *b, unsigned long pfn,
		       unsigned long end)
{
	while (pfn < end) {
		unsigned int k = bm_log2(end - pfn);

		if (pfn && (unsigned int)__builtin_ctzl(pfn) < k)
			k = (unsigned int)__builtin_ctzl(pfn);
		if (k > b->max_order)
			k = b->max_order;
		blk_free(b, pfn, k);
		pfn += 1UL << k;
	}
}

/* Lowest free block of order exactly k, or MM_PFN_INV. */
static unsigned long order_first(struct mm_buddy *b, unsigned int k)
{
	struct mm_buddy_order *o = ord(b, k);
	unsigned long i;

	if (!o->nfree)
		return MM_PFN_INV;
	i = bm_next_set(o->bits, o->hint * BM_BITS, o->nbits);
	o->hint = BM_WORD(i);
	return (o->first + i) << k;
}

/* Free block containing frame @pfn: its first frame, order in *k. */
static unsigned long blk_containing(struct mm_buddy *b, unsigned long pfn,
				    unsigned int *k)
{
	for (*k = 0; *k <= b->max_order; (*k)++) {
		unsigned long head = pfn & ~((1UL << *k) - 1);

		if (blk_is_free(b, head, *k))
			return head;
	}
	return MM_PFN_INV;
}

static void nfree_add(struct mm_buddy *b, unsigned long n)
{
	uk_store_relaxed(&b->nfree, uk_load_relaxed(&b->nfree) + n);
}

static void nfree_sub(struct mm_buddy *b, unsigned long n)
{
	uk_store_relaxed(&b->nfree, uk_load_relaxed(&b->nfree) - n);
}

/* Take the lowest smallest block of order >= @want, split to @want. */
static unsigned long blk_alloc(struct mm_buddy *b, unsigned int want)
{
	unsigned long pfn = MM_PFN_INV;
	unsigned int k;

	for (k = want; k <= b->max_order; k++) {
		pfn = order_first(b, k);
		if (pfn != MM_PFN_INV)
			break;
	}
	if (pfn == MM_PFN_INV)
		return MM_PFN_INV;
	blk_remove(b, pfn, k);
	while (k > want) {
		k--;
		blk_insert(b, pfn + (1UL << k), k);
	}
	return pfn;
}

/* Remove [pfn, end), all free, from the free blocks. */
static void range_carve(struct mm_buddy *b, unsigned long pfn,
			unsigned long end)
{
	while (pfn < end) {
		unsigned int k;
		unsigned long head = blk_containing(b, pfn, &k);
		unsigned long bend = head + (1UL << k);

		blk_remove(b, head, k);
		if (head < pfn)
			range_free(b, head, pfn);
		if (bend > end)
			range_free(b, end, bend);
		pfn = bend;
	}
}

/* Lowest run of @n free frames starting at a multiple of @align. */
static unsigned long run_find(struct mm_buddy *b, unsigned long n,
			      unsigned long align)
{
	unsigned long base = b->base_pfn, end = base + b->nframes;
	unsigned long i = 0;

	while (i < b->nframes) {
		unsigned long s, stop, j;

		i = bm_next_set(b->bfree, i, b->nframes);
		if (i == b->nframes)
			break;
		s = ((base + i + align - 1) & ~(align - 1));
		if (s < base + i || s > end || end - s < n)
			break;
		stop = s - base + n;
		j = bm_next_clear(b->bfree, s - base, stop);
		if (j == stop)
			return s;
		i = j + 1;
	}
	return MM_PFN_INV;
}

unsigned long mm_buddy_alloc_locked(struct mm_buddy *b, unsigned long n,
				    bool fallback, unsigned long align)
{
	unsigned long pfn = MM_PFN_INV;
	unsigned int k;

	UK_ASSERT(ukplat_mutex_held(&b->lock));
	if (n == 0 || n > b->nframes)
		return MM_PFN_INV;
	k = bm_log2_up(n);
	if (k <= b->max_order)
		pfn = blk_alloc(b, k);
	if (pfn != MM_PFN_INV) {
		if (n < (1UL << k))
			range_free(b, pfn + n, pfn + (1UL << k));
	} else if (fallback) {
		pfn = run_find(b, n, align);
		if (pfn == MM_PFN_INV)
			return MM_PFN_INV;
		range_carve(b, pfn, pfn + n);
	} else {
		return MM_PFN_INV;
	}
	bm_clear_range(b->bfree, pfn - b->base_pfn, n);
	nfree_sub(b, n);
	return pfn;
}

bool mm_buddy_is_free_locked(struct mm_buddy *b, unsigned long pfn,
			     unsigned long n)
{
	return bm_all_set(b->bfree, pfn - b->base_pfn, n);
}

int mm_buddy_alloc_at_locked(struct mm_buddy *b, unsigned long pfn,
			     unsigned long n)
{
	UK_ASSERT(ukplat_mutex_held(&b->lock));
	if (!mm_buddy_is_free_locked(b, pfn, n))
		return -ENOMEM;
	range_carve(b, pfn, pfn + n);
	bm_clear_range(b->bfree, pfn - b->base_pfn, n);
	nfree_sub(b, n);
	return 0;
}

void mm_buddy_free_locked(struct mm_buddy *b, unsigned long pfn,
			  unsigned long n)
{
	UK_ASSERT(ukplat_mutex_held(&b->lock));
	range_free(b, pfn, pfn + n);
	bm_set_range(b->bfree, pfn - b->base_pfn, n);
	nfree_add(b, n);
}

/* Blocks of order k that [base_pfn, base_pfn + nframes) touches. */
static unsigned long order_nbits(unsigned long base_pfn, unsigned long nframes,
				 unsigned int k)
{
	return ((base_pfn + nframes - 1) >> k) - (base_pfn >> k) + 1;
}

unsigned long mm_buddy_meta_words(unsigned long base_pfn,
				  unsigned long nframes)
{
	unsigned long words = BM_WORDS(nframes);
	unsigned int k, max_order;

	if (nframes == 0)
		return 0;
	max_order = bm_log2(nframes);
	if (max_order >= MM_BUDDY_ORDERS)
		return 0;
	for (k = 0; k <= max_order; k++)
		words += BM_WORDS(order_nbits(base_pfn, nframes, k));
	return words;
}

int mm_buddy_init(struct mm_buddy *b, unsigned long base_pfn,
		  unsigned long nframes, unsigned long *meta)
{
	unsigned long off = BM_WORDS(nframes);
	unsigned int k;

	if (!mm_buddy_meta_words(base_pfn, nframes))
		return -EINVAL;
	b->base_pfn = base_pfn;
	b->nframes = nframes;
	b->max_order = bm_log2(nframes);
	b->bfree = meta;
	for (k = 0; k <= b->max_order; k++) {
		struct mm_buddy_order *o = ord(b, k);

		o->first = base_pfn >> k;
		o->nbits = order_nbits(base_pfn, nframes, k);
		o->nfree = 0;
		o->hint = 0;
		o->bits = meta + off;
		off += BM_WORDS(o->nbits);
	}
	uk_store_relaxed(&b->nfree, 0);
	ukplat_mutex_init(&b->lock);
	mm_buddy_lock(b);
	mm_buddy_free_locked(b, base_pfn, nframes);
	mm_buddy_unlock(b);
	return 0;
}

void mm_buddy_destroy(struct mm_buddy *b)
{
	ukplat_mutex_destroy(&b->lock);
	b->bfree = NULL;
}

static int validate_order(struct mm_buddy *b, unsigned int k,
			  unsigned long *frames)
{
	struct mm_buddy_order *o = ord(b, k);
	unsigned long i, cnt = 0;

	for (i = bm_next_set(o->bits, 0, o->nbits); i < o->nbits;
	     i = bm_next_set(o->bits, i + 1, o->nbits)) {
		unsigned long pfn = (o->first + i) << k;

		if (BM_WORD(i) < o->hint || blk_index(b, pfn, k) != i)
			return -EFAULT;
		if (!bm_all_set(b->bfree, pfn - b->base_pfn, 1UL << k))
			return -EFAULT;
		if (k < b->max_order && blk_is_free(b, pfn ^ (1UL << k), k))
			return -EFAULT;
		cnt++;
	}
	if (cnt != o->nfree)
		return -EFAULT;
	*frames += cnt << k;
	return 0;
}

int mm_buddy_validate_locked(struct mm_buddy *b)
{
	unsigned long frames = 0, bits = 0, i;
	unsigned int k;

	for (k = 0; k <= b->max_order; k++)
		if (validate_order(b, k, &frames))
			return -EFAULT;
	for (i = bm_next_set(b->bfree, 0, b->nframes); i < b->nframes;
	     i = bm_next_set(b->bfree, i + 1, b->nframes))
		bits++;
	/* Blocks lie on bfree frames and their sizes add up to the bfree
	 * population (disjointness itself follows from invariant 2 and the
	 * insert paths; checking it would need a scratch bitmap). */
	if (frames != bits || bits != uk_load_relaxed(&b->nfree))
		return -EFAULT;
	return 0;
}
