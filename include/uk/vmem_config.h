/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Kconfig names of Unikraft's ukvmem (CONFIG_LIBUKVMEM_*) with the
 * values this build of ukvmem has, for code that tests or uses them. They
 * describe the compiled library, so they are not settable: defining one
 * to another value before this header is a macro-redefinition error, not
 * a different library. uk/vmem.h includes this header.
 */
#ifndef UK_VMEM_CONFIG_H
#define UK_VMEM_CONFIG_H

#define CONFIG_LIBUKVMEM 1
/* Unikraft code guards its page-table use with these. */
#define CONFIG_HAVE_PAGING 1
#define CONFIG_PAGING 1

/* First-fit placement starts here (UK_VAS_VMA_BASE). */
#define CONFIG_LIBUKVMEM_DEFAULT_BASE 0x0000001000000000
/* Demand faults page in 4 KiB unless the VMA asks for larger pages. */
#define CONFIG_LIBUKVMEM_DEMAND_PAGE_IN_SIZE 12
/* Guard pages of a stack: at its low end and at its high end. */
#define CONFIG_LIBUKVMEM_STACK_GUARD_PAGES_BOTTOM 1
#define CONFIG_LIBUKVMEM_STACK_GUARD_PAGES_TOP 4

/*
 * Not defined: CONFIG_LIBUKVMEM_DEDICATED_{ANON,DMA,FILE,STACK}_BASE and
 * their *_BASE addresses (every type places from the default base, which
 * is Unikraft's default configuration), CONFIG_LIBUKVMEM_PAGEFAULT_HANDLER_PRIO
 * (no trap-handler chain here: the kernel calls uk_vas_fault) and
 * CONFIG_LIBUKVMEM_TEST. See docs/compat.md.
 */

#endif /* UK_VMEM_CONFIG_H */
