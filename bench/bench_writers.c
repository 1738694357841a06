/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_writers: map / unmap / set_attr operations per second against N
 * existing VMAs, and the cost of first-fit placement as N grows.
 *
 * Layout as in bench_lookup: N one-page VMAs, one every second page,
 * attributes alternating RW / R (grown in place from one N to the next).
 *   map       one RWX page into a random hole (fixed address; no merge)
 *   unmap     the pages just mapped, in the same order
 *   set_attr  a random existing VMA to RWX and back (two ops; lowering
 *             rights costs ukvmem a grace period)
 * Each op type runs for --ms milliseconds (at least 16 ops), single thread,
 * no readers: this is the writer path's own cost.
 *
 * First fit: a fresh instance holds N one-page VMAs packed from
 * UK_VAS_VMA_BASE with no holes (attributes alternating); then one-page
 * maps at __VADDR_ANY each land right after the last VMA. ukvmem and the
 * rwlock baseline use the tree's gap tracking (vt_find_gap); the list
 * baseline walks its list for a hole. Reported: ns per placement at each N
 * and the ratio to the smallest N (logarithmic growth: ratio ~ height).
 */
#include <stdlib.h>

#include "bench.h"

#define WBASE BENCH_REGION_BASE

/* One op type on up to @max targets; returns ops/s. */
static double timed_ops(long ms, long max, int (*op)(void *ctx, long k),
			void *ctx, long *done)
{
	uint64_t t0 = bench_now_ns(), limit = (uint64_t)ms * 1000000ULL;
	long k = 0;

	while (k < max && (k < 16 || bench_now_ns() - t0 < limit)) {
		BENCH_CHECK(op(ctx, k));
		k++;
	}
	*done = k;
	return (double)k * 1e9 / (double)(bench_now_ns() - t0);
}

struct wctx {
	const struct bench_design *d;
	void *inst;
	long n;
	long *idx;
};

static __vaddr_t hole(long i)
{
	return WBASE + (__vaddr_t)(2 * i + 1) * PAGE_SIZE;
}

static __vaddr_t vma(long i)
{
	return WBASE + (__vaddr_t)(2 * i) * PAGE_SIZE;
}

static int op_map(void *c, long k)
{
	struct wctx *w = c;

	return w->d->map(w->inst, hole(w->idx[k]), PAGE_SIZE,
			 PAGE_ATTR_PROT_RWX, BK_ZERO, 0, false);
}

static int op_unmap(void *c, long k)
{
	struct wctx *w = c;

	return w->d->unmap(w->inst, hole(w->idx[k]), PAGE_SIZE);
}

static int op_set_attr(void *c, long k)
{
	struct wctx *w = c;
	long i = w->idx[k / 2];
	unsigned long orig = i % 2 ? PAGE_ATTR_PROT_READ : PAGE_ATTR_PROT_RW;

	return w->d->set_attr(w->inst, vma(i), PAGE_SIZE,
			      k % 2 ? orig : PAGE_ATTR_PROT_RWX);
}

/* @max distinct random indices below @n. */
static void pick(long *idx, long max, long n, uint64_t *seed)
{
	/* A random stride coprime with n walks distinct indices. */
	long start = (long)bench_rand_below(seed, (uint64_t)n), step;

	do
		step = 1 + (long)bench_rand_below(seed, (uint64_t)n);
	while (n > 1 && __extension__({
		long a = step, b = n;
		while (b) { long t = a % b; a = b; b = t; }
		a != 1;
	}));
	for (long k = 0; k < max; k++)
		idx[k] = (start + k * step) % n;
}

static void ops_at(const struct bench_design *d, void *inst, long n, long ms,
		   uint64_t *seed)
{
	const char *dn = bench_design_name(d);
	long max = n < 100000 ? n : 100000, done, undone;
	long *idx = malloc((size_t)max * sizeof(*idx));
	struct wctx w = {d, inst, n, idx};
	double r_map, r_unmap, r_attr;

	pick(idx, max, n, seed);
	r_map = timed_ops(ms, max, op_map, &w, &done);
	r_unmap = timed_ops(ms, done, op_unmap, &w, &undone);
	for (long k = undone; k < done; k++) /* untimed rest */
		BENCH_CHECK(op_unmap(&w, k));
	bench_quiesce();
	r_attr = timed_ops(ms, 2 * max, op_set_attr, &w, &done);
	if (done % 2)
		BENCH_CHECK(op_set_attr(&w, done));
	bench_quiesce();
	printf("%-18s %8ld %12.0f %12.0f %12.0f\n", dn, n, r_map, r_unmap,
	       r_attr);
	fflush(stdout);
	bench_csv_row("writers", dn, "-", 1, n, "none", "map_per_s", r_map, "1/s");
	bench_csv_row("writers", dn, "-", 1, n, "none", "unmap_per_s", r_unmap, "1/s");
	bench_csv_row("writers", dn, "-", 1, n, "none", "set_attr_per_s", r_attr, "1/s");
	free(idx);
}

static double first_fit(const struct bench_design *d, long n, long ops)
{
	void *inst = d->create();
	__vaddr_t *va = malloc((size_t)ops * sizeof(*va));
	uint64_t t0;
	double ns;

	BENCH_CHECK(d->bulk(inst, UK_VAS_VMA_BASE, 0, n, 1));
	/* Let the build's deferred frees finish; warm up with a few
	 * placements (undone) so the timed ones see a settled heap. */
	bench_quiesce();
	for (long k = 0; k < 16; k++) {
		__vaddr_t w;

		BENCH_CHECK(d->map_any(inst, &w, PAGE_SIZE, PAGE_ATTR_PROT_RWX));
		BENCH_CHECK(d->unmap(inst, w, PAGE_SIZE));
	}
	bench_quiesce();
	t0 = bench_now_ns();
	for (long k = 0; k < ops; k++) {
		/* Alternate so neighbours never merge. */
		BENCH_CHECK(d->map_any(inst, &va[k], PAGE_SIZE,
				       k % 2 ? PAGE_ATTR_PROT_RWX
					     : PAGE_ATTR_PROT_READ |
						       PAGE_ATTR_PROT_EXEC));
	}
	ns = (double)(bench_now_ns() - t0) / (double)ops;
	if (va[0] != UK_VAS_VMA_BASE + (__vaddr_t)n * PAGE_SIZE) {
		fprintf(stderr, "bench_writers: %s placed at %#lx, not after the %ld VMAs\n",
			bench_design_name(d), va[0], n);
		exit(1);
	}
	d->destroy(inst);
	bench_quiesce();
	free(va);
	return ns;
}

int main(int argc, char **argv)
{
	static const long dvmas[] = {10, 1000, 100000, 1000000};
	static const long dff[] = {10, 1000, 100000};
	const struct bench_design *designs[8];
	long vmas[16], ff[16];
	int nd = bench_designs(argc, argv, designs);
	int nv = bench_flag_list(argc, argv, "--vmas", vmas, 16, dvmas, 4);
	int nf = bench_flag_list(argc, argv, "--ff-vmas", ff, 16, dff, 3);
	long ms = bench_flag_long(argc, argv, "--ms", 150);
	long ffops = bench_flag_long(argc, argv, "--ff-ops", 1000);
	uint64_t seed = 88172645463325252ULL;

	if (bench_flag_set(argc, argv, "--help")) {
		puts("bench_writers [--vmas=10,1000,100000,1000000] [--ms=150]\n"
		     "  [--ff-vmas=10,1000,100000] [--ff-ops=1000] [--designs=...] [--csv=FILE]");
		return 0;
	}
	bench_env_init(256UL << 20, false);
	bench_csv_open(bench_flag(argc, argv, "--csv"));
	printf("%-18s %8s %12s %12s %12s\n", "design", "VMAs", "map/s",
	       "unmap/s", "set_attr/s");
	for (int di = 0; di < nd; di++) {
		const struct bench_design *d = designs[di];
		void *inst = d->create();
		long have = 0;

		for (int vi = 0; vi < nv; vi++) {
			BENCH_CHECK(d->bulk(inst, WBASE, have, vmas[vi], 2));
			have = vmas[vi];
			bench_quiesce();
			ops_at(d, inst, have, ms, &seed);
		}
		d->destroy(inst);
		bench_quiesce();
	}
	printf("\nfirst-fit placement (__VADDR_ANY after N packed VMAs)\n");
	printf("%-18s %8s %12s %10s\n", "design", "VMAs", "ns/place",
	       "vs first");
	for (int di = 0; di < nd; di++) {
		const struct bench_design *d = designs[di];
		const char *dn = bench_design_name(d);
		double base = 0;

		for (int fi = 0; fi < nf; fi++) {
			double ns = first_fit(d, ff[fi], ffops);

			if (fi == 0)
				base = ns;
			printf("%-18s %8ld %12.1f %9.2fx\n", dn, ff[fi], ns,
			       ns / base);
			fflush(stdout);
			bench_csv_row("firstfit", dn, "-", 1, ff[fi], "none",
				      "ns_per_place", ns, "ns");
			bench_csv_row("firstfit", dn, "-", 1, ff[fi], "none",
				      "ratio_to_smallest", ns / base, "1");
		}
	}
	bench_csv_close();
	bench_env_fini();
	return 0;
}
