/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page tables through the common code in the build's format: map / walk /
 * unmap / set_attr at every page size, mapx callbacks, size selection,
 * errors and their rollback, ranges over missing upper levels, table
 * freeing, fault injection, kmap.
 */
#include "ukvmem_config.h"
#include "pt_test_util.h"

#define RW PAGE_ATTR_PROT_RW
#define RO PAGE_ATTR_PROT_READ

static int walk_level(__vaddr_t va, unsigned long *attr, __paddr_t *pa)
{
	unsigned int level;
	__pte_t pte;

	if (ukplat_pt_lookup(&pt, va, &level, &pte))
		return -1;
	if (attr)
		*attr = ukplat_pte_attr(pte);
	if (pa)
		*pa = ukplat_pte_paddr(pte, level) +
		      (va & (PAGE_Lx_SIZE(level) - 1));
	return (int)level;
}

struct hist {
	unsigned long n[3];
	__vaddr_t first;
};

static int hist_fn(__vaddr_t va, unsigned int level, __pte_t pte, void *arg)
{
	struct hist *h = arg;

	(void)pte;
	if (!h->n[0] && !h->n[1] && !h->n[2])
		h->first = va;
	h->n[level]++;
	return 0;
}

static struct hist leaves(__vaddr_t va, __sz len)
{
	struct hist h = { { 0, 0, 0 }, 0 };

	assert_int_equal(ukplat_pt_for_each_leaf(&pt, va, len, hist_fn, &h),
			 0);
	return h;
}

static void test_format(void **state)
{
	(void)state;
	assert_string_equal(ukplat_pt_format(),
			    UKVMEM_PT_ARM64 ? "arm64" : "x86_64");
	assert_int_equal(pt.nr_tables, 1);
}

/* One page of each size: map, walk both ends, set_attr, unmap. */
static void test_page_sizes(void **state)
{
	__sz base_used = used_settled();

	(void)state;
	for (unsigned int l = 0; l <= PAGE_MAX_LEVEL; l++) {
		__vaddr_t va = 8 * GiB + PAGE_Lx_SIZE(l) * 3;
		__vaddr_t last = va + PAGE_Lx_SIZE(l) - PAGE_SIZE;
		unsigned long attr;
		__paddr_t pa, pa2;
		unsigned long flushes;

		assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY,
						 FRAMES(l), RW,
						 PAGE_FLAG_FORCE_SIZE |
							 PAGE_FLAG_SIZE(l)),
				 0);
		assert_int_equal(walk_level(va, &attr, &pa), (int)l);
		assert_int_equal(attr, RW);
		assert_true(PAGE_Lx_ALIGNED(pa, l));
		assert_true(uk_falloc_is_allocated(fa, pa, FRAMES(l)));
		assert_int_equal(walk_level(last, NULL, &pa2), (int)l);
		assert_int_equal(pa2, pa + PAGE_Lx_SIZE(l) - PAGE_SIZE);
		assert_int_equal(walk_level(va - PAGE_SIZE, NULL, NULL), -1);
		assert_int_equal(walk_level(va + PAGE_Lx_SIZE(l), NULL, NULL),
				 -1);
		assert_int_equal(leaves(va, PAGE_Lx_SIZE(l)).n[l], 1);

		assert_int_equal(ukplat_page_set_attr(&pt, va, FRAMES(l),
						      RO | PAGE_ATTR_TYPE_NORMAL_WT,
						      0),
				 0);
		assert_int_equal(walk_level(last, &attr, &pa2), (int)l);
		assert_int_equal(attr, RO | PAGE_ATTR_TYPE_NORMAL_WT);
		assert_int_equal(pa2, pa + PAGE_Lx_SIZE(l) - PAGE_SIZE);

		flushes = ukplat_tlb_flush_count();
		assert_int_equal(ukplat_page_unmap(&pt, va, FRAMES(l), 0), 0);
		assert_int_equal(ukplat_tlb_flush_count(), flushes + 1);
		assert_int_equal(walk_level(va, NULL, NULL), -1);
		uk_rcu_barrier();
		assert_int_equal(pt.pending_frames, 0);
		assert_false(uk_falloc_is_allocated(fa, pa, FRAMES(l)));
	}
	/* tables left: those not covered by the unmapped ranges */
	assert_int_equal(used_settled(),
			 base_used + (pt.nr_tables - 1) * PAGE_SIZE);
}

/* Preferred size: the largest aligned level that fits. */
static void test_preferred_size(void **state)
{
	__vaddr_t va = 4 * GiB - 2 * MiB - 8 * KiB;
	__vaddr_t end = 5 * GiB + 2 * MiB + 4 * KiB;
	__paddr_t pa = pm.base + (va & (GiB - 1)); /* same alignment */
	unsigned long pages = (end - va) >> PAGE_SHIFT;
	struct hist h;
	__paddr_t got;

	(void)state;
	assert_int_equal(ukplat_page_map(&pt, va, pa, pages, RW,
					 PAGE_FLAG_SIZE(2)),
			 0);
	h = leaves(va, end - va);
	assert_int_equal(h.n[0], 3);
	assert_int_equal(h.n[1], 2);
	assert_int_equal(h.n[2], 1);
	assert_int_equal(walk_level(4 * GiB + 12345 * PAGE_SIZE, NULL, &got),
			 2);
	assert_int_equal(got, pa + (4 * GiB - va) + 12345 * PAGE_SIZE);
	assert_int_equal(walk_level(4 * GiB - MiB, NULL, NULL), 1);
	assert_int_equal(walk_level(end - PAGE_SIZE, NULL, NULL), 0);
	/* the caller's frames: keep them */
	assert_int_equal(ukplat_page_unmap(&pt, va, pages,
					   PAGE_FLAG_KEEP_FRAMES),
			 0);
	h = leaves(0, 8 * GiB);
	assert_int_equal(h.n[0] + h.n[1] + h.n[2], 0);

	/* physical misalignment limits the size: 4 KiB pages only */
	assert_int_equal(ukplat_page_map(&pt, 6 * GiB, pm.base + PAGE_SIZE,
					 512, RW, PAGE_FLAG_SIZE(2)),
			 0);
	h = leaves(6 * GiB, 2 * MiB);
	assert_int_equal(h.n[0], 512);
	assert_int_equal(ukplat_page_unmap(&pt, 6 * GiB, 512,
					   PAGE_FLAG_KEEP_FRAMES),
			 0);
	/* a size above the flags' level is never used */
	assert_int_equal(ukplat_page_map(&pt, 6 * GiB, pm.base, 1024, RW,
					 PAGE_FLAG_SIZE(0)),
			 0);
	assert_int_equal(leaves(6 * GiB, 4 * MiB).n[0], 1024);
	assert_int_equal(ukplat_page_unmap(&pt, 6 * GiB, 1024,
					   PAGE_FLAG_KEEP_FRAMES),
			 0);
}

static void test_misaligned(void **state)
{
	__sz before = used_settled();
	long tables = pt.nr_tables;
	__vaddr_t va = 16 * GiB;

	(void)state;
	/* forced 2 MiB: vaddr, length, paddr must be aligned */
	assert_int_equal(ukplat_page_map(&pt, va + PAGE_SIZE, __PADDR_ANY, 512,
					 RW, PAGE_FLAG_FORCE_SIZE |
						     PAGE_FLAG_SIZE(1)),
			 -EINVAL);
	assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 513, RW,
					 PAGE_FLAG_FORCE_SIZE |
						 PAGE_FLAG_SIZE(1)),
			 -EINVAL);
	assert_int_equal(ukplat_page_map(&pt, va, pm.base + PAGE_SIZE, 512, RW,
					 PAGE_FLAG_FORCE_SIZE |
						 PAGE_FLAG_SIZE(1)),
			 -EINVAL);
	assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 1, RW,
					 PAGE_FLAG_SIZE(3)),
			 -EINVAL);
	assert_int_equal(ukplat_page_map(&pt, va + 1, __PADDR_ANY, 1, RW, 0),
			 -EINVAL);
	assert_int_equal(ukplat_page_map(&pt, va, pm.base + 1, 1, RW, 0),
			 -EINVAL);
	assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 1, 0x100, 0),
			 -EINVAL);
	assert_int_equal(ukplat_page_map(&pt, (1UL << 48) - PAGE_SIZE,
					 __PADDR_ANY, 2, RW, 0),
			 -EINVAL);
	assert_int_equal(ukplat_page_unmap(&pt, va + 1, 1, 0), -EINVAL);
	assert_int_equal(pt.nr_tables, tables);
	assert_int_equal(used_settled(), before);
	assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 0, RW, 0), 0);
}

/* ---- mapx callbacks ---------------------------------------------------- */

struct cb_state {
	unsigned long calls, undos, toobig_left;
	int fail_at;     /* return this errno at call number fail_at_call */
	unsigned long fail_at_call;
	bool skip_odd;
	unsigned int min_level_ok; /* ETOOBIG above this level */
};

static int cb_map(struct uk_pagetable *p, __vaddr_t va, __paddr_t *pa,
		  unsigned int level, void *ctx)
{
	struct cb_state *s = ctx;

	(void)p;
	s->calls++;
	if (s->fail_at_call && s->calls == s->fail_at_call)
		return s->fail_at;
	if (level > s->min_level_ok)
		return UKPLAT_PAGE_MAPX_ETOOBIG;
	if (s->skip_odd && ((va >> PAGE_SHIFT) & 1))
		return UKPLAT_PAGE_MAPX_ESKIP;
	*pa = __PADDR_ANY;
	return uk_falloc_frames(fa, pa, FRAMES(level),
				FALLOC_FLAG_ZERO |
					(level ? FALLOC_FLAG_ALIGNED : 0));
}

static void cb_undo(struct uk_pagetable *p, __vaddr_t va, __paddr_t pa,
		    unsigned int level, void *ctx)
{
	struct cb_state *s = ctx;

	(void)p;
	(void)va;
	s->undos++;
	uk_ffree(fa, pa, FRAMES(level));
}

static void test_mapx_skip(void **state)
{
	struct cb_state s = { .skip_odd = true, .min_level_ok = 2 };
	struct ukplat_page_mapx mx = { cb_map, cb_undo, &s };
	__vaddr_t va = 20 * GiB;

	(void)state;
	assert_int_equal(ukplat_page_mapx(&pt, va, __PADDR_ANY, 64, RW, 0,
					  &mx),
			 0);
	assert_int_equal(s.calls, 64);
	for (unsigned long i = 0; i < 64; i++)
		assert_int_equal(walk_level(va + i * PAGE_SIZE, NULL, NULL),
				 (i & 1) ? -1 : 0);
	assert_int_equal(ukplat_page_unmap(&pt, va, 64, 0), 0);
	assert_int_equal(leaves(va, 64 * PAGE_SIZE).n[0], 0);
}

static void test_mapx_toobig(void **state)
{
	struct cb_state s = { .min_level_ok = 0 };
	struct ukplat_page_mapx mx = { cb_map, cb_undo, &s };
	__vaddr_t va = 21 * GiB;
	__sz before;
	long tables;
	struct hist h;

	(void)state;
	/* the level-1 table first, so that everything below is covered */
	assert_int_equal(ukplat_page_map(&pt, va + 512 * MiB, __PADDR_ANY, 1,
					 RW, 0),
			 0);
	before = used_settled();
	tables = pt.nr_tables;
	/* preferred 2 MiB, callback wants 4 KiB: retried smaller */
	assert_int_equal(ukplat_page_mapx(&pt, va, __PADDR_ANY, 1024, RW,
					  PAGE_FLAG_SIZE(1), &mx),
			 0);
	h = leaves(va, 4 * MiB);
	assert_int_equal(h.n[0], 1024);
	assert_int_equal(h.n[1], 0);
	assert_int_equal(s.calls, 1024 + 2); /* two ETOOBIG answers */
	assert_int_equal(ukplat_page_unmap(&pt, va, 1024, 0), 0);

	/* forced 2 MiB and ETOOBIG: -EINVAL, nothing left */
	s.calls = 0;
	assert_int_equal(ukplat_page_mapx(&pt, va, __PADDR_ANY, 1024, RW,
					  PAGE_FLAG_FORCE_SIZE |
						  PAGE_FLAG_SIZE(1),
					  &mx),
			 -EINVAL);
	assert_int_equal(leaves(va, 4 * MiB).n[0], 0);
	/* the level-0 tables of the 4 KiB attempt were fully covered */
	assert_int_equal(pt.nr_tables, tables);
	assert_int_equal(used_settled(), before);
}

static void test_mapx_error_undo(void **state)
{
	struct cb_state s = { .min_level_ok = 1, .fail_at = -EIO,
			      .fail_at_call = 10 };
	struct ukplat_page_mapx mx = { cb_map, cb_undo, &s };
	__vaddr_t va = 22 * GiB;
	__sz before;
	long tables;

	(void)state;
	/* pre-create the level-1 table so that the test's tables are fully
	 * covered by the range */
	assert_int_equal(ukplat_page_map(&pt, va + 512 * MiB, __PADDR_ANY, 1,
					 RW, 0),
			 0);
	before = used_settled();
	tables = pt.nr_tables;
	/* 4 KiB x 4, then 2 MiB pages: fails on the 10th call */
	assert_int_equal(ukplat_page_mapx(&pt, va + 2 * MiB - 4 * PAGE_SIZE,
					  __PADDR_ANY, 4 + 512 * 10, RW,
					  PAGE_FLAG_SIZE(1), &mx),
			 -EIO);
	assert_int_equal(s.undos, 9);
	assert_int_equal(leaves(va, 64 * MiB).n[0] + leaves(va, 64 * MiB).n[1],
			 0);
	/* the level-0 table holding the first 4 pages is not fully covered */
	assert_int_equal(pt.nr_tables, tables + 1);
	assert_int_equal(used_settled(), before + PAGE_SIZE);
	assert_int_equal(ukplat_page_unmap(&pt, va, 512 * 512, 0), 0);
}

/* ---- -EEXIST and rollback ---------------------------------------------- */

static void test_eexist_rollback(void **state)
{
	__vaddr_t va = 24 * GiB;
	__paddr_t pa, pa2;
	__sz before;
	unsigned int fl;
	__pte_t found;

	(void)state;
	assert_int_equal(ukplat_page_map(&pt, va + 5 * PAGE_SIZE, __PADDR_ANY,
					 1, RO, 0),
			 0);
	assert_int_equal(walk_level(va + 5 * PAGE_SIZE, NULL, &pa), 0);
	before = used_settled();
	assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 16, RW, 0),
			 -EEXIST);
	assert_int_equal(leaves(va, 16 * PAGE_SIZE).n[0], 1);
	assert_int_equal(walk_level(va + 5 * PAGE_SIZE, NULL, &pa2), 0);
	assert_int_equal(pa2, pa);
	assert_int_equal(used_settled(), before);
	/* a 2 MiB page over it */
	assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 512, RW,
					 PAGE_FLAG_FORCE_SIZE |
						 PAGE_FLAG_SIZE(1)),
			 -EEXIST);
	assert_int_equal(used_settled(), before);
	/* install: the same slot, a table where a leaf is asked, a larger
	 * leaf over a small one */
	assert_int_equal(ukplat_pt_install(&pt, va + 5 * PAGE_SIZE, pm.base, 0,
					   RW, &found, &fl),
			 -EEXIST);
	assert_int_equal(fl, 0);
	assert_int_equal(ukplat_pte_paddr(found, 0), pa);
	assert_int_equal(ukplat_pt_install(&pt, va, pm.base, 1, RW, &found,
					   &fl),
			 -EEXIST);
	assert_int_equal(fl, 1);
	assert_int_equal(ukplat_page_map(&pt, va + 2 * MiB, __PADDR_ANY, 512,
					 RW, PAGE_FLAG_SIZE(1)),
			 0);
	assert_int_equal(ukplat_pt_install(&pt, va + 2 * MiB + PAGE_SIZE,
					   pm.base, 0, RW, &found, &fl),
			 -EEXIST);
	assert_int_equal(fl, 1);
	assert_true(ukplat_pte_attr(found) == RW);
	assert_int_equal(ukplat_pt_install(&pt, va + 3, pm.base, 0, RW,
					   &found, &fl),
			 -EINVAL);
	/* a mapping that runs into a present large page */
	before = used_settled();
	assert_int_equal(ukplat_page_map(&pt, va + MiB, __PADDR_ANY, 512, RW,
					 PAGE_FLAG_SIZE(1)),
			 -EEXIST);
	assert_int_equal(leaves(va, 4 * MiB).n[0], 1);
	assert_int_equal(used_settled(), before);
	assert_int_equal(ukplat_page_unmap(&pt, va, 1024, 0), 0);
}

/* ---- ranges over missing upper levels ---------------------------------- */

static void test_sparse_ranges(void **state)
{
	__vaddr_t a = 32 * GiB;
	__vaddr_t b = a + GiB + PAGE_SIZE;
	__vaddr_t far = 1024 * GiB + PAGE_SIZE; /* another root entry */
	unsigned long attr;

	(void)state;
	assert_int_equal(ukplat_page_map(&pt, a, __PADDR_ANY, 1, RW, 0), 0);
	assert_int_equal(ukplat_page_map(&pt, b, __PADDR_ANY, 1, RW, 0), 0);
	assert_int_equal(ukplat_page_map(&pt, far, __PADDR_ANY, 1, RW, 0), 0);

	/* starts in a hole with no level-0 table, ends just before b */
	assert_int_equal(ukplat_page_set_attr(&pt, a + PAGE_SIZE,
					      (b - a - PAGE_SIZE) >> PAGE_SHIFT,
					      RO, 0),
			 0);
	walk_level(a, &attr, NULL);
	assert_int_equal(attr, RW);
	walk_level(b, &attr, NULL);
	assert_int_equal(attr, RW);
	/* ... and including b */
	assert_int_equal(ukplat_page_set_attr(&pt, a + PAGE_SIZE,
					      (b - a) >> PAGE_SHIFT, RO, 0),
			 0);
	walk_level(a, &attr, NULL);
	assert_int_equal(attr, RW);
	walk_level(b, &attr, NULL);
	assert_int_equal(attr, RO);
	/* starting under a missing level-2 table (other root entry) */
	assert_int_equal(ukplat_page_set_attr(&pt, 600 * GiB,
					      (far + PAGE_SIZE - 600 * GiB) >>
						      PAGE_SHIFT,
					      RO, 0),
			 0);
	walk_level(far, &attr, NULL);
	assert_int_equal(attr, RO);

	/* unmap: the first excluded range removes nothing */
	assert_int_equal(ukplat_page_unmap(&pt, a + PAGE_SIZE,
					   (b - a - PAGE_SIZE) >> PAGE_SHIFT,
					   0),
			 0);
	assert_int_equal(walk_level(a, NULL, NULL), 0);
	assert_int_equal(walk_level(b, NULL, NULL), 0);
	assert_int_equal(ukplat_page_unmap(&pt, a + PAGE_SIZE,
					   (b - a) >> PAGE_SHIFT, 0),
			 0);
	assert_int_equal(walk_level(a, NULL, NULL), 0);
	assert_int_equal(walk_level(b, NULL, NULL), -1);
	/* from a hole two root entries away up to far */
	assert_int_equal(ukplat_page_unmap(&pt, 513 * GiB + PAGE_SIZE,
					   (far - 513 * GiB) >> PAGE_SHIFT, 0),
			 0);
	assert_int_equal(walk_level(far, NULL, NULL), -1);
	assert_int_equal(ukplat_page_unmap(&pt, a, 1, 0), 0);
}

/* ---- table freeing ----------------------------------------------------- */

static void test_unmap_frees_tables(void **state)
{
	__vaddr_t va = 2048 * GiB + GiB; /* fresh root entry */
	long tables = pt.nr_tables;
	__sz before = used_settled();

	(void)state;
	assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 1024, RW,
					 PAGE_FLAG_SIZE(0)),
			 0);
	/* level-2, level-1 and two level-0 tables */
	assert_int_equal(pt.nr_tables, tables + 4);
	/* a partial range frees no table */
	assert_int_equal(ukplat_page_unmap(&pt, va, 100, 0), 0);
	assert_int_equal(pt.nr_tables, tables + 4);
	/* covering the first 2 MiB frees that level-0 table */
	assert_int_equal(ukplat_page_unmap(&pt, va, 512, 0), 0);
	assert_int_equal(pt.nr_tables, tables + 3);
	/* covering the 1 GiB frees level-1 and level-0 */
	assert_int_equal(ukplat_page_unmap(&pt, va, 512 * 512, 0), 0);
	assert_int_equal(pt.nr_tables, tables + 1);
	assert_int_equal(ukplat_page_unmap(&pt, 2048 * GiB, 512UL * 512 * 512,
					   0),
			 0);
	assert_int_equal(pt.nr_tables, tables);
	assert_int_equal(used_settled(), before);
	assert_int_equal(pt.pending_frames, 0);
}

static struct uk_tlb_flush_req last_req;
static int nr_reqs;

static void record_req(const struct uk_tlb_flush_req *req)
{
	last_req = *req;
	nr_reqs++;
}

/* Leftover empty tables are dropped for large pages: one request (TABLES)
 * for all of them, before the first install; a table with a leaf stays. */
static void test_reclaim_empty_table(void **state)
{
	__vaddr_t va = 40 * GiB;
	long tables;

	(void)state;
	for (int i = 0; i < 2; i++) {
		__vaddr_t at = va + i * 2 * MiB + PAGE_SIZE;

		assert_int_equal(ukplat_page_map(&pt, at, __PADDR_ANY, 1, RW,
						 0),
				 0);
		assert_int_equal(ukplat_page_unmap(&pt, at, 1, 0), 0);
	}
	tables = pt.nr_tables;
	nr_reqs = 0;
	ukplat_set_tlb_flush(record_req);
	assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 1024, RW,
					 PAGE_FLAG_FORCE_SIZE |
						 PAGE_FLAG_SIZE(1)),
			 0);
	assert_int_equal(nr_reqs, 1);
	assert_ptr_equal(last_req.pt, &pt);
	assert_int_equal(last_req.start, va);
	assert_int_equal(last_req.len, 4 * MiB);
	assert_int_equal(last_req.flags, UK_TLB_FLUSH_TABLES);
	assert_int_equal(pt.nr_tables, tables - 2);
	assert_int_equal(walk_level(va, NULL, NULL), 1);
	assert_int_equal(walk_level(va + 2 * MiB, NULL, NULL), 1);
	/* one unmap of two 2 MiB pages: one request, level 1 */
	assert_int_equal(ukplat_page_unmap(&pt, va, 1024, 0), 0);
	assert_int_equal(nr_reqs, 2);
	assert_int_equal(last_req.level, 1);
	/* a table that still holds a leaf is not dropped */
	assert_int_equal(ukplat_page_map(&pt, va + PAGE_SIZE, __PADDR_ANY, 1,
					 RW, 0),
			 0);
	assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 512, RW,
					 PAGE_FLAG_FORCE_SIZE |
						 PAGE_FLAG_SIZE(1)),
			 -EEXIST);
	assert_int_equal(walk_level(va + PAGE_SIZE, NULL, NULL), 0);
	assert_int_equal(nr_reqs, 2);
	ukplat_set_tlb_flush(NULL);
	assert_int_equal(ukplat_page_unmap(&pt, va, 512, 0), 0);
}

static void test_partial_large(void **state)
{
	__vaddr_t va = 48 * GiB;
	unsigned long attr;

	(void)state;
	assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 512, RW,
					 PAGE_FLAG_FORCE_SIZE |
						 PAGE_FLAG_SIZE(1)),
			 0);
	assert_int_equal(ukplat_page_map(&pt, va + 2 * MiB, __PADDR_ANY, 1, RW,
					 0),
			 0);
	assert_int_equal(ukplat_page_unmap(&pt, va + PAGE_SIZE, 1, 0), -EINVAL);
	/* starts before, ends inside */
	assert_int_equal(ukplat_page_unmap(&pt, va - PAGE_SIZE, 2, 0), -EINVAL);
	/* covers the 4 KiB page but not all of the 2 MiB one */
	assert_int_equal(ukplat_page_unmap(&pt, va + MiB, 257, 0), -EINVAL);
	assert_int_equal(ukplat_page_set_attr(&pt, va, 256, RO, 0), -EINVAL);
	assert_int_equal(ukplat_page_set_attr(&pt, va + MiB, 257, RO, 0),
			 -EINVAL);
	assert_int_equal(walk_level(va + MiB, &attr, NULL), 1);
	assert_int_equal(attr, RW);
	assert_int_equal(walk_level(va + 2 * MiB, &attr, NULL), 0);
	assert_int_equal(attr, RW);
	assert_int_equal(ukplat_page_unmap(&pt, va, 513, 0), 0);
	assert_int_equal(leaves(va, 4 * MiB).n[0] + leaves(va, 4 * MiB).n[1],
			 0);
}

/* ---- fault injection --------------------------------------------------- */

static void test_inject_ptpage(void **state)
{
	__vaddr_t va = 56 * GiB;
	__sz before;
	long tables;

	(void)state;
	/* level-1 table exists: what the map creates is fully covered */
	assert_int_equal(ukplat_page_map(&pt, va + 512 * MiB, __PADDR_ANY, 1,
					 RW, 0),
			 0);
	before = used_settled();
	tables = pt.nr_tables;
	for (unsigned long k = 1; k <= 2; k++) {
		ukplat_inject_arm(UK_INJECT_PTPAGE, k);
		assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 1024,
						 RW, 0),
				 -ENOMEM);
		ukplat_inject_arm(UK_INJECT_PTPAGE, 0);
		assert_int_equal(leaves(va, 4 * MiB).n[0], 0);
		assert_int_equal(pt.nr_tables, tables);
		assert_int_equal(used_settled(), before);
	}
	/* a fresh root entry: install takes every missing table before it
	 * links any, so a failure leaves no empty table behind */
	for (unsigned long k = 1; k <= 3; k++) {
		__vaddr_t fresh = (4096 + 512 * k) * GiB;
		long t0 = pt.nr_tables;

		before = used_settled();
		ukplat_inject_arm(UK_INJECT_PTPAGE, k);
		assert_int_equal(ukplat_page_map(&pt, fresh, __PADDR_ANY, 8,
						 RW, 0),
				 -ENOMEM);
		ukplat_inject_arm(UK_INJECT_PTPAGE, 0);
		assert_int_equal(leaves(fresh, 8 * PAGE_SIZE).n[0], 0);
		assert_int_equal(pt.nr_tables, t0);
		assert_int_equal(used_settled(), before);
	}
	ukplat_inject_arm(UK_INJECT_PTPAGE, 1);
	{
		__pte_t found;
		unsigned int fl;

		assert_int_equal(ukplat_pt_install(&pt, 8192 * GiB, pm.base, 0,
						   RW, &found, &fl),
				 -ENOMEM);
	}
	ukplat_inject_arm(UK_INJECT_PTPAGE, 0);
	assert_int_equal(ukplat_page_unmap(&pt, va, 512 * 512, 0), 0);
}

/* ---- kmap, PROT_NONE, update_attr --------------------------------------- */

static void test_kmap_and_attr(void **state)
{
	__vaddr_t va = 64 * GiB;
	__paddr_t pa;
	unsigned int level;
	__pte_t pte;
	unsigned long attr;
	char *p;

	(void)state;
	assert_int_equal(ukplat_page_map(&pt, va, __PADDR_ANY, 2, RW, 0), 0);
	assert_int_equal(walk_level(va + PAGE_SIZE + 100, NULL, &pa), 0);
	p = ukplat_page_kptr(&pt, pa, 1, 0);
	assert_non_null(p);
	assert_int_equal(p[0], 0); /* zeroed frame */
	strcpy(p, "through kmap");
	/* read back through the mapping: walk, then the direct map */
	assert_int_equal(walk_level(va + PAGE_SIZE + 100, NULL, &pa), 0);
	assert_string_equal((char *)ukplat_page_kptr(&pt, pa, 1, 0),
			    "through kmap");
	assert_null(ukplat_page_kptr(&pt, pm.base - PAGE_SIZE, 1, 0));
	assert_null(ukplat_page_kptr(&pt, pm.base + pm.size, 1, 0));
	assert_null(ukplat_page_kptr(&pt, pm.base, (pm.size >> PAGE_SHIFT) + 1,
				     0));

	/* PROT_NONE keeps the frame; restoring access finds the data */
	assert_int_equal(ukplat_page_set_attr(&pt, va, 2, PAGE_ATTR_PROT_NONE,
					      0),
			 0);
	assert_int_equal(ukplat_pt_lookup(&pt, va + PAGE_SIZE, &level, &pte), 0);
	assert_int_equal(ukplat_pte_attr(pte), PAGE_ATTR_PROT_NONE);
	assert_int_equal(ukplat_page_set_attr(&pt, va, 2, RW, 0), 0);
	assert_int_equal(walk_level(va + PAGE_SIZE + 100, &attr, &pa), 0);
	assert_int_equal(attr, RW);
	assert_string_equal((char *)ukplat_page_kptr(&pt, pa, 1, 0),
			    "through kmap");

	/* update_attr: CAS from the expected entry */
	assert_int_equal(ukplat_pt_lookup(&pt, va, &level, &pte), 0);
	assert_int_equal(ukplat_pt_update_attr(&pt, va, 0, pte,
					       PAGE_ATTR_PROT_RWX),
			 0);
	/* stale expected entry; no slot at an unmapped address */
	assert_int_equal(ukplat_pt_update_attr(&pt, va, 0, pte,
					       PAGE_ATTR_PROT_RWX),
			 -EAGAIN);
	assert_int_equal(ukplat_pt_update_attr(&pt, va + 4 * MiB, 0, pte,
					       PAGE_ATTR_PROT_RWX),
			 -EAGAIN);
	assert_int_equal(ukplat_pt_lookup(&pt, va, &level, &pte), 0);
	/* never lowers: asking for less keeps every right */
	assert_int_equal(ukplat_pt_update_attr(&pt, va, 0, pte, RO), 0);
	walk_level(va, &attr, NULL);
	assert_int_equal(attr, PAGE_ATTR_PROT_RWX);
	/* another memory type: a writer's job (break-before-make) */
	assert_int_equal(ukplat_pt_update_attr(&pt, va, 0, pte,
					       RW | PAGE_ATTR_TYPE_DEVICE),
			 -EBUSY);
	/* a hardware-invalid entry is never made valid by a fault */
	assert_int_equal(ukplat_page_set_attr(&pt, va, 1, PAGE_ATTR_PROT_NONE,
					      0),
			 0);
	assert_int_equal(ukplat_pt_lookup(&pt, va, &level, &pte), 0);
	assert_int_equal(ukplat_pt_update_attr(&pt, va, 0, pte, RW), -EBUSY);
	assert_int_equal(ukplat_page_unmap(&pt, va, 2, 0), 0);

	/* deferred free of a caller's frames */
	pa = uk_falloc(fa, 3);
	ukplat_pt_free_frames_deferred(&pt, pa, 3);
	assert_true(pt.pending_frames >= 3 || !uk_falloc_is_allocated(fa, pa, 3));
	uk_rcu_barrier();
	assert_false(uk_falloc_is_allocated(fa, pa, 1));
	assert_int_equal(pt.pending_frames, 0);
}

static void test_walk_out_of_range(void **state)
{
	unsigned int level;
	__pte_t pte;

	(void)state;
	assert_int_equal(ukplat_pt_lookup(&pt, 1UL << 48, &level, &pte), -ENOENT);
	assert_int_equal(ukplat_pt_lookup(&pt, 100 * GiB, &level, &pte), -ENOENT);
	assert_int_equal(pte, 0);
	assert_int_equal(ukplat_pt_for_each_leaf(&pt, 0, 0, hist_fn, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_page_sizes),
		cmocka_unit_test(test_preferred_size),
		cmocka_unit_test(test_misaligned),
		cmocka_unit_test(test_mapx_skip),
		cmocka_unit_test(test_mapx_toobig),
		cmocka_unit_test(test_mapx_error_undo),
		cmocka_unit_test(test_eexist_rollback),
		cmocka_unit_test(test_sparse_ranges),
		cmocka_unit_test(test_unmap_frees_tables),
		cmocka_unit_test(test_reclaim_empty_table),
		cmocka_unit_test(test_partial_large),
		cmocka_unit_test(test_inject_ptpage),
		cmocka_unit_test(test_kmap_and_attr),
		cmocka_unit_test(test_walk_out_of_range),
	};

	return cmocka_run_group_tests(tests, pt_setup, pt_teardown);
}
