/* SPDX-License-Identifier: BSD-3-Clause */
/* Unikraft code reads its CONFIG_* names from here: ukvmem's (fixed) ones. */
#include <uk/vmem_config.h>
