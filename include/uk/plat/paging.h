/* SPDX-License-Identifier: BSD-3-Clause */
/* Where Unikraft declares the page-table API (ukplat_pt_walk, kmap, ...). */
#include <uk/pagetable.h>
