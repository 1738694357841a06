/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The core's own runtime (src/lib), against the C library where it has an
 * equivalent: snprintf subset, heapsort, popcount, strlen/strcmp, and the
 * once flag under concurrent callers.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/bits.h"
#include "lib/fmt.h"
#include "lib/once.h"
#include "lib/sort.h"
#include "lib/string.h"

/* Both formatters give the same text and length. */
#define SAME(...)                                                              \
	do {                                                                   \
		char a[128], b[128];                                           \
		int na = uk_snprintf(a, sizeof(a), __VA_ARGS__);               \
		int nb = snprintf(b, sizeof(b), __VA_ARGS__);                  \
		assert_string_equal(a, b);                                     \
		assert_int_equal(na, nb);                                      \
	} while (0)

static void fmt_like_libc(void **state)
{
	(void)state;
	SAME("plain");
	SAME("%s at %#lx", "present PTE", 0x7f0000001000UL);
	SAME("%012lx-%012lx %c%c%c%c %8zuK rss %8zuK %s\n", 0x1000UL,
	     0x200000UL, 'r', 'w', '-', 'p', (size_t)2044, (size_t)0, "heap");
	SAME("fill %u outside [%u, %u]%s", 3u, 8u, 16u, " (root)");
	SAME("%#zx %zu %lu %llu %x %X", (size_t)0xabc, (size_t)0,
	     ~0UL, ~0ULL, 0xdeadbeefu, 0xbeefu);
	SAME("%d %d %i %ld %lld", 0, -1, -2147483647 - 1, -9L,
	     -9223372036854775807LL - 1);
	SAME("[%5s|%-5s|%05u|%-4d|%3c]", "ab", "cd", 42u, -7, 'z');
	SAME("%p", (void *)0x1234);
	SAME("100%%");
	SAME("%s", "");
}

static void fmt_truncates(void **state)
{
	const char *volatile none = NULL; /* hidden from format checks */
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(uk_snprintf(buf, 5, "%s-%u", "abcdef", 12u), 9);
	assert_string_equal(buf, "abcd");
	assert_int_equal(buf[5], 'x'); /* nothing past @len */
	assert_int_equal(uk_snprintf(buf, 0, "abc"), 3);
	assert_int_equal(buf[0], 'a'); /* @len 0 writes nothing */
	assert_int_equal(uk_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
	assert_int_equal(uk_snprintf(buf, sizeof(buf), "%s", none), 6);
	assert_string_equal(buf, "(null)");
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static void sort_like_qsort(void **state)
{
	unsigned long a[300], b[300];
	size_t n, i;

	(void)state;
	srand(7);
	for (n = 0; n < 300; n = n * 2 + 1) {
		for (i = 0; i < n; i++)
			a[i] = b[i] = (unsigned long)rand() % (n / 2 + 1) *
				      0x100000001UL;
		uk_sort_ulong(a, n);
		qsort(b, n, sizeof(b[0]), cmp_ul);
		assert_memory_equal(a, b, n * sizeof(a[0]));
	}
	for (i = 0; i < 300; i++) /* descending and extreme values */
		a[i] = i ? ~0UL - i : 0;
	uk_sort_ulong(a, 300);
	for (i = 1; i < 300; i++)
		assert_true(a[i - 1] <= a[i]);
}

static void popcount_and_strings(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int i;

	(void)state;
	assert_int_equal(uk_popcount64(0), 0);
	assert_int_equal(uk_popcount64(~0ULL), 64);
	for (i = 0; i < 1000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		assert_int_equal(uk_popcount64(x), __builtin_popcountll(x));
	}
	assert_int_equal(uk_strlen(""), 0);
	assert_int_equal(uk_strlen("stack"), 5);
	assert_int_equal(uk_strcmp("a", "a"), 0);
	assert_true(uk_strcmp("a", "b") < 0);
	assert_true(uk_strcmp("ab", "a") > 0);
	assert_true(uk_strcmp("\xff", "a") > 0); /* unsigned, like strcmp */
}

#define ONCE_THREADS 8
static uk_once_t once = UK_ONCE_INIT;
static int once_runs;      /* written only by the function, read after */
static int once_value;

static void once_fn(void)
{
	once_runs++;
	once_value = 42;
}

static void *once_thread(void *arg)
{
	uk_once(&once, once_fn);
	/* The function's writes are visible to every caller that returns. */
	*(int *)arg = once_value;
	return NULL;
}

static void once_runs_once(void **state)
{
	pthread_t t[ONCE_THREADS];
	int seen[ONCE_THREADS];
	int i;

	(void)state;
	for (i = 0; i < ONCE_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, once_thread,
						&seen[i]), 0);
	for (i = 0; i < ONCE_THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(seen[i], 42);
	}
	assert_int_equal(once_runs, 1);
	uk_once(&once, once_fn);
	assert_int_equal(once_runs, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fmt_like_libc),
		cmocka_unit_test(fmt_truncates),
		cmocka_unit_test(sort_like_qsort),
		cmocka_unit_test(popcount_and_strings),
		cmocka_unit_test(once_runs_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
