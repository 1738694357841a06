/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host only: uk_vas_print, the dump written to a stdio stream, with shared
 * file mappings (a host-only VMA type) marked 's'.
 */
#include <stdio.h>
#include <uk/host.h>
#include "vas_internal.h"

static char file_mark(const struct uk_vma *vma)
{
	return vma->ops == &uk_vma_file_ops &&
			       (vma->flags & UK_VMA_FILE_SHARED)
		       ? 's'
		       : 'p';
}

static void put_stream(void *arg, const char *str)
{
	fputs(str, arg);
}

void uk_vas_print(struct uk_vas *vas, FILE *out)
{
	vas_dump(vas, file_mark, put_stream, out);
}
