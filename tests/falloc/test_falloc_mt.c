/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame allocator, multithreaded: random alloc/free from several threads
 * with a per-thread tag in every frame (a frame handed to two threads
 * shows up as a foreign tag), draining live threads' caches, and racing
 * double frees (exactly one of two frees of a frame may succeed).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <uk/falloc.h>
#include <uk/physmem.h>
#include <uk/plat.h>
#include <uk/host.h>

#if defined(__SANITIZE_THREAD__)
#define SCALE 4
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SCALE 4
#endif
#endif
#ifndef SCALE
#define SCALE 1
#endif

#define NTHREADS 4
#define ITERS (200000 / SCALE)
#define SLOTS 128
#define ZONE (64UL << 20)

struct zone {
	struct uk_physmem pm;
	struct uk_falloc *fa;
};

static void zone_init(struct zone *z, __sz size)
{
	assert_int_equal(uk_physmem_init(&z->pm, size), 0);
	assert_int_equal(uk_falloc_create(&z->fa, &z->pm), 0);
}

static void zone_fini(struct zone *z)
{
	uk_falloc_drain(z->fa);
	assert_int_equal(uk_falloc_validate(z->fa), 0);
	assert_int_equal(z->fa->free_memory(z->fa), z->fa->total_memory);
	uk_falloc_destroy(z->fa);
	uk_physmem_destroy(&z->pm);
}

static unsigned long rnd(unsigned long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- random alloc/free with tags ---------------------------------------- */

struct slot {
	__paddr_t p;
	unsigned long n;
	uint64_t tag;
};

struct worker {
	struct zone *z;
	pthread_t th;
	unsigned long id, seed;
	unsigned long errors, allocs, enomem;
};

static volatile int stop_drainer;

static uint64_t *frame_word(struct zone *z, __paddr_t p)
{
	return uk_physmem_kmap(&z->pm, p);
}

static void tag_frames(struct worker *w, struct slot *s)
{
	unsigned long i;

	for (i = 0; i < s->n; i++)
		*frame_word(w->z, s->p + i * PAGE_SIZE) = s->tag + i;
}

static void check_and_free(struct worker *w, struct slot *s, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		if (*frame_word(w->z, s->p + i * PAGE_SIZE) != s->tag + i)
			w->errors++;
	if (uk_ffree(w->z->fa, s->p, n))
		w->errors++;
	/* The rest stays allocated: what remains is the tail. */
	s->p += n * PAGE_SIZE;
	s->n -= n;
	s->tag += n;
}

static int try_alloc(struct worker *w, struct slot *s)
{
	struct uk_falloc *fa = w->z->fa;
	unsigned long r = rnd(&w->seed), flags = 0;
	__paddr_t p = __PADDR_ANY;
	int rc;

	s->n = 1;
	if (r % 8 == 0)
		s->n = 2 + rnd(&w->seed) % 15;
	if (r % 5 == 0)
		flags |= FALLOC_FLAG_ALIGNED;
	if (r % 64 == 1) /* somewhere random: may well be taken */
		p = w->z->pm.base +
		    rnd(&w->seed) % (w->z->pm.size / PAGE_SIZE - s->n) * PAGE_SIZE;
	rc = uk_falloc_frames(fa, &p, s->n, flags);
	if (rc) {
		if (rc != -ENOMEM)
			w->errors++;
		w->enomem++;
		return rc;
	}
	if (uk_falloc_is_allocated(fa, p, s->n) != 1)
		w->errors++;
	s->p = p;
	s->tag = (uint64_t)w->id << 48 | (uint64_t)(w->allocs++ & 0xffffff) << 20;
	tag_frames(w, s);
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct slot slots[SLOTS];
	unsigned long used = 0, it, k;

	for (it = 0; it < ITERS; it++) {
		unsigned long r = rnd(&w->seed);

		if (used < SLOTS && (used == 0 || r % 100 < 52)) {
			if (!try_alloc(w, &slots[used]))
				used++;
			continue;
		}
		k = rnd(&w->seed) % used;
		/* Sometimes free only the head, keep the tail. */
		if (slots[k].n > 1 && r % 3 == 0) {
			check_and_free(w, &slots[k], slots[k].n / 2);
			continue;
		}
		check_and_free(w, &slots[k], slots[k].n);
		slots[k] = slots[--used];
	}
	while (used) {
		used--;
		check_and_free(w, &slots[used], slots[used].n);
	}
	return NULL;
}

static void *drainer_main(void *arg)
{
	struct zone *z = arg;

	while (!__atomic_load_n(&stop_drainer, __ATOMIC_ACQUIRE)) {
		uk_falloc_drain(z->fa);
		/* Statistics are only exact when quiescent: just bounded. */
		if (uk_falloc_used(z->fa) > z->fa->total_memory)
			return (void *)1;
		sched_yield();
	}
	return NULL;
}

static void random_threads(void **state)
{
	struct worker w[NTHREADS];
	struct zone z;
	pthread_t drainer;
	unsigned long i, seed = (unsigned long)time(NULL);
	void *ret;

	(void)state;
	printf("# seed %lu, %d threads x %d iterations\n", seed, NTHREADS, ITERS);
	zone_init(&z, ZONE);
	stop_drainer = 0;
	assert_int_equal(pthread_create(&drainer, NULL, drainer_main, &z), 0);
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.z = &z, .id = i + 1,
				       .seed = seed * 2654435761UL + i + 1};
		assert_int_equal(pthread_create(&w[i].th, NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(w[i].th, NULL), 0);
		assert_int_equal(w[i].errors, 0);
		assert_true(w[i].allocs > ITERS / 4);
	}
	__atomic_store_n(&stop_drainer, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(drainer, &ret), 0);
	assert_null(ret);
	/* Exited threads flushed their caches; the drainer's is empty. */
	assert_int_equal(z.fa->free_memory(z.fa), z.fa->total_memory);
	zone_fini(&z);
}

/* ---- draining a live thread's cache ------------------------------------- */

struct parked {
	struct zone *z;
	pthread_mutex_t m;
	pthread_cond_t c;
	int phase;
};

static void *parked_main(void *arg)
{
	struct parked *pk = arg;
	__paddr_t p[40];
	int i;

	for (i = 0; i < 40; i++)
		p[i] = uk_falloc(pk->z->fa, 1);
	for (i = 0; i < 40; i++)
		uk_ffree(pk->z->fa, p[i], 1);
	pthread_mutex_lock(&pk->m);
	pk->phase = 1;
	pthread_cond_broadcast(&pk->c);
	while (pk->phase != 2)
		pthread_cond_wait(&pk->c, &pk->m);
	pthread_mutex_unlock(&pk->m);
	return NULL;
}

static void drain_live_thread(void **state)
{
	struct parked pk = {.phase = 0};
	unsigned long nframes = 1024;
	struct zone z;
	pthread_t th;
	__paddr_t p;

	(void)state;
	zone_init(&z, nframes * PAGE_SIZE);
	pk.z = &z;
	pthread_mutex_init(&pk.m, NULL);
	pthread_cond_init(&pk.c, NULL);
	assert_int_equal(pthread_create(&th, NULL, parked_main, &pk), 0);
	pthread_mutex_lock(&pk.m);
	while (pk.phase != 1)
		pthread_cond_wait(&pk.c, &pk.m);
	pthread_mutex_unlock(&pk.m);

	/* The parked thread's cache holds frames; they count as free, and
	 * allocations that need them drain it. */
	assert_int_equal(z.fa->free_memory(z.fa), z.fa->total_memory);
	p = z.pm.base;
	assert_int_equal(uk_falloc_frames(z.fa, &p, nframes, 0), 0);
	assert_int_equal(z.fa->free_memory(z.fa), 0);
	assert_int_equal(uk_ffree(z.fa, p, nframes), 0);
	assert_int_equal(uk_falloc_validate(z.fa), 0);

	pthread_mutex_lock(&pk.m);
	pk.phase = 2;
	pthread_cond_broadcast(&pk.c);
	pthread_mutex_unlock(&pk.m);
	assert_int_equal(pthread_join(th, NULL), 0);
	pthread_mutex_destroy(&pk.m);
	pthread_cond_destroy(&pk.c);
	zone_fini(&z);
}

/* ---- racing double frees ----------------------------------------------- */

struct racer {
	struct zone *z;
	pthread_barrier_t *bar;
	__paddr_t *p;
	unsigned long n, off; /* free [*p + off pages, n frames) */
	int ok;
	unsigned long rounds;
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;
	unsigned long i;

	for (i = 0; i < r->rounds; i++) {
		pthread_barrier_wait(r->bar);
		if (uk_ffree(r->z->fa, *r->p + r->off * PAGE_SIZE, r->n) == 0)
			r->ok++;
		pthread_barrier_wait(r->bar);
	}
	return NULL;
}

static void race_round(struct zone *z, struct racer *a, struct racer *b,
		       pthread_barrier_t *bar, int *wins_a)
{
	int oka = a->ok, okb = b->ok;

	pthread_barrier_wait(bar); /* go */
	pthread_barrier_wait(bar); /* done */
	assert_int_equal((a->ok - oka) + (b->ok - okb), 1);
	if (a->ok != oka) {
		(*wins_a)++;
		return;
	}
	/* b won: a changed nothing; give back what a would have freed. */
	if (a->n > 1) {
		assert_int_equal(uk_falloc_is_allocated(z->fa, *a->p, a->n), 0);
		assert_int_equal(uk_ffree(z->fa, *a->p, b->off), 0);
		assert_int_equal(uk_ffree(z->fa, *a->p + (b->off + 1) * PAGE_SIZE,
					  a->n - b->off - 1), 0);
	}
}

static void racing_double_free(void **state)
{
	const unsigned long rounds = 4000 / SCALE;
	pthread_barrier_t bar;
	struct racer a, b;
	pthread_t ta, tb;
	unsigned long i;
	struct zone z;
	__paddr_t p;
	int wins_a = 0;

	(void)state;
	zone_init(&z, 16UL << 20);
	pthread_barrier_init(&bar, NULL, 3);
	/* Round kinds: both free the same single frame, or a frees 4 frames
	 * while b frees the third of them. */
	a = (struct racer){.z = &z, .bar = &bar, .p = &p, .rounds = 2 * rounds};
	b = a;
	assert_int_equal(pthread_create(&ta, NULL, racer_main, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, racer_main, &b), 0);
	for (i = 0; i < rounds; i++) {
		a.n = b.n = 1;
		a.off = b.off = 0;
		p = uk_falloc(z.fa, 1);
		race_round(&z, &a, &b, &bar, &wins_a);
		a.n = 4;
		b.off = 2;
		p = uk_falloc(z.fa, 4);
		race_round(&z, &a, &b, &bar, &wins_a);
	}
	assert_int_equal(pthread_join(ta, NULL), 0);
	assert_int_equal(pthread_join(tb, NULL), 0);
	pthread_barrier_destroy(&bar);
	printf("# first free won %d of %lu races\n", wins_a, 2 * rounds);
	zone_fini(&z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_threads),
		cmocka_unit_test(drain_live_thread),
		cmocka_unit_test(racing_double_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
