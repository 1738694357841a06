/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reference model's layout: a sorted array of disjoint ranges.
 *
 * Design
 *   Each API call is written the way the contract reads, in the order the
 *   contract checks things, with no cleverness:
 *     1. argument checks (-EINVAL, -EBADF);
 *     2. placement (first fit from env.base, lowest aligned hole);
 *     3. the VMAs the range touches: -ENOENT (strict: nothing or holes),
 *        -EEXIST (map without REPLACE), -EINVAL (a cut inside a large page
 *        of the first or last VMA), -EPERM (a stack would be split);
 *     4. the type's own checks (DMA range, stack size);
 *     5. the change: cut, insert, then merge every adjacent pair that is
 *        compatible (same type, attr, flags, page level, name; DMA only
 *        physically contiguous, file only same mapping and contiguous,
 *        stacks never).
 *   Invariants kept: v[] sorted, disjoint, no two adjacent VMAs
 *   compatible. Step 5 merges globally; the library merges locally, so a
 *   difference shows up as a layout mismatch.
 *   Contents live in model_mem.c; this file tells it which ranges lose
 *   theirs (unmap, REPLACE, DONTNEED).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uk/vma_types.h>
#include "model.h"
#include "model_mem.h"

#define ADV_KNOWN (UK_VMA_ADV_DONTNEED | UK_VMA_ADV_WILLNEED)
/* What a VMA keeps of its map flags; UNINITIALIZED as the VMA flag. */
#define PERSISTENT (UK_VMA_MAP_SIZE_FLAGS | UK_VMA_MAP_EXTF_FLAGS)
/* A stack VMA: bottom guard, usable part, top guard, either direction. */
#define GUARD_LO ((__sz)UK_VMA_STACK_GUARD_PAGES_BOTTOM * PAGE_SIZE)
#define GUARDS                                                                 \
	((__sz)(UK_VMA_STACK_GUARD_PAGES_TOP +                                 \
		UK_VMA_STACK_GUARD_PAGES_BOTTOM) * PAGE_SIZE)

const char *model_name(const char *name)
{
	static const char *interned[64];
	static size_t n;
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < n; i++)
		if (strcmp(interned[i], name) == 0)
			return interned[i];
	if (n == 64)
		abort();
	interned[n] = strdup(name);
	return interned[n++];
}

int model_init(struct model *m, const struct model_env *env)
{
	memset(m, 0, sizeof(*m));
	m->env = *env;
	return mmem_init(m);
}

void model_fini(struct model *m)
{
	model_reset(m);
	mmem_fini(m);
	free(m->v);
}

void model_reset(struct model *m)
{
	mmem_drop(m, m->env.win_lo, m->env.win_hi);
	mmem_reset_dma(m);
	m->n = 0;
}

const struct mvma *model_find(const struct model *m, __vaddr_t va)
{
	size_t i;

	for (i = 0; i < m->n && m->v[i].start <= va; i++)
		if (va < m->v[i].end)
			return &m->v[i];
	return NULL;
}

/* ---- the array ------------------------------------------------------------ */

static void insert_at(struct model *m, size_t i, const struct mvma *v)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		if (!m->v)
			abort();
	}
	memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(*m->v));
	m->v[i] = *v;
	m->n++;
}

static void remove_at(struct model *m, size_t i)
{
	memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
	m->n--;
}

/* @v cut to [s, e): type data follows the cut. */
static struct mvma cut(const struct mvma *v, __vaddr_t s, __vaddr_t e)
{
	struct mvma c = *v;

	if (v->type == MT_DMA || v->type == MT_FILE)
		c.off = v->off + (s - v->start);
	c.start = s;
	c.end = e;
	return c;
}

static bool compatible(const struct mvma *a, const struct mvma *b)
{
	if (a->end != b->start || a->type != b->type || a->attr != b->attr ||
	    a->flags != b->flags || a->lvl != b->lvl || a->name != b->name)
		return false;
	switch (a->type) {
	case MT_STACK:
		return false;
	case MT_DMA:
		return a->off + (a->end - a->start) == b->off;
	case MT_FILE:
		return a->file_id == b->file_id &&
		       a->off + (a->end - a->start) == b->off;
	default:
		return true;
	}
}

static void merge_all(struct model *m)
{
	size_t i = 0;

	while (i + 1 < m->n) {
		if (compatible(&m->v[i], &m->v[i + 1])) {
			m->v[i].end = m->v[i + 1].end;
			remove_at(m, i + 1);
		} else {
			i++;
		}
	}
}

/* ---- the touched VMAs ------------------------------------------------------ */

struct span {
	size_t lo, hi; /* v[lo..hi) overlap the range */
	bool holes;
};

static struct span touched(const struct model *m, __vaddr_t s, __vaddr_t e)
{
	struct span sp = {0, 0, false};
	__vaddr_t covered = s;
	size_t i;

	for (i = 0; i < m->n && m->v[i].end <= s; i++)
		;
	sp.lo = sp.hi = i;
	for (; i < m->n && m->v[i].start < e; i++) {
		sp.holes |= m->v[i].start > covered;
		covered = m->v[i].end;
		sp.hi = i + 1;
	}
	sp.holes |= covered < e;
	return sp;
}

static unsigned int lvl_of(const struct mvma *v)
{
	return v->lvl < 0 ? 0 : (unsigned int)v->lvl;
}

static bool cut_ok(const struct mvma *v, __vaddr_t a)
{
	return a <= v->start || a >= v->end || PAGE_Lx_ALIGNED(a, lvl_of(v));
}

/* Step 3 after the overlap/strict checks: alignment, then splits. */
static int cuts_allowed(const struct model *m, const struct span *sp,
			__vaddr_t s, __vaddr_t e)
{
	const struct mvma *first = &m->v[sp->lo], *last = &m->v[sp->hi - 1];

	if (!cut_ok(first, s) || !cut_ok(last, e))
		return -EINVAL;
	if (first->start < s && first->type == MT_STACK)
		return -EPERM;
	if (last->end > e && last->type == MT_STACK)
		return -EPERM;
	return 0;
}

/* Remove [s, e) from the layout (touched VMAs in @sp), keeping the
 * outside pieces. Returns the index where the range now starts. */
static size_t carve(struct model *m, const struct span *sp, __vaddr_t s,
		    __vaddr_t e)
{
	struct mvma left, right;
	bool has_l = false, has_r = false;
	size_t i, at = sp->lo;

	if (sp->hi > sp->lo) {
		has_l = m->v[sp->lo].start < s;
		has_r = m->v[sp->hi - 1].end > e;
		if (has_l)
			left = cut(&m->v[sp->lo], m->v[sp->lo].start, s);
		if (has_r)
			right = cut(&m->v[sp->hi - 1], e, m->v[sp->hi - 1].end);
	}
	for (i = sp->lo; i < sp->hi; i++)
		remove_at(m, sp->lo);
	if (has_r)
		insert_at(m, sp->lo, &right);
	if (has_l) {
		insert_at(m, sp->lo, &left);
		at++;
	}
	return at;
}

static bool range_ok(const struct model *m, __vaddr_t va, __sz len, __sz al)
{
	return len > 0 && (va & (al - 1)) == 0 && (len & (al - 1)) == 0 &&
	       va >= m->env.va_start && va < m->env.va_end &&
	       len <= m->env.va_end - va;
}

/* ---- map ---------------------------------------------------------------- */

static int flags_level(unsigned long flags, int *lvl)
{
	unsigned int order = UK_VMA_MAP_SIZE_TO_ORDER(flags);

	*lvl = -1;
	if (!order)
		return 0;
	*lvl = PAGE_SHIFT_Lx(order);
	return *lvl < 0 ? -EINVAL : 0;
}

/* Lowest address >= base aligned to @al with [a, a + len) free. */
static int first_fit(const struct model *m, __sz len, __sz al, __vaddr_t *out)
{
	__vaddr_t lo = m->env.base < m->env.va_start ? m->env.va_start
						      : m->env.base;
	size_t i = 0;

	for (;;) {
		__vaddr_t hs = lo, he = m->env.va_end, a;

		for (; i < m->n && m->v[i].end <= hs; i++)
			;
		if (i < m->n && m->v[i].start < he)
			he = m->v[i].start > hs ? m->v[i].start : hs;
		a = (hs + al - 1) & ~(al - 1);
		if (a >= hs && a < he && he - a >= len) {
			*out = a;
			return 0;
		}
		if (i >= m->n)
			return -ENOMEM;
		lo = m->v[i].end;
		i++;
	}
}

/* The wrappers' own checks (uk_vma_map_stack, uk_vma_map_file). */
static int wrapper_checks(const struct model *m, struct mmap_req *r)
{
	if (r->type == MT_FILE) {
		if (r->offset < 0 || !PAGE_ALIGNED((unsigned long)r->offset))
			return -EINVAL;
		if (r->bad_fd)
			return -EBADF;
	}
	if (r->type == MT_STACK) {
		if (!r->len || !PAGE_ALIGNED(r->len) ||
		    !PAGE_ALIGNED(r->premapped) ||
		    r->len > ~(__sz)0 - GUARDS ||
		    (r->flags & UK_VMA_MAP_SIZE_FLAGS & ~UK_VMA_MAP_SIZE_4KB))
			return -EINVAL;
	}
	(void)m;
	return 0;
}

static int type_new_checks(const struct model *m, const struct mmap_req *r,
			   __sz len)
{
	if (r->type == MT_DMA) {
		unsigned int order = UK_VMA_MAP_SIZE_TO_ORDER(r->flags);
		__sz al = order ? 1UL << order : PAGE_SIZE;

		if ((r->paddr & (al - 1)) || r->paddr < m->env.pm_base ||
		    len > m->env.pm_size ||
		    r->paddr - m->env.pm_base > m->env.pm_size - len)
			return -EINVAL;
	}
	return 0;
}

static struct mvma make_vma(struct model *m, const struct mmap_req *r,
			    __vaddr_t va, __sz len, int lvl)
{
	struct mvma v = {0};

	v.start = va;
	v.end = va + len;
	v.type = r->type;
	v.attr = r->type == MT_STACK ? PAGE_ATTR_PROT_RW : r->attr;
	v.flags = (r->flags & PERSISTENT) |
		  ((r->flags & UK_VMA_MAP_UNINITIALIZED) ? UK_VMA_FLAG_UNINITIALIZED
							 : 0);
	v.lvl = lvl;
	v.name = r->type == MT_FILE ? model_name(m->env.file_name)
				    : model_name(r->name);
	if (r->type == MT_DMA)
		v.off = r->paddr;
	if (r->type == MT_FILE) {
		v.off = (unsigned long)r->offset;
		v.file_id = ++m->next_file_id;
	}
	if (r->type == MT_STACK) {
		v.ustart = va + GUARD_LO;
		v.uend = va + len - (GUARDS - GUARD_LO);
	}
	return v;
}

int model_map(struct model *m, struct mmap_req *r)
{
	unsigned long flags = r->flags;
	__vaddr_t va = r->vaddr;
	__sz len = r->len, al;
	struct mvma v;
	struct span sp;
	size_t at;
	int lvl, rc;

	rc = wrapper_checks(m, r);
	if (rc)
		return rc;
	if (r->type == MT_STACK) {
		len += GUARDS; /* a fixed address is the VMA's start */
	}
	if ((flags & ~UK_VMA_MAP_EXTF_FLAGS) & ~UK_VMA_MAP_FLAGS_KNOWN)
		return -EINVAL;
	if (r->type != MT_STACK && (r->attr & ~PAGE_ATTR_MASK))
		return -EINVAL;
	rc = flags_level(flags, &lvl);
	if (rc)
		return rc;
	al = PAGE_Lx_SIZE(lvl < 0 ? 0 : lvl);
	if (len == 0 || (len & (al - 1)))
		return -EINVAL;
	if (va != __VADDR_ANY && !range_ok(m, va, len, al))
		return -EINVAL;
	if (va == __VADDR_ANY) {
		rc = first_fit(m, len, al, &va);
		if (rc)
			return rc;
		flags &= ~UK_VMA_MAP_REPLACE;
	}
	sp = touched(m, va, va + len);
	if (sp.hi > sp.lo && !(flags & UK_VMA_MAP_REPLACE))
		return -EEXIST;
	if (sp.hi > sp.lo) {
		rc = cuts_allowed(m, &sp, va, va + len);
		if (rc)
			return rc;
	}
	rc = type_new_checks(m, r, len);
	if (rc)
		return rc;
	v = make_vma(m, r, va, len, lvl);
	mmem_drop(m, va, va + len);
	at = carve(m, &sp, va, va + len);
	insert_at(m, at, &v);
	merge_all(m);
	r->vaddr = r->type == MT_STACK ? va + GUARD_LO : va;
	return 0;
}

/* ---- unmap, set_attr, advise ------------------------------------------------ */

static int range_checks(const struct model *m, __vaddr_t va, __sz len,
			unsigned long flags)
{
	if (flags & ~UK_VMA_FLAG_STRICT_VMA_CHECK)
		return -EINVAL;
	return range_ok(m, va, len, PAGE_SIZE) ? 0 : -EINVAL;
}

/* Shared by unmap and set_attr: the touched span, checked. 1: nothing. */
static int edit_span(const struct model *m, __vaddr_t va, __sz len,
		     unsigned long flags, struct span *sp)
{
	*sp = touched(m, va, va + len);
	if ((flags & UK_VMA_FLAG_STRICT_VMA_CHECK) &&
	    (sp->hi == sp->lo || sp->holes))
		return -ENOENT;
	if (sp->hi == sp->lo)
		return 1;
	return cuts_allowed(m, sp, va, va + len);
}

int model_unmap(struct model *m, __vaddr_t va, __sz len, unsigned long flags)
{
	struct span sp;
	int rc;

	if (len == 0)
		return 0;
	rc = range_checks(m, va, len, flags);
	if (!rc)
		rc = edit_span(m, va, len, flags, &sp);
	if (rc)
		return rc > 0 ? 0 : rc;
	mmem_drop(m, va, va + len);
	carve(m, &sp, va, va + len);
	return 0;
}

int model_set_attr(struct model *m, __vaddr_t va, __sz len,
		   unsigned long attr, unsigned long flags)
{
	struct mvma mid[64], *pieces = mid;
	struct span sp;
	size_t i, n, at;
	int rc;

	if (len == 0)
		return 0;
	rc = range_checks(m, va, len, flags);
	if (!rc && (attr & ~PAGE_ATTR_MASK))
		rc = -EINVAL;
	if (!rc)
		rc = edit_span(m, va, len, flags, &sp);
	if (rc)
		return rc > 0 ? 0 : rc;
	n = sp.hi - sp.lo;
	if (n > 64 && !(pieces = malloc(n * sizeof(*pieces))))
		abort();
	for (i = 0; i < n; i++) {
		const struct mvma *o = &m->v[sp.lo + i];

		pieces[i] = cut(o, o->start > va ? o->start : va,
				o->end < va + len ? o->end : va + len);
		pieces[i].attr = attr;
	}
	at = carve(m, &sp, va, va + len);
	for (i = 0; i < n; i++)
		insert_at(m, at + i, &pieces[i]);
	if (pieces != mid)
		free(pieces);
	merge_all(m);
	return 0;
}

int model_advise(struct model *m, __vaddr_t va, __sz len,
		 unsigned long advice, unsigned long flags)
{
	struct span sp;
	size_t i;

	if (len == 0)
		return 0;
	if (!advice || (advice & ~ADV_KNOWN) ||
	    (flags & ~UK_VMA_FLAG_STRICT_VMA_CHECK) ||
	    !range_ok(m, va, len, PAGE_SIZE))
		return -EINVAL;
	sp = touched(m, va, va + len);
	if ((flags & UK_VMA_FLAG_STRICT_VMA_CHECK) &&
	    (sp.hi == sp.lo || sp.holes))
		return -ENOENT;
	if (sp.hi == sp.lo)
		return 0;
	if (!cut_ok(&m->v[sp.lo], va) || !cut_ok(&m->v[sp.hi - 1], va + len))
		return -EINVAL;
	if (advice & UK_VMA_ADV_WILLNEED)
		return 0; /* contents unchanged */
	/* DONTNEED: all or nothing (vmem.h): a stack refuses it before
	 * any page goes. */
	for (i = sp.lo; i < sp.hi; i++)
		if (m->v[i].type == MT_STACK)
			return -EPERM;
	for (i = sp.lo; i < sp.hi; i++) {
		const struct mvma *o = &m->v[i];

		if (o->type == MT_STACK)
			return -EPERM;
		if (o->type == MT_ANON || o->type == MT_FILE)
			mmem_drop(m, o->start > va ? o->start : va,
				  o->end < va + len ? o->end : va + len);
	}
	return 0;
}
