/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sorting without the C library: heapsort of unsigned longs, in place,
 * O(n log n) comparisons whatever the input, no recursion, no memory.
 */
#ifndef UK_LIB_SORT_H
#define UK_LIB_SORT_H

#include <stddef.h>

/* Move a[i] down until the subtree at i (of the first n) is a max-heap. */
static inline void uk_sift_down(unsigned long *a, size_t i, size_t n)
{
	unsigned long v = a[i];
	size_t c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && a[c + 1] > a[c])
			c++;
		if (a[c] <= v)
			break;
		a[i] = a[c];
		i = c;
	}
	a[i] = v;
}

/* Sort a[0 .. n) ascending. */
static inline void uk_sort_ulong(unsigned long *a, size_t n)
{
	size_t i;
	unsigned long t;

	for (i = n / 2; i-- > 0;)
		uk_sift_down(a, i, n);
	for (i = n; i-- > 1;) {
		t = a[0];
		a[0] = a[i];
		a[i] = t;
		uk_sift_down(a, 0, i);
	}
}

#endif /* UK_LIB_SORT_H */
