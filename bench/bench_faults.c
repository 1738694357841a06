/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_faults: concurrent page faults, idle and under a writer storm.
 *
 * Workload 1 (faults). T threads each fault every page of its own VMA once,
 * in address order, through the design's fault entry (ukvmem: uk_vas_fault
 * with UK_VMA_FAULT_WRITE). One round = every thread faults its pages. The
 * round's rate is the sum of each thread's own rate while T <= CPUs (the
 * threads run at the same time; a thread the start barrier wakes late does
 * not charge its wake-up to the others), and (T x pages) / (last thread's
 * end - first thread's start) when oversubscribed (threads then take turns,
 * and summing would count each one as if it had a CPU to itself).
 * A warm-up round is followed by --reps timed rounds; the median is
 * reported. Between rounds (untimed) the VMAs are unmapped and mapped again
 * (fresh pages, new page tables) or, for "refault", advised DONTNEED. Kinds:
 *   zero    anonymous, demand-zero (frame + 4 KiB memset)
 *   uninit  anonymous UNINITIALIZED: frame, no zeroing (management only)
 *   dma     direct-mapped physical range: no frame allocation at all
 *   refault zero-kind VMA faulted again after DONTNEED
 * The total pages per round (--pages) is fixed and split over the threads,
 * so every thread count touches the same memory.
 *
 * Workload 2 (storm). The same, kind --storm-kind (default uninit), with a
 * timestamp after every fault (one clock_gettime per fault: its cost, shown
 * as timer_ns, is in every latency and in both the idle and the storm
 * throughput). The run is done twice: idle, and with one more thread that
 * maps (16 pages, populated), set_attrs (R, then RW), advises DONTNEED and
 * unmaps ranges of its own, back to back, for as long as the faults run.
 * Reported: fault throughput relative to idle and p50/p99/p99.9 fault
 * latency from per-thread log-linear histograms, merged, plus the longest
 * single fault (CSV max_ns: a lock that starves faults for long stretches
 * can keep p99 low while the rate collapses). `make run` shows this table
 * (--no-idle --storm-threads=1, short sizes; tools/demo-storm.sh).
 *
 * Fairness: every design runs in this process over the same physical
 * memory and frame allocator (per-thread frame caches included); the
 * baselines do the same work per fault as ukvmem (see baseline.h). The
 * physical memory is made resident by the host before any timing (a
 * kernel's RAM is), and each row reports host page faults per fault (should
 * be ~0) to show the simulation's backing did not leak into the figures.
 * With more threads than cores (8 on 2) the threads time-share: reported
 * anyway, flagged in the docs.
 */
#include <pthread.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "bench.h"

#define MAX_THREADS 64

static const char *kind_names[] = {"zero", "uninit", "dma", "refault"};
#define K_REFAULT 3

struct worker {
	pthread_t th;
	__vaddr_t va;
	unsigned long pages;
	__paddr_t dma;
	uint64_t t0, t1;
	long errors;
	struct bench_hist hist;
} __attribute__((aligned(64)));

struct run {
	const struct bench_design *d;
	void *inst;
	int kind, nthreads;
	bool timed_faults;
	pthread_barrier_t start, done;
	_Atomic bool quit;
	_Atomic bool storm_stop;
	_Atomic long storm_ops;
	struct worker w[MAX_THREADS];
};

static long opt_reps = 5;

/* Worker body: the run is found from the worker's index. */
struct warg {
	struct run *r;
	int i;
};

static void *worker_main(void *arg)
{
	struct warg *a = arg;
	struct run *r = a->r;
	struct worker *w = &r->w[a->i];

	for (;;) {
		pthread_barrier_wait(&r->start);
		if (atomic_load(&r->quit))
			break;
		const struct bench_design *d = r->d;
		void *inst = r->inst;
		__vaddr_t va = w->va, end = w->va + w->pages * PAGE_SIZE;
		uint64_t prev = bench_now_ns();

		w->t0 = prev;
		if (r->timed_faults) {
			for (; va < end; va += PAGE_SIZE) {
				uint64_t now;

				w->errors += d->fault(inst, va) != 0;
				now = bench_now_ns();
				bench_hist_add(&w->hist, now - prev);
				prev = now;
			}
			w->t1 = prev;
		} else {
			for (; va < end; va += PAGE_SIZE)
				w->errors += d->fault(inst, va) != 0;
			w->t1 = bench_now_ns();
		}
		pthread_barrier_wait(&r->done);
	}
	return NULL;
}

#define STORM_BASE 0x200000000000UL
#define STORM_PAGES 16
#define STORM_SLOTS 64

/* The writer storm: map, set_attr down and up, DONTNEED, unmap; 5 ops. */
static void *storm_main(void *arg)
{
	struct run *r = arg;
	const struct bench_design *d = r->d;
	__sz len = STORM_PAGES * PAGE_SIZE;
	unsigned long k = 0;

	while (!atomic_load_explicit(&r->storm_stop, memory_order_relaxed)) {
		__vaddr_t va = STORM_BASE + (k++ % STORM_SLOTS) * 2 * len;

		BENCH_CHECK(d->map(r->inst, va, len, PAGE_ATTR_PROT_RW, BK_ZERO,
				   0, true));
		BENCH_CHECK(d->set_attr(r->inst, va, len, PAGE_ATTR_PROT_READ));
		BENCH_CHECK(d->set_attr(r->inst, va, len, PAGE_ATTR_PROT_RW));
		BENCH_CHECK(d->dontneed(r->inst, va, len));
		BENCH_CHECK(d->unmap(r->inst, va, len));
		atomic_fetch_add_explicit(&r->storm_ops, 5,
					  memory_order_relaxed);
	}
	return NULL;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void map_vmas(struct run *r, bool first)
{
	enum bench_kind bk = r->kind == K_REFAULT ? BK_ZERO
						  : (enum bench_kind)r->kind;

	for (int i = 0; i < r->nthreads; i++) {
		struct worker *w = &r->w[i];
		__sz len = w->pages * PAGE_SIZE;

		if (r->kind == K_REFAULT && !first) {
			BENCH_CHECK(r->d->dontneed(r->inst, w->va, len));
			continue;
		}
		if (bk == BK_DMA) {
			w->dma = __PADDR_ANY;
			BENCH_CHECK(uk_falloc_frames(benv.fa, &w->dma, w->pages,
						     0));
		}
		BENCH_CHECK(r->d->map(r->inst, w->va, len, PAGE_ATTR_PROT_RW,
				      bk, w->dma, false));
	}
	bench_quiesce();
}

static void unmap_vmas(struct run *r, bool last)
{
	if (r->kind == K_REFAULT && !last)
		return;
	for (int i = 0; i < r->nthreads; i++) {
		struct worker *w = &r->w[i];

		BENCH_CHECK(r->d->unmap(r->inst, w->va, w->pages * PAGE_SIZE));
		if (r->kind == BK_DMA) {
			bench_quiesce();
			BENCH_CHECK(uk_ffree(benv.fa, w->dma, w->pages));
		}
	}
	bench_quiesce();
}

struct result {
	double rate;       /* faults/s, median of rounds */
	double minflt;     /* host page faults per fault */
	double storm_ops;  /* writer ops/s */
	struct bench_hist hist;
	long errors;
};

/* The rate of one round; see the header for the two cases. */
static double round_rate(const struct run *r, unsigned long pages,
			 uint64_t t0, uint64_t t1)
{
	double per = (double)(pages / (unsigned long)r->nthreads), sum = 0;

	if (r->nthreads > sysconf(_SC_NPROCESSORS_ONLN))
		return per * r->nthreads * 1e9 / (double)(t1 - t0);
	for (int i = 0; i < r->nthreads; i++)
		sum += per * 1e9 / (double)(r->w[i].t1 - r->w[i].t0);
	return sum;
}

static void run_config(const struct bench_design *d, int kind, int nthreads,
		       unsigned long pages, bool timed, bool storm,
		       struct result *res)
{
	struct run *r = calloc(1, sizeof(*r));
	struct warg args[MAX_THREADS];
	double rates[64];
	long flt = 0, faults = 0;
	pthread_t storm_th;
	int nrounds = (int)opt_reps + 1;
	uint64_t storm_t0 = 0;

	memset(res, 0, sizeof(*res));
	r->d = d;
	r->inst = d->create();
	r->kind = kind;
	r->nthreads = nthreads;
	r->timed_faults = timed;
	pthread_barrier_init(&r->start, NULL, (unsigned)nthreads + 1);
	pthread_barrier_init(&r->done, NULL, (unsigned)nthreads + 1);
	for (int i = 0; i < nthreads; i++) {
		r->w[i].va = BENCH_REGION_BASE + (__vaddr_t)i * BENCH_REGION_STRIDE;
		r->w[i].pages = pages / (unsigned long)nthreads;
		args[i] = (struct warg){r, i};
		bench_thread(&r->w[i].th, worker_main, &args[i]);
	}
	if (storm) {
		storm_t0 = bench_now_ns();
		bench_thread(&storm_th, storm_main, r);
	}
	for (int round = 0; round < nrounds; round++) {
		uint64_t t0 = UINT64_MAX, t1 = 0;
		long f0;

		map_vmas(r, round == 0);
		for (int i = 0; i < nthreads; i++)
			memset(&r->w[i].hist, 0, sizeof(r->w[i].hist));
		f0 = minflt();
		pthread_barrier_wait(&r->start);
		pthread_barrier_wait(&r->done);
		for (int i = 0; i < nthreads; i++) {
			t0 = r->w[i].t0 < t0 ? r->w[i].t0 : t0;
			t1 = r->w[i].t1 > t1 ? r->w[i].t1 : t1;
		}
		if (round > 0) { /* round 0 warms up */
			rates[round - 1] = round_rate(r, pages, t0, t1);
			flt += minflt() - f0;
			faults += (long)(pages / (unsigned long)nthreads) * nthreads;
			for (int i = 0; i < nthreads; i++)
				bench_hist_merge(&res->hist, &r->w[i].hist);
		}
		unmap_vmas(r, round == nrounds - 1);
	}
	if (storm) {
		atomic_store(&r->storm_stop, true);
		pthread_join(storm_th, NULL);
		res->storm_ops = (double)atomic_load(&r->storm_ops) * 1e9 /
				 (double)(bench_now_ns() - storm_t0);
	}
	atomic_store(&r->quit, true);
	pthread_barrier_wait(&r->start);
	for (int i = 0; i < nthreads; i++) {
		pthread_join(r->w[i].th, NULL);
		res->errors += r->w[i].errors;
	}
	res->rate = bench_median(rates, nrounds - 1);
	res->minflt = faults ? (double)flt / (double)faults : 0;
	pthread_barrier_destroy(&r->start);
	pthread_barrier_destroy(&r->done);
	d->destroy(r->inst);
	bench_quiesce();
	free(r);
	if (res->errors) {
		fprintf(stderr, "bench_faults: %s %s T=%d: %ld faults failed\n",
			bench_design_name(d), kind_names[kind], nthreads,
			res->errors);
		exit(1);
	}
}

static double timer_cost_ns(void)
{
	uint64_t t0 = bench_now_ns(), t = 0;

	for (int i = 0; i < 100000; i++)
		t += bench_now_ns();
	(void)t;
	return (double)(bench_now_ns() - t0) / 100000.0;
}

static void usage(void)
{
	puts("bench_faults [--short] [--threads=1,2,4,8] [--pages=N] [--reps=N]\n"
	     "  [--kinds=zero,uninit,dma,refault] [--designs=ukvmem,btree-rwlock,list-global-lock]\n"
	     "  [--storm-threads=1,2,4,8] [--storm-kind=uninit] [--no-storm] [--no-idle]\n"
	     "  [--mem=MiB] [--csv=FILE]");
}

int main(int argc, char **argv)
{
	static const long dthreads[] = {1, 2, 4, 8}, sthreads[] = {1, 2};
	const struct bench_design *designs[8];
	long threads[16], storm_threads[16];
	bool shrt = bench_flag_set(argc, argv, "--short");
	const char *kinds = bench_flag(argc, argv, "--kinds");
	const char *skind = bench_flag(argc, argv, "--storm-kind");
	int nd = bench_designs(argc, argv, designs), sk = 1;
	int nt, nst;
	unsigned long pages;
	double tcost;

	if (bench_flag_set(argc, argv, "--help")) {
		usage();
		return 0;
	}
	nt = bench_flag_list(argc, argv, "--threads", threads, 16, dthreads,
			     shrt ? 2 : 4);
	nst = bench_flag_list(argc, argv, "--storm-threads", storm_threads, 16,
			      shrt ? sthreads : dthreads, shrt ? 1 : 4);
	pages = (unsigned long)bench_flag_long(argc, argv, "--pages",
					       shrt ? 32768 : 131072);
	opt_reps = bench_flag_long(argc, argv, "--reps", shrt ? 3 : 5);
	if (opt_reps < 1 || opt_reps > 60)
		opt_reps = 5;
	if (!kinds)
		kinds = shrt ? "zero,uninit" : "zero,uninit,dma,refault";
	for (int k = 0; k < 4; k++)
		if (skind && !strcmp(skind, kind_names[k]))
			sk = k;
	/* Memory: a round's pages (DMA needs them contiguous) plus slack. */
	bench_env_init((__sz)bench_flag_long(argc, argv, "--mem",
					     (long)(pages >> 8) * 2 + 256) << 20,
		       true);
	bench_csv_open(bench_flag(argc, argv, "--csv"));
	tcost = timer_cost_ns();
	bench_csv_row("faults", "-", "-", 1, 0, "none", "timer_ns", tcost, "ns");

	printf("%-18s %-8s %3s %-6s %14s %14s %9s %s\n", "design", "kind", "T",
	       "writer", "faults/s", "per thread", "ns/fault", "notes");
	for (int di = 0; di < nd && !bench_flag_set(argc, argv, "--no-idle");
	     di++) {
		const char *dn = bench_design_name(designs[di]);

		for (int k = 0; k < 4; k++) {
			if (!bench_in_list(kinds, kind_names[k]))
				continue;
			for (int ti = 0; ti < nt; ti++) {
				int t = (int)threads[ti];
				struct result res;

				run_config(designs[di], k, t, pages, false,
					   false, &res);
				printf("%-18s %-8s %3d %-6s %14.0f %14.0f %9.1f host faults/fault %.3f%s\n",
				       dn, kind_names[k], t, "none", res.rate,
				       res.rate / t, 1e9 * t / res.rate,
				       res.minflt,
				       t > 2 ? " (oversubscribed: 2 cores)" : "");
				fflush(stdout);
				bench_csv_row("faults", dn, kind_names[k], t, t,
					      "none", "faults_per_s", res.rate,
					      "1/s");
				bench_csv_row("faults", dn, kind_names[k], t, t,
					      "none", "faults_per_s_thread",
					      res.rate / t, "1/s");
				bench_csv_row("faults", dn, kind_names[k], t, t,
					      "none", "ns_per_fault_thread",
					      1e9 * t / res.rate, "ns");
				bench_csv_row("faults", dn, kind_names[k], t, t,
					      "none", "host_faults_per_fault",
					      res.minflt, "1");
			}
		}
	}
	if (!shrt && !bench_flag_set(argc, argv, "--no-storm")) {
		printf("\nwriter storm (%s faults, one timestamp per fault, timer %.1f ns)\n",
		       kind_names[sk], tcost);
		printf("%-18s %3s %-6s %14s %8s %8s %8s %9s %12s\n", "design",
		       "T", "writer", "faults/s", "vs idle", "p50 ns", "p99 ns",
		       "p99.9 ns", "writer op/s");
		for (int di = 0; di < nd; di++) {
			const char *dn = bench_design_name(designs[di]);

			for (int ti = 0; ti < nst; ti++) {
				int t = (int)storm_threads[ti];
				struct result idle, st;

				run_config(designs[di], sk, t, pages, true,
					   false, &idle);
				run_config(designs[di], sk, t, pages, true,
					   true, &st);
				for (int s = 0; s < 2; s++) {
					struct result *x = s ? &st : &idle;
					const char *wr = s ? "storm" : "none";

					printf("%-18s %3d %-6s %14.0f %7.1f%% %8llu %8llu %9llu %12.0f\n",
					       dn, t, wr, x->rate,
					       100.0 * x->rate / idle.rate,
					       (unsigned long long)bench_hist_quantile(&x->hist, 0.5),
					       (unsigned long long)bench_hist_quantile(&x->hist, 0.99),
					       (unsigned long long)bench_hist_quantile(&x->hist, 0.999),
					       x->storm_ops);
					bench_csv_row("storm", dn, kind_names[sk], t, t, wr,
						      "faults_per_s", x->rate, "1/s");
					bench_csv_row("storm", dn, kind_names[sk], t, t, wr,
						      "rel_idle", x->rate / idle.rate, "1");
					bench_csv_row("storm", dn, kind_names[sk], t, t, wr,
						      "p50_ns", (double)bench_hist_quantile(&x->hist, 0.5), "ns");
					bench_csv_row("storm", dn, kind_names[sk], t, t, wr,
						      "p99_ns", (double)bench_hist_quantile(&x->hist, 0.99), "ns");
					bench_csv_row("storm", dn, kind_names[sk], t, t, wr,
						      "p999_ns", (double)bench_hist_quantile(&x->hist, 0.999), "ns");
					bench_csv_row("storm", dn, kind_names[sk], t, t, wr,
						      "max_ns", (double)x->hist.max, "ns");
					bench_csv_row("storm", dn, kind_names[sk], t, t, wr,
						      "writer_ops_per_s", x->storm_ops, "1/s");
				}
				fflush(stdout);
			}
		}
	}
	bench_csv_close();
	bench_env_fini();
	return 0;
}
