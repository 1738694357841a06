/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Introspection: /proc/<pid>/maps-like printing with resident sizes, and
 * the validator tests call after every operation. The validator takes the
 * VAS lock, so it sees a quiescent tree; faults may still add PTEs, which
 * it checks like any other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vas_internal.h"

struct resident {
	__vaddr_t start, end;
	__sz bytes;
};

static int count_leaf(__vaddr_t vaddr, unsigned int level, __pte_t pte,
		      void *arg)
{
	struct resident *r = arg;
	__vaddr_t s = vaddr > r->start ? vaddr : r->start;
	__vaddr_t e = vaddr + PAGE_Lx_SIZE(level);

	(void)pte;
	if (e > r->end)
		e = r->end;
	if (e > s)
		r->bytes += e - s;
	return 0;
}

__sz uk_vma_resident(const struct uk_vma *vma)
{
	struct resident r = {vma->start, vma->end, 0};

	ukplat_pt_for_each_leaf(vma->vas->pt, vma->start,
				vma->end - vma->start, count_leaf, &r);
	return r.bytes;
}

void uk_vas_print(struct uk_vas *vas, FILE *out)
{
	struct uk_vma_iter it;
	const struct uk_vma *vma;
	unsigned long a;

	uk_rcu_read_lock();
	uk_vma_iter_init(&it, vas);
	while ((vma = uk_vma_iter_next(&it))) {
		a = vma->attr;
		fprintf(out, "%012lx-%012lx %c%c%c%c %8zuK rss %8zuK %s\n",
			vma->start, vma->end,
			(a & PAGE_ATTR_PROT_READ) ? 'r' : '-',
			(a & PAGE_ATTR_PROT_WRITE) ? 'w' : '-',
			(a & PAGE_ATTR_PROT_EXEC) ? 'x' : '-',
			(vma->flags & UK_VMA_MAP_EXTF_FLAGS) &&
					vma->ops == &uk_vma_file_ops
				? 's'
				: 'p',
			(size_t)((vma->end - vma->start) >> 10),
			(size_t)(uk_vma_resident(vma) >> 10),
			vma->name ? vma->name : "");
	}
	uk_rcu_read_unlock();
}

struct pte_check {
	struct uk_vas *vas;
	char *err;
	__sz errlen;
	__paddr_t *frames; /* owned (non-DMA) frames seen, to find doubles */
	size_t n, cap;
	int rc;
};

static int fail(struct pte_check *c, const char *what, __vaddr_t va)
{
	snprintf(c->err, c->errlen, "%s at %#lx", what, va);
	c->rc = -EUCLEAN;
	return 1;
}

static int check_leaf(__vaddr_t va, unsigned int level, __pte_t pte, void *arg)
{
	struct pte_check *c = arg;
	struct uk_vma *vma = vas_find_rcu(c->vas, va);
	unsigned long have = ukplat_pte_attr(pte) & PAGE_ATTR_PROT_MASK;

	if (!vma || !vma->ops->fault)
		return fail(c, "present PTE outside a backed VMA", va);
	if (level != vma_level(vma))
		return fail(c, "PTE level differs from its VMA's", va);
	/* A present PTE always reads on x86_64; compare write/exec only. */
	if (have & ~vma->attr & (PAGE_ATTR_PROT_WRITE | PAGE_ATTR_PROT_EXEC))
		return fail(c, "PTE has more rights than its VMA", va);
	if (vma->ops == &uk_vma_dma_ops)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		__paddr_t *f = realloc(c->frames, cap * sizeof(*f));

		if (!f)
			return fail(c, "validator out of memory", va);
		c->frames = f;
		c->cap = cap;
	}
	c->frames[c->n++] = ukplat_pte_paddr(pte, level);
	return 0;
}

static int cmp_paddr(const void *a, const void *b)
{
	__paddr_t x = *(const __paddr_t *)a, y = *(const __paddr_t *)b;

	return x < y ? -1 : x > y;
}

static int check_vmas(struct uk_vas *vas, char *err, __sz errlen)
{
	const struct vt_node *root = vt_snapshot(vas->tree);
	struct uk_vma *vma;

	for (vma = vas_next_from(root, 0); vma;
	     vma = vas_next_from(root, vma->end)) {
		if (vma->vas != vas || vma->start >= vma->end ||
		    !PAGE_Lx_ALIGNED(vma->start, vma_level(vma)) ||
		    !PAGE_Lx_ALIGNED(vma->end, vma_level(vma)) ||
		    uk_load_relaxed(&vma->state) != UK_VMA_STATE_LIVE) {
			snprintf(err, errlen, "bad VMA %#lx-%#lx", vma->start,
				 vma->end);
			return -EUCLEAN;
		}
	}
	return 0;
}

int uk_vas_validate(struct uk_vas *vas, char *err, __sz errlen)
{
	struct pte_check c = {.vas = vas, .err = err, .errlen = errlen};
	size_t i;
	int rc;

	ukplat_mutex_lock(&vas->lock);
	rc = vt_validate(vt_snapshot(vas->tree), vas->va_start, vas->va_end,
			 err, errlen);
	if (!rc)
		rc = check_vmas(vas, err, errlen);
	if (!rc) {
		ukplat_pt_for_each_leaf(vas->pt, vas->va_start,
					vas->va_end - vas->va_start,
					check_leaf, &c);
		rc = c.rc;
	}
	if (!rc && c.n) {
		qsort(c.frames, c.n, sizeof(*c.frames), cmp_paddr);
		for (i = 1; i < c.n && !rc; i++)
			if (c.frames[i] == c.frames[i - 1]) {
				snprintf(err, errlen, "frame %#lx mapped twice",
					 c.frames[i]);
				rc = -EUCLEAN;
			}
	}
	free(c.frames);
	ukplat_mutex_unlock(&vas->lock);
	return rc;
}
