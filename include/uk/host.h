/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host-only conveniences (a Linux process, not part of the freestanding
 * core): simulated physical memory and printing a VAS to a stdio stream.
 * File-backed VMAs (uk/vma_types.h) are host-only too.
 */
#ifndef UK_HOST_H
#define UK_HOST_H

#include <stdio.h>
#include <uk/physmem.h>
#include <uk/vmem.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Reserve @size bytes of simulated physical memory (rounded up to a page;
 * 0 means the default 1 GiB). Returns 0, -EINVAL for sizes the address
 * layout cannot hold, -ENOMEM when the host refuses the reservation.
 */
int uk_physmem_init(struct uk_physmem *pm, __sz size);
void uk_physmem_destroy(struct uk_physmem *pm);
/* Give the host's backing of a range back (contents read as zero after). */
void uk_physmem_discard(struct uk_physmem *pm, __paddr_t paddr, __sz len);

/* Print like /proc/<pid>/maps plus Rss per VMA (uk_vas_dump to @out),
 * marking shared file mappings 's'. */
void uk_vas_print(struct uk_vas *vas, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* UK_HOST_H */
