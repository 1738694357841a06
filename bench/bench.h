/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared pieces of the benchmarks: monotonic time, flags, a log-linear
 * latency histogram, CSV rows, one physical memory + frame allocator per
 * process, and the "design" interface every compared VAS design implements
 * (ukvmem itself and the baselines written here for comparison).
 *
 * Every CSV row has the same columns, so tools/run-bench.sh can merge the
 * files of several binaries and builds into one table:
 *   workload,design,kind,threads,vmas,writer,metric,value,unit
 */
#ifndef UK_BENCH_H
#define UK_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <uk/vmem.h>
#include <uk/vma_types.h>
#include <uk/physmem.h>
#include <uk/falloc.h>
#include <uk/pagetable.h>

/* ---- Time ---------------------------------------------------------------- */

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Median of @n values (sorts @v). */
double bench_median(double *v, int n);

/* ---- Random numbers (per thread, no shared state) ------------------------ */

static inline uint64_t bench_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* Uniform in [0, n) without a division. */
static inline uint64_t bench_rand_below(uint64_t *s, uint64_t n)
{
	__extension__ typedef unsigned __int128 u128;

	return (uint64_t)(((u128)bench_rand(s) * n) >> 64);
}

/* ---- Flags ----------------------------------------------------------------- */

/* "--name=value" or "--name value"; returns the value or NULL. */
const char *bench_flag(int argc, char **argv, const char *name);
bool bench_flag_set(int argc, char **argv, const char *name);
long bench_flag_long(int argc, char **argv, const char *name, long dflt);
/* Comma-separated list of numbers; returns the count (at most @max). */
int bench_flag_list(int argc, char **argv, const char *name, long *out,
		    int max, const long *dflt, int ndflt);
/* Is @item in the comma-separated @list (NULL list: yes)? */
bool bench_in_list(const char *list, const char *item);

/* ---- Histogram: log-linear buckets of nanoseconds --------------------------
 * 16 linear sub-buckets per power of two: a value is known within 1/16. */
#define BENCH_HIST_SUB 16
#define BENCH_HIST_BUCKETS (48 * BENCH_HIST_SUB)

struct bench_hist {
	uint64_t n[BENCH_HIST_BUCKETS];
	uint64_t count;
	uint64_t max;
};

void bench_hist_add(struct bench_hist *h, uint64_t ns);
void bench_hist_merge(struct bench_hist *into, const struct bench_hist *h);
/* Upper bound of the bucket holding quantile @q (0..1). */
uint64_t bench_hist_quantile(const struct bench_hist *h, double q);

/* ---- CSV ------------------------------------------------------------------- */

/* Open @path (or stdout when NULL) and write the header. */
void bench_csv_open(const char *path);
void bench_csv_row(const char *workload, const char *design,
		   const char *kind, int threads, long vmas, const char *writer,
		   const char *metric, double value, const char *unit);
void bench_csv_close(void);

/* ---- Environment: one physical memory + frame allocator per process --- */

struct bench_env {
	struct uk_physmem pm;
	struct uk_falloc *fa;
};

extern struct bench_env benv;

/* Set up @mem bytes of physical memory; with @populate, make the host back
 * all of it now (a kernel's RAM is resident: demand-zero faults must not
 * pay for the simulation's lazy host backing). Exits on failure. */
void bench_env_init(__sz mem, bool populate);
void bench_env_fini(void);
/* Return every frame waiting in RCU callbacks and per-thread caches. */
void bench_quiesce(void);

/* ---- The designs compared -------------------------------------------------- */

enum bench_kind {
	BK_ZERO,   /* anonymous, zero-filled on demand */
	BK_UNINIT, /* anonymous UNINITIALIZED: frame, no zeroing */
	BK_DMA,    /* direct map of a physical range: no frame allocation */
};

struct bench_design {
	const char *name;
	void *(*create)(void);
	void (*destroy)(void *d);
	/* Whole-VMA operations (the benchmarks never cut a VMA). @paddr is
	 * the physical start for BK_DMA. */
	int (*map)(void *d, __vaddr_t va, __sz len, unsigned long attr,
		   enum bench_kind kind, __paddr_t paddr, bool populate);
	int (*map_any)(void *d, __vaddr_t *va, __sz len, unsigned long attr);
	int (*unmap)(void *d, __vaddr_t va, __sz len);
	int (*set_attr)(void *d, __vaddr_t va, __sz len, unsigned long attr);
	int (*dontneed)(void *d, __vaddr_t va, __sz len);
	/* A write fault at @va; 0 when resolved. */
	int (*fault)(void *d, __vaddr_t va);
	/* Is @va inside a VMA? (with the design's read-side protection) */
	bool (*lookup)(void *d, __vaddr_t va);
	/* Append one-page anonymous VMAs i in [from, to) at
	 * base + i * stride pages, attributes alternating RW / R so that
	 * neighbours never merge (untimed set-up; may use a fast path). */
	int (*bulk)(void *d, __vaddr_t base, long from, long to, long stride);
	struct uk_pagetable *(*pt)(void *d);
};

extern const struct bench_design bench_ukvmem;
extern const struct bench_design bench_btree_rwlock;
extern const struct bench_design bench_list_lock;

/* "ukvmem-urcu" / "ukvmem-ck", from the compiled-in RCU backend. */
const char *bench_ukvmem_name(void);

/* Designs selected by --designs=a,b (default: all three in-process). */
int bench_designs(int argc, char **argv, const struct bench_design **out);
/* Name to print for a design. */
const char *bench_design_name(const struct bench_design *d);

/* Where the benchmarks place things: far above UK_VAS_VMA_BASE. */
#define BENCH_REGION_BASE 0x100000000000UL /* 16 TiB */
#define BENCH_REGION_STRIDE (1UL << 36)    /* 64 GiB per thread */

/* Start a thread, exit on failure. */
#include <pthread.h>
void bench_thread(pthread_t *t, void *(*fn)(void *), void *arg);

/* Fail loudly: benchmarks must not report figures of failed operations. */
#define BENCH_CHECK(expr)                                                      \
	do {                                                                   \
		long _rc = (long)(expr);                                       \
		if (_rc) {                                                     \
			fprintf(stderr, "%s:%d: %s = %ld\n", __FILE__,         \
				__LINE__, #expr, _rc);                         \
			abort();                                               \
		}                                                              \
	} while (0)

#endif /* UK_BENCH_H */
