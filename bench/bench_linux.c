/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_linux: the host Linux kernel doing the same jobs on the same
 * machine, as the reference point for ukvmem's figures.
 *
 * Faults (same shape as bench_faults: --pages per round split over T
 * threads, each thread touching every page of its own region once in
 * address order, warm-up round + --reps rounds, median):
 *   zero         private anonymous mmap, MADV_NOHUGEPAGE (4 KiB faults,
 *                as ukvmem's), one write per page: demand-zero faults
 *   minor-write  MAP_SHARED mapping of a memfd whose pages already exist
 *                (written once beforehand): one write per page, one minor
 *                fault per page (write faults get no fault-around)
 *   minor-read   the same, reading: the kernel maps up to 16 pages per
 *                fault (fault-around), so pages/s > faults/s
 * The mapping is created before and removed after each round (untimed).
 * Each row gives pages/s and host page faults per page (getrusage).
 *
 * Writers, against N existing VMAs (one page every second page, built by
 * munmapping every other page of one mapping; N is capped by
 * vm.max_map_count): mmap of one page into a random hole
 * (MAP_FIXED_NOREPLACE, other protection so nothing merges), munmap of it,
 * mprotect of a VMA to RW and back; and mmap(NULL) placement. One thread.
 */
#include <pthread.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

enum { LK_ZERO, LK_MINOR_W, LK_MINOR_R };
static const char *lk_names[] = {"zero", "minor-write", "minor-read"};

struct lw {
	pthread_t th;
	char *p;
	unsigned long pages;
	uint64_t t0, t1;
	int kind;
	pthread_barrier_t *start, *done;
	_Atomic bool *quit;
	volatile unsigned long sink;
} __attribute__((aligned(64)));

static void *lw_main(void *arg)
{
	struct lw *w = arg;

	for (;;) {
		pthread_barrier_wait(w->start);
		if (atomic_load(w->quit))
			break;
		w->t0 = bench_now_ns();
		if (w->kind == LK_MINOR_R) {
			unsigned long s = 0;

			for (unsigned long i = 0; i < w->pages; i++)
				s += ((volatile char *)w->p)[i * PAGE_SIZE];
			w->sink = s;
		} else {
			for (unsigned long i = 0; i < w->pages; i++)
				((volatile char *)w->p)[i * PAGE_SIZE] = 1;
		}
		w->t1 = bench_now_ns();
		pthread_barrier_wait(w->done);
	}
	return NULL;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static void map_region(struct lw *w, int kind, int fd, unsigned long off)
{
	__sz len = w->pages * PAGE_SIZE;

	if (kind == LK_ZERO) {
		w->p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w->p != MAP_FAILED)
			madvise(w->p, len, MADV_NOHUGEPAGE);
	} else {
		w->p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			    (off_t)off);
	}
	if (w->p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
}

static void faults(int kind, int nthreads, unsigned long pages, int reps,
		   int fd)
{
	struct lw *w = calloc((size_t)nthreads, sizeof(*w));
	pthread_barrier_t start, done;
	_Atomic bool quit = false;
	double rates[64];
	long flt = 0, touched = 0;
	unsigned long per = pages / (unsigned long)nthreads;

	pthread_barrier_init(&start, NULL, (unsigned)nthreads + 1);
	pthread_barrier_init(&done, NULL, (unsigned)nthreads + 1);
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct lw){.pages = per, .kind = kind, .start = &start,
				   .done = &done, .quit = &quit};
		bench_thread(&w[i].th, lw_main, &w[i]);
	}
	for (int round = 0; round <= reps; round++) {
		uint64_t t0 = UINT64_MAX, t1 = 0;
		long f0;

		for (int i = 0; i < nthreads; i++)
			map_region(&w[i], kind, fd,
				   (unsigned long)i * per * PAGE_SIZE);
		f0 = minflt();
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&done);
		for (int i = 0; i < nthreads; i++) {
			t0 = w[i].t0 < t0 ? w[i].t0 : t0;
			t1 = w[i].t1 > t1 ? w[i].t1 : t1;
		}
		if (round > 0) {
			rates[round - 1] = (double)(per * (unsigned long)nthreads) *
					   1e9 / (double)(t1 - t0);
			flt += minflt() - f0;
			touched += (long)(per * (unsigned long)nthreads);
		}
		for (int i = 0; i < nthreads; i++)
			munmap(w[i].p, per * PAGE_SIZE);
	}
	atomic_store(&quit, true);
	pthread_barrier_wait(&start);
	for (int i = 0; i < nthreads; i++)
		pthread_join(w[i].th, NULL);
	{
		double rate = bench_median(rates, reps);
		double fpp = (double)flt / (double)touched;

		printf("%-18s %-12s %3d %14.0f %14.0f %9.1f  host faults/page %.3f%s\n",
		       "linux-host", lk_names[kind], nthreads, rate,
		       rate / nthreads, 1e9 * nthreads / rate, fpp,
		       nthreads > 2 ? " (oversubscribed: 2 cores)" : "");
		fflush(stdout);
		bench_csv_row("faults", "linux-host", lk_names[kind], nthreads,
			      nthreads, "none", "faults_per_s", rate, "1/s");
		bench_csv_row("faults", "linux-host", lk_names[kind], nthreads,
			      nthreads, "none", "faults_per_s_thread",
			      rate / nthreads, "1/s");
		bench_csv_row("faults", "linux-host", lk_names[kind], nthreads,
			      nthreads, "none", "ns_per_fault_thread",
			      1e9 * nthreads / rate, "ns");
		bench_csv_row("faults", "linux-host", lk_names[kind], nthreads,
			      nthreads, "none", "host_faults_per_fault", fpp,
			      "1");
	}
	pthread_barrier_destroy(&start);
	pthread_barrier_destroy(&done);
	free(w);
}

static double per_s(uint64_t t0, long ops)
{
	return (double)ops * 1e9 / (double)(bench_now_ns() - t0);
}

static void writers(long n, long ms, uint64_t *seed)
{
	__sz len = (__sz)(2 * n) * PAGE_SIZE;
	char *base = mmap(NULL, len, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	long max = n < 20000 ? n : 20000, k;
	long *idx = malloc((size_t)max * sizeof(*idx));
	uint64_t t0, limit = (uint64_t)ms * 1000000ULL;
	double r_map, r_unmap, r_prot, r_any;
	void **any = malloc(2000 * sizeof(*any));

	if (base == MAP_FAILED)
		exit(1);
	if (max > n)
		max = n;
	for (long i = 0; i < n; i++)
		munmap(base + (2 * i + 1) * PAGE_SIZE, PAGE_SIZE);
	for (k = 0; k < max; k++) /* distinct holes: shuffle */
		idx[k] = k * (n / max);
	for (k = max - 1; k > 0; k--) {
		long j = (long)bench_rand_below(seed, (uint64_t)k + 1), t = idx[k];

		idx[k] = idx[j];
		idx[j] = t;
	}
	t0 = bench_now_ns();
	for (k = 0; k < max && (k < 16 || bench_now_ns() - t0 < limit); k++)
		if (mmap(base + (2 * idx[k] + 1) * PAGE_SIZE, PAGE_SIZE,
			 PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
			 0) == MAP_FAILED) {
			perror("mmap hole");
			exit(1);
		}
	r_map = per_s(t0, k);
	max = k;
	t0 = bench_now_ns();
	for (k = 0; k < max; k++)
		munmap(base + (2 * idx[k] + 1) * PAGE_SIZE, PAGE_SIZE);
	r_unmap = per_s(t0, k);
	t0 = bench_now_ns();
	for (k = 0; k < 2 * max && (k < 16 || bench_now_ns() - t0 < limit); k++)
		mprotect(base + 2 * idx[k / 2] * PAGE_SIZE, PAGE_SIZE,
			 k % 2 ? PROT_READ : PROT_READ | PROT_WRITE);
	if (k % 2)
		mprotect(base + 2 * idx[k / 2] * PAGE_SIZE, PAGE_SIZE, PROT_READ);
	r_prot = per_s(t0, k);
	t0 = bench_now_ns();
	for (k = 0; k < 2000; k++)
		any[k] = mmap(NULL, PAGE_SIZE,
			      k % 2 ? PROT_READ | PROT_WRITE : PROT_READ,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r_any = per_s(t0, k);
	for (k = 0; k < 2000; k++)
		munmap(any[k], PAGE_SIZE);
	munmap(base, len);
	printf("%-18s %8ld %12.0f %12.0f %12.0f  mmap(NULL) %.0f ns\n",
	       "linux-host", n, r_map, r_unmap, r_prot, 1e9 / r_any);
	fflush(stdout);
	bench_csv_row("writers", "linux-host", "-", 1, n, "none", "map_per_s", r_map, "1/s");
	bench_csv_row("writers", "linux-host", "-", 1, n, "none", "unmap_per_s", r_unmap, "1/s");
	bench_csv_row("writers", "linux-host", "-", 1, n, "none", "set_attr_per_s", r_prot, "1/s");
	bench_csv_row("firstfit", "linux-host", "-", 1, n, "none", "ns_per_place", 1e9 / r_any, "ns");
	free(idx);
	free(any);
}

int main(int argc, char **argv)
{
	static const long dthreads[] = {1, 2, 4, 8};
	static const long dvmas[] = {10, 1000, 30000};
	long threads[16], vmas[16];
	bool shrt = bench_flag_set(argc, argv, "--short");
	int nt = bench_flag_list(argc, argv, "--threads", threads, 16, dthreads,
				 shrt ? 2 : 4);
	int nv = bench_flag_list(argc, argv, "--vmas", vmas, 16, dvmas, 3);
	unsigned long pages = (unsigned long)bench_flag_long(
		argc, argv, "--pages", shrt ? 32768 : 131072);
	int reps = (int)bench_flag_long(argc, argv, "--reps", shrt ? 3 : 5);
	const char *kinds = bench_flag(argc, argv, "--kinds");
	long ms = bench_flag_long(argc, argv, "--ms", 150);
	uint64_t seed = 0x2545F4914F6CDD1DULL;
	int fd;

	if (bench_flag_set(argc, argv, "--help")) {
		puts("bench_linux [--short] [--threads=1,2,4,8] [--pages=N] [--reps=N]\n"
		     "  [--kinds=zero,minor-write,minor-read] [--vmas=10,1000,30000] [--ms=150] [--csv=FILE]");
		return 0;
	}
	if (reps < 1 || reps > 60)
		reps = 5;
	bench_csv_open(bench_flag(argc, argv, "--csv"));
	fd = memfd_create("bench", 0);
	if (fd < 0 || ftruncate(fd, (off_t)(pages * PAGE_SIZE))) {
		perror("memfd");
		return 1;
	}
	{ /* Pre-populate the memfd's pages once. */
		char *p = mmap(NULL, pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED, fd, 0);

		if (p == MAP_FAILED)
			return 1;
		for (unsigned long i = 0; i < pages; i++)
			p[i * PAGE_SIZE] = 1;
		munmap(p, pages * PAGE_SIZE);
	}
	printf("%-18s %-12s %3s %14s %14s %9s\n", "design", "kind", "T",
	       "pages/s", "per thread", "ns/page");
	for (int k = 0; k < 3; k++) {
		if (kinds && !bench_in_list(kinds, lk_names[k]))
			continue;
		for (int ti = 0; ti < nt; ti++)
			faults(k, (int)threads[ti], pages, reps, fd);
	}
	close(fd);
	if (!shrt) {
		printf("\n%-18s %8s %12s %12s %12s\n", "design", "VMAs",
		       "mmap/s", "munmap/s", "mprotect/s");
		FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
		long cap = 65530;

		if (f) {
			if (fscanf(f, "%ld", &cap) != 1)
				cap = 65530;
			fclose(f);
		}
		/* N VMAs plus up to one mapped hole each, and the process's own. */
		cap = (cap - 2000) / 2;
		for (int vi = 0; vi < nv; vi++) {
			if (vmas[vi] > cap)
				printf("linux-host: %ld VMAs exceed vm.max_map_count; using %ld\n",
				       vmas[vi], cap);
			writers(vmas[vi] > cap ? cap : vmas[vi], ms, &seed);
			if (vmas[vi] > cap)
				break;
		}
	}
	bench_csv_close();
	return 0;
}
