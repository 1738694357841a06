/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The host's implementation of the platform services the freestanding
 * core added: per-context words, cache slots (install keeps the first
 * value, destructors at thread exit, none after delete), opaque mutex
 * storage, large metadata pages, and UK_ASSERT through ukplat_panic.
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

static void *peek_word(void *arg)
{
	(void)arg;
	return ukplat_ctx_get(UKPLAT_CTX_ACTIVE_VAS);
}

static void ctx_words_per_thread(void **state)
{
	int x, y;
	pthread_t t;
	void *other = &x;

	(void)state;
	assert_null(ukplat_ctx_get(UKPLAT_CTX_PT_RESERVE));
	ukplat_ctx_set(UKPLAT_CTX_ACTIVE_VAS, &x);
	ukplat_ctx_set(UKPLAT_CTX_PAGING_OFF, &y);
	assert_ptr_equal(ukplat_ctx_get(UKPLAT_CTX_ACTIVE_VAS), &x);
	assert_ptr_equal(ukplat_ctx_get(UKPLAT_CTX_PAGING_OFF), &y);
	/* Another thread starts with its own, NULL, words. */
	assert_int_equal(pthread_create(&t, NULL, peek_word, NULL), 0);
	pthread_join(t, &other);
	assert_null(other);
	ukplat_ctx_set(UKPLAT_CTX_ACTIVE_VAS, NULL);
	ukplat_ctx_set(UKPLAT_CTX_PAGING_OFF, NULL);
}

static _Atomic int dtor_calls;
static void *_Atomic dtor_last;

static void count_dtor(void *val)
{
	uk_store_relaxed(&dtor_last, val);
	uk_fetch_add_relaxed(&dtor_calls, 1);
}

struct slot_arg {
	struct ukplat_slot *slot;
	int mine;
	void *got;
};

static void *slot_thread(void *p)
{
	struct slot_arg *a = p;

	a->got = ukplat_slot_get(a->slot); /* NULL: a new thread */
	if (!a->got)
		a->got = ukplat_slot_install(a->slot, &a->mine);
	return NULL;
}

static void slots(void **state)
{
	struct ukplat_slot slot;
	struct slot_arg a = {.slot = &slot};
	int v1, v2;
	pthread_t t;

	(void)state;
	assert_int_equal(ukplat_slot_create(&slot, count_dtor), 0);
	assert_null(ukplat_slot_get(&slot));
	assert_ptr_equal(ukplat_slot_install(&slot, &v1), &v1);
	/* The first value stays; the caller gets it back instead of @v2. */
	assert_ptr_equal(ukplat_slot_install(&slot, &v2), &v1);
	assert_ptr_equal(ukplat_slot_get(&slot), &v1);

	/* Per thread: the other thread installs its own, and its exit runs
	 * the destructor on it. */
	assert_int_equal(pthread_create(&t, NULL, slot_thread, &a), 0);
	pthread_join(t, NULL);
	assert_ptr_equal(a.got, &a.mine);
	assert_int_equal(uk_load_relaxed(&dtor_calls), 1);
	assert_ptr_equal(uk_load_relaxed(&dtor_last), &a.mine);
	assert_ptr_equal(ukplat_slot_get(&slot), &v1);

	/* After delete no destructor runs. */
	a.got = NULL;
	assert_int_equal(pthread_create(&t, NULL, slot_thread, &a), 0);
	pthread_join(t, NULL);
	assert_int_equal(uk_load_relaxed(&dtor_calls), 2);
	ukplat_slot_delete(&slot);
	assert_null(ukplat_slot_get(&slot));
	assert_null(ukplat_slot_install(&slot, &v2));
	assert_int_equal(uk_load_relaxed(&dtor_calls), 2);
	ukplat_slot_delete(&slot); /* twice is harmless */
}

static void mutex_storage(void **state)
{
	struct {
		char pad;
		struct uk_mutex m;
	} s;

	(void)state;
	assert_true(((uintptr_t)&s.m) % UK_MUTEX_ALIGN == 0);
	ukplat_mutex_init(&s.m);
	assert_false(ukplat_mutex_held(&s.m));
	ukplat_mutex_lock(&s.m);
	assert_true(ukplat_mutex_held(&s.m));
	ukplat_mutex_unlock(&s.m);
	assert_false(ukplat_mutex_held(&s.m));
	ukplat_mutex_destroy(&s.m);
}

static void pages(void **state)
{
	const __sz len = 5 * PAGE_SIZE;
	unsigned char *p = ukplat_pages_alloc(len);
	__sz i;

	(void)state;
	assert_non_null(p);
	assert_true(PAGE_ALIGNED((uintptr_t)p));
	for (i = 0; i < len; i++)
		assert_int_equal(p[i], 0);
	memset(p, 1, len);
	ukplat_pages_free(p, len);
	ukplat_pages_free(NULL, len);
}

/* UK_ASSERT stops through ukplat_panic (abort on the host); a true one is
 * silent. Run first, before any other thread exists, in a child. */
static void assert_panics(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	UK_ASSERT(1 + 1 == 2);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int devnull_ok = freopen("/dev/null", "w", stderr) != NULL;

		UK_ASSERT(devnull_ok && 1 + 1 == 3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
#ifndef NDEBUG
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
#else
	assert_true(WIFEXITED(status));
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(assert_panics),
		cmocka_unit_test(ctx_words_per_thread),
		cmocka_unit_test(slots),
		cmocka_unit_test(mutex_storage),
		cmocka_unit_test(pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
