/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memcpy, memset, memmove, memcmp, strlen: the only library functions the
 * core calls, and what the compiler may emit calls to. Built with
 * -fno-tree-loop-distribute-patterns so these loops are not turned back
 * into calls to themselves.
 */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s | n) & 7) == 0) {
		for (size_t i = 0; i < n; i += 8)
			*(uint64_t *)(d + i) = *(const uint64_t *)(s + i);
		return dst;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if ((((uintptr_t)d | n) & 7) == 0) {
		uint64_t v = 0x0101010101010101ULL * (unsigned char)c;

		for (size_t i = 0; i < n; i += 8)
			*(uint64_t *)(d + i) = v;
		return dst;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = (unsigned char)c;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
