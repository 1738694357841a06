/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * uk_vma_map: create a VMA, first fit or at a fixed address, replacing what
 * overlaps with UK_VMA_MAP_REPLACE, merging with compatible neighbours,
 * populating with UK_VMA_MAP_POPULATE.
 *
 * Ordering for a REPLACE that removes old VMAs (see docs/design.md,
 * "Fault vs REPLACE"):
 *   1. the new VMA is published PENDING together with the removal;
 *   2. uk_rcu_synchronize(): every fault that saw an old VMA is done;
 *   3. the old VMAs' PTEs are removed, and the TLB flushed once;
 *   4. populate, then the new VMA is marked LIVE (release).
 * A fault that meets the PENDING VMA waits for vas->lock and retries, so
 * no PTE of the new VMA exists before step 3 could remove it.
 */
#include "lib/string.h"
#include "vas_internal.h"
#include "vas/types/types.h"

bool vas_range_ok(const struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		  __sz align)
{
	return len > 0 && (vaddr & (align - 1)) == 0 &&
	       (len & (align - 1)) == 0 && vaddr >= vas->va_start &&
	       vaddr < vas->va_end && len <= vas->va_end - vaddr;
}

/* Page level requested by the size field of @flags; -1: none given. */
static int flags_level(unsigned long flags, int *level)
{
	unsigned int order = UK_VMA_MAP_SIZE_TO_ORDER(flags);
	int lvl;

	*level = -1;
	if (order == 0)
		return 0;
	lvl = PAGE_SHIFT_Lx(order);
	if (lvl < 0)
		return -EINVAL;
	*level = lvl;
	return 0;
}

static int check_map_args(struct uk_vas *vas, __vaddr_t *vaddr, __sz len,
			  unsigned long attr, unsigned long flags,
			  const struct uk_vma_ops *ops, int *level)
{
	__sz align;
	int rc;

	if (!vas || !vaddr || !ops)
		return -EINVAL;
	if ((flags & ~UK_VMA_MAP_EXTF_FLAGS) & ~UK_VMA_MAP_FLAGS_KNOWN)
		return -EINVAL;
	if (attr & ~PAGE_ATTR_MASK)
		return -EINVAL;
	rc = flags_level(flags, level);
	if (rc)
		return rc;
	align = PAGE_Lx_SIZE(*level < 0 ? 0 : *level);
	if (len == 0 || (len & (align - 1)))
		return -EINVAL;
	if (*vaddr != __VADDR_ANY && !vas_range_ok(vas, *vaddr, len, align))
		return -EINVAL;
	return 0;
}

/* Flags that stay with the VMA (the others describe this call only):
 * the page size, the type's flags, and UK_VMA_MAP_UNINITIALIZED as
 * Unikraft's UK_VMA_FLAG_UNINITIALIZED. */
static unsigned long vma_flags_of(unsigned long flags)
{
	return (flags & (UK_VMA_MAP_SIZE_FLAGS | UK_VMA_MAP_EXTF_FLAGS)) |
	       ((flags & UK_VMA_MAP_UNINITIALIZED) ? UK_VMA_FLAG_UNINITIALIZED
						   : 0);
}

static int new_vma(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		   unsigned long attr, unsigned long flags, int level,
		   const char *name, const struct uk_vma_ops *ops, void *args,
		   struct uk_vma **out)
{
	struct uk_vma *vma = NULL;
	int rc;

	if (ops->new) {
		rc = ops->new(vas, vaddr, len, args, attr, &flags, &vma);
		if (rc)
			return rc;
	} else {
		vma = ukplat_aligned_alloc(UK_CACHELINE, sizeof(*vma));
		if (!vma)
			return -ENOMEM;
		memset(vma, 0, sizeof(*vma));
		vma->size = sizeof(*vma);
	}
	vma->vas = vas;
	vma->start = vaddr;
	vma->end = vaddr + len;
	vma->ops = ops;
	vma->attr = attr;
	vma->flags = vma_flags_of(flags);
	vma->page_lvl = level;
	atomic_init(&vma->state, UK_VMA_STATE_LIVE);
	if (!vma->name) {
		rc = vma_set_name(vma, name);
		if (rc) {
			vma_free(vma);
			return rc;
		}
	}
	*out = vma;
	return 0;
}

static int place(struct uk_vas *vas, __vaddr_t *vaddr, __sz len, int level,
		 const struct uk_vma_ops *ops, void *args, unsigned long flags)
{
	__vaddr_t base = ops->get_base ? ops->get_base(vas, args, flags)
				       : vas->vma_base;
	__sz align = PAGE_Lx_SIZE(level < 0 ? 0 : level);

	if (base < vas->va_start)
		base = vas->va_start;
	return vt_find_gap(vt_snapshot(vas->tree), base, vas->va_end, len,
			   align, vaddr);
}

/*
 * Large pages need the page-table slots at their level empty, but a table
 * left behind by 4 KiB mappings whose unmaps each covered only part of its
 * span may still sit there (empty: its VMAs are gone). Unmapping the new
 * range frees every table whose span it covers. Only call when no fault
 * can run in the range (no VMA there yet, or the new one is PENDING).
 */
static void drop_stale_tables(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
			      int level)
{
	if (level > 0)
		ukplat_page_unmap(vas->pt, vaddr, len >> PAGE_SHIFT, 0);
}

/* Steps 2-4 of the header comment, after a successful commit. */
static void map_after_commit(struct vas_edit *e, struct vas_prefault *pf,
			     int level)
{
	if (e->pending) {
		struct ukplat_tlb_gather tlb;

		/* One flush for the old pages and the stale tables, before
		 * the first new entry is written (break-before-make). */
		vas_tlb_begin(e->vas, &tlb);
		vas_edit_clear_old(e);
		drop_stale_tables(e->vas, e->start, e->end - e->start, level);
		vas_tlb_end(&tlb);
	}
	if (pf->n)
		vas_prefault_install(pf);
	vas_prefault_release(pf);
	vas_edit_finish(e);
}

static int map_locked(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		      unsigned long attr, unsigned long flags, int level,
		      const char *name, const struct uk_vma_ops *ops,
		      void *args, __sz pop_off, __sz pop_len)
{
	struct vas_prefault pf = {0};
	struct vas_edit e;
	struct uk_vma *vma;
	int rc;

	vas_edit_init(&e, vas, vaddr, vaddr + len);
	rc = vas_edit_collect(&e, false);
	if (!rc && e.old.n && !(flags & UK_VMA_MAP_REPLACE))
		rc = -EEXIST;
	if (!rc)
		rc = vas_edit_keep_outside(&e);
	if (rc)
		goto abort;
	rc = new_vma(vas, vaddr, len, attr, flags, level, name, ops, args,
		     &vma);
	if (rc)
		goto abort;
	/* PENDING keeps faults out until the old PTEs are gone, and, for a
	 * large-page VMA, until stale tables under it are dropped (after the
	 * commit, so that a failure before it changes nothing). */
	e.pending = e.old.n > 0 || level > 0;
	if (e.pending)
		uk_store_relaxed(&vma->state, UK_VMA_STATE_PENDING);
	rc = vas_edit_add(&e, vma);
	if (rc) {
		vma_free(vma);
		goto abort;
	}
	if (pop_len) {
		rc = vas_prefault_prepare(&pf, vma, vaddr + pop_off,
					  vaddr + pop_off + pop_len, false);
		if (rc)
			goto abort;
	}
	rc = vas_edit_merge(&e);
	/* Merging may have folded the new VMA into a neighbour's copy. */
	pf.vma = vas_edit_fresh_at(&e, vaddr);
	if (!rc)
		rc = vas_edit_commit(&e);
	if (rc) {
		vas_prefault_release(&pf);
		goto abort;
	}
	map_after_commit(&e, &pf, level);
	return 0;
abort:
	vas_edit_abort(&e);
	return rc;
}

int vas_map_populate(struct uk_vas *vas, __vaddr_t *vaddr, __sz len,
		     unsigned long attr, unsigned long flags, const char *name,
		     const struct uk_vma_ops *ops, void *args, __sz pop_off,
		     __sz pop_len)
{
	__vaddr_t va;
	int level, rc;

	rc = check_map_args(vas, vaddr, len, attr, flags, ops, &level);
	if (rc)
		return rc;
	if (pop_off > len || pop_len > len - pop_off)
		return -EINVAL;
	ukplat_mutex_lock(&vas->lock);
	va = *vaddr;
	if (va == __VADDR_ANY) {
		rc = place(vas, &va, len, level, ops, args, flags);
		flags &= ~UK_VMA_MAP_REPLACE;
	}
	if (!rc)
		rc = map_locked(vas, va, len, attr, flags, level, name, ops,
				args, pop_off, pop_len);
	ukplat_mutex_unlock(&vas->lock);
	if (!rc)
		*vaddr = va;
	return rc;
}

int uk_vma_map(struct uk_vas *vas, __vaddr_t *vaddr, __sz len,
	       unsigned long attr, unsigned long flags, const char *name,
	       const struct uk_vma_ops *ops, void *args)
{
	bool populate = flags & UK_VMA_MAP_POPULATE;

	return vas_map_populate(vas, vaddr, len, attr, flags, name, ops, args,
				0, populate ? len : 0);
}
