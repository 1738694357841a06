/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * uk_vma_unmap and uk_vma_set_attr: edits that take away pages or rights,
 * and so must wait out every fault that saw the old VMAs before they touch
 * the page table (docs/design.md: "Fault vs unmap", "Fault vs set_attr").
 */
#include "vas_internal.h"

static int check_range(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		       unsigned long flags)
{
	if (!vas)
		return -EINVAL;
	if (flags & ~UK_VMA_FLAG_STRICT_VMA_CHECK)
		return -EINVAL;
	if (!vas_range_ok(vas, vaddr, len, PAGE_SIZE))
		return -EINVAL;
	return 0;
}

/* edit_range's page-table step for unmap. */
static void clear_old_range(struct vas_edit *e, unsigned long unused)
{
	(void)unused;
	vas_edit_clear_old(e);
}

/* Copies of the old VMAs' parts inside the range, with @attr, merged
 * with each other and their neighbours where they now match. */
static int add_changed(struct vas_edit *e, unsigned long attr)
{
	size_t i;
	int rc;

	for (i = 0; i < e->old.n; i++) {
		struct uk_vma *o = e->old.v[i];
		struct uk_vma *mid = vma_clone_range(
			o, vma_clip_start(o, e->start), vma_clip_end(o, e->end));

		if (!mid)
			return -ENOMEM;
		rc = o->ops->set_attr ? o->ops->set_attr(mid, attr) : 0;
		mid->attr = attr;
		if (!rc)
			rc = vas_edit_add(e, mid);
		if (rc) {
			vma_free(mid);
			return rc;
		}
	}
	return vas_edit_merge(e);
}

/* Does going from @old to @attr take a right away (or change the memory
 * type, which also needs every old translation gone)? */
static bool attr_lowers(unsigned long old, unsigned long attr)
{
	return (old & ~attr & PAGE_ATTR_PROT_MASK) ||
	       (old & PAGE_ATTR_TYPE_MASK) != (attr & PAGE_ATTR_TYPE_MASK);
}

/* After commit: bring the PTEs of the range to @attr. */
static void apply_attr(struct vas_edit *e, unsigned long attr)
{
	size_t i;
	bool changed = false, lowers = false;

	for (i = 0; i < e->old.n; i++) {
		changed |= e->old.v[i]->attr != attr;
		lowers |= attr_lowers(e->old.v[i]->attr, attr);
	}
	if (!changed)
		return;
	/* Only taking rights away must wait for the faults that saw the old
	 * VMAs: a fault that installs an old, lower right after our rewrite
	 * leaves a PTE with fewer rights than its VMA, which the next fault
	 * raises. */
	if (lowers)
		uk_rcu_synchronize();
	for (i = 0; i < e->old.n; i++) {
		struct uk_vma *o = e->old.v[i];
		__vaddr_t s = vma_clip_start(o, e->start);
		__vaddr_t t = vma_clip_end(o, e->end);

		if (s < t && o->attr != attr)
			ukplat_page_set_attr(vas_pt(e->vas), s,
					     (t - s) >> PAGE_SHIFT, attr, 0);
	}
}

/*
 * The shape unmap and set_attr share: under the lock, collect the VMAs in
 * the range, keep their parts outside it, add what replaces the inside
 * (@build, may be NULL), commit, then do the page-table work (@apply).
 */
static int edit_range(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		      unsigned long flags, unsigned long attr,
		      int (*build)(struct vas_edit *e, unsigned long attr),
		      void (*apply)(struct vas_edit *e, unsigned long attr))
{
	struct vas_edit e;
	int rc;

	ukplat_mutex_lock(&vas->lock);
	vas_edit_init(&e, vas, vaddr, vaddr + len);
	rc = vas_edit_collect(&e, flags & UK_VMA_FLAG_STRICT_VMA_CHECK);
	if (!rc && e.old.n)
		rc = vas_edit_keep_outside(&e);
	if (!rc && e.old.n && build)
		rc = build(&e, attr);
	if (!rc && e.old.n)
		rc = vas_edit_commit(&e);
	if (rc) {
		vas_edit_abort(&e);
	} else {
		struct ukplat_tlb_gather tlb;

		/* One TLB flush for the whole operation, before any frame
		 * goes back and before the new VMAs are marked live. */
		vas_tlb_begin(vas, &tlb);
		if (e.old.n)
			apply(&e, attr);
		vas_tlb_end(&tlb);
		vas_edit_finish(&e);
	}
	ukplat_mutex_unlock(&vas->lock);
	return rc;
}

int uk_vma_unmap(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		 unsigned long flags)
{
	int rc;

	if (len == 0)
		return 0;
	rc = check_range(vas, vaddr, len, flags);
	if (rc)
		return rc;
	return edit_range(vas, vaddr, len, flags, 0, NULL, clear_old_range);
}

int uk_vma_set_attr(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		    unsigned long attr, unsigned long flags)
{
	int rc;

	if (len == 0)
		return 0;
	rc = check_range(vas, vaddr, len, flags);
	if (!rc && (attr & ~PAGE_ATTR_MASK))
		rc = -EINVAL;
	if (rc)
		return rc;
	return edit_range(vas, vaddr, len, flags, attr, add_changed,
			  apply_attr);
}
