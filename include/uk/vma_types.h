/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VMA types ukvmem ships: reservations, anonymous memory, thread
 * stacks, direct-mapped physical memory (DMA) and file mappings. Each is a
 * struct uk_vma_ops plus a convenience wrapper around uk_vma_map with the
 * signature Unikraft's ukvmem uses.
 */
#ifndef UK_VMA_TYPES_H
#define UK_VMA_TYPES_H

#include <uk/vmem.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Type flags live in the upper half of the map flags. */
#define UK_VMA_TYPE_FLAG(n) (1UL << (UK_VMA_MAP_EXTF_SHIFT + (n)))

/* ---- Reservation: address space held, never backed --------------------- */
extern const struct uk_vma_ops uk_vma_rsvd_ops;

/* @flags: 0 or UK_VMA_MAP_REPLACE. An access to a reservation is a fault
 * that is never resolved. */
static inline int uk_vma_reserve_ex(struct uk_vas *vas, __vaddr_t *vaddr,
				    __sz len, unsigned long attr,
				    unsigned long flags, const char *name)
{
	return uk_vma_map(vas, vaddr, len, attr, flags, name,
			  &uk_vma_rsvd_ops, NULL);
}

static inline int uk_vma_reserve(struct uk_vas *vas, __vaddr_t *vaddr,
				 __sz len)
{
	return uk_vma_reserve_ex(vas, vaddr, len, 0, 0, NULL);
}

/* ---- Anonymous memory: zero-filled on demand ----------------------------- */
extern const struct uk_vma_ops uk_vma_anon_ops;

static inline int uk_vma_map_anon(struct uk_vas *vas, __vaddr_t *vaddr,
				  __sz len, unsigned long attr,
				  unsigned long flags, const char *name)
{
	return uk_vma_map(vas, vaddr, len, attr, flags, name,
			  &uk_vma_anon_ops, NULL);
}

/* ---- Thread stacks ------------------------------------------------------- */
extern const struct uk_vma_ops uk_vma_stack_ops;

/* Guard pages: the bottom guard at the VMA's low end, the top guard at its
 * high end, whichever way the stack grows (as in Unikraft). */
#define UK_VMA_STACK_GUARD_PAGES_BOTTOM CONFIG_LIBUKVMEM_STACK_GUARD_PAGES_BOTTOM
#define UK_VMA_STACK_GUARD_PAGES_TOP CONFIG_LIBUKVMEM_STACK_GUARD_PAGES_TOP
#define UK_VMA_STACK_BOTTOM_GUARD_SIZE                                         \
	((__sz)UK_VMA_STACK_GUARD_PAGES_BOTTOM * PAGE_SIZE)
#define UK_VMA_STACK_TOP_GUARD_SIZE                                            \
	((__sz)UK_VMA_STACK_GUARD_PAGES_TOP * PAGE_SIZE)
#define UK_VMA_STACK_GUARDS_SIZE                                               \
	(UK_VMA_STACK_BOTTOM_GUARD_SIZE + UK_VMA_STACK_TOP_GUARD_SIZE)
#define UK_VMA_STACK_GROWS_UP UK_VMA_TYPE_FLAG(0)

struct uk_vma_stack_args {
	__sz premapped_len;
};

/*
 * Map a read-write stack of @len usable bytes as one VMA of
 * len + UK_VMA_STACK_GUARDS_SIZE bytes. A fixed *vaddr is the VMA's start
 * (its bottom guard); *vaddr returns the first usable byte, the VMA's
 * start + UK_VMA_STACK_BOTTOM_GUARD_SIZE. @premapped_len bytes (capped to
 * @len; all of it with UK_VMA_MAP_POPULATE) at the growing end, the top of
 * the usable part for a stack growing down, are faulted in now. An access
 * to a guard is a fault that is never resolved. A stack is never merged or
 * split (a partial unmap or set_attr returns -EPERM) and keeps its frames
 * until it is unmapped (DONTNEED: -EPERM). -EINVAL: NULL @vaddr, @len 0 or
 * not page aligned, @premapped_len not page aligned, a page size other
 * than 4 KiB; otherwise uk_vma_map's errors.
 */
int uk_vma_map_stack(struct uk_vas *vas, __vaddr_t *vaddr, __sz len,
		     unsigned long flags, const char *name,
		     __sz premapped_len);

/* ---- Direct-mapped physical memory ---------------------------------------- */
extern const struct uk_vma_ops uk_vma_dma_ops;

struct uk_vma_dma_args {
	__paddr_t paddr;
};

/* Map [paddr, paddr + len) of physical memory. Unmap leaves the frames
 * alone. -EINVAL when the range is misaligned or outside memory. */
static inline int uk_vma_map_dma(struct uk_vas *vas, __vaddr_t *vaddr,
				 __sz len, unsigned long attr,
				 unsigned long flags, const char *name,
				 __paddr_t paddr)
{
	struct uk_vma_dma_args args = {.paddr = paddr};

	return uk_vma_map(vas, vaddr, len, attr, flags, name,
			  &uk_vma_dma_ops, &args);
}

/* Physical address of a DMA VMA's first page (__PADDR_INV otherwise). */
__paddr_t uk_vma_dma_paddr(const struct uk_vma *vma);

/* ---- File mappings (host only: src/vas/types/file.c) ----------------------- */
extern const struct uk_vma_ops uk_vma_file_ops;

/* Share the mapping with the file: reads see the file, writes (with
 * PAGE_ATTR_PROT_WRITE) go back to it on sync and unmap. Default: private
 * copy. */
#define UK_VMA_FILE_SHARED UK_VMA_TYPE_FLAG(0)

struct uk_vma_file_args {
	int fd;
	__off offset;
};

/*
 * Map @len bytes of the file @fd from @offset (page aligned). Pages load on
 * first access; the part of the last page past end-of-file reads as zeros.
 * The VMA is named after the file. -EBADF for a bad descriptor, -EINVAL for
 * a misaligned or negative offset.
 */
int uk_vma_map_file(struct uk_vas *vas, __vaddr_t *vaddr, __sz len,
		    unsigned long attr, unsigned long flags, int fd,
		    __off offset);

/* Write dirty pages of shared writable file mappings in the range back to
 * their files (like msync). Returns 0 or a negative errno. */
int uk_vma_file_sync(struct uk_vas *vas, __vaddr_t vaddr, __sz len);

#ifdef __cplusplus
}
#endif

#endif /* UK_VMA_TYPES_H */
