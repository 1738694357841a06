/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of the platform layer (src/plat): the RCU backend compiled in
 * (urcu-memb or ck_epoch), the owner-tracking mutex, fault injection and
 * the TLB-flush hook.
 *
 * Worker threads never call cmocka asserts (cmocka asserts only from the
 * main thread): they record failures in atomics that the main thread checks
 * after joining them. Loop counts shrink under ThreadSanitizer.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <uk/plat.h>
#include "atomic.h"
#include "plat/tsan.h"

/* Replacements per poison run; TSan costs ~15x. */
#if UKPLAT_TSAN
#define CALL_RUNS 5000
#define SYNC_RUNS 750
#else
#define CALL_RUNS 20000
#define SYNC_RUNS 1500
#endif

#define container_of(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))

static void run_threads(unsigned int n, void *(*fn)(void *), void *arg)
{
	pthread_t th[16];
	unsigned int i;

	assert_true(n <= 16);
	for (i = 0; i < n; i++)
		assert_int_equal(pthread_create(&th[i], NULL, fn, arg), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
}

static void drain(void)
{
	int i;

	/* Callbacks may queue callbacks; a barrier waits only for earlier ones. */
	for (i = 0; i < 100 && uk_rcu_pending() != 0; i++)
		uk_rcu_barrier();
	assert_int_equal(uk_rcu_pending(), 0);
}

/* ---- Read sections -------------------------------------------------------- */

static void test_backend_name(void **state)
{
	const char *b = uk_rcu_backend();

	(void)state;
	assert_true(strcmp(b, "urcu-memb") == 0 || strcmp(b, "ck_epoch") == 0);
}

static void test_nesting(void **state)
{
	(void)state;
	assert_false(uk_rcu_read_ongoing());
	uk_rcu_read_lock();
	assert_true(uk_rcu_read_ongoing());
	uk_rcu_read_lock();
	uk_rcu_read_lock();
	assert_true(uk_rcu_read_ongoing());
	uk_rcu_read_unlock();
	uk_rcu_read_unlock();
	assert_true(uk_rcu_read_ongoing());
	uk_rcu_read_unlock();
	assert_false(uk_rcu_read_ongoing());
	/* A grace period must not wait for our (closed) sections. */
	uk_rcu_synchronize();
}

/* ---- Lazy registration ---------------------------------------------------- */

static _Atomic(int) cb_count;

static void count_cb(struct uk_rcu_head *h)
{
	(void)h;
	uk_fetch_add_relaxed(&cb_count, 1);
}

static void *sync_fresh_thread(void *arg)
{
	(void)arg;
	uk_rcu_synchronize(); /* first RCU call of this thread */
	return NULL;
}

static void *call_fresh_thread(void *arg)
{
	uk_rcu_call(arg, count_cb); /* first RCU call of this thread */
	return NULL;
}

static void *barrier_fresh_thread(void *arg)
{
	(void)arg;
	uk_rcu_barrier();
	return NULL;
}

static void test_unregistered(void **state)
{
	struct uk_rcu_head h;

	(void)state;
	atomic_store(&cb_count, 0);
	run_threads(1, sync_fresh_thread, NULL);
	run_threads(1, call_fresh_thread, &h);
	run_threads(1, barrier_fresh_thread, NULL);
	drain();
	assert_int_equal(atomic_load(&cb_count), 1);
}

/* ---- Barrier and pending -------------------------------------------------- */

#define CALLS_PER_THREAD 200

static void *call_many(void *arg)
{
	struct uk_rcu_head *heads = ukplat_calloc(CALLS_PER_THREAD, sizeof(*heads));
	int i;

	(void)arg;
	if (!heads)
		abort();
	for (i = 0; i < CALLS_PER_THREAD; i++)
		uk_rcu_call(&heads[i], count_cb);
	/* The heads must outlive their callbacks: leak-free only if the
	 * barrier below ran them all before we free. */
	uk_rcu_barrier();
	ukplat_free(heads);
	return NULL;
}

static void test_barrier(void **state)
{
	struct uk_rcu_head heads[50];
	int i;

	(void)state;
	atomic_store(&cb_count, 0);
	for (i = 0; i < 50; i++)
		uk_rcu_call(&heads[i], count_cb);
	assert_true(uk_rcu_pending() <= 50);
	uk_rcu_barrier();
	assert_int_equal(atomic_load(&cb_count), 50);
	assert_int_equal(uk_rcu_pending(), 0);

	atomic_store(&cb_count, 0);
	run_threads(4, call_many, NULL);
	assert_int_equal(atomic_load(&cb_count), 4 * CALLS_PER_THREAD);
	assert_int_equal(uk_rcu_pending(), 0);
}

/* A callback that queues another (allowed): chains of 3. */
struct chain {
	struct uk_rcu_head head;
	int left;
};

static void chain_cb(struct uk_rcu_head *h)
{
	struct chain *c = container_of(h, struct chain, head);

	uk_fetch_add_relaxed(&cb_count, 1);
	/* Read sections inside callbacks are allowed too. */
	uk_rcu_read_lock();
	uk_rcu_read_unlock();
	if (--c->left > 0)
		uk_rcu_call(&c->head, chain_cb);
	else
		ukplat_free(c);
}

static void test_call_from_callback(void **state)
{
	int i;

	(void)state;
	atomic_store(&cb_count, 0);
	for (i = 0; i < 20; i++) {
		struct chain *c = ukplat_malloc(sizeof(*c));

		assert_non_null(c);
		c->left = 3;
		uk_rcu_call(&c->head, chain_cb);
	}
	drain();
	assert_int_equal(atomic_load(&cb_count), 60);
}

struct blob {
	char pad[24];
	struct uk_rcu_head head;
	char tail[40];
};

static void test_free_deferred(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		struct blob *b = ukplat_malloc(sizeof(*b));

		assert_non_null(b);
		memset(b, 0x5a, sizeof(*b));
		uk_rcu_free_deferred(b, &b->head);
	}
	/* ASan's leak check at exit proves they were all freed. */
	drain();
}

/* ---- Threads that exit while registered ---------------------------------- */

static _Atomic(int) exit_cb_ran;

static void exit_cb(struct uk_rcu_head *h)
{
	uk_fetch_add_relaxed(&exit_cb_ran, 1);
	ukplat_free(h);
}

static void *exit_registered(void *arg)
{
	int i;

	(void)arg;
	uk_rcu_read_lock();
	uk_rcu_read_unlock();
	for (i = 0; i < 10; i++) {
		struct uk_rcu_head *h = ukplat_malloc(sizeof(*h));

		if (!h)
			abort();
		uk_rcu_call(h, exit_cb);
	}
	return NULL; /* exits registered, callbacks still queued */
}

static void *exit_in_section(void *arg)
{
	(void)arg;
	uk_rcu_read_lock();
	uk_rcu_read_lock();
	return NULL; /* a bug, but must not stall grace periods forever */
}

static void test_thread_exit(void **state)
{
	int round;

	(void)state;
	atomic_store(&exit_cb_ran, 0);
	for (round = 0; round < 5; round++)
		run_threads(3, exit_registered, NULL);
	drain();
	assert_int_equal(atomic_load(&exit_cb_ran), 5 * 3 * 10);

	run_threads(1, exit_in_section, NULL);
	uk_rcu_synchronize();
	drain();
}

/* ---- Poisoned readers ----------------------------------------------------- */

#define MAGIC 0x600d600dU
#define POISON 0xdeaddeadU
#define NREADERS 2

struct obj {
	unsigned int value; /* plain: TSan must see the grace period */
	unsigned int gen;
	struct uk_rcu_head head;
};

static _Atomic(struct obj *) shared;
static _Atomic(bool) stop;
static _Atomic(int) bad_reads;
static _Atomic(unsigned long) sections;

static void spin(unsigned int n)
{
	volatile unsigned int i;

	for (i = 0; i < n; i++)
		;
}

static void *reader(void *arg)
{
	unsigned long n = 0;
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		struct obj *p;
		unsigned int gen;
		int i;

		uk_rcu_read_lock();
		p = uk_rcu_deref(&shared);
		gen = p->gen;
		for (i = 0; i < 4; i++) {
			/* Poisoned, or freed and reused (age check). */
			if (p->value != MAGIC || p->gen != gen)
				uk_fetch_add_relaxed(&bad_reads, 1);
			seed = seed * 1103515245u + 12345u;
			if (seed & 0x100) {
				/* Nested section in the middle. */
				uk_rcu_read_lock();
				spin(seed >> 24);
				uk_rcu_read_unlock();
			} else {
				spin(seed >> 25);
			}
		}
		uk_rcu_read_unlock();
		n++;
	}
	uk_fetch_add_relaxed(&sections, n);
	return NULL;
}

static void poison_cb(struct uk_rcu_head *h)
{
	struct obj *o = container_of(h, struct obj, head);

	o->value = POISON;
	ukplat_free(o);
}

static struct obj *new_obj(unsigned int gen)
{
	struct obj *o = ukplat_malloc(sizeof(*o));

	if (!o)
		abort();
	o->value = MAGIC;
	o->gen = gen;
	return o;
}

struct writer_arg {
	unsigned int n;
	bool use_sync;
};

static void *writer(void *arg)
{
	struct writer_arg *wa = arg;
	unsigned int i;

	for (i = 1; i <= wa->n; i++) {
		struct obj *old = atomic_exchange_explicit(
			&shared, new_obj(i), memory_order_acq_rel);

		if (wa->use_sync) {
			uk_rcu_synchronize();
			old->value = POISON;
			ukplat_free(old);
		} else {
			uk_rcu_call(&old->head, poison_cb);
		}
		/* Let readers overlap more than one replacement. */
		spin((i & 63) == 0 ? 2000 : 100);
	}
	return NULL;
}

static void poison_run(unsigned int n, bool use_sync)
{
	pthread_t rd[NREADERS], wr;
	struct writer_arg wa = { n, use_sync };
	uintptr_t i;

	atomic_store(&shared, new_obj(0));
	atomic_store(&stop, false);
	atomic_store(&bad_reads, 0);
	atomic_store(&sections, 0);
	for (i = 0; i < NREADERS; i++)
		assert_int_equal(pthread_create(&rd[i], NULL, reader,
						(void *)(i + 1)), 0);
	assert_int_equal(pthread_create(&wr, NULL, writer, &wa), 0);
	assert_int_equal(pthread_join(wr, NULL), 0);
	atomic_store(&stop, true);
	for (i = 0; i < NREADERS; i++)
		assert_int_equal(pthread_join(rd[i], NULL), 0);

	drain();
	ukplat_free(atomic_load(&shared));
	print_message("%s: %u replacements, %lu read sections, %d bad reads\n",
		      use_sync ? "synchronize" : "call", n,
		      atomic_load(&sections), atomic_load(&bad_reads));
	assert_int_equal(atomic_load(&bad_reads), 0);
	assert_true(atomic_load(&sections) > 0);
}

static void test_poison_call(void **state)
{
	(void)state;
	poison_run(CALL_RUNS, false);
}

static void test_poison_sync(void **state)
{
	(void)state;
	poison_run(SYNC_RUNS, true);
}

/* ---- Mutex ---------------------------------------------------------------- */

static struct uk_mutex mtx;
static _Atomic(int) other_saw_held;

static void *mutex_other(void *arg)
{
	(void)arg;
	/* Held by main, not by us. */
	atomic_store(&other_saw_held, ukplat_mutex_held(&mtx) ? 1 : 0);
	ukplat_mutex_lock(&mtx); /* blocks until main unlocks */
	if (!ukplat_mutex_held(&mtx))
		atomic_store(&other_saw_held, 2);
	ukplat_mutex_unlock(&mtx);
	return NULL;
}

static void test_mutex(void **state)
{
	pthread_t th;

	(void)state;
	assert_int_not_equal(ukplat_thread_id(), 0);
	ukplat_mutex_init(&mtx);
	assert_false(ukplat_mutex_held(&mtx));
	ukplat_mutex_lock(&mtx);
	assert_true(ukplat_mutex_held(&mtx));
	assert_int_equal(pthread_create(&th, NULL, mutex_other, NULL), 0);
	spin(100000); /* let it block on the lock (not required) */
	ukplat_mutex_unlock(&mtx);
	assert_false(ukplat_mutex_held(&mtx));
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(atomic_load(&other_saw_held), 0);
	ukplat_mutex_destroy(&mtx);
}

static void *thread_id_of(void *arg)
{
	*(uintptr_t *)arg = ukplat_thread_id();
	return NULL;
}

static void test_thread_id(void **state)
{
	uintptr_t other = 0;

	(void)state;
	assert_int_equal(ukplat_thread_id(), ukplat_thread_id());
	run_threads(1, thread_id_of, &other);
	assert_int_not_equal(other, 0);
	assert_int_not_equal(other, ukplat_thread_id());
}

/* ---- Fault injection ------------------------------------------------------ */

static void test_inject(void **state)
{
	void *p[4];
	int i;

	(void)state;
	ukplat_inject_reset();
	assert_false(ukplat_inject_fail(UK_INJECT_META));
	assert_int_equal(ukplat_inject_calls(UK_INJECT_META), 0); /* not counting */

	/* The 3rd metadata allocation fails, once. */
	ukplat_inject_arm(UK_INJECT_META, 3);
	for (i = 0; i < 4; i++)
		p[i] = ukplat_malloc(16);
	assert_non_null(p[0]);
	assert_non_null(p[1]);
	assert_null(p[2]);
	assert_non_null(p[3]);
	assert_int_equal(ukplat_inject_calls(UK_INJECT_META), 4);
	for (i = 0; i < 4; i++)
		ukplat_free(p[i]);
	assert_false(ukplat_inject_fail(UK_INJECT_META));
	assert_int_equal(ukplat_inject_calls(UK_INJECT_META), 5);

	/* calloc and aligned_alloc are META sites too. */
	ukplat_inject_arm(UK_INJECT_META, 1);
	assert_null(ukplat_calloc(2, 8));
	ukplat_inject_arm(UK_INJECT_META, 1);
	assert_null(ukplat_aligned_alloc(64, 64));
	p[0] = ukplat_aligned_alloc(64, 100);
	assert_non_null(p[0]);
	assert_int_equal((uintptr_t)p[0] % 64, 0);
	ukplat_free(p[0]);

	/* Other sites do not consume a META arming. */
	ukplat_inject_arm(UK_INJECT_META, 1);
	assert_false(ukplat_inject_fail(UK_INJECT_FRAME));
	assert_true(ukplat_inject_fail(UK_INJECT_META));

	/* ANY counts every site. */
	ukplat_inject_arm(UK_INJECT_ANY, 2);
	assert_false(ukplat_inject_fail(UK_INJECT_FRAME));
	assert_true(ukplat_inject_fail(UK_INJECT_PTPAGE));
	assert_false(ukplat_inject_fail(UK_INJECT_FILE));
	assert_int_equal(ukplat_inject_calls(UK_INJECT_ANY), 3);

	/* 0 disarms and resets the count. */
	ukplat_inject_arm(UK_INJECT_FRAME, 2);
	ukplat_inject_arm(UK_INJECT_FRAME, 0);
	for (i = 0; i < 5; i++)
		assert_false(ukplat_inject_fail(UK_INJECT_FRAME));
	assert_int_equal(ukplat_inject_calls(UK_INJECT_FRAME), 5);

	ukplat_inject_reset();
	assert_false(ukplat_inject_fail(UK_INJECT_FRAME));
	assert_int_equal(ukplat_inject_calls(UK_INJECT_FRAME), 0);
}

/* Exactly one of many concurrent callers gets the injected failure. */
static _Atomic(int) inject_hits;

static void *inject_hammer(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 1000; i++)
		if (ukplat_inject_fail(UK_INJECT_PTPAGE))
			uk_fetch_add_relaxed(&inject_hits, 1);
	return NULL;
}

static void test_inject_mt(void **state)
{
	(void)state;
	atomic_store(&inject_hits, 0);
	ukplat_inject_arm(UK_INJECT_PTPAGE, 1500);
	run_threads(4, inject_hammer, NULL);
	assert_int_equal(atomic_load(&inject_hits), 1);
	assert_int_equal(ukplat_inject_calls(UK_INJECT_PTPAGE), 4000);
	ukplat_inject_reset();
}

/* ---- TLB hook ------------------------------------------------------------- */

static struct uk_tlb_flush_req hook_req;
static int hook_calls;

static void tlb_hook(const struct uk_tlb_flush_req *req)
{
	hook_req = *req;
	hook_calls++;
}

static void test_tlb(void **state)
{
	unsigned long c0 = ukplat_tlb_flush_count();
	unsigned long l0 = ukplat_tlb_flush_local_count();
	struct uk_pagetable *fake = (struct uk_pagetable *)(void *)&hook_calls;
	struct uk_tlb_flush_req req = { fake, 0x1000, 0x2000, 0, 0 };

	(void)state;
	ukplat_tlb_flush(&req);
	assert_int_equal(ukplat_tlb_flush_count(), c0 + 1);

	ukplat_set_tlb_flush(tlb_hook);
	req = (struct uk_tlb_flush_req){ fake, 0x200000, 0x400000, 1,
					 UK_TLB_FLUSH_TABLES };
	ukplat_tlb_flush(&req);
	assert_int_equal(hook_calls, 1);
	assert_ptr_equal(hook_req.pt, fake);
	assert_int_equal(hook_req.start, 0x200000);
	assert_int_equal(hook_req.len, 0x400000);
	assert_int_equal(hook_req.level, 1);
	assert_int_equal(hook_req.flags, UK_TLB_FLUSH_TABLES);
	assert_int_equal(ukplat_tlb_flush_count(), c0 + 2);

	ukplat_set_tlb_flush(NULL);
	ukplat_tlb_flush(&req);
	assert_int_equal(hook_calls, 1);
	assert_int_equal(ukplat_tlb_flush_count(), c0 + 3);

	/* The local flush is allowed anywhere, also in a read section. */
	uk_rcu_read_lock();
	ukplat_tlb_flush_local(fake, 0x1000, 0);
	uk_rcu_read_unlock();
	assert_int_equal(ukplat_tlb_flush_local_count(), l0 + 1);
}

/* Run @fn in a child process; its exit status or signal. The host's flush
 * checks abort(), which only a separate process can observe. */
static int in_child(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		fn();
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return WEXITSTATUS(status);
}

static struct uk_tlb_flush_req child_req;

static void flush_outside(void)
{
	ukplat_tlb_flush(&child_req);
}

static void flush_inside_read_section(void)
{
	/* stderr says why; keep the test log readable */
	if (!freopen("/dev/null", "w", stderr))
		_exit(3);
	uk_rcu_read_lock();
	ukplat_tlb_flush(&child_req);
	uk_rcu_read_unlock();
}

static void flush_bad(void)
{
	if (!freopen("/dev/null", "w", stderr))
		_exit(3);
	ukplat_tlb_flush(&child_req);
}

static void test_tlb_checks(void **state)
{
	struct uk_pagetable *fake = (struct uk_pagetable *)(void *)&hook_calls;
	const struct uk_tlb_flush_req good = { fake, 0x1000, 0x2000, 0, 0 };

	(void)state;
	/* control: the same request outside a read section is accepted */
	child_req = good;
	assert_int_equal(in_child(flush_outside), 0);
	/* a shootdown from inside a read section is caught */
	assert_int_equal(in_child(flush_inside_read_section), -SIGABRT);
	/* malformed requests are caught */
	for (unsigned int i = 0; i < 5; i++) {
		child_req = good;
		switch (i) {
		case 0: child_req.start = 0x1001; break;
		case 1: child_req.len = 0; break;
		case 2: child_req.level = 3; break;
		case 3: child_req.flags = 0x2; break;
		default: child_req.pt = NULL; break;
		}
		assert_int_equal(in_child(flush_bad), -SIGABRT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_name),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_unregistered),
		cmocka_unit_test(test_barrier),
		cmocka_unit_test(test_call_from_callback),
		cmocka_unit_test(test_free_deferred),
		cmocka_unit_test(test_thread_exit),
		cmocka_unit_test(test_poison_call),
		cmocka_unit_test(test_poison_sync),
		cmocka_unit_test(test_mutex),
		cmocka_unit_test(test_thread_id),
		cmocka_unit_test(test_inject),
		cmocka_unit_test(test_inject_mt),
		cmocka_unit_test(test_tlb),
		cmocka_unit_test(test_tlb_checks),
	};

	return cmocka_run_group_tests_name(uk_rcu_backend(), tests, NULL, NULL);
}
