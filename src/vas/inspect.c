/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Introspection: /proc/<pid>/maps-like dumps with resident sizes, and the
 * validator tests call after every operation. The validator takes the VAS
 * lock, so it sees a quiescent tree; faults may still add PTEs, which it
 * checks like any other.
 *
 * The validator judges only what the library mapped: the leaves inside
 * [vas->va_start, vas->va_end). A kernel's own mappings elsewhere in the
 * same page table (its half) are not looked at.
 */
#include "lib/fmt.h"
#include "lib/sort.h"
#include "lib/string.h"
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

void vas_dump(struct uk_vas *vas, char (*mark)(const struct uk_vma *),
	      uk_print_fn fn, void *arg)
{
	struct uk_vma_iter it;
	const struct uk_vma *vma;
	unsigned long a;
	char line[160];
	int n;

	uk_rcu_read_lock();
	uk_vma_iter_init(&it, vas);
	while ((vma = uk_vma_iter_next(&it))) {
		a = vma->attr;
		n = uk_snprintf(line, sizeof(line),
				"%012lx-%012lx %c%c%c%c %8zuK rss %8zuK %s\n",
				vma->start, vma->end,
				(a & PAGE_ATTR_PROT_READ) ? 'r' : '-',
				(a & PAGE_ATTR_PROT_WRITE) ? 'w' : '-',
				(a & PAGE_ATTR_PROT_EXEC) ? 'x' : '-',
				mark ? mark(vma) : 'p',
				(size_t)((vma->end - vma->start) >> 10),
				(size_t)(uk_vma_resident(vma) >> 10),
				vma->name ? vma->name : "");
		if (n >= (int)sizeof(line)) /* a long name: keep the line */
			line[sizeof(line) - 2] = '\n';
		fn(arg, line);
	}
	uk_rcu_read_unlock();
}

void uk_vas_dump(struct uk_vas *vas, uk_print_fn fn, void *arg)
{
	vas_dump(vas, NULL, fn, arg);
}

struct pte_check {
	struct uk_vas *vas;
	char *err;
	__sz errlen;
	/* Owned (non-DMA) frames seen, to find doubles: scratch pages from
	 * ukplat_pages_alloc (the validator runs in THREAD context). */
	__paddr_t *frames;
	size_t n, cap;
	int rc;
};

static void frames_free(struct pte_check *c)
{
	if (c->frames)
		ukplat_pages_free(c->frames, c->cap * sizeof(*c->frames));
	c->frames = NULL;
}

static int fail(struct pte_check *c, const char *what, __vaddr_t va)
{
	uk_snprintf(c->err, c->errlen, "%s at %#lx", what, va);
	c->rc = -EUCLEAN;
	return 1;
}

/* Double the scratch list (one page at first). 0 or -ENOMEM. */
static int frames_grow(struct pte_check *c)
{
	size_t cap = c->cap ? c->cap * 2 : PAGE_SIZE / sizeof(*c->frames);
	__paddr_t *f = ukplat_pages_alloc(cap * sizeof(*f));

	if (!f)
		return -ENOMEM;
	if (c->n)
		memcpy(f, c->frames, c->n * sizeof(*f));
	frames_free(c);
	c->frames = f;
	c->cap = cap;
	return 0;
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
	if (c->n == c->cap && frames_grow(c))
		return fail(c, "validator out of memory", va);
	c->frames[c->n++] = ukplat_pte_paddr(pte, level);
	return 0;
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
			uk_snprintf(err, errlen, "bad VMA %#lx-%#lx",
				    vma->start, vma->end);
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
		uk_sort_ulong(c.frames, c.n);
		for (i = 1; i < c.n && !rc; i++)
			if (c.frames[i] == c.frames[i - 1]) {
				uk_snprintf(err, errlen,
					    "frame %#lx mapped twice",
					    c.frames[i]);
				rc = -EUCLEAN;
			}
	}
	frames_free(&c);
	ukplat_mutex_unlock(&vas->lock);
	return rc;
}
