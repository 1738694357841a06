/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The physical memory the library manages: [base, base + size) and the
 * direct map (kmap) that turns a physical range into a pointer; page
 * tables, frames and DMA buffers all live here. A kernel fills the struct
 * itself (its RAM zone and its direct-map address). On a Linux host,
 * uk_physmem_init (uk/host.h) simulates it: one region the library owns,
 * reserved with mmap (MAP_NORESERVE, backed lazily by the host), seen as
 * physical addresses [UK_PHYSMEM_BASE, UK_PHYSMEM_BASE + size). Address 0
 * is never a valid frame.
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
	char *host;      /* direct-map address of @base */
};

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

#endif /* UK_PHYSMEM_H */
