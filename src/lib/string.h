/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory and string helpers of the core. memcpy, memset and memmove are the
 * only functions the core takes from outside the platform contract (every
 * freestanding C compiler may emit calls to them anyway); they are declared
 * here with their standard prototypes instead of through string.h, which a
 * freestanding build does not have. Everything else is plain code.
 */
#ifndef UK_LIB_STRING_H
#define UK_LIB_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);

static inline size_t uk_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* <0, 0 or >0 like strcmp (bytes compared as unsigned char). */
static inline int uk_strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return (int)*x - (int)*y;
}

#endif /* UK_LIB_STRING_H */
