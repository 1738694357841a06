/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame allocator, with Unikraft's falloc interface.
 *
 * Frames are PAGE_SIZE physical pages of a struct uk_physmem. An allocation
 * is any number of contiguous frames; any sub-range of one or several
 * adjacent allocations may be freed (head, middle, tail). The allocator is
 * thread safe: single frames come from per-thread caches in front of a
 * buddy allocator, so threads allocating and freeing one frame at a time do
 * not share a lock.
 */
#ifndef UK_FALLOC_H
#define UK_FALLOC_H

#include <uk/vmem_types.h>

struct uk_physmem;

/* Align the allocation to its own size rounded up to a power of two
 * (a 512-frame allocation is 2 MiB aligned). */
#define FALLOC_FLAG_ALIGNED 0x1UL
/* Zero the frames before returning them. */
#define FALLOC_FLAG_ZERO 0x2UL

struct uk_falloc {
	/*
	 * Allocate @frames contiguous frames. With *paddr == __PADDR_ANY the
	 * allocator picks the place and stores it in *paddr; otherwise it
	 * allocates exactly at *paddr (page aligned) or fails with -ENOMEM
	 * when any of those frames is taken. With FALLOC_FLAG_ALIGNED and a
	 * given *paddr, *paddr must have that alignment (else -EINVAL).
	 * Returns 0, -EINVAL (0 frames, misaligned or outside memory, unknown
	 * flags) or -ENOMEM (also: more frames than memory has, or an injected
	 * UK_INJECT_FRAME failure); on failure nothing is allocated and *paddr
	 * is unchanged. Thread safe; never sleeps for long (mutexes only).
	 * Frames are not zeroed without FALLOC_FLAG_ZERO.
	 */
	int (*falloc)(struct uk_falloc *fa, __paddr_t *paddr,
		      unsigned long frames, unsigned long flags);
	/*
	 * Free @frames frames at @paddr: any part of one allocation, or a
	 * range over several adjacent ones. Returns 0, or -EINVAL when @frames
	 * is 0, @paddr is misaligned, or any frame of the range is outside
	 * memory or not allocated (double free); on error nothing changes.
	 * The caller must not touch the frames after a successful free.
	 */
	int (*ffree)(struct uk_falloc *fa, __paddr_t paddr,
		     unsigned long frames);
	/*
	 * Statistics in bytes; free counts frames in per-thread caches. Exact
	 * while no other thread allocates or frees; a snapshot otherwise.
	 */
	__sz (*free_memory)(struct uk_falloc *fa);
	__sz total_memory;
	struct uk_physmem *pm;
};

/*
 * Create the default (buddy + per-thread cache) allocator over all of @pm
 * (initialised; it must outlive the allocator). Metadata is one block of a
 * few bits per frame (uk_falloc_meta_size), outside @pm, from
 * ukplat_pages_alloc; the frames themselves are never touched except to
 * zero them on request. Returns 0, -EINVAL (bad @pm: no direct map, empty,
 * misaligned, too large) or -ENOMEM. THREAD context (plat.h).
 */
int uk_falloc_create(struct uk_falloc **fa, struct uk_physmem *pm);
/* Bytes of metadata the allocator needs for @pm (a multiple of PAGE_SIZE);
 * 0 for a @pm uk_falloc_create would refuse with -EINVAL. */
__sz uk_falloc_meta_size(const struct uk_physmem *pm);
/*
 * The same with the metadata in [@meta, @meta + @len), which the caller
 * provides (a kernel at boot, before it has an allocator): PAGE_SIZE
 * aligned, @len >= uk_falloc_meta_size(@pm), any contents (zeroed here).
 * It stays the caller's: uk_falloc_destroy does not free it. Returns 0 or
 * -EINVAL; allocates nothing until a context first allocates a frame (its
 * cache, through ukplat_aligned_alloc).
 */
int uk_falloc_create_in(struct uk_falloc **fa, struct uk_physmem *pm,
			void *meta, __sz len);
/* Destroy @fa. No thread may use it any more; frames still allocated are
 * simply forgotten. Threads still alive lose their caches silently. */
void uk_falloc_destroy(struct uk_falloc *fa);
/*
 * Return every frame held in per-thread caches (of every thread, live or
 * not) to the buddy allocator. Not needed for correctness: allocations
 * that cannot be satisfied drain by themselves, and free_memory counts
 * cached frames. Must not be called from inside the allocator.
 */
void uk_falloc_drain(struct uk_falloc *fa);
/* Allocated bytes (total - free), for accounting checks. */
__sz uk_falloc_used(struct uk_falloc *fa);
/*
 * 1 when every frame of the range is currently allocated, 0 when at least
 * one is not (free or in a per-thread cache), -EINVAL when the range is
 * empty, misaligned or not inside memory. A snapshot: racing frees and
 * allocations may change the answer at once.
 */
int uk_falloc_is_allocated(struct uk_falloc *fa, __paddr_t paddr,
			   unsigned long frames);
/*
 * Check the allocator's invariants (buddy free blocks fully merged and
 * matching the per-frame bitmaps; no frame both allocated and free;
 * allocated + free + cached == total). Only meaningful while no other
 * thread allocates or frees. Returns 0 or -EFAULT.
 */
int uk_falloc_validate(struct uk_falloc *fa);

static inline int uk_falloc_frames(struct uk_falloc *fa, __paddr_t *paddr,
				   unsigned long frames, unsigned long flags)
{
	return fa->falloc(fa, paddr, frames, flags);
}

/* Unikraft convenience: allocate anywhere, __PADDR_INV on failure. */
static inline __paddr_t uk_falloc(struct uk_falloc *fa, unsigned long frames)
{
	__paddr_t paddr = __PADDR_ANY;

	return fa->falloc(fa, &paddr, frames, 0) ? __PADDR_INV : paddr;
}

static inline int uk_ffree(struct uk_falloc *fa, __paddr_t paddr,
			   unsigned long frames)
{
	return fa->ffree(fa, paddr, frames);
}

#endif /* UK_FALLOC_H */
