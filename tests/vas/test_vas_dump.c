/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * uk_vas_dump (the core's, through a print callback) and uk_vas_print (the
 * host's, to a stdio stream): one maps-like line per VMA, with Rss; only
 * the host's marks a shared file mapping 's'.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "fixture.h"

#define RW PAGE_ATTR_PROT_RW

struct sink {
	char text[1024];
	size_t len;
	int calls;
};

static void collect(void *arg, const char *str)
{
	struct sink *s = arg;
	size_t n = strlen(str);

	assert_true(s->len + n < sizeof(s->text));
	memcpy(s->text + s->len, str, n + 1);
	s->len += n;
	s->calls++;
}

static void test_dump_and_print(void **state)
{
	struct vas_fixture fx = {0};
	char path[] = "/tmp/ukvmem-dump-XXXXXX", page[PAGE_SIZE] = {0};
	int fd = mkstemp(path);
	__vaddr_t heap = 0x10000000, file = 0x20000000;
	struct sink s = {.len = 0};
	char *printed = NULL;
	size_t plen = 0;
	FILE *mem;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, page, sizeof(page)), sizeof(page));
	assert_int_equal(vas_fixture_init(&fx, 64UL << 20), 0);
	assert_int_equal(uk_vma_map_anon(&fx.vas, &heap, 4 * PAGE_SIZE, RW, 0,
					 "heap"), 0);
	assert_int_equal(uk_vas_fault(&fx.vas, heap, UK_VMA_FAULT_WRITE), 0);
	assert_int_equal(uk_vma_map_file(&fx.vas, &file, PAGE_SIZE,
					 PAGE_ATTR_PROT_READ,
					 UK_VMA_FILE_SHARED, fd, 0), 0);

	uk_vas_dump(&fx.vas, collect, &s);
	assert_int_equal(s.calls, 2);
	assert_non_null(strstr(s.text,
			       "000010000000-000010004000 rw-p       16K rss"
			       "        4K heap\n"));
	assert_non_null(strstr(s.text, "000020000000-000020001000 r--p "));

	mem = open_memstream(&printed, &plen);
	assert_non_null(mem);
	uk_vas_print(&fx.vas, mem);
	fclose(mem);
	/* The same lines, but the shared file mapping is marked. */
	assert_int_equal(plen, s.len);
	assert_non_null(strstr(printed, "000020000000-000020001000 r--s "));
	printed[strstr(printed, "r--s ") - printed + 3] = 'p';
	assert_string_equal(printed, s.text);
	free(printed);

	/* A name too long for one line is cut, the line still ends. */
	{
		char name[300];
		__vaddr_t va = 0x30000000;

		memset(name, 'n', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		assert_int_equal(uk_vma_map_anon(&fx.vas, &va, PAGE_SIZE, RW,
						 0, name), 0);
		s.len = 0;
		s.calls = 0;
		uk_vas_dump(&fx.vas, collect, &s);
		assert_int_equal(s.calls, 3);
		assert_int_equal(s.text[s.len - 1], '\n');
		assert_int_equal(s.text[s.len - 2], 'n');
		assert_int_equal(uk_vma_unmap(&fx.vas, va, PAGE_SIZE, 0), 0);
	}
	assert_int_equal(uk_vma_unmap(&fx.vas, heap, 4 * PAGE_SIZE, 0), 0);
	assert_int_equal(uk_vma_unmap(&fx.vas, file, PAGE_SIZE, 0), 0);
	s.len = 0;
	s.calls = 0;
	uk_vas_dump(&fx.vas, collect, &s);
	assert_int_equal(s.calls, 0);
	assert_int_equal(vas_fixture_fini(&fx), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_and_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
