/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * uk_vma_advise: DONTNEED gives a range's frames back (the next access
 * faults like the first), WILLNEED faults it in now. Neither changes the
 * VMAs, so no tree transaction and no grace period are needed: DONTNEED
 * removes leaves by atomic exchange (the exchanger owns and frees the
 * frame after a grace period) and a fault racing with it simply installs
 * a fresh page; WILLNEED installs with the faults' own CAS. DONTNEED keeps
 * table pages: faults run in the range meanwhile, and one that walked into
 * a table before an unlink would install where no one can see it.
 */
#include "vas_internal.h"

#define UK_VMA_ADV_KNOWN (UK_VMA_ADV_DONTNEED | UK_VMA_ADV_WILLNEED)

static int dontneed(struct vas_edit *e)
{
	size_t i;
	int rc;

	/* All or nothing: every type is asked before any page goes. */
	for (i = 0; i < e->old.n; i++) {
		struct uk_vma *v = e->old.v[i];
		__vaddr_t s = vma_clip_start(v, e->start);
		__vaddr_t t = vma_clip_end(v, e->end);

		rc = v->ops->advise ? v->ops->advise(v, s, t - s,
						      UK_VMA_ADV_DONTNEED |
							      UK_VMA_ADV_QUERY)
				    : 0;
		if (rc && rc != -EOPNOTSUPP)
			return rc;
	}

	for (i = 0; i < e->old.n; i++) {
		struct uk_vma *v = e->old.v[i];
		__vaddr_t s = vma_clip_start(v, e->start);
		__vaddr_t t = vma_clip_end(v, e->end);

		rc = v->ops->advise ? v->ops->advise(v, s, t - s,
						      UK_VMA_ADV_DONTNEED)
				    : -EOPNOTSUPP;
		if (rc == -EOPNOTSUPP)
			rc = v->ops->fault ? vma_dontneed_range(v, s, t - s, 0)
					   : 0;
		if (rc)
			return rc;
	}
	return 0;
}

/* Does @v handle WILLNEED itself? (-EOPNOTSUPP: use the default) */
static int willneed_hook(struct uk_vma *v, __vaddr_t s, __vaddr_t t)
{
	if (!v->ops->advise)
		return -EOPNOTSUPP;
	return v->ops->advise(v, s, t - s, UK_VMA_ADV_WILLNEED);
}

/* All frames for every VMA first, then the installs: all or nothing. */
static int willneed(struct vas_edit *e)
{
	struct vas_prefault *pf;
	size_t i, n = e->old.n;
	int rc = 0;

	pf = ukplat_calloc(n, sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	for (i = 0; i < n && !rc; i++) {
		struct uk_vma *v = e->old.v[i];
		__vaddr_t s = vma_clip_start(v, e->start);
		__vaddr_t t = vma_clip_end(v, e->end);

		rc = willneed_hook(v, s, t);
		if (rc == -EOPNOTSUPP)
			rc = vas_prefault_prepare(&pf[i], v, s, t, true);
	}
	for (i = 0; i < n && !rc; i++)
		if (pf[i].n)
			vas_prefault_install(&pf[i]);
	for (i = 0; i < n; i++)
		vas_prefault_release(&pf[i]);
	ukplat_free(pf);
	return rc;
}

static bool cuts_aligned(const struct vas_edit *e)
{
	const struct uk_vma *first = e->old.v[0];
	const struct uk_vma *last = e->old.v[e->old.n - 1];

	return (e->start <= first->start ||
		PAGE_Lx_ALIGNED(e->start, vma_level(first))) &&
	       (e->end >= last->end || PAGE_Lx_ALIGNED(e->end, vma_level(last)));
}

int uk_vma_advise(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		  unsigned long advice, unsigned long flags)
{
	struct vas_edit e;
	int rc;

	if (len == 0)
		return 0;
	if (!vas || !advice || (advice & ~UK_VMA_ADV_KNOWN) ||
	    (flags & ~UK_VMA_FLAG_STRICT_VMA_CHECK) ||
	    !vas_range_ok(vas, vaddr, len, PAGE_SIZE))
		return -EINVAL;
	ukplat_mutex_lock(&vas->lock);
	vas_edit_init(&e, vas, vaddr, vaddr + len);
	rc = vas_edit_collect(&e, flags & UK_VMA_FLAG_STRICT_VMA_CHECK);
	if (!rc && e.old.n && !cuts_aligned(&e))
		rc = -EINVAL;
	if (!rc && e.old.n) {
		/* WILLNEED wins when both are given. */
		if (advice & UK_VMA_ADV_WILLNEED) {
			rc = willneed(&e);
		} else {
			struct ukplat_tlb_gather tlb;

			/* One flush; the broken entries are cleared after it
			 * (break-before-make, see src/pt/pt_unmap.c). */
			vas_tlb_begin(vas, &tlb);
			rc = dontneed(&e);
			vas_tlb_end(&tlb);
		}
	}
	vma_vec_release(&e.old);
	ukplat_mutex_unlock(&vas->lock);
	return rc;
}
