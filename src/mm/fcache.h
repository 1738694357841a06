/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-thread single-frame caches in front of the buddy (private to
 * src/mm). None of these functions may be called with any allocator lock
 * held; they take what they need (order: registry -> cache -> buddy).
 */
#ifndef UK_MM_FCACHE_H
#define UK_MM_FCACHE_H

#include "mm/falloc_impl.h"

/* Frames a cache holds at most, and how many move per refill / flush. */
#define MM_FCACHE_MAX 128
#define MM_FCACHE_BATCH 64 /* = one word of the state bitmap */

/* Create the thread key and registry. 0 or -ENOMEM. */
int mm_fcache_setup(struct mm_falloc *f);
/* Drain and free every cache; no other thread may use @f any more. */
void mm_fcache_teardown(struct mm_falloc *f);

/* One frame from the calling thread's cache (refilled from the buddy when
 * empty; straight from the buddy when the thread has no cache), or
 * MM_PFN_INV when the cache and the buddy are both empty. The frame's
 * state bit is the caller's to set. */
unsigned long mm_fcache_alloc(struct mm_falloc *f);
/* Put one frame, whose state bit the caller has already cleared, into the
 * calling thread's cache (flushing a batch to the buddy when full). */
void mm_fcache_free(struct mm_falloc *f, unsigned long pfn);
/* Return every cached frame of every thread to the buddy. */
void mm_fcache_drain(struct mm_falloc *f);
/* Frames held in all caches (exact when the allocator is quiescent). */
unsigned long mm_fcache_cached(struct mm_falloc *f);

#endif /* UK_MM_FCACHE_H */
