/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unikraft's default VMA hooks, for VMA types that build on them:
 *
 *	const struct uk_vma_ops my_ops = {
 *		.fault = my_fault,
 *		.unmap = uk_vma_op_unmap,
 *		.split = uk_vma_op_deny,
 *		.merge = uk_vma_op_deny,
 *		.set_attr = uk_vma_op_set_attr,
 *		.advise = uk_vma_op_advise,
 *	};
 *
 * Each is also what ukvmem does when the hook is NULL. Like every hook,
 * they run with vas->lock held (docs/compat.md: when ukvmem calls them).
 */
#ifndef UK_VMA_OPS_H
#define UK_VMA_OPS_H

#include <uk/vmem.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Refuse: -EPERM. Declared without a parameter list, as in Unikraft, so
 * that one function fits the split, merge, set_attr and advise slots; this
 * needs C17 or older (C23 reads "()" as "(void)").
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
int uk_vma_op_deny();
#pragma GCC diagnostic pop

/* Remove the PTEs of [vaddr, vaddr + len) and free their frames after a
 * grace period. -EINVAL when the range is not page aligned or not inside
 * @vma (nothing changed then). */
int uk_vma_op_unmap(struct uk_vma *vma, __vaddr_t vaddr, __sz len);

/* Accept the new attributes: 0. ukvmem itself brings the PTEs to @attr
 * once the VMA change is published (Unikraft leaves that to the hook). */
int uk_vma_op_set_attr(struct uk_vma *vma, unsigned long attr);

/*
 * Anonymous memory's advice: UK_VMA_ADV_DONTNEED frees the range's frames
 * (the next access faults like the first), UK_VMA_ADV_WILLNEED faults it
 * in now and wins when both are given. Asked with UK_VMA_ADV_QUERY, it
 * accepts (0) without acting. -EINVAL for a range that is not page
 * aligned or not inside @vma, -ENOMEM (WILLNEED: nothing installed then).
 */
int uk_vma_op_advise(struct uk_vma *vma, __vaddr_t vaddr, __sz len,
		     unsigned long advice);

#ifdef __cplusplus
}
#endif

#endif /* UK_VMA_OPS_H */
