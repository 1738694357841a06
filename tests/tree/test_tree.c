/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtree unit tests (single-threaded, white-box).
 *
 *  - basic operations and error codes;
 *  - a randomized run against a reference model (a sorted array), with
 *    vt_validate after every operation and a model comparison after every
 *    transaction, including find_gap against a brute-force scan;
 *  - find_gap edge cases;
 *  - aborted multi-operation transactions leave the tree bit-for-bit equal;
 *  - fault injection at every allocation of multi-operation transactions
 *    that split and merge up to the root;
 *  - 100k entries: height and validation;
 *  - no node leaks: vt_live_nodes() after uk_rcu_barrier().
 * The seed is printed; set VT_SEED to replay a run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <uk/plat.h>
#include "tree/vtree.h"
#include "tree/vtree_node.h"

#define P PAGE_SIZE

/* ---- Helpers ------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void seed_rng(const char *test)
{
	const char *env = getenv("VT_SEED");

	rng_state = env ? strtoull(env, NULL, 0) : 0x9e3779b97f4a7c15ULL;
	if (rng_state == 0)
		rng_state = 1;
	printf("# %s: VT_SEED=%#llx\n", test, (unsigned long long)rng_state);
}

static void *item_of(__vaddr_t s, __vaddr_t e)
{
	return (void *)(uintptr_t)((s * 31) ^ (e << 3) ^ 0x5a5a5a5a1UL);
}

static void check_valid_root(const struct vt_node *root, const struct vt_tree *t)
{
	char err[512];
	int rc = vt_validate(root, t->lo, t->hi, err, sizeof(err));

	if (rc)
		fail_msg("vt_validate: %s", err);
}

static void check_valid(struct vt_tree *t)
{
	check_valid_root(vt_snapshot(t), t);
}

/* Live nodes before the current test (a failed test may leave a tree). */
static long live_base;

static void leak_base(void)
{
	uk_rcu_barrier();
	live_base = vt_live_nodes();
}

/* Without a barrier: valid when nothing was retired since the last one. */
static void check_live_now(struct vt_tree *t)
{
	assert_int_equal(vt_live_nodes() - live_base,
			 (long)vt_node_count(vt_snapshot(t)));
}

static void check_no_leak(struct vt_tree *t)
{
	uk_rcu_barrier();
	check_live_now(t);
}

static int insert1(struct vt_tree *t, __vaddr_t s, __vaddr_t e)
{
	struct vt_txn x;
	int rc;

	vt_txn_begin(&x, t);
	rc = vt_txn_insert(&x, s, e, item_of(s, e));
	if (rc) {
		vt_txn_abort(&x);
		return rc;
	}
	vt_txn_commit(&x);
	return 0;
}

static int erase1(struct vt_tree *t, __vaddr_t s)
{
	struct vt_txn x;
	int rc;

	vt_txn_begin(&x, t);
	rc = vt_txn_erase(&x, s);
	if (rc) {
		vt_txn_abort(&x);
		return rc;
	}
	vt_txn_commit(&x);
	return 0;
}

/* Hash of every reader-visible byte of the tree (structure included). */
static uint64_t hmix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0x100000001b3ULL;
}

static uint64_t tree_hash(const struct vt_node *n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned int i;

	if (!n)
		return 0;
	h = hmix(h, (uintptr_t)n);
	h = hmix(h, n->leaf);
	h = hmix(h, n->n);
	h = hmix(h, n->total);
	h = hmix(h, n->gen);
	h = hmix(h, n->dead);
	for (i = 0; i < n->n; i++) {
		if (n->leaf) {
			const struct vt_leaf *l = vt_cleaf(n);

			h = hmix(h, l->start[i]);
			h = hmix(h, l->end[i]);
			h = hmix(h, (uintptr_t)l->item[i]);
		} else {
			const struct vt_inode *in = vt_cinode(n);

			h = hmix(h, in->min[i]);
			h = hmix(h, in->max[i]);
			h = hmix(h, in->gap[i]);
			h = hmix(h, tree_hash(in->child[i]));
		}
	}
	return h;
}

/* ---- Reference model ---------------------------------------------------- */

struct range {
	__vaddr_t s, e;
};

struct model {
	struct range *r;
	size_t n, cap;
};

static void model_init(struct model *m, size_t cap)
{
	m->r = calloc(cap, sizeof(*m->r));
	assert_non_null(m->r);
	m->n = 0;
	m->cap = cap;
}

/* Index of the first range with e > addr. */
static size_t model_upper(const struct model *m, __vaddr_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->r[mid].e > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool model_overlaps(const struct model *m, __vaddr_t s, __vaddr_t e)
{
	size_t i = model_upper(m, s);

	return i < m->n && m->r[i].s < e;
}

static void model_insert(struct model *m, __vaddr_t s, __vaddr_t e)
{
	size_t i = model_upper(m, s);

	assert_true(m->n < m->cap);
	memmove(m->r + i + 1, m->r + i, (m->n - i) * sizeof(*m->r));
	m->r[i].s = s;
	m->r[i].e = e;
	m->n++;
}

static long model_find_start(const struct model *m, __vaddr_t s)
{
	size_t i = model_upper(m, s);

	return (i < m->n && m->r[i].s == s) ? (long)i : -1;
}

static void model_erase(struct model *m, size_t i)
{
	memmove(m->r + i, m->r + i + 1, (m->n - i - 1) * sizeof(*m->r));
	m->n--;
}

/* Brute force: every hole in order, first aligned fit wins. */
static int model_gap(const struct model *m, __vaddr_t lo, __vaddr_t hi,
		     __sz len, __sz align, __vaddr_t *out)
{
	__vaddr_t prev = 0;
	size_t i;

	for (i = 0; i <= m->n; i++) {
		__vaddr_t hs = prev, he = i < m->n ? m->r[i].s : __VADDR_INV;
		__vaddr_t a;

		if (i < m->n)
			prev = m->r[i].e;
		if (hs < lo)
			hs = lo;
		if (he > hi)
			he = hi;
		if (hs >= he)
			continue;
		if (hs % align)
			a = hs - hs % align + align;
		else
			a = hs;
		if (a < hs) /* wrapped */
			continue;
		if (a < he && he - a >= len) {
			*out = a;
			return 0;
		}
	}
	return -ENOMEM;
}

static void compare_model(const struct vt_node *root, const struct model *m)
{
	struct vt_entry e;
	size_t i = 0;
	bool ok;

	assert_int_equal(vt_count(root), m->n);
	for (ok = vt_first(root, &e); ok; ok = vt_next_from(root, e.end, &e)) {
		assert_true(i < m->n);
		assert_int_equal(e.start, m->r[i].s);
		assert_int_equal(e.end, m->r[i].e);
		assert_ptr_equal(e.item, item_of(e.start, e.end));
		i++;
	}
	assert_int_equal(i, m->n);
	for (ok = vt_last(root, &e); ok; ok = vt_prev_before(root, e.start, &e)) {
		assert_true(i > 0);
		i--;
		assert_int_equal(e.start, m->r[i].s);
	}
	assert_int_equal(i, 0);
}

static void check_queries(const struct vt_node *root, const struct model *m,
			  __vaddr_t addr)
{
	struct vt_entry e;
	size_t i = model_upper(m, addr);
	bool in = i < m->n && m->r[i].s <= addr;

	assert_int_equal(vt_lookup(root, addr, &e), in);
	if (in)
		assert_int_equal(e.start, m->r[i].s);
	assert_int_equal(vt_next_from(root, addr, &e), i < m->n);
	if (i < m->n)
		assert_int_equal(e.start, m->r[i].s);
	/* last with start < addr */
	while (i < m->n && m->r[i].s < addr)
		i++;
	assert_int_equal(vt_prev_before(root, addr, &e), i > 0);
	if (i > 0)
		assert_int_equal(e.start, m->r[i - 1].s);
}

static void check_gap(const struct vt_node *root, const struct model *m,
		      __vaddr_t lo, __vaddr_t hi, __sz len, __sz align)
{
	__vaddr_t a = 1, b = 2;
	int r1 = vt_find_gap(root, lo, hi, len, align, &a);
	int r2 = model_gap(m, lo, hi, len, align, &b);

	if (r1 != r2 || (r1 == 0 && a != b))
		fail_msg("find_gap(lo=%#lx hi=%#lx len=%#zx align=%#zx): "
			 "tree %d/%#lx, model %d/%#lx",
			 lo, hi, (size_t)len, (size_t)align, r1, a, r2, b);
}

/* ---- Tests -------------------------------------------------------------- */

static void test_basic(void **state)
{
	struct vt_tree t;
	struct vt_entry e;
	const struct vt_node *r;
	struct vt_txn x;
	__vaddr_t a;

	(void)state;
	leak_base();
	vt_init(&t, 0x10000, 0x100000000UL);
	r = vt_snapshot(&t);
	assert_null(r);
	assert_false(vt_lookup(r, 0x20000, &e));
	assert_false(vt_first(r, &e));
	assert_false(vt_last(r, &e));
	assert_false(vt_next_from(r, 0, &e));
	assert_false(vt_prev_before(r, ~0UL, &e));
	assert_int_equal(vt_count(r), 0);
	assert_int_equal(vt_height(r), 0);
	assert_int_equal(erase1(&t, 0x20000), -ENOENT);

	assert_int_equal(insert1(&t, 0x20000, 0x30000), 0);
	assert_int_equal(insert1(&t, 0x40000, 0x41000), 0);
	assert_int_equal(insert1(&t, 0x30000, 0x31000), 0); /* adjacent */
	assert_int_equal(insert1(&t, 0x2f000, 0x30000), -EEXIST);
	assert_int_equal(insert1(&t, 0x31000, 0x41000), -EEXIST);
	assert_int_equal(insert1(&t, 0x10000000, 0x10000000), -EINVAL);
	assert_int_equal(insert1(&t, 0x1000, 0x2000), -EINVAL);
	assert_int_equal(insert1(&t, 0xffff0000UL, 0x100001000UL), -EINVAL);
	check_valid(&t);
	r = vt_snapshot(&t);
	assert_int_equal(vt_count(r), 3);
	assert_int_equal(vt_height(r), 1);

	assert_true(vt_lookup(r, 0x20000, &e));
	assert_int_equal(e.start, 0x20000);
	assert_int_equal(e.end, 0x30000);
	assert_ptr_equal(e.item, item_of(0x20000, 0x30000));
	assert_true(vt_lookup(r, 0x2ffff, &e));
	assert_true(vt_lookup(r, 0x30000, &e));
	assert_int_equal(e.start, 0x30000);
	assert_false(vt_lookup(r, 0x31000, &e));
	assert_false(vt_lookup(r, 0x1ffff, &e));
	assert_false(vt_lookup(r, ~0UL, &e));

	assert_true(vt_next_from(r, 0, &e));
	assert_int_equal(e.start, 0x20000);
	assert_true(vt_next_from(r, 0x30fff, &e));
	assert_int_equal(e.start, 0x30000);
	assert_true(vt_next_from(r, 0x31000, &e));
	assert_int_equal(e.start, 0x40000);
	assert_false(vt_next_from(r, 0x41000, &e));

	assert_false(vt_prev_before(r, 0x20000, &e));
	assert_true(vt_prev_before(r, 0x20001, &e));
	assert_int_equal(e.start, 0x20000);
	assert_true(vt_prev_before(r, ~0UL, &e));
	assert_int_equal(e.start, 0x40000);

	assert_true(vt_first(r, &e));
	assert_int_equal(e.start, 0x20000);
	assert_true(vt_last(r, &e));
	assert_int_equal(e.start, 0x40000);

	assert_int_equal(vt_find_gap(r, 0x10000, 0x100000000UL, P, P, &a), 0);
	assert_int_equal(a, 0x10000);
	assert_int_equal(vt_find_gap(r, 0x20000, 0x100000000UL, P, P, &a), 0);
	assert_int_equal(a, 0x31000);
	assert_int_equal(vt_find_gap(r, 0x20000, 0x100000000UL, 0, P, &a),
			 -EINVAL);
	assert_int_equal(vt_find_gap(r, 0x20000, 0x100000000UL, P, 3 * P, &a),
			 -EINVAL);

	/* Queries inside a transaction see its changes; readers do not. */
	vt_txn_begin(&x, &t);
	assert_int_equal(vt_txn_erase(&x, 0x30000), 0);
	assert_int_equal(vt_txn_erase(&x, 0x30000), -ENOENT);
	assert_int_equal(vt_txn_erase(&x, 0x20001), -ENOENT);
	assert_false(vt_lookup(vt_txn_root(&x), 0x30000, &e));
	assert_true(vt_lookup(vt_snapshot(&t), 0x30000, &e));
	vt_txn_commit(&x);
	assert_false(vt_lookup(vt_snapshot(&t), 0x30000, &e));
	assert_int_equal(erase1(&t, 0x20000), 0);
	assert_int_equal(erase1(&t, 0x40000), 0);
	assert_null(vt_snapshot(&t));
	check_no_leak(&t);
	vt_destroy(&t);
	assert_int_equal(vt_live_nodes(), live_base);
}

static void random_gap_query(const struct vt_node *root, const struct model *m,
			     const struct vt_tree *t)
{
	static const __sz aligns[] = {P, P, P, 2 * P, 16 * P, PAGE_LARGE_SIZE};
	__vaddr_t span = t->hi - t->lo;
	__vaddr_t lo = t->lo + rnd_below(span), hi = t->hi;
	__sz len = (1 + rnd_below(rnd_below(4) ? 16 : 1024)) * P;

	if (rnd_below(4) == 0)
		lo &= PAGE_MASK;
	if (rnd_below(3) == 0)
		hi = lo + rnd_below(t->hi - lo) + 1;
	if (rnd_below(8) == 0)
		lo = 0; /* below the tree's own bounds */
	if (rnd_below(8) == 0)
		hi = __VADDR_INV;
	check_gap(root, m, lo, hi, len, aligns[rnd_below(6)]);
}

static void random_op(struct vt_txn *x, struct model *m, int bias)
{
	const struct vt_tree *t = x->t;
	__vaddr_t pages = (t->hi - t->lo) / P;
	int kind = (int)rnd_below(100);

	if (kind < 40 + bias) {
		__vaddr_t len = 1 + rnd_below(rnd_below(8) ? 8 : 512);
		__vaddr_t s, e;
		int rc;

		if (rnd_below(4) == 0 && m->n > 0)
			s = m->r[rnd_below(m->n)].e; /* adjacent */
		else
			s = t->lo + rnd_below(pages) * P;
		e = s + len * P;
		if (e > t->hi)
			e = t->hi;
		if (s >= e)
			return;
		rc = vt_txn_insert(x, s, e, item_of(s, e));
		if (model_overlaps(m, s, e)) {
			assert_int_equal(rc, -EEXIST);
		} else {
			assert_int_equal(rc, 0);
			model_insert(m, s, e);
		}
	} else if (kind < 80) {
		__vaddr_t s;
		long i;

		if (m->n > 0 && rnd_below(8) != 0)
			s = m->r[rnd_below(m->n)].s;
		else
			s = t->lo + rnd_below(pages) * P;
		i = model_find_start(m, s);
		assert_int_equal(vt_txn_erase(x, s), i < 0 ? -ENOENT : 0);
		if (i >= 0)
			model_erase(m, (size_t)i);
	} else {
		check_queries(vt_txn_root(x), m,
			      t->lo + rnd_below(t->hi - t->lo));
	}
	random_gap_query(vt_txn_root(x), m, t);
	check_valid_root(vt_txn_root(x), t);
}

static void test_random_model(void **state)
{
	struct vt_tree t;
	struct model m, saved;
	unsigned int ops = 0, txns = 0, maxh = 0;

	(void)state;
	leak_base();
	seed_rng("random_model");
	vt_init(&t, 1UL << 32, (1UL << 32) + (1UL << 16) * P);
	model_init(&m, 1 << 14);
	model_init(&saved, 1 << 14);
	while (ops < 20000) {
		unsigned int k = 1 + (unsigned int)rnd_below(4), j;
		int bias = ops < 14000 ? 15 : -10;
		bool abort_it = rnd_below(10) == 0;
		struct vt_txn x;
		uint64_t h0 = tree_hash(vt_snapshot(&t));
		const struct vt_node *r0 = vt_snapshot(&t);

		memcpy(saved.r, m.r, m.n * sizeof(*m.r));
		saved.n = m.n;
		vt_txn_begin(&x, &t);
		for (j = 0; j < k; j++, ops++)
			random_op(&x, &m, bias);
		if (abort_it) {
			vt_txn_abort(&x);
			memcpy(m.r, saved.r, saved.n * sizeof(*m.r));
			m.n = saved.n;
			assert_ptr_equal(vt_snapshot(&t), r0);
			assert_true(tree_hash(vt_snapshot(&t)) == h0);
		} else {
			vt_txn_commit(&x);
		}
		txns++;
		check_valid(&t);
		compare_model(vt_snapshot(&t), &m);
		if (vt_height(vt_snapshot(&t)) > maxh)
			maxh = vt_height(vt_snapshot(&t));
		if (txns % 512 == 0)
			check_no_leak(&t);
	}
	printf("# %u ops in %u txns, final %zu entries, max height %u\n", ops,
	       txns, m.n, maxh);
	assert_true(maxh >= 3);
	/* Drain: every erase path down to the empty tree. */
	while (m.n > 0) {
		size_t i = rnd_below(m.n);

		assert_int_equal(erase1(&t, m.r[i].s), 0);
		model_erase(&m, i);
		check_valid(&t);
	}
	assert_null(vt_snapshot(&t));
	check_no_leak(&t);
	vt_destroy(&t);
	free(m.r);
	free(saved.r);
}

static void test_find_gap_edges(void **state)
{
	const __vaddr_t lo = 1UL << 40, hi = lo + (8UL << 30); /* 8 GiB */
	const __vaddr_t G = PAGE_HUGE_SIZE, M2 = PAGE_LARGE_SIZE;
	struct vt_tree t;
	const struct vt_node *r;
	__vaddr_t a;

	(void)state;
	leak_base();
	vt_init(&t, lo, hi);
	/* Empty tree. */
	assert_int_equal(vt_find_gap(NULL, lo, hi, P, P, &a), 0);
	assert_int_equal(a, lo);
	assert_int_equal(vt_find_gap(NULL, lo + 1, hi, P, P, &a), 0);
	assert_int_equal(a, lo + P);
	assert_int_equal(vt_find_gap(NULL, lo, hi, hi - lo, P, &a), 0);
	assert_int_equal(vt_find_gap(NULL, lo, hi, hi - lo + P, P, &a),
			 -ENOMEM);
	assert_int_equal(vt_find_gap(NULL, lo + P, hi, G, G, &a), 0);
	assert_int_equal(a, lo + G);
	assert_int_equal(vt_find_gap(NULL, hi, lo, P, P, &a), -ENOMEM);
	/* Near the top of the address space: no wrap-around. */
	assert_int_equal(vt_find_gap(NULL, __VADDR_INV - P, __VADDR_INV, P, G,
				     &a),
			 -ENOMEM);
	assert_int_equal(vt_find_gap(NULL, __VADDR_INV - P - P / 2,
				     __VADDR_INV, P, P, &a),
			 -ENOMEM);

	/* Fill [lo + P, hi - 3P) with 2 MiB - 4K chunks separated by 4K holes,
	 * leaving a 4K hole at lo and a 3-page hole at hi. */
	{
		struct vt_txn x;
		__vaddr_t s = lo + P;

		vt_txn_begin(&x, &t);
		while (s + M2 - P <= hi - 3 * P) {
			assert_int_equal(vt_txn_insert(&x, s, s + M2 - P, NULL), 0);
			s += M2;
		}
		if (s < hi - 3 * P)
			assert_int_equal(vt_txn_insert(&x, s, hi - 3 * P, NULL),
					 0);
		vt_txn_commit(&x);
	}
	check_valid(&t);
	r = vt_snapshot(&t);
	printf("# gap tree: %zu entries, height %u\n", vt_count(r),
	       vt_height(r));
	/* Hole at lo. */
	assert_int_equal(vt_find_gap(r, lo, hi, P, P, &a), 0);
	assert_int_equal(a, lo);
	/* Next single-page hole: after the first chunk. */
	assert_int_equal(vt_find_gap(r, lo + P, hi, P, P, &a), 0);
	assert_int_equal(a, lo + M2);
	/* Two pages: only at hi (3 pages there). */
	assert_int_equal(vt_find_gap(r, lo, hi, 2 * P, P, &a), 0);
	assert_int_equal(a, hi - 3 * P);
	assert_int_equal(vt_find_gap(r, lo, hi, 3 * P, P, &a), 0);
	assert_int_equal(a, hi - 3 * P);
	assert_int_equal(vt_find_gap(r, lo, hi, 4 * P, P, &a), -ENOMEM);
	assert_int_equal(vt_find_gap(r, lo, hi - P, 3 * P, P, &a), -ENOMEM);
	/* 2 MiB alignment: each 4K hole sits at lo + k * 2M (k >= 1). */
	assert_int_equal(vt_find_gap(r, lo + 1, hi, P, M2, &a), 0);
	assert_int_equal(a, lo + M2);
	/* 1 GiB alignment: holes at lo + k*2M; the first 1 GiB-aligned one. */
	assert_int_equal(vt_find_gap(r, lo + P, hi, P, G, &a), 0);
	assert_int_equal(a, lo + G);
	/* Above everything (hi is only the tree's bound, not the query's). */
	assert_int_equal(vt_find_gap(r, lo, __VADDR_INV, 4 * P, G, &a), 0);
	assert_int_equal(a, hi);
	/* Below everything. */
	assert_int_equal(vt_find_gap(r, 0, hi, 4 * P, G, &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(vt_find_gap(r, P, lo + P, 4 * P, G, &a), 0);
	assert_int_equal(a, G);
	assert_int_equal(vt_find_gap(r, lo - 2 * P, lo + P, 4 * P, P, &a),
			 -ENOMEM);
	assert_int_equal(vt_find_gap(r, lo - 2 * P, lo + P, 3 * P, P, &a), 0);
	assert_int_equal(a, lo - 2 * P);
	check_no_leak(&t);
	vt_destroy(&t);
}

/* A tree with @n entries of 1 page at stride 2 pages from lo. */
static void build_strided(struct vt_tree *t, struct model *m, size_t n)
{
	struct vt_txn x;
	size_t i;

	vt_txn_begin(&x, t);
	for (i = 0; i < n; i++) {
		__vaddr_t s = t->lo + 2 * i * P;

		assert_int_equal(vt_txn_insert(&x, s, s + P, item_of(s, s + P)),
				 0);
		if (m)
			model_insert(m, s, s + P);
	}
	vt_txn_commit(&x);
	check_valid(t);
}

/*
 * A batch that splits up to a new root and merges back: fill the holes of a
 * dense region (every leaf on the way splits), then erase a long run (leaves
 * and internal nodes merge and borrow). @fail_at_op: stop at the first error.
 */
static int big_batch(struct vt_txn *x, struct vt_tree *t, size_t n,
		     size_t ins, size_t era, int *failed_op)
{
	__vaddr_t lo = t->lo;
	size_t i;
	int op = 0, rc;

	for (i = 0; i < ins; i++, op++) {
		__vaddr_t s = lo + (2 * (n / 2 + i) + 1) * P;

		rc = vt_txn_insert(x, s, s + P, item_of(s, s + P));
		if (rc) {
			*failed_op = op;
			return rc;
		}
	}
	for (i = 0; i < era; i++, op++) {
		rc = vt_txn_erase(x, lo + 2 * i * P);
		if (rc) {
			*failed_op = op;
			return rc;
		}
	}
	return 0;
}

/* Returns the height change of the committed batch. */
static int fault_injection_site(enum uk_inject_site site, size_t n,
				size_t ins, size_t era)
{
	int dh, height0;
	unsigned long k, allocs = 0;
	struct vt_tree t;
	const struct vt_node *r0;
	uint64_t h0;

	vt_init(&t, 1UL << 30, 1UL << 40);
	build_strided(&t, NULL, n);
	uk_rcu_barrier();
	r0 = vt_snapshot(&t); /* only compared as a pointer after commit */
	h0 = tree_hash(r0);
	height0 = (int)vt_height(r0);
	printf("# fault injection: %zu entries, height %u, root fill %u\n", n,
	       vt_height(r0), (unsigned int)r0->n);
	for (k = 1;; k++) {
		struct vt_txn x;
		int rc, fop = -1;

		ukplat_inject_arm(site, k);
		vt_txn_begin(&x, &t);
		rc = big_batch(&x, &t, n, ins, era, &fop);
		if (rc == 0) {
			allocs = ukplat_inject_calls(site);
			ukplat_inject_reset();
			assert_true(allocs < k);
			/* Commit the full batch once all failures were seen. */
			vt_txn_commit(&x);
			break;
		}
		ukplat_inject_reset();
		assert_int_equal(rc, -ENOMEM);
		/* The failed op left the working tree valid. */
		check_valid_root(vt_txn_root(&x), &t);
		vt_txn_abort(&x);
		assert_ptr_equal(vt_snapshot(&t), r0);
		assert_true(tree_hash(vt_snapshot(&t)) == h0);
		check_valid(&t);
		/* Aborts free directly: no barrier needed to see a leak. */
		check_live_now(&t);
	}
	dh = (int)vt_height(vt_snapshot(&t)) - height0;
	printf("# %lu allocations in the batch, each failed once; height %+d\n",
	       allocs, dh);
	assert_true(allocs >= 2); /* the batch copied more than one node */
	check_valid(&t);
	check_no_leak(&t);
	vt_destroy(&t);
	uk_rcu_barrier();
	assert_int_equal(vt_live_nodes(), live_base);
	return dh;
}

static void test_fault_injection(void **state)
{
	(void)state;
	leak_base();
	/* Splits up to a new root (and merges at the low end); 2600 ascending
	 * inserts leave a full root (end inserts split 12 + 4). */
	assert_true(fault_injection_site(UK_INJECT_META, 2600, 200, 200) > 0);
	fault_injection_site(UK_INJECT_ANY, 600, 48, 225);
	/* Merges down to a root collapse. */
	assert_true(fault_injection_site(UK_INJECT_META, 200, 0, 197) < 0);
	fault_injection_site(UK_INJECT_META, 5000, 300, 2000);
}

/*
 * Per-operation atomicity: an op that fails with -ENOMEM leaves the working
 * tree as it was before that op; the transaction may continue and commit.
 */
static void test_op_atomic(void **state)
{
	struct vt_tree t;
	struct model m;
	unsigned long k;
	const size_t n = 700;

	(void)state;
	leak_base();
	vt_init(&t, 1UL << 30, 1UL << 40);
	model_init(&m, 4096);
	build_strided(&t, &m, n);
	for (k = 1; k < 40; k++) {
		struct vt_txn x;
		size_t i;
		int fails = 0;

		vt_txn_begin(&x, &t);
		for (i = 0; i < 64; i++) {
			bool ins = (i % 3) != 2;
			__vaddr_t s = ins ? t.lo + (2 * (m.n + i) + 1) * P
					  : m.r[rnd_below(m.n)].s;
			uint64_t h = tree_hash(vt_txn_root(&x));
			const struct vt_node *wr = vt_txn_root(&x);
			int rc;

			if (ins && model_overlaps(&m, s, s + P))
				continue;
			ukplat_inject_arm(UK_INJECT_META, 1 + (i + k) % 3);
			rc = ins ? vt_txn_insert(&x, s, s + P, item_of(s, s + P))
				 : vt_txn_erase(&x, s);
			ukplat_inject_reset();
			if (rc == -ENOMEM) {
				fails++;
				assert_ptr_equal(vt_txn_root(&x), wr);
				assert_true(tree_hash(vt_txn_root(&x)) == h);
				continue;
			}
			assert_int_equal(rc, 0);
			if (ins) {
				model_insert(&m, s, s + P);
			} else {
				model_erase(&m, (size_t)model_find_start(&m, s));
			}
			check_valid_root(vt_txn_root(&x), &t);
		}
		assert_true(fails > 0);
		vt_txn_commit(&x);
		check_valid(&t);
		compare_model(vt_snapshot(&t), &m);
	}
	check_no_leak(&t);
	vt_destroy(&t);
	free(m.r);
}

/* Corrupt one field of a (single-threaded, white-box) tree at a time. */
static void expect_invalid(struct vt_tree *t, const char *what)
{
	char err[512];
	int rc = vt_validate(vt_snapshot(t), t->lo, t->hi, err, sizeof(err));

	if (rc != -EUCLEAN)
		fail_msg("validator missed: %s", what);
	printf("#   %s -> %s\n", what, err);
	assert_true(strlen(err) > 10);
}

static void test_validate_catches(void **state)
{
	struct vt_tree t;
	struct vt_node *root, *mid;
	struct vt_inode *in;
	struct vt_leaf *l;
	__vaddr_t sv;
	__sz gv;

	(void)state;
	leak_base();
	vt_init(&t, 1UL << 30, 1UL << 40);
	build_strided(&t, NULL, 300);
	root = (struct vt_node *)vt_snapshot(&t);
	assert_int_equal(vt_height(root), 3);
	in = vt_inode(root);
	mid = in->child[1];
	l = vt_leaf(vt_inode(mid)->child[1]);

	sv = l->start[2];
	l->start[2] = l->start[1];
	expect_invalid(&t, "overlap in a leaf");
	l->start[2] = sv;

	sv = l->end[3];
	l->end[3] = l->start[3];
	expect_invalid(&t, "empty range");
	l->end[3] = sv;

	gv = vt_inode(mid)->gap[1];
	vt_inode(mid)->gap[1] = gv + P;
	expect_invalid(&t, "stale cached gap");
	vt_inode(mid)->gap[1] = gv;

	sv = in->max[0];
	in->max[0] = sv - 1;
	expect_invalid(&t, "stale cached max");
	in->max[0] = sv;

	mid->total++;
	expect_invalid(&t, "wrong total");
	mid->total--;

	sv = l->end[l->h.n - 1];
	l->end[l->h.n - 1] = t.hi + P;
	expect_invalid(&t, "entry outside [lo, hi)");
	l->end[l->h.n - 1] = sv;

	l->h.n = VT_MIN_FILL - 1;
	expect_invalid(&t, "underfull leaf");
	l->h.n = (uint8_t)l->h.total;

	check_valid(&t);
	check_no_leak(&t);
	vt_destroy(&t);
}

static void shuffle(__vaddr_t *a, size_t n)
{
	size_t i;

	for (i = n; i > 1; i--) {
		size_t j = rnd_below(i);
		__vaddr_t tmp = a[i - 1];

		a[i - 1] = a[j];
		a[j] = tmp;
	}
}

static void test_scale(void **state)
{
	const size_t n = 100000;
	__vaddr_t *s = malloc(n * sizeof(*s));
	struct vt_tree t;
	const struct vt_node *r;
	struct vt_entry e;
	__vaddr_t a;
	size_t i;
	unsigned int h;

	(void)state;
	leak_base();
	seed_rng("scale");
	assert_non_null(s);
	vt_init(&t, 1UL << 32, 1UL << 46);
	for (i = 0; i < n; i++)
		s[i] = t.lo + 2 * i * P;
	shuffle(s, n);
	for (i = 0; i < n; i += 64) {
		struct vt_txn x;
		size_t j;

		vt_txn_begin(&x, &t);
		for (j = i; j < i + 64 && j < n; j++)
			assert_int_equal(vt_txn_insert(&x, s[j], s[j] + P,
						       item_of(s[j], s[j] + P)),
					 0);
		vt_txn_commit(&x);
		if (i % 16384 == 0)
			check_valid(&t);
	}
	check_valid(&t);
	r = vt_snapshot(&t);
	h = vt_height(r);
	printf("# %zu entries: height %u, %zu nodes of <= %zu bytes\n",
	       vt_count(r), h, vt_node_count(r), vt_node_size());
	assert_int_equal(vt_count(r), n);
	assert_true(h >= 5 && h <= 7);
	for (i = 0; i < 1000; i++) {
		__vaddr_t q = t.lo + rnd_below(2 * n) * P + rnd_below(P);
		bool in = ((q - t.lo) / P) % 2 == 0;

		assert_int_equal(vt_lookup(r, q, &e), in);
	}
	/* No 2-page hole inside: the answer is after the last entry. */
	assert_int_equal(vt_find_gap(r, t.lo, t.hi, 2 * P, P, &a), 0);
	assert_int_equal(a, t.lo + 2 * n * P - P);
	assert_int_equal(vt_find_gap(r, t.lo + 3 * P, t.hi, P, P, &a), 0);
	assert_int_equal(a, t.lo + 3 * P);
	check_no_leak(&t);

	shuffle(s, n);
	for (i = 0; i < n; i += 64) {
		struct vt_txn x;
		size_t j;

		vt_txn_begin(&x, &t);
		for (j = i; j < i + 64 && j < n; j++)
			assert_int_equal(vt_txn_erase(&x, s[j]), 0);
		vt_txn_commit(&x);
		if (i % 16384 == 0)
			check_valid(&t);
	}
	assert_null(vt_snapshot(&t));
	check_no_leak(&t);
	vt_destroy(&t);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_find_gap_edges),
		cmocka_unit_test(test_fault_injection),
		cmocka_unit_test(test_op_atomic),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_validate_catches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
