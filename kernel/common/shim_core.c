/* SPDX-License-Identifier: BSD-3-Clause */
/* TEMPORARY: the core still calls assert(3) until branch `core` lands. */
#include "kernel.h"

_Noreturn void __assert_fail(const char *expr, const char *file,
			     unsigned int line, const char *func);
_Noreturn void __assert_fail(const char *expr, const char *file,
			     unsigned int line, const char *func)
{
	kpanic("assert %s (%s:%u %s)", expr, file, line, func);
}

/* TEMPORARY: __builtin_popcountl without -mpopcnt (until `core` lands). */
int __popcountdi2(long v);
int __popcountdi2(long v)
{
	unsigned long x = (unsigned long)v;
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}
int puts(const char *s);
int puts(const char *s)
{
	kprintf("%s\n", s);
	return 0;
}
