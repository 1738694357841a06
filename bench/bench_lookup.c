/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_lookup: VMA lookups/s against 10 .. 1M VMAs, 1..T reader threads,
 * with and without a concurrent writer.
 *
 * Layout: N one-page anonymous VMAs, one every second page (a one-page hole
 * between neighbours), attributes alternating RW / R so nothing merges.
 * The layout grows in place from one VMA count to the next (build time is
 * reported, not part of any rate).
 *
 * A reader looks up a uniformly random address inside a random VMA
 * (xorshift, no shared state) through the design's read side: ukvmem
 * uk_rcu_read_lock + uk_vma_find + uk_rcu_read_unlock per lookup; the
 * rwlock baseline rdlock + vt_lookup (the same tree code) + unlock; the
 * list baseline mutex + list walk from the lowest VMA + unlock. Every
 * lookup must hit (checked). Readers run for --ms milliseconds; each
 * thread's rate is its count over its own elapsed time.
 *
 * The writer (when on) maps one RWX page into a random hole and unmaps it,
 * back to back, through the design's writer path (ukvmem: vas->lock and a
 * grace period per unmap; baselines: the exclusive lock); its op rate is
 * reported too. With 2 cores, readers + writer > 2 time-share the CPUs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_THREADS 64
#define LBASE BENCH_REGION_BASE

struct lrun {
	const struct bench_design *d;
	void *inst;
	long nvmas;
	_Atomic bool stop;
	pthread_barrier_t go;
};

struct lthread {
	pthread_t th;
	struct lrun *r;
	uint64_t seed;
	long count, misses;
	uint64_t t0, t1;
} __attribute__((aligned(64)));

static void *reader_main(void *arg)
{
	struct lthread *t = arg;
	struct lrun *r = t->r;
	const struct bench_design *d = r->d;
	uint64_t n = (uint64_t)r->nvmas;
	long count = 0, misses = 0;

	pthread_barrier_wait(&r->go);
	t->t0 = bench_now_ns();
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		uint64_t x = bench_rand(&t->seed);
		uint64_t i = bench_rand_below(&t->seed, n);
		__vaddr_t va = LBASE + i * 2 * PAGE_SIZE + (x & (PAGE_SIZE - 1));

		misses += !d->lookup(r->inst, va);
		count++;
	}
	t->t1 = bench_now_ns();
	t->count = count;
	t->misses = misses;
	return NULL;
}

static void *writer_main(void *arg)
{
	struct lthread *t = arg;
	struct lrun *r = t->r;
	const struct bench_design *d = r->d;
	long count = 0;

	pthread_barrier_wait(&r->go);
	t->t0 = bench_now_ns();
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		uint64_t i = bench_rand_below(&t->seed, (uint64_t)r->nvmas);
		__vaddr_t va = LBASE + (i * 2 + 1) * PAGE_SIZE;

		BENCH_CHECK(d->map(r->inst, va, PAGE_SIZE, PAGE_ATTR_PROT_RWX,
				   BK_ZERO, 0, false));
		BENCH_CHECK(d->unmap(r->inst, va, PAGE_SIZE));
		count += 2;
	}
	t->t1 = bench_now_ns();
	t->count = count;
	return NULL;
}

struct lres {
	double total, per_thread, writer_ops;
};

static void run(const struct bench_design *d, void *inst, long nvmas,
		int readers, bool writer, long ms, struct lres *res)
{
	struct lrun r = {.d = d, .inst = inst, .nvmas = nvmas};
	struct lthread *t = calloc(MAX_THREADS + 1, sizeof(*t));
	int n = readers + (writer ? 1 : 0);

	pthread_barrier_init(&r.go, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++) {
		t[i].r = &r;
		t[i].seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1) + (uint64_t)nvmas;
		bench_thread(&t[i].th, i < readers ? reader_main : writer_main,
			     &t[i]);
	}
	pthread_barrier_wait(&r.go);
	{
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

		nanosleep(&ts, NULL);
	}
	atomic_store(&r.stop, true);
	memset(res, 0, sizeof(*res));
	for (int i = 0; i < n; i++) {
		double rate;

		pthread_join(t[i].th, NULL);
		rate = (double)t[i].count * 1e9 / (double)(t[i].t1 - t[i].t0);
		if (i < readers)
			res->total += rate;
		else
			res->writer_ops = rate;
		if (t[i].misses) {
			fprintf(stderr, "bench_lookup: %s: %ld lookups missed\n",
				bench_design_name(d), t[i].misses);
			exit(1);
		}
	}
	res->per_thread = res->total / readers;
	pthread_barrier_destroy(&r.go);
	free(t);
}

int main(int argc, char **argv)
{
	static const long dvmas[] = {10, 1000, 100000, 1000000};
	static const long dreaders[] = {1, 2, 4};
	const struct bench_design *designs[8];
	long vmas[16], readers[16];
	int nd = bench_designs(argc, argv, designs);
	int nv = bench_flag_list(argc, argv, "--vmas", vmas, 16, dvmas, 4);
	int nr = bench_flag_list(argc, argv, "--readers", readers, 16,
				 dreaders, 3);
	long ms = bench_flag_long(argc, argv, "--ms", 200);
	bool no_writer = bench_flag_set(argc, argv, "--no-writer");

	if (bench_flag_set(argc, argv, "--help")) {
		puts("bench_lookup [--vmas=10,1000,100000,1000000] [--readers=1,2,4]\n"
		     "  [--ms=200] [--no-writer] [--designs=...] [--csv=FILE]");
		return 0;
	}
	bench_env_init(256UL << 20, false);
	bench_csv_open(bench_flag(argc, argv, "--csv"));
	printf("%-18s %8s %3s %-6s %14s %14s %9s %12s\n", "design", "VMAs",
	       "T", "writer", "lookups/s", "per thread", "ns/lookup",
	       "writer op/s");
	for (int di = 0; di < nd; di++) {
		const struct bench_design *d = designs[di];
		const char *dn = bench_design_name(d);
		void *inst = d->create();
		long have = 0;

		for (int vi = 0; vi < nv; vi++) {
			uint64_t t0 = bench_now_ns();

			BENCH_CHECK(d->bulk(inst, LBASE, have, vmas[vi], 2));
			have = vmas[vi];
			bench_quiesce();
			printf("%-18s %8ld   building took %.2f s\n", dn, have,
			       (double)(bench_now_ns() - t0) / 1e9);
			bench_csv_row("lookup", dn, "-", 1, have, "none",
				      "build_s", (double)(bench_now_ns() - t0) / 1e9,
				      "s");
			for (int ri = 0; ri < nr; ri++) {
				for (int w = 0; w < (no_writer ? 1 : 2); w++) {
					struct lres res;
					int rd = (int)readers[ri];
					const char *wr = w ? "writer" : "none";

					run(d, inst, have, rd, w, ms, &res);
					printf("%-18s %8ld %3d %-6s %14.0f %14.0f %9.1f %12.0f%s\n",
					       dn, have, rd, wr, res.total,
					       res.per_thread, 1e9 / res.per_thread,
					       res.writer_ops,
					       rd + w > 2 ? "  (oversubscribed)" : "");
					fflush(stdout);
					bench_csv_row("lookup", dn, "-", rd, have, wr,
						      "lookups_per_s", res.total, "1/s");
					bench_csv_row("lookup", dn, "-", rd, have, wr,
						      "lookups_per_s_thread",
						      res.per_thread, "1/s");
					if (w)
						bench_csv_row("lookup", dn, "-", rd, have,
							      wr, "writer_ops_per_s",
							      res.writer_ops, "1/s");
				}
			}
		}
		d->destroy(inst);
		bench_quiesce();
	}
	bench_csv_close();
	bench_env_fini();
	return 0;
}
