/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address-space lifetime, the active VAS, and lock-free lookup.
 *
 * Lookups run inside an RCU read section: vt_snapshot() loads the root with
 * acquire (pairing with the release in vt_txn_commit), so the nodes and the
 * VMAs they point to are fully initialised when read, and stay allocated
 * until the section ends (they are retired through uk_rcu_call).
 */
#include "ukvmem_config.h"
#include "vas_internal.h"

/* Canonical lower half on x86_64 (47 bits), 48-bit TTBR0 range on arm64. */
#if UKVMEM_PT_ARM64
#define VAS_VA_END (1UL << 48)
#else
#define VAS_VA_END (1UL << 47)
#endif

int uk_vas_init_range(struct uk_vas *vas, struct uk_pagetable *pt,
		      struct uk_alloc *a, __vaddr_t start, __vaddr_t end)
{
	if (!vas || !pt || !PAGE_ALIGNED(start) || !PAGE_ALIGNED(end) ||
	    start < PAGE_SIZE || start >= end || start < pt->va_start ||
	    end > pt->va_end)
		return -EINVAL;
	vas->tree = ukplat_malloc(sizeof(*vas->tree));
	if (!vas->tree)
		return -ENOMEM;
	vas->pt = pt;
	vas->a = a;
	vas->va_start = start;
	vas->va_end = end;
	vas->vma_base = UK_VAS_VMA_BASE >= start && UK_VAS_VMA_BASE < end
				? UK_VAS_VMA_BASE
				: start;
	vas->flags = 0;
	vt_init(vas->tree, vas->va_start, vas->va_end);
	ukplat_mutex_init(&vas->lock);
	return 0;
}

int uk_vas_init(struct uk_vas *vas, struct uk_pagetable *pt,
		struct uk_alloc *a)
{
	/* Page 0 stays unmapped so that NULL dereferences always fault. */
	__vaddr_t start = PAGE_SIZE, end = VAS_VA_END;

	if (!vas || !pt)
		return -EINVAL;
	/* A table that is partly a kernel's limits the default range. */
	if (pt->va_start > start)
		start = pt->va_start;
	if (pt->va_end < end)
		end = pt->va_end;
	return uk_vas_init_range(vas, pt, a, start, end);
}

/*
 * No other thread may use the VAS any more (as with any object's destroy),
 * so there is no reader to protect: tear down directly, without tree
 * transactions, so that destroy needs no memory and cannot fail.
 */
void uk_vas_destroy(struct uk_vas *vas)
{
	struct ukplat_tlb_gather tlb;
	const struct vt_node *root;
	struct uk_vma *vma, *next;

	if (!vas || !vas->tree)
		return;
	ukplat_mutex_lock(&vas->lock);
	root = vt_snapshot(vas->tree);
	vas_tlb_begin(vas, &tlb);
	for (vma = vas_next_from(root, 0); vma; vma = next) {
		next = vas_next_from(root, vma->end);
		vma_unmap_range(vma, vma->start, vma->end - vma->start);
		vma_free(vma);
	}
	vas_tlb_end(&tlb);
	vt_destroy(vas->tree);
	ukplat_mutex_unlock(&vas->lock);
	/* Frames and nodes retired earlier are freed by now. */
	uk_rcu_barrier();
	ukplat_free(vas->tree);
	vas->tree = NULL;
	ukplat_mutex_destroy(&vas->lock);
	if (uk_vas_get_active() == vas)
		uk_vas_set_active(NULL);
}

/* Per thread on the host, per thread or CPU in a kernel (plat.h). */
struct uk_vas *uk_vas_get_active(void)
{
	return ukplat_ctx_get(UKPLAT_CTX_ACTIVE_VAS);
}

int uk_vas_set_active(struct uk_vas *vas)
{
	ukplat_ctx_set(UKPLAT_CTX_ACTIVE_VAS, vas);
	return 0;
}

struct uk_vma *vas_find_rcu(struct uk_vas *vas, __vaddr_t vaddr)
{
	struct vt_entry e;

	if (!vt_lookup(vt_snapshot(vas->tree), vaddr, &e))
		return NULL;
	return e.item;
}

struct uk_vma *vas_next_from(const struct vt_node *root, __vaddr_t vaddr)
{
	struct vt_entry e;

	return vt_next_from(root, vaddr, &e) ? e.item : NULL;
}

const struct uk_vma *uk_vma_find(struct uk_vas *vas, __vaddr_t vaddr)
{
	return vas_find_rcu(vas, vaddr);
}

const struct uk_vma *uk_vma_first(struct uk_vas *vas)
{
	struct vt_entry e;

	return vt_first(vt_snapshot(vas->tree), &e) ? e.item : NULL;
}

const struct uk_vma *uk_vma_last(struct uk_vas *vas)
{
	struct vt_entry e;

	return vt_last(vt_snapshot(vas->tree), &e) ? e.item : NULL;
}

const struct uk_vma *uk_vma_next(const struct uk_vma *vma)
{
	return vas_next_from(vt_snapshot(vma->vas->tree), vma->end);
}

const struct uk_vma *uk_vma_prev(const struct uk_vma *vma)
{
	struct vt_entry e;

	if (!vt_prev_before(vt_snapshot(vma->vas->tree), vma->start, &e))
		return NULL;
	return e.item;
}

void uk_vma_iter_init(struct uk_vma_iter *it, struct uk_vas *vas)
{
	it->root = vt_snapshot(vas->tree);
	it->next = 0;
}

const struct uk_vma *uk_vma_iter_next(struct uk_vma_iter *it)
{
	struct uk_vma *vma = vas_next_from(it->root, it->next);

	if (vma)
		it->next = vma->end;
	return vma;
}
