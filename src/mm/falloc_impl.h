/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The default frame allocator's state (private to src/mm): the buddy
 * allocator, the per-frame allocation bitmap and the registry of
 * per-thread caches. See falloc.c for the design and fcache.c for the
 * caches.
 */
#ifndef UK_MM_FALLOC_IMPL_H
#define UK_MM_FALLOC_IMPL_H

#include <stdbool.h>
#include <uk/falloc.h>
#include <uk/physmem.h>

#include "atomic.h"
#include "mm/buddy.h"

struct mm_fcache;

struct mm_falloc {
	struct uk_falloc fa; /* first: uk_falloc * <-> mm_falloc * */
	struct mm_buddy buddy;
	/*
	 * One bit per frame (index pfn - base_pfn): set while the frame
	 * belongs to a user of the allocator. Frames in the buddy and in
	 * caches have it clear. Atomic because single-frame frees clear it
	 * without the buddy lock (see falloc.c).
	 */
	_Atomic unsigned long *state;
	unsigned long state_words;
	/* This struct, the state bitmap and the buddy's bitmaps are one
	 * block of metadata (falloc.c), ours to free when @meta_owned. */
	__sz meta_size;
	bool meta_owned;

	/* Per-thread (per-CPU) caches (fcache.c). */
	struct ukplat_slot slot;
	bool slot_ok;
	struct uk_mutex reg_lock;   /* protects the caches list */
	struct mm_fcache *caches;   /* registry of live caches */
};

static inline struct mm_falloc *mm_falloc_of(struct uk_falloc *fa)
{
	return (struct mm_falloc *)fa;
}

#endif /* UK_MM_FALLOC_IMPL_H */
