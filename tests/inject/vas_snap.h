/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A snapshot of everything an all-or-nothing VAS operation must leave as
 * it was when it fails, and a comparison that names the first difference.
 * Shared by tests/inject (failed allocations) and tests/badinput (refused
 * arguments and accesses).
 *
 * What is recorded:
 *  - the layout: every VMA's start, end, attr, flags, page level, ops, name
 *    and (for DMA VMAs) physical address;
 *  - the page table: every present leaf (vaddr, level, raw PTE) over the
 *    whole translated range, plus a hash of the bytes of the frame it maps
 *    (so a failed operation that kept the PTE but lost the data is caught),
 *    and pt.nr_tables (table pages, root included);
 *  - frames: uk_falloc_used() after uk_rcu_barrier() and uk_falloc_drain(),
 *    and pt.pending_frames (must be 0 once the barrier returned);
 *  - open file descriptors of the process (file mappings dup theirs).
 * Metadata (VMAs, tree nodes, names, vectors) is not counted here:
 * LeakSanitizer checks it at exit in the sanitizer builds.
 *
 * Call only from the main thread with no operation in flight.
 */
#ifndef UK_TEST_VAS_SNAP_H
#define UK_TEST_VAS_SNAP_H

#include <dirent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../vas/fixture.h"
#include "atomic.h"

/* Everything the page table can translate (both formats: 48 bits). */
#define SNAP_PT_SPAN (1UL << 48)

struct snap_vma {
	__vaddr_t start, end;
	unsigned long attr, flags;
	int page_lvl;
	const struct uk_vma_ops *ops;
	__paddr_t dma;
	char name[128];
};

struct snap_leaf {
	__vaddr_t vaddr;
	unsigned int level;
	__pte_t pte;
	uint64_t hash; /* FNV-1a of the frame's bytes */
};

struct vas_snap {
	struct snap_vma *vmas;
	size_t nvmas, cap_vmas;
	struct snap_leaf *leaves;
	size_t nleaves, cap_leaves;
	long nr_tables;
	long used;    /* bytes allocated from the frame allocator */
	long pending; /* frames awaiting a grace period */
	int nfds;
};

static inline uint64_t snap_hash(const unsigned char *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Frame contents: every byte up to 2 MiB; of a 1 GiB page the first and
 * last 2 MiB (hashing a whole gigabyte per step would dominate the run). */
static inline uint64_t snap_frame_hash(struct uk_pagetable *pt, __paddr_t pa,
				       unsigned int level)
{
	__sz len = PAGE_Lx_SIZE(level);
	const unsigned char *p = ukplat_page_kptr(pt, pa, len >> PAGE_SHIFT, 0);
	__sz part = PAGE_Lx_SIZE(1);

	if (!p)
		return 0; /* outside memory: the PTE comparison catches it */
	if (len <= part)
		return snap_hash(p, len);
	return snap_hash(p, part) ^ (snap_hash(p + len - part, part) * 31);
}

struct snap_leaf_ctx {
	struct vas_snap *s;
	struct uk_pagetable *pt;
};

static inline int snap_leaf_cb(__vaddr_t vaddr, unsigned int level,
			       __pte_t pte, void *arg)
{
	struct snap_leaf_ctx *c = arg;
	struct vas_snap *s = c->s;

	if (s->nleaves == s->cap_leaves) {
		s->cap_leaves = s->cap_leaves ? 2 * s->cap_leaves : 256;
		s->leaves = realloc(s->leaves,
				    s->cap_leaves * sizeof(*s->leaves));
		if (!s->leaves)
			abort();
	}
	s->leaves[s->nleaves++] = (struct snap_leaf){
		.vaddr = vaddr,
		.level = level,
		.pte = pte,
		.hash = snap_frame_hash(c->pt, ukplat_pte_paddr(pte, level),
					level),
	};
	return 0;
}

static inline int snap_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Wait for every deferred free, then record. */
static inline void snap_take(struct vas_fixture *fx, struct vas_snap *s)
{
	struct snap_leaf_ctx lc = {s, &fx->pt};
	const struct uk_vma *vma;

	memset(s, 0, sizeof(*s));
	uk_rcu_barrier();
	s->used = vas_fixture_frames_used(fx);
	s->nr_tables = uk_load_relaxed(&fx->pt.nr_tables);
	s->pending = uk_load_relaxed(&fx->pt.pending_frames);
	s->nfds = snap_count_fds();
	uk_rcu_read_lock();
	for (vma = uk_vma_first(&fx->vas); vma; vma = uk_vma_next(vma)) {
		struct snap_vma *v;

		if (s->nvmas == s->cap_vmas) {
			s->cap_vmas = s->cap_vmas ? 2 * s->cap_vmas : 16;
			s->vmas = realloc(s->vmas,
					  s->cap_vmas * sizeof(*s->vmas));
			if (!s->vmas)
				abort();
		}
		v = &s->vmas[s->nvmas++];
		memset(v, 0, sizeof(*v));
		v->start = vma->start;
		v->end = vma->end;
		v->attr = vma->attr;
		v->flags = vma->flags;
		v->page_lvl = vma->page_lvl;
		v->ops = vma->ops;
		v->dma = uk_vma_dma_paddr(vma);
		snprintf(v->name, sizeof(v->name), "%s",
			 vma->name ? vma->name : "(null)");
	}
	uk_rcu_read_unlock();
	ukplat_pt_for_each_leaf(&fx->pt, 0, SNAP_PT_SPAN, snap_leaf_cb, &lc);
}

static inline void snap_free(struct vas_snap *s)
{
	free(s->vmas);
	free(s->leaves);
	memset(s, 0, sizeof(*s));
}

/* Append a formatted note to @msg (keeps what is there). */
static inline void snap_note(char *msg, size_t len, const char *fmt, ...)
{
	size_t used = strlen(msg);
	va_list ap;

	if (used + 3 >= len)
		return;
	if (used) {
		strcpy(msg + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(msg + used, len - used, fmt, ap);
	va_end(ap);
}

/* 0 when @a and @b agree; else the number of differences found, each
 * described in @msg (every counter, then the first VMA and the first leaf
 * that differ). */
static inline int snap_diff(const struct vas_snap *a, const struct vas_snap *b,
			    char *msg, size_t len)
{
	int n = 0;
	size_t i;

	msg[0] = '\0';
	if (a->used != b->used && ++n)
		snap_note(msg, len, "frames used %ld -> %ld bytes", a->used,
			  b->used);
	if (a->nr_tables != b->nr_tables && ++n)
		snap_note(msg, len, "page-table pages %ld -> %ld",
			  a->nr_tables, b->nr_tables);
	if (a->pending != b->pending && ++n)
		snap_note(msg, len, "pending frames %ld -> %ld", a->pending,
			  b->pending);
	if (a->nfds != b->nfds && ++n)
		snap_note(msg, len, "open descriptors %d -> %d", a->nfds,
			  b->nfds);
	for (i = 0; i < a->nvmas && i < b->nvmas; i++) {
		const struct snap_vma *x = &a->vmas[i], *y = &b->vmas[i];

		if (x->start != y->start || x->end != y->end ||
		    x->attr != y->attr || x->flags != y->flags ||
		    x->page_lvl != y->page_lvl || x->ops != y->ops ||
		    x->dma != y->dma || strcmp(x->name, y->name)) {
			snap_note(msg, len,
				  "VMA %zu: %#lx-%#lx attr %#lx %s -> "
				  "%#lx-%#lx attr %#lx %s",
				  i, x->start, x->end, x->attr, x->name,
				  y->start, y->end, y->attr, y->name);
			n++;
			break;
		}
	}
	if (a->nvmas != b->nvmas && ++n)
		snap_note(msg, len, "%zu VMAs -> %zu VMAs", a->nvmas, b->nvmas);
	for (i = 0; i < a->nleaves && i < b->nleaves; i++) {
		const struct snap_leaf *x = &a->leaves[i], *y = &b->leaves[i];

		if (x->vaddr != y->vaddr || x->level != y->level ||
		    x->pte != y->pte) {
			snap_note(msg, len,
				  "leaf %zu: %#lx L%u pte %#lx -> "
				  "%#lx L%u pte %#lx",
				  i, x->vaddr, x->level,
				  (unsigned long)x->pte, y->vaddr, y->level,
				  (unsigned long)y->pte);
			n++;
			break;
		}
		if (x->hash != y->hash) {
			snap_note(msg, len, "data of the page at %#lx changed",
				  x->vaddr);
			n++;
			break;
		}
	}
	if (a->nleaves != b->nleaves && ++n)
		snap_note(msg, len, "%zu leaves -> %zu leaves (first extra at "
			  "%#lx)", a->nleaves, b->nleaves,
			  a->nleaves > b->nleaves
				  ? a->leaves[b->nleaves].vaddr
				  : b->leaves[a->nleaves].vaddr);
	return n;
}

/* Fill [vaddr, vaddr + len) through the software MMU with bytes derived
 * from the address and @seed; 0 when every byte was written. */
static inline int snap_fill(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
			    unsigned int seed)
{
	unsigned char buf[256];
	__sz done, i, n;

	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = (unsigned char)(((vaddr + done + i) >> 3) *
						 2654435761u + seed);
		if (uk_vas_write(vas, vaddr + done, buf, n) != n)
			return -1;
	}
	return 0;
}

/* Check bytes written by snap_fill; 0 when they are all there. */
static inline int snap_check_fill(struct uk_vas *vas, __vaddr_t vaddr,
				  __sz len, unsigned int seed)
{
	unsigned char buf[256];
	__sz done, i, n;

	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		if (uk_vas_read(vas, vaddr + done, buf, n) != n)
			return -1;
		for (i = 0; i < n; i++)
			if (buf[i] != (unsigned char)(((vaddr + done + i) >>
						       3) * 2654435761u +
						      seed))
				return -1;
	}
	return 0;
}

#endif
