/* SPDX-License-Identifier: BSD-3-Clause */
/* Where newer Unikraft keeps the default VMA hooks. */
#include <uk/vma_ops.h>
