/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Basic types, page geometry and page attributes shared by every part of
 * ukvmem. Names and values follow Unikraft so that code written for its
 * ukvmem compiles unchanged.
 */
#ifndef UK_VMEM_TYPES_H
#define UK_VMEM_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned long __vaddr_t;
typedef unsigned long __paddr_t;
typedef size_t __sz;
typedef int64_t __off;
/* A page-table entry in either supported format (both are 64-bit). */
typedef uint64_t __pte_t;

#define __VADDR_INV (~(__vaddr_t)0)
#define __VADDR_ANY __VADDR_INV
#define __PADDR_INV (~(__paddr_t)0)
#define __PADDR_ANY __PADDR_INV

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* Level 0 maps 4 KiB, level 1 2 MiB (large), level 2 1 GiB (huge). */
#define PAGE_LEVEL 0
#define PAGE_LARGE_LEVEL 1
#define PAGE_HUGE_LEVEL 2
#define PT_LEVELS 4
#define PT_PTES_PER_LEVEL 512
#define PT_LEVEL_SHIFT 9

#define PAGE_Lx_SHIFT(lvl) (PAGE_SHIFT + (PT_LEVEL_SHIFT * (lvl)))
#define PAGE_Lx_SIZE(lvl) (1UL << PAGE_Lx_SHIFT(lvl))
#define PAGE_Lx_MASK(lvl) (~(PAGE_Lx_SIZE(lvl) - 1))
#define PAGE_Lx_ALIGNED(x, lvl) ((((unsigned long)(x)) & (PAGE_Lx_SIZE(lvl) - 1)) == 0)
#define PAGE_Lx_ALIGN_UP(x, lvl) ((((unsigned long)(x)) + PAGE_Lx_SIZE(lvl) - 1) & PAGE_Lx_MASK(lvl))
#define PAGE_Lx_ALIGN_DOWN(x, lvl) (((unsigned long)(x)) & PAGE_Lx_MASK(lvl))
/* Level whose page size has the given shift; -1 when no level has it. */
#define PAGE_SHIFT_Lx(shift)                                                   \
	((shift) == PAGE_Lx_SHIFT(0)   ? 0                                     \
	 : (shift) == PAGE_Lx_SHIFT(1) ? 1                                     \
	 : (shift) == PAGE_Lx_SHIFT(2) ? 2                                     \
				       : -1)

#define PAGE_LARGE_SHIFT PAGE_Lx_SHIFT(PAGE_LARGE_LEVEL)
#define PAGE_LARGE_SIZE PAGE_Lx_SIZE(PAGE_LARGE_LEVEL)
#define PAGE_LARGE_MASK PAGE_Lx_MASK(PAGE_LARGE_LEVEL)
#define PAGE_HUGE_SHIFT PAGE_Lx_SHIFT(PAGE_HUGE_LEVEL)
#define PAGE_HUGE_SIZE PAGE_Lx_SIZE(PAGE_HUGE_LEVEL)
#define PAGE_HUGE_MASK PAGE_Lx_MASK(PAGE_HUGE_LEVEL)
#define PAGE_LARGE_ALIGNED(x) PAGE_Lx_ALIGNED(x, PAGE_LARGE_LEVEL)
#define PAGE_LARGE_ALIGN_UP(x) PAGE_Lx_ALIGN_UP(x, PAGE_LARGE_LEVEL)
#define PAGE_LARGE_ALIGN_DOWN(x) PAGE_Lx_ALIGN_DOWN(x, PAGE_LARGE_LEVEL)
#define PAGE_HUGE_ALIGNED(x) PAGE_Lx_ALIGNED(x, PAGE_HUGE_LEVEL)
#define PAGE_HUGE_ALIGN_UP(x) PAGE_Lx_ALIGN_UP(x, PAGE_HUGE_LEVEL)
#define PAGE_HUGE_ALIGN_DOWN(x) PAGE_Lx_ALIGN_DOWN(x, PAGE_HUGE_LEVEL)

#define PAGE_ALIGNED(x) PAGE_Lx_ALIGNED(x, PAGE_LEVEL)
#define PAGE_ALIGN_UP(x) PAGE_Lx_ALIGN_UP(x, PAGE_LEVEL)
#define PAGE_ALIGN_DOWN(x) PAGE_Lx_ALIGN_DOWN(x, PAGE_LEVEL)
#define PAGE_COUNT(len) (PAGE_ALIGN_UP(len) >> PAGE_SHIFT)

/* Largest level a page may have (1 GiB pages). */
#define PAGE_MAX_LEVEL PAGE_HUGE_LEVEL

/* Protection bits of a mapping. */
#define PAGE_ATTR_PROT_NONE 0x00
#define PAGE_ATTR_PROT_READ 0x01
#define PAGE_ATTR_PROT_WRITE 0x02
#define PAGE_ATTR_PROT_EXEC 0x04
#define PAGE_ATTR_PROT_MASK 0x07
#define PAGE_ATTR_PROT_RW (PAGE_ATTR_PROT_READ | PAGE_ATTR_PROT_WRITE)
#define PAGE_ATTR_PROT_RWX (PAGE_ATTR_PROT_RW | PAGE_ATTR_PROT_EXEC)

/* Memory type (caching) of a mapping; encoded per format in arch/. */
#define PAGE_ATTR_TYPE_SHIFT 3
#define PAGE_ATTR_TYPE_NORMAL_WB (0x0UL << PAGE_ATTR_TYPE_SHIFT)
#define PAGE_ATTR_TYPE_NORMAL_WT (0x1UL << PAGE_ATTR_TYPE_SHIFT)
#define PAGE_ATTR_TYPE_NORMAL_NC (0x2UL << PAGE_ATTR_TYPE_SHIFT)
#define PAGE_ATTR_TYPE_DEVICE (0x3UL << PAGE_ATTR_TYPE_SHIFT)
#define PAGE_ATTR_TYPE_MASK (0x3UL << PAGE_ATTR_TYPE_SHIFT)

#define PAGE_ATTR_MASK (PAGE_ATTR_PROT_MASK | PAGE_ATTR_TYPE_MASK)

/* Fault types (what the access was, and what the hardware reported). */
#define UK_VMA_FAULT_READ 0x00
#define UK_VMA_FAULT_WRITE 0x01
#define UK_VMA_FAULT_EXEC 0x02
#define UK_VMA_FAULT_ACCESSTYPE_MASK 0x03
#define UK_VMA_FAULT_NONPRESENT 0x04 /* no translation at all */
#define UK_VMA_FAULT_MISCONFIG 0x08  /* reserved bit / bad entry */
#define UK_VMA_FAULT_SOFT 0x10       /* raised by software (populate) */
/* ukvmem extension, far from Unikraft's bits (0x01-0x10): never wait for a
 * writer; return -EAGAIN instead (see uk_vas_fault). Type hooks never see
 * it. */
#define UK_VMA_FAULT_NOWAIT 0x1000000U

#endif /* UK_VMEM_TYPES_H */
