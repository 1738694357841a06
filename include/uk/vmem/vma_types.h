/* SPDX-License-Identifier: BSD-3-Clause */
/* Where newer Unikraft keeps the VMA types. */
#include <uk/vma_types.h>
