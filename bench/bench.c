/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared benchmark helpers (see bench.h): flags, histogram, CSV output and
 * the per-process physical memory and frame allocator that every design
 * (ukvmem and the baselines) draws frames from, so that all of them pay the
 * same frame-allocation cost.
 */
#include <uk/host.h>
#include <pthread.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

struct bench_env benv;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- Flags ------------------------------------------------------------ */

const char *bench_flag(int argc, char **argv, const char *name)
{
	size_t len = strlen(name);

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], name, len))
			continue;
		if (argv[i][len] == '=')
			return argv[i] + len + 1;
		if (argv[i][len] == '\0' && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

bool bench_flag_set(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

long bench_flag_long(int argc, char **argv, const char *name, long dflt)
{
	const char *v = bench_flag(argc, argv, name);

	return v ? strtol(v, NULL, 0) : dflt;
}

int bench_flag_list(int argc, char **argv, const char *name, long *out,
		    int max, const long *dflt, int ndflt)
{
	const char *v = bench_flag(argc, argv, name);
	int n = 0;

	if (!v) {
		for (n = 0; n < ndflt && n < max; n++)
			out[n] = dflt[n];
		return n;
	}
	while (*v && n < max) {
		char *end;

		out[n++] = strtol(v, &end, 0);
		v = *end == ',' ? end + 1 : end;
		if (end == v && *v) /* not a number */
			break;
	}
	return n;
}

bool bench_in_list(const char *list, const char *item)
{
	size_t len = strlen(item);

	if (!list)
		return true;
	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, item, len) && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

/* ---- Histogram ---------------------------------------------------------- */

static unsigned int hist_index(uint64_t v)
{
	unsigned int k, idx;

	if (v < BENCH_HIST_SUB)
		return (unsigned int)v;
	k = 63u - (unsigned int)__builtin_clzll(v); /* v in [2^k, 2^k+1) */
	idx = (k - 3) * BENCH_HIST_SUB +
	      (unsigned int)((v >> (k - 4)) & (BENCH_HIST_SUB - 1));
	return idx < BENCH_HIST_BUCKETS ? idx : BENCH_HIST_BUCKETS - 1;
}

static uint64_t hist_upper(unsigned int idx)
{
	unsigned int k = idx / BENCH_HIST_SUB + 3, sub = idx % BENCH_HIST_SUB;

	if (idx < BENCH_HIST_SUB)
		return idx;
	return ((uint64_t)(BENCH_HIST_SUB + sub + 1) << (k - 4)) - 1;
}

void bench_hist_add(struct bench_hist *h, uint64_t ns)
{
	h->n[hist_index(ns)]++;
	h->count++;
	if (ns > h->max)
		h->max = ns;
}

void bench_hist_merge(struct bench_hist *into, const struct bench_hist *h)
{
	for (int i = 0; i < BENCH_HIST_BUCKETS; i++)
		into->n[i] += h->n[i];
	into->count += h->count;
	if (h->max > into->max)
		into->max = h->max;
}

uint64_t bench_hist_quantile(const struct bench_hist *h, double q)
{
	uint64_t want = (uint64_t)(q * (double)h->count), seen = 0;

	if (want >= h->count)
		want = h->count ? h->count - 1 : 0;
	for (unsigned int i = 0; i < BENCH_HIST_BUCKETS; i++) {
		seen += h->n[i];
		if (seen > want)
			return hist_upper(i) < h->max ? hist_upper(i) : h->max;
	}
	return h->max;
}

/* ---- CSV -------------------------------------------------------------------- */

static FILE *csv;

void bench_csv_open(const char *path)
{
	csv = path ? fopen(path, "w") : stdout;
	if (!csv) {
		perror(path);
		exit(1);
	}
	fprintf(csv, "workload,design,kind,threads,vmas,writer,metric,value,unit\n");
}

void bench_csv_row(const char *workload, const char *design,
		   const char *kind, int threads, long vmas, const char *writer,
		   const char *metric, double value, const char *unit)
{
	if (!csv)
		return;
	fprintf(csv, "%s,%s,%s,%d,%ld,%s,%s,%.6g,%s\n", workload, design, kind,
		threads, vmas, writer, metric, value, unit);
	fflush(csv);
}

void bench_csv_close(void)
{
	if (csv && csv != stdout)
		fclose(csv);
	csv = NULL;
}

/* ---- Environment -------------------------------------------------------------- */

void bench_env_init(__sz mem, bool populate)
{
	if (uk_physmem_init(&benv.pm, mem) ||
	    uk_falloc_create(&benv.fa, &benv.pm)) {
		fprintf(stderr, "bench: cannot set up %zu MiB of physical memory\n",
			(size_t)(mem >> 20));
		exit(1);
	}
	if (populate && madvise(benv.pm.host, benv.pm.size, MADV_POPULATE_WRITE))
		memset(benv.pm.host, 0, benv.pm.size); /* older kernels */
}

void bench_env_fini(void)
{
	bench_quiesce();
	uk_falloc_destroy(benv.fa);
	uk_physmem_destroy(&benv.pm);
}

void bench_quiesce(void)
{
	uk_rcu_barrier();
	uk_falloc_drain(benv.fa);
}

/* ---- Designs ---------------------------------------------------------------- */

const char *bench_design_name(const struct bench_design *d)
{
	return d == &bench_ukvmem ? bench_ukvmem_name() : d->name;
}

int bench_designs(int argc, char **argv, const struct bench_design **out)
{
	static const struct bench_design *all[] = {
		&bench_ukvmem, &bench_btree_rwlock, &bench_list_lock};
	const char *sel = bench_flag(argc, argv, "--designs");
	int n = 0;

	for (unsigned int i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (bench_in_list(sel, all[i]->name) ||
		    bench_in_list(sel, bench_design_name(all[i])))
			out[n++] = all[i];
	return n;
}

void bench_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	int rc = pthread_create(t, NULL, fn, arg);

	if (rc) {
		fprintf(stderr, "bench: pthread_create: %s\n", strerror(rc));
		exit(1);
	}
}
