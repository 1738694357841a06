/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Plain (non-atomic) bitmaps of unsigned long words, for metadata that one
 * lock protects. Bit i lives in word i / BM_BITS at position i % BM_BITS.
 * Range helpers work a word at a time so that a 1 GiB range (262144 bits)
 * costs 4096 word operations, not 262144 bit operations.
 */
#ifndef UK_MM_BITMAP_H
#define UK_MM_BITMAP_H

#include <stdbool.h>
#include <stddef.h>

/* __CHAR_BIT__: gcc's limits.h needs the C library's under -nostdinc. */
#define BM_BITS (sizeof(unsigned long) * __CHAR_BIT__)
#define BM_WORD(i) ((i) / BM_BITS)
#define BM_BIT(i) (1UL << ((i) % BM_BITS))
#define BM_WORDS(n) (((n) + BM_BITS - 1) / BM_BITS)

/* Mask of bits [lo, hi) of one word, 0 <= lo < hi <= BM_BITS. */
static inline unsigned long bm_mask(unsigned long lo, unsigned long hi)
{
	unsigned long m = hi == BM_BITS ? ~0UL : (1UL << hi) - 1;

	return m & ~((1UL << lo) - 1);
}

static inline bool bm_test(const unsigned long *bm, unsigned long i)
{
	return (bm[BM_WORD(i)] & BM_BIT(i)) != 0;
}

static inline void bm_set(unsigned long *bm, unsigned long i)
{
	bm[BM_WORD(i)] |= BM_BIT(i);
}

static inline void bm_clear(unsigned long *bm, unsigned long i)
{
	bm[BM_WORD(i)] &= ~BM_BIT(i);
}

/* Set / clear bits [start, start + n), one word at a time. */
static inline void bm_set_range(unsigned long *bm, unsigned long start,
				unsigned long n)
{
	unsigned long end = start + n;

	while (start < end) {
		unsigned long lo = start % BM_BITS;
		unsigned long hi = BM_BITS;

		if (end - (start - lo) < BM_BITS)
			hi = end - (start - lo);
		bm[BM_WORD(start)] |= bm_mask(lo, hi);
		start += hi - lo;
	}
}

static inline void bm_clear_range(unsigned long *bm, unsigned long start,
				  unsigned long n)
{
	unsigned long end = start + n;

	while (start < end) {
		unsigned long lo = start % BM_BITS;
		unsigned long hi = BM_BITS;

		if (end - (start - lo) < BM_BITS)
			hi = end - (start - lo);
		bm[BM_WORD(start)] &= ~bm_mask(lo, hi);
		start += hi - lo;
	}
}

/* First set bit in [from, limit), or @limit when there is none. */
static inline unsigned long bm_next_set(const unsigned long *bm,
					unsigned long from, unsigned long limit)
{
	unsigned long w;

	if (from >= limit)
		return limit;
	w = bm[BM_WORD(from)] & ~((1UL << (from % BM_BITS)) - 1);
	from -= from % BM_BITS;
	for (;;) {
		if (w) {
			from += (unsigned long)__builtin_ctzl(w);
			return from < limit ? from : limit;
		}
		from += BM_BITS;
		if (from >= limit)
			return limit;
		w = bm[BM_WORD(from)];
	}
}

/* First clear bit in [from, limit), or @limit when there is none. */
static inline unsigned long bm_next_clear(const unsigned long *bm,
					  unsigned long from,
					  unsigned long limit)
{
	unsigned long w;

	if (from >= limit)
		return limit;
	w = ~bm[BM_WORD(from)] & ~((1UL << (from % BM_BITS)) - 1);
	from -= from % BM_BITS;
	for (;;) {
		if (w) {
			from += (unsigned long)__builtin_ctzl(w);
			return from < limit ? from : limit;
		}
		from += BM_BITS;
		if (from >= limit)
			return limit;
		w = ~bm[BM_WORD(from)];
	}
}

/* True when every bit of [start, start + n) is set. */
static inline bool bm_all_set(const unsigned long *bm, unsigned long start,
			      unsigned long n)
{
	return bm_next_clear(bm, start, start + n) == start + n;
}

/* floor(log2(x)) for x > 0. */
static inline unsigned int bm_log2(unsigned long x)
{
	return (unsigned int)(BM_BITS - 1 - (unsigned long)__builtin_clzl(x));
}

/* ceil(log2(x)) for x > 0. */
static inline unsigned int bm_log2_up(unsigned long x)
{
	return x == 1 ? 0 : bm_log2(x - 1) + 1;
}

#endif /* UK_MM_BITMAP_H */
