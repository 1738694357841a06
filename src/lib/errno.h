/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The errno values the core returns (negated). errno.h is not one of the
 * freestanding headers, so a freestanding build gets Linux's values here
 * (Unikraft's are the same); a hosted build takes the C library's, so that
 * callers compare against the same numbers they know.
 */
#ifndef UK_LIB_ERRNO_H
#define UK_LIB_ERRNO_H

#if __STDC_HOSTED__
#include <errno.h>
#else
#define EPERM 1
#define ENOENT 2
#define EBADF 9
#define EBUSY 16
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EEXIST 17
#define EINVAL 22
#define EOPNOTSUPP 95
#define EUCLEAN 117
#endif

#endif /* UK_LIB_ERRNO_H */
