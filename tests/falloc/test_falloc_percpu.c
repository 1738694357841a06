/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frame caches over per-CPU cache slots, the way a kernel provides
 * them: this test replaces the host's per-thread slots (src/plat/
 * host_slot.c is not linked) with slots of two simulated CPUs, each
 * shared by two threads. Checked:
 *  - two threads of one CPU creating its cache at once: exactly one
 *    install wins, the loser frees its cache and uses the winner's (the
 *    test makes both threads reach install before either stores);
 *  - threads sharing a cache never get the same frame twice, and every
 *    frame comes back (ThreadSanitizer checks the cache's lock);
 *  - destroy frees the caches although no destructor ever runs.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <uk/falloc.h>
#include <uk/host.h>
#include <uk/plat.h>
#include "atomic.h"

#define NCPU 2
#define NTHREADS 4 /* thread i runs on CPU i % NCPU */
#define ROUNDS 40
#define BATCH 150  /* frames held at once: more than a cache keeps */

/* ---- Per-CPU slots of the simulated machine ----------------------------- */

struct cpu_slots {
	void *_Atomic val[NCPU];
};

static _Thread_local int this_cpu;
static _Atomic int installs_lost;
static _Atomic int dtors_set;
/* The first install on CPU 0 waits here for the second thread of CPU 0,
 * so that both race on the empty slot. */
static pthread_barrier_t cpu0_race;
static _Atomic int cpu0_installs;

int ukplat_slot_create(struct ukplat_slot *slot, void (*dtor)(void *val))
{
	struct cpu_slots *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	/* CPUs never exit: the destructor is never called. */
	if (dtor)
		uk_fetch_add_relaxed(&dtors_set, 1);
	slot->opaque[0] = (uintptr_t)s;
	return 0;
}

void ukplat_slot_delete(struct ukplat_slot *slot)
{
	free((void *)slot->opaque[0]);
	slot->opaque[0] = 0;
}

void *ukplat_slot_get(const struct ukplat_slot *slot)
{
	struct cpu_slots *s = (struct cpu_slots *)slot->opaque[0];

	return uk_load_acquire(&s->val[this_cpu]);
}

void *ukplat_slot_install(const struct ukplat_slot *slot, void *val)
{
	struct cpu_slots *s = (struct cpu_slots *)slot->opaque[0];
	void *cur = NULL;

	if (this_cpu == 0 && uk_fetch_add_relaxed(&cpu0_installs, 1) < 2)
		pthread_barrier_wait(&cpu0_race);
	/* Release publishes the new cache's initialisation to the other
	 * threads of the CPU; acquire on failure reads the winner's. */
	if (uk_cas_acq_rel(&s->val[this_cpu], &cur, val))
		return val;
	uk_fetch_add_relaxed(&installs_lost, 1);
	return cur;
}

/* ---- The test ------------------------------------------------------------- */

static struct uk_physmem pm;
static struct uk_falloc *fa;

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	__paddr_t held[BATCH];
	int r, i;

	this_cpu = id % NCPU;
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < BATCH; i++) {
			held[i] = uk_falloc(fa, 1);
			if (held[i] == __PADDR_INV)
				return (void *)1;
			/* A frame handed out twice would be overwritten. */
			*(volatile int *)uk_physmem_kmap(&pm, held[i]) = id;
		}
		for (i = 0; i < BATCH; i++) {
			if (*(volatile int *)uk_physmem_kmap(&pm, held[i]) != id)
				return (void *)2;
			if (uk_ffree(fa, held[i], 1))
				return (void *)3;
		}
	}
	return NULL;
}

static void shared_per_cpu_caches(void **state)
{
	pthread_t t[NTHREADS];
	void *rc;
	int i;

	(void)state;
	assert_int_equal(pthread_barrier_init(&cpu0_race, NULL, 2), 0);
	assert_int_equal(uk_physmem_init(&pm, 64UL << 20), 0);
	assert_int_equal(uk_falloc_create(&fa, &pm), 0);
	assert_int_equal(uk_load_relaxed(&dtors_set), 1);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker,
						(void *)(intptr_t)i), 0);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &rc);
		assert_null(rc);
	}
	/* CPU 0's two threads raced; CPU 1's may or may not have. */
	assert_true(uk_load_relaxed(&installs_lost) >= 1);
	assert_true(uk_load_relaxed(&installs_lost) <= NTHREADS - NCPU);
	/* The frames sit in the two CPUs' caches until drained. */
	assert_int_equal(uk_falloc_used(fa), 0);
	assert_int_equal(uk_falloc_validate(fa), 0);
	uk_falloc_drain(fa);
	assert_int_equal(uk_falloc_validate(fa), 0);
	assert_int_equal(fa->free_memory(fa), pm.size);
	uk_falloc_destroy(fa); /* frees both caches: no destructor ran */
	uk_physmem_destroy(&pm);
	pthread_barrier_destroy(&cpu0_race);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shared_per_cpu_caches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
