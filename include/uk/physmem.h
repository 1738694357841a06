/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simulated physical memory on a Linux host: one region the library owns,
 * reserved with mmap (MAP_NORESERVE, backed lazily by the host), seen as
 * physical addresses [UK_PHYSMEM_BASE, UK_PHYSMEM_BASE + size). Address 0 is
 * never a valid frame. The direct map (kmap) turns a physical range into a
 * host pointer; page tables, frames and DMA buffers all live here.
 */
#ifndef UK_PHYSMEM_H
#define UK_PHYSMEM_H

#include <stdbool.h>
#include <uk/vmem_types.h>

/* 1 GiB aligned so that 2 MiB and 1 GiB frames can be naturally aligned. */
#define UK_PHYSMEM_BASE 0x40000000UL
#define UK_PHYSMEM_DEFAULT_SIZE (1UL << 30)

struct uk_physmem {
	__paddr_t base;  /* first physical address */
	__sz size;       /* bytes, multiple of PAGE_SIZE */
	char *host;      /* host address of @base */
};

/*
 * Reserve @size bytes (rounded up to a page; 0 means the default 1 GiB).
 * Returns 0, -EINVAL for sizes the address layout cannot hold, -ENOMEM when
 * the host refuses the reservation.
 */
int uk_physmem_init(struct uk_physmem *pm, __sz size);
void uk_physmem_destroy(struct uk_physmem *pm);

static inline bool uk_physmem_contains(const struct uk_physmem *pm,
				       __paddr_t paddr, __sz len)
{
	return paddr >= pm->base && len <= pm->size &&
	       paddr - pm->base <= pm->size - len;
}

/* Host pointer for @paddr; the caller guarantees the range is inside. */
static inline void *uk_physmem_kmap(const struct uk_physmem *pm,
				    __paddr_t paddr)
{
	return pm->host + (paddr - pm->base);
}

/* Give the host's backing of a range back (contents read as zero after). */
void uk_physmem_discard(struct uk_physmem *pm, __paddr_t paddr, __sz len);

#endif /* UK_PHYSMEM_H */
