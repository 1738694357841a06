/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The software MMU: read, write and execute a VAS through its page table
 * the way a CPU does, faulting through uk_vas_fault when a page is missing
 * or lacks rights, and the nofault probes Unikraft offers (uk/nofault.h).
 *
 * Accesses are word-atomic (relaxed) on the frames, like a CPU's: two
 * threads writing the same bytes race as they would on hardware, but never
 * tear a naturally aligned word, and ThreadSanitizer sees no data race.
 * Any thread may call these without holding anything.
 */
#ifndef UK_MMU_H
#define UK_MMU_H

#include <stdbool.h>
#include <uk/vmem.h>
#include <uk/nofault.h>

/*
 * Copy between @buf and [vaddr, vaddr + len). Each returns how many bytes
 * succeeded, from the start: fewer than @len means the next byte raised a
 * fault that was not resolved (no VMA, no rights, guard page, reservation,
 * demand paging disabled, out of memory).
 */
__sz uk_vas_read(struct uk_vas *vas, __vaddr_t vaddr, void *buf, __sz len);
__sz uk_vas_write(struct uk_vas *vas, __vaddr_t vaddr, const void *buf,
		  __sz len);
/* An instruction fetch: needs PAGE_ATTR_PROT_EXEC. */
__sz uk_vas_fetch(struct uk_vas *vas, __vaddr_t vaddr, void *buf, __sz len);

/* Translate without faulting: 0 and *paddr when a leaf with the rights for
 * @access (UK_VMA_FAULT_READ/WRITE/EXEC) maps @vaddr, -EFAULT otherwise. */
int uk_vas_translate(struct uk_vas *vas, __vaddr_t vaddr, unsigned int access,
		     __paddr_t *paddr);

/* The nofault probes (uk/nofault.h, UK_NOFAULTF_* flags) on @vas. */
__sz uk_vas_probe_r(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		    unsigned long flags);
__sz uk_vas_probe_rw(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		     unsigned long flags);

#endif /* UK_MMU_H */
