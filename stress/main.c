/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stress_vas: N fault threads and M writer threads on one VAS, with the
 * invariants of docs/design.md checked while it runs and at the end.
 *
 * Design
 *   The arena is split per writer (stress.h): a churn area (every op and
 *   type), the neighbours of the faulters' private VMAs (REPLACE, merges
 *   and splits right next to live data) and a toggle file mapping (rights
 *   and advice change while faulters read it). Writers own their region,
 *   so after each call returns a writer can check its range exactly
 *   (check.c); faulters touch everything (faulter.c). A fault-window hook
 *   yields at random between a fault's lookup and its install CAS, which
 *   is where the races of design.md live.
 *
 * Invariants
 *   I1 no present PTE outside a live VMA that backs pages (writer's range
 *      after each call; validator);
 *   I2 no PTE with more rights than its VMA once the writer's call
 *      returned (writer's range; validator);
 *   I3 no lost write: every byte a faulter wrote to its private VMA reads
 *      back, at once and at the end;
 *   I4 the toggle mapping only ever reads the file's bytes;
 *   I5 no frame mapped twice except by DMA (validator);
 *   I6 frames allocated = resident + page tables + pending frees + DMA
 *      pool, after a final barrier; and only tables + pool once the VAS
 *      is emptied;
 *   I7 the tree validator passes (every validate_every writer ops, end).
 *
 * A failure prints the seed, the thread, the broken invariant and every
 * writer's last op, and exits 1. Negative control: see tools/run-stress.sh.
 *
 * Usage: stress_vas [--faulters N] [--writers M] [--seconds S] [--seed X]
 *        [--priv-pages P] [--mem-mb MB] [--huge] [--no-yield]
 *        [--validate-every K] [--progress S] [-v]
 * --progress S: a line with the counters every S seconds (default 5, 0:
 * none) while the run goes on.
 */
#include <uk/host.h>
#include <pthread.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "atomic.h"
#include "vas/vas_internal.h"
#include "stress.h"

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

struct stress *g_stress;

static _Thread_local uint64_t hook_rng;

/* Between lookup and install: yield one time in four. */
static void window_hook(struct uk_vas *vas, __vaddr_t vaddr)
{
	(void)vas;
	if (!hook_rng)
		hook_rng = (uintptr_t)&hook_rng ^ vaddr;
	if ((st_rand(&hook_rng) & 3) == 0)
		sched_yield();
}

static int usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--faulters N] [--writers M] [--seconds S] "
		"[--seed X] [--priv-pages P] [--mem-mb MB] [--huge] "
		"[--no-yield] [--validate-every K] [--progress S] [-v]\n",
		argv0);
	return 2;
}

static int parse(struct stress_cfg *c, int argc, char **argv)
{
	int a;

	*c = (struct stress_cfg){
		.faulters = 3, .writers = 2, .seconds = SANITIZED ? 2 : 3,
		.seed = (unsigned long long)time(NULL), .priv_pages = 32,
		.mem_mb = 512, .yield = true, .validate_every = 64,
		.progress = 5,
	};
	for (a = 1; a < argc; a++) {
		const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (!strcmp(o, "--huge"))
			c->huge = true;
		else if (!strcmp(o, "--no-yield"))
			c->yield = false;
		else if (!strcmp(o, "-v"))
			c->verbose = true;
		else if (!v)
			return usage(argv[0]);
		else if (!strcmp(o, "--faulters"))
			c->faulters = (unsigned int)strtoul(v, NULL, 0), a++;
		else if (!strcmp(o, "--writers"))
			c->writers = (unsigned int)strtoul(v, NULL, 0), a++;
		else if (!strcmp(o, "--seconds"))
			c->seconds = strtod(v, NULL), a++;
		else if (!strcmp(o, "--seed"))
			c->seed = strtoull(v, NULL, 0), a++;
		else if (!strcmp(o, "--priv-pages"))
			c->priv_pages = strtoul(v, NULL, 0), a++;
		else if (!strcmp(o, "--mem-mb"))
			c->mem_mb = strtoul(v, NULL, 0), a++;
		else if (!strcmp(o, "--progress"))
			c->progress = strtod(v, NULL), a++;
		else if (!strcmp(o, "--validate-every"))
			c->validate_every = (unsigned int)strtoul(v, NULL, 0), a++;
		else
			return usage(argv[0]);
	}
	if (!c->writers || c->writers > 64 ||
	    c->faulters > c->writers * SLOTS_MAX || !c->priv_pages ||
	    c->priv_pages > PRIV_MAX / PAGE_SIZE)
		return usage(argv[0]);
	if (c->huge && c->mem_mb < 3072)
		c->mem_mb = 3072;
	return 0;
}

static int make_file(struct stress *st)
{
	size_t i;

	snprintf(st->file_path, sizeof(st->file_path),
		 "/tmp/ukvmem-stress-XXXXXX");
	st->fd = mkstemp(st->file_path);
	st->file = malloc(FILE_SIZE);
	if (st->fd < 0 || !st->file)
		return -1;
	for (i = 0; i < FILE_SIZE; i++)
		st->file[i] = (unsigned char)(i * 151 + (i >> 12) * 3 + 7);
	return write(st->fd, st->file, FILE_SIZE) == (ssize_t)FILE_SIZE ? 0
									 : -1;
}

static int setup(struct stress *st)
{
	unsigned int i;

	st->dma = __PADDR_ANY;
	if (uk_physmem_init(&st->pm, st->cfg.mem_mb * MB) ||
	    uk_falloc_create(&st->fa, &st->pm) ||
	    ukplat_pt_init(&st->pt, st->fa) ||
	    uk_vas_init(&st->vas, &st->pt, NULL) ||
	    uk_falloc_frames(st->fa, &st->dma, DMA_POOL >> PAGE_SHIFT,
			     FALLOC_FLAG_ALIGNED | FALLOC_FLAG_ZERO) ||
	    make_file(st))
		return -1;
	for (i = 0; i < st->cfg.faulters; i++) {
		__vaddr_t va = slot_of(st, i) + PRIV_OFF;

		if (uk_vma_map_anon(&st->vas, &va, st->cfg.priv_pages * PAGE_SIZE,
				    PAGE_ATTR_PROT_RW, 0, "priv"))
			return -1;
	}
	for (i = 0; i < st->cfg.writers; i++) {
		__vaddr_t va = region_of(i) + TOGGLE_OFF;

		if (uk_vma_map_file(&st->vas, &va, TOGGLE_SIZE,
				    PAGE_ATTR_PROT_READ, 0, st->fd, 0))
			return -1;
	}
	return 0;
}

/* A line every cfg.progress seconds, so a long run can be told from a hung
 * one. The counters are relaxed: a line may lag the threads a little. A
 * failed check stops the run and prints itself, so every check counted
 * while the run goes on has passed (give or take the ones in flight). */
static void progress_line(struct stress *st, double el)
{
	printf("stress_vas: %.0f s of %g: %lu fault-side ops, %lu writer ops, "
	       "%lu checks, none failed\n", el, st->cfg.seconds,
	       uk_load_relaxed(&st->fault_ops), uk_load_relaxed(&st->writer_ops),
	       uk_load_relaxed(&st->checks));
	fflush(stdout);
}

static void sleep_run(struct stress *st)
{
	struct timespec t0, t;
	double el, next = st->cfg.progress;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		usleep(20000);
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (double)(t.tv_sec - t0.tv_sec) +
		     (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
		if (next > 0 && el >= next && el < st->cfg.seconds &&
		    !uk_load_acquire(&st->failed)) {
			progress_line(st, el);
			next += st->cfg.progress;
		}
	} while (el < st->cfg.seconds && !uk_load_acquire(&st->failed));
	uk_store_release(&st->stop, true);
}

static int final_checks(struct stress *st)
{
	long used;

	if (st_validate(st, "final") || st_check_frames(st, "final"))
		return -1;
	uk_vas_destroy(&st->vas);
	uk_rcu_barrier();
	uk_falloc_drain(st->fa);
	used = (long)uk_falloc_used(st->fa);
	if (used != uk_load_relaxed(&st->pt.nr_tables) * (long)PAGE_SIZE +
			    (long)DMA_POOL) {
		fprintf(stderr, "STRESS FAILURE seed=%llu: %ld bytes still "
				"allocated after destroy\n", st->cfg.seed, used);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct stress st;
	pthread_t *ft;
	unsigned int i;
	int rc;

	if (parse(&st.cfg, argc, argv))
		return 2;
	g_stress = &st;
	printf("stress_vas: seed=%llu faulters=%u writers=%u seconds=%.1f "
	       "priv-pages=%zu mem-mb=%zu huge=%d (%s, %s)\n",
	       st.cfg.seed, st.cfg.faulters, st.cfg.writers, st.cfg.seconds,
	       st.cfg.priv_pages, st.cfg.mem_mb, st.cfg.huge,
	       ukplat_pt_format(), uk_rcu_backend());
	fflush(stdout);
	if (setup(&st)) {
		fprintf(stderr, "stress_vas: set-up failed\n");
		return 1;
	}
	if (st.cfg.yield)
		uk_store_release(&vas_fault_window_hook, window_hook);
	st.w = calloc(st.cfg.writers, sizeof(*st.w));
	ft = calloc(st.cfg.faulters + 1, sizeof(*ft));
	for (i = 0; i < st.cfg.writers; i++) {
		st.w[i] = (struct writer){.st = &st, .id = i};
		st.w[i].rng = (st.cfg.seed + 1) * 0xD1B54A32D192ED03ULL ^ (i + 1);
		pthread_create(&st.w[i].thread, NULL, writer_main, &st.w[i]);
	}
	for (i = 0; i < st.cfg.faulters; i++)
		pthread_create(&ft[i], NULL, faulter_main,
			       (void *)(uintptr_t)i);
	sleep_run(&st);
	for (i = 0; i < st.cfg.faulters; i++)
		pthread_join(ft[i], NULL);
	for (i = 0; i < st.cfg.writers; i++)
		pthread_join(st.w[i].thread, NULL);
	uk_store_release(&vas_fault_window_hook, NULL);
	rc = uk_load_acquire(&st.failed) ? -1 : final_checks(&st);
	printf("stress_vas: %s seed=%llu: %lu fault-side ops, %lu writer ops, "
	       "%lu checks\n", rc ? "FAILED" : "ok", st.cfg.seed,
	       uk_load_relaxed(&st.fault_ops), uk_load_relaxed(&st.writer_ops),
	       uk_load_relaxed(&st.checks));
	close(st.fd);
	unlink(st.file_path);
	free(st.file);
	free(ft);
	free(st.w);
	return rc ? 1 : 0;
}
