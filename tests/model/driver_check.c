/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model driver's comparisons: layout after every step, and the deep
 * check (every dirty page read back, the validator, frame accounting).
 *
 * Frame accounting, single-threaded after uk_rcu_barrier():
 *   allocated = resident frames of non-DMA VMAs + page-table pages
 *               + pending frees (0 after the barrier) + the DMA pool.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uk/vma_types.h>
#include <uk/mmu.h>
#include "atomic.h"
#include "driver.h"

static const char *type_name(enum mtype t)
{
	static const char *const names[] = {"anon", "rsvd", "stack", "dma",
					    "file"};

	return t < MT_NTYPES ? names[t] : "?";
}

static enum mtype lib_type(const struct uk_vma *v)
{
	if (v->ops == &uk_vma_anon_ops)
		return MT_ANON;
	if (v->ops == &uk_vma_rsvd_ops)
		return MT_RSVD;
	if (v->ops == &uk_vma_stack_ops)
		return MT_STACK;
	if (v->ops == &uk_vma_dma_ops)
		return MT_DMA;
	if (v->ops == &uk_vma_file_ops)
		return MT_FILE;
	return MT_NTYPES;
}

static void print_model(const struct model *m, FILE *out)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct mvma *v = &m->v[i];

		fprintf(out, "  %012lx-%012lx attr %#lx flags %#lx lvl %d %s %s",
			v->start, v->end, v->attr, v->flags, v->lvl,
			type_name(v->type), v->name ? v->name : "-");
		if (v->type == MT_DMA || v->type == MT_FILE)
			fprintf(out, " off %#lx", v->off);
		fputc('\n', out);
	}
}

static void print_lib(struct uk_vas *vas, FILE *out)
{
	const struct uk_vma *v;

	uk_rcu_read_lock();
	for (v = uk_vma_first(vas); v; v = uk_vma_next(v)) {
		fprintf(out, "  %012lx-%012lx attr %#lx flags %#lx lvl %d %s %s",
			v->start, v->end, v->attr, v->flags, v->page_lvl,
			type_name(lib_type(v)), v->name ? v->name : "-");
		if (lib_type(v) == MT_DMA)
			fprintf(out, " off %#lx", uk_vma_dma_paddr(v));
		fputc('\n', out);
	}
	uk_rcu_read_unlock();
}

int drv_fail(struct driver *d, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "MODEL MISMATCH seed=%llu op#%lu (%s, %s): %s\n  ",
		d->seed, d->ops, ukplat_pt_format(), uk_rcu_backend(),
		d->desc);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nmodel layout:\n");
	print_model(&d->m, stderr);
	fprintf(stderr, "library layout:\n");
	print_lib(&d->vas, stderr);
	return -1;
}

static bool same_vma(const struct mvma *m, const struct uk_vma *v)
{
	return m->start == v->start && m->end == v->end && m->attr == v->attr &&
	       m->flags == v->flags && m->lvl == v->page_lvl &&
	       m->type == lib_type(v) &&
	       (m->name ? v->name && strcmp(m->name, v->name) == 0
			: v->name == NULL) &&
	       (m->type != MT_DMA || m->off == uk_vma_dma_paddr(v));
}

int drv_check_layout(struct driver *d)
{
	const struct uk_vma *v;
	size_t i = 0;
	bool ok = true;

	uk_rcu_read_lock();
	for (v = uk_vma_first(&d->vas); v && ok; v = uk_vma_next(v), i++)
		ok = i < d->m.n && same_vma(&d->m.v[i], v);
	uk_rcu_read_unlock();
	if (!ok || i != d->m.n)
		return drv_fail(d, "layout differs at VMA %zu", ok ? i : i - 1);
	return 0;
}

/* Read back every page the model holds a private copy of. */
static int check_dirty(struct driver *d)
{
	static unsigned char want[PAGE_SIZE], got[PAGE_SIZE];
	static bool known[PAGE_SIZE];
	size_t i, j;

	for (i = 0; i < d->m.npages; i++) {
		__vaddr_t va = d->m.env.win_lo + (i << PAGE_SHIFT);
		__sz n, k;

		if (!d->m.page[i])
			continue;
		n = model_access(&d->m, va, want, known, PAGE_SIZE,
				 UK_VMA_FAULT_READ);
		k = uk_vas_read(&d->vas, va, got, PAGE_SIZE);
		if (n != k)
			return drv_fail(d, "dirty page %#lx: read %zu, model %zu",
					va, k, n);
		for (j = 0; j < n; j++)
			if (known[j] && want[j] != got[j])
				return drv_fail(d, "lost write at %#lx: %#x, "
						"model %#x", va + j, got[j],
						want[j]);
	}
	return 0;
}

int drv_check_frames(struct driver *d)
{
	const struct uk_vma *v;
	long used, want = 0;

	uk_rcu_barrier();
	uk_rcu_read_lock();
	for (v = uk_vma_first(&d->vas); v; v = uk_vma_next(v))
		if (v->ops != &uk_vma_dma_ops)
			want += (long)uk_vma_resident(v);
	uk_rcu_read_unlock();
	want += uk_load_relaxed(&d->pt.nr_tables) * (long)PAGE_SIZE;
	want += uk_load_relaxed(&d->pt.pending_frames) * (long)PAGE_SIZE;
	want += (long)d->m.env.dma_size;
	uk_falloc_drain(d->fa);
	used = (long)uk_falloc_used(d->fa);
	if (used != want)
		return drv_fail(d, "frame accounting: %ld bytes allocated, "
				"%ld accounted for", used, want);
	return 0;
}

int drv_check_deep(struct driver *d, bool frames)
{
	char err[256];

	snprintf(d->desc, sizeof(d->desc), "deep check");
	if (check_dirty(d))
		return -1;
	if (uk_vas_validate(&d->vas, err, sizeof(err)))
		return drv_fail(d, "validator: %s", err);
	return frames ? drv_check_frames(d) : 0;
}
