/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Concurrent page-table use: install races on one slot and on intermediate
 * tables, and lock-free walkers against a thread that maps and unmaps.
 * Worker threads never assert (cmocka): they record, the main thread
 * checks after joining.
 */
#include <pthread.h>
#include <stdatomic.h>
#include "pt_test_util.h"

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

#define NTHREADS 4
#define ROUNDS (UNDER_TSAN ? 60 : 600)

static pthread_barrier_t start_bar;

/* ---- one slot, four installers ----------------------------------------- */

struct same_result {
	unsigned long wins, eexist, other, wrong_found;
};

static struct same_result same_res[NTHREADS];
static _Atomic __paddr_t winner_pa[ROUNDS];

static __vaddr_t same_va(unsigned int round)
{
	/* a fresh 1 GiB region per round: the tables race too */
	return (64UL + round) * GiB + 5 * PAGE_SIZE;
}

/* level-2 tables (one per 512 GiB root entry) the rounds touch */
static long same_l2_tables(void)
{
	return (long)((same_va(ROUNDS - 1) >> PAGE_Lx_SHIFT(3)) -
		      (same_va(0) >> PAGE_Lx_SHIFT(3)) + 1);
}

static void *same_worker(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	struct same_result *r = &same_res[id];

	for (unsigned int round = 0; round < ROUNDS; round++) {
		__paddr_t pa = uk_falloc(fa, 1);
		unsigned int fl;
		__pte_t found;
		int rc;

		pthread_barrier_wait(&start_bar);
		uk_rcu_read_lock();
		rc = ukplat_pt_install(&pt, same_va(round), pa, 0,
				       PAGE_ATTR_PROT_RW, &found, &fl);
		uk_rcu_read_unlock();
		if (rc == 0) {
			r->wins++;
			atomic_store(&winner_pa[round], pa);
		} else if (rc == -EEXIST) {
			r->eexist++;
			if (fl != 0 || ukplat_pte_attr(found) != PAGE_ATTR_PROT_RW)
				r->wrong_found++;
			uk_ffree(fa, pa, 1); /* never visible */
		} else {
			r->other++;
			uk_ffree(fa, pa, 1);
		}
	}
	return NULL;
}

static void run_threads(void *(*fn)(void *), unsigned int n)
{
	pthread_t th[NTHREADS];

	pthread_barrier_init(&start_bar, NULL, n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(pthread_create(&th[i], NULL, fn,
						(void *)(uintptr_t)i),
				 0);
	for (unsigned int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start_bar);
}

static void test_same_slot(void **state)
{
	unsigned long wins = 0, eexist = 0;
	__sz base = used_settled();
	long tables0 = pt.nr_tables;

	(void)state;
	run_threads(same_worker, NTHREADS);
	for (unsigned int i = 0; i < NTHREADS; i++) {
		wins += same_res[i].wins;
		eexist += same_res[i].eexist;
		assert_int_equal(same_res[i].other, 0);
		assert_int_equal(same_res[i].wrong_found, 0);
	}
	assert_int_equal(wins, ROUNDS);
	assert_int_equal(eexist, (unsigned long)ROUNDS * (NTHREADS - 1));
	for (unsigned int round = 0; round < ROUNDS; round++) {
		unsigned int level;
		__pte_t pte;

		assert_int_equal(ukplat_pt_lookup(&pt, same_va(round), &level,
						&pte),
				 0);
		assert_int_equal(ukplat_pte_paddr(pte, 0),
				 atomic_load(&winner_pa[round]));
	}
	/* per round: one level-1 table, one level-0 table, one frame
	 * (the level-2 table of the first 512 GiB is shared) */
	assert_int_equal(pt.nr_tables - tables0, 2 * ROUNDS + same_l2_tables());
	assert_int_equal(used_settled(),
			 base + ((pt.nr_tables - tables0) + ROUNDS) * PAGE_SIZE);
	for (unsigned int round = 0; round < ROUNDS; round++)
		assert_int_equal(ukplat_page_unmap(&pt, PAGE_Lx_ALIGN_DOWN(
						       same_va(round), 2),
						   512 * 512, 0),
				 0);
	assert_int_equal(pt.nr_tables, tables0 + same_l2_tables());
	assert_int_equal(used_settled(), base + same_l2_tables() * PAGE_SIZE);
}

/* ---- different pages, shared fresh intermediate tables ----------------- */

static _Atomic unsigned long diff_fail;

static __vaddr_t diff_va(unsigned int round, unsigned int id)
{
	/* threads 0,1 share a level-0 table, 2,3 another one; all four
	 * share the level-1 and level-2 tables created in this round */
	return (1024UL * GiB) * (2 + round % 8) + (round / 8) * GiB +
	       (id / 2) * 2 * MiB + (id % 2) * PAGE_SIZE;
}

static void *diff_worker(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;

	for (unsigned int round = 0; round < ROUNDS; round++) {
		__paddr_t pa = uk_falloc(fa, 1);
		unsigned int fl;
		__pte_t found;

		pthread_barrier_wait(&start_bar);
		if (ukplat_pt_install(&pt, diff_va(round, id), pa, 0,
				      PAGE_ATTR_PROT_RW, &found, &fl)) {
			atomic_fetch_add(&diff_fail, 1);
			uk_ffree(fa, pa, 1);
		}
	}
	return NULL;
}

static void test_shared_tables(void **state)
{
	__sz base = used_settled();
	long tables0 = pt.nr_tables;
	long tables;

	(void)state;
	run_threads(diff_worker, NTHREADS);
	assert_int_equal(atomic_load(&diff_fail), 0);
	for (unsigned int round = 0; round < ROUNDS; round++)
		for (unsigned int id = 0; id < NTHREADS; id++) {
			unsigned int level;
			__pte_t pte;

			assert_int_equal(ukplat_pt_lookup(&pt, diff_va(round, id),
							&level, &pte),
					 0);
		}
	/* exactly: 8 level-2 tables, one level-1 and two level-0 per round */
	tables = pt.nr_tables - tables0;
	assert_int_equal(tables, 8 + 3 * ROUNDS);
	assert_int_equal(used_settled(),
			 base + (tables + NTHREADS * ROUNDS) * PAGE_SIZE);
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(ukplat_page_unmap(&pt, (2 + i) * 1024UL * GiB,
						   512UL * 512 * 512, 0),
				 0);
	assert_int_equal(pt.nr_tables, tables0);
	assert_int_equal(used_settled(), base);
}

/* ---- walkers against a mapper ------------------------------------------ */

#define WALK_BASE (3000UL * GiB)
#define WALK_PAGES 256

static _Atomic bool walk_stop;
static _Atomic unsigned long walk_bad, walk_hits;

/* Frames are tagged with their virtual address before they are mapped. */
static int tag_map(struct uk_pagetable *p, __vaddr_t va, __paddr_t *pa,
		   unsigned int level, void *ctx)
{
	(void)ctx;
	*pa = uk_falloc(p->fa, FRAMES(level));
	if (*pa == __PADDR_INV)
		return -ENOMEM;
	*(__vaddr_t *)ukplat_page_kptr(p, *pa, 1, 0) = va;
	return 0;
}

static void *walker(void *arg)
{
	unsigned long seed = (uintptr_t)arg * 7919 + 1;
	unsigned long hits = 0, bad = 0;

	pthread_barrier_wait(&start_bar);
	while (!atomic_load_explicit(&walk_stop, memory_order_relaxed)) {
		__vaddr_t va;
		unsigned int level;
		__pte_t pte;

		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		va = WALK_BASE + ((seed >> 33) % (WALK_PAGES * 2)) * PAGE_SIZE;
		uk_rcu_read_lock();
		if (!ukplat_pt_lookup(&pt, va, &level, &pte)) {
			__paddr_t pa = ukplat_pte_paddr(pte, level);
			__vaddr_t tag = *(volatile __vaddr_t *)ukplat_page_kptr(
				&pt, pa, 1, 0);

			hits++;
			if (level != 0 || tag != va)
				bad++;
		}
		uk_rcu_read_unlock();
	}
	atomic_fetch_add(&walk_hits, hits);
	atomic_fetch_add(&walk_bad, bad);
	return NULL;
}

static void *mapper(void *arg)
{
	struct ukplat_page_mapx mx = { tag_map, NULL, NULL };
	unsigned int iters = UNDER_TSAN ? 150 : 3000;
	unsigned long bad = 0;

	(void)arg;
	pthread_barrier_wait(&start_bar);
	for (unsigned int i = 0; i < iters; i++) {
		/* a sliding window of ranges, some mapped, some not */
		__vaddr_t va = WALK_BASE + (i % 16) * 16 * PAGE_SIZE;

		if (ukplat_pt_lookup(&pt, va, &(unsigned int){ 0 },
				   &(__pte_t){ 0 })) {
			if (ukplat_page_mapx(&pt, va, __PADDR_ANY, 16,
					     PAGE_ATTR_PROT_RW, 0, &mx))
				bad++;
		} else if (ukplat_page_unmap(&pt, va, 16, 0)) {
			bad++;
		}
		if (i % 7 == 0 && ukplat_page_set_attr(&pt, WALK_BASE,
						       WALK_PAGES,
						       PAGE_ATTR_PROT_RW, 0))
			bad++;
	}
	atomic_fetch_add(&walk_bad, bad);
	atomic_store(&walk_stop, true);
	return NULL;
}

static void *walk_role(void *arg)
{
	return (uintptr_t)arg == 0 ? mapper(arg) : walker(arg);
}

static void test_walkers_vs_mapper(void **state)
{
	__sz base = used_settled();
	long tables0 = pt.nr_tables;

	(void)state;
	run_threads(walk_role, 3);
	assert_int_equal(atomic_load(&walk_bad), 0);
	print_message("walker hits: %lu\n", atomic_load(&walk_hits));
	assert_int_equal(ukplat_page_unmap(&pt, WALK_BASE, WALK_PAGES, 0), 0);
	assert_int_equal(ukplat_page_unmap(&pt, PAGE_Lx_ALIGN_DOWN(WALK_BASE, 2),
					   512 * 512, 0),
			 0);
	assert_true(pt.nr_tables <= tables0 + 1);
	assert_int_equal(used_settled(),
			 base + (pt.nr_tables - tables0) * PAGE_SIZE);
	assert_int_equal(pt.pending_frames, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_slot),
		cmocka_unit_test(test_shared_tables),
		cmocka_unit_test(test_walkers_vs_mapper),
	};

	return cmocka_run_group_tests(tests, pt_setup, pt_teardown);
}
