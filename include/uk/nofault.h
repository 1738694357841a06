/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unikraft's nofault probes over the calling thread's active VAS: how many
 * bytes from an address can be accessed without a fault that stays
 * unresolved. Same names and flag values as Unikraft's uk/nofault.h; the
 * probes run through ukvmem's software MMU (uk/mmu.h).
 */
#ifndef UK_NOFAULT_H
#define UK_NOFAULT_H

#include <uk/vmem_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Probe the whole range: an inaccessible 4 KiB page is skipped (not
 * counted) and probing goes on at the next page. Without it the probe
 * stops at the first inaccessible byte. */
#define UK_NOFAULTF_CONTINUE 0x01UL
/* Resolve no fault by demand paging while probing: a page that is not
 * mapped yet counts as inaccessible. */
#define UK_NOFAULTF_NOPAGING 0x02UL

/*
 * Bytes of [vaddr, vaddr + len) that can be read (_r) or read and written
 * (_rw) without an unresolved fault; with UK_NOFAULTF_CONTINUE the sum
 * over the accessible pages, otherwise the length of the accessible
 * prefix. The rw probe writes nothing visible (an atomic OR of zero per
 * page), so it never clobbers a concurrent write. 0 when the thread has no
 * active VAS or the range wraps. Other flag bits are ignored, as upstream.
 */
__sz uk_nofault_probe_r(__vaddr_t vaddr, __sz len, unsigned long flags);
__sz uk_nofault_probe_rw(__vaddr_t vaddr, __sz len, unsigned long flags);

#ifdef __cplusplus
}
#endif

#endif /* UK_NOFAULT_H */
