/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The core's own snprintf for validator messages and dumps (stdio is not
 * freestanding). Conversions: %d %i %u %x %X %c %s %p %%, length l, ll, z,
 * flags '#' '0' '-', a decimal field width. Like snprintf: writes at most
 * @len bytes including the terminating NUL (nothing when @len is 0) and
 * returns the length the whole output has. An unknown conversion is copied
 * as is.
 */
#ifndef UK_LIB_FMT_H
#define UK_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

int uk_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int
uk_snprintf(char *buf, size_t len, const char *fmt, ...);

#endif /* UK_LIB_FMT_H */
