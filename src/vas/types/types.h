/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the VMA types. */
#ifndef UK_VMA_TYPES_INTERNAL_H
#define UK_VMA_TYPES_INTERNAL_H

#include <stdbool.h>
#include <uk/vmem.h>

/* Take a frame of f->len bytes for an anonymous-like page, zeroed if
 * @zero; f->paddr gets it. */
int vma_anon_frame(struct uk_vma *vma, struct uk_vm_fault *f, bool zero);

/* uk_vma_map, faulting in [pop_start, pop_end) of the new VMA as part of
 * the same all-or-nothing operation. */
int vas_map_populate(struct uk_vas *vas, __vaddr_t *vaddr, __sz len,
		     unsigned long attr, unsigned long flags, const char *name,
		     const struct uk_vma_ops *ops, void *args, __sz pop_off,
		     __sz pop_len);

#endif
