/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The global buddy allocator of one frame zone (private to src/mm).
 *
 * Frames are named by absolute page frame number (pfn = paddr >> PAGE_SHIFT)
 * so that a block of order k is 2^k frames aligned to 2^k frames in
 * physical memory, whatever the zone's base.
 *
 * Every function suffixed _locked needs @b->lock held by the caller; the
 * others take it themselves or need no lock.
 */
#ifndef UK_MM_BUDDY_H
#define UK_MM_BUDDY_H

#include "atomic.h"
#include <stdbool.h>
#include <uk/plat.h>

#define MM_PFN_INV (~0UL)
/* Orders 0 .. MM_BUDDY_ORDERS - 1: enough for 2^48 bytes of frames. */
#define MM_BUDDY_ORDERS 40

struct mm_buddy_order {
	unsigned long *bits; /* bit i: block (first + i) << order is free */
	unsigned long first; /* base_pfn >> order */
	unsigned long nbits;
	unsigned long nfree; /* free blocks of this order */
	unsigned long hint;  /* no bit is set in words below this one */
};

struct mm_buddy {
	struct uk_mutex lock;
	unsigned long base_pfn;
	unsigned long nframes;
	unsigned int max_order; /* largest order a block of the zone can have */
	struct mm_buddy_order order[MM_BUDDY_ORDERS];
	/* One bit per frame (index pfn - base_pfn): set while the frame is
	 * in a free block of the buddy. */
	unsigned long *bfree;
	/* Frames in free blocks; written under lock, read without. */
	_Atomic unsigned long nfree;
};

/* Words of bitmap memory a zone of [base_pfn, base_pfn + nframes) needs
 * (bfree and every order's); 0 when the zone is empty or too large. */
unsigned long mm_buddy_meta_words(unsigned long base_pfn,
				  unsigned long nframes);
/* All frames of [base_pfn, base_pfn + nframes) start free. @meta holds
 * mm_buddy_meta_words() zeroed words and stays the caller's. 0 or -EINVAL
 * (a zone mm_buddy_meta_words refuses). */
int mm_buddy_init(struct mm_buddy *b, unsigned long base_pfn,
		  unsigned long nframes, unsigned long *meta);
void mm_buddy_destroy(struct mm_buddy *b);

static inline void mm_buddy_lock(struct mm_buddy *b)
{
	ukplat_mutex_lock(&b->lock);
}

static inline void mm_buddy_unlock(struct mm_buddy *b)
{
	ukplat_mutex_unlock(&b->lock);
}

/*
 * Allocate @n contiguous frames aligned to 2^ceil(log2(@n)) frames, from
 * the smallest free block that holds them; the unused tail of the block
 * goes back. With @fallback, when no such block exists, take the lowest
 * run of @n free frames aligned to @align frames (a power of two) instead.
 * Returns the first pfn or MM_PFN_INV.
 */
unsigned long mm_buddy_alloc_locked(struct mm_buddy *b, unsigned long n,
				    bool fallback, unsigned long align);
/* Allocate exactly [pfn, pfn + n): 0, or -ENOMEM when any frame is not
 * free in the buddy (nothing changes then). The range must be inside. */
int mm_buddy_alloc_at_locked(struct mm_buddy *b, unsigned long pfn,
			     unsigned long n);
/* Return [pfn, pfn + n), none of them free in the buddy, coalescing. */
void mm_buddy_free_locked(struct mm_buddy *b, unsigned long pfn,
			  unsigned long n);
/* True when every frame of [pfn, pfn + n) is free in the buddy. */
bool mm_buddy_is_free_locked(struct mm_buddy *b, unsigned long pfn,
			     unsigned long n);

/* Frames free in the buddy (a snapshot without the lock). */
static inline unsigned long mm_buddy_free_frames(struct mm_buddy *b)
{
	return uk_load_relaxed(&b->nfree);
}

/* Check every invariant (debug and tests); returns 0 or -EFAULT. */
int mm_buddy_validate_locked(struct mm_buddy *b);

#endif /* UK_MM_BUDDY_H */
