/* SPDX-License-Identifier: BSD-3-Clause */
/* Example 3: anonymous memory in 2 MiB pages. */
#include "example_env.h"

#define SIZE (2 * PAGE_LARGE_SIZE)

int main(void)
{
	__vaddr_t vaddr = __VADDR_ANY;
	int rc;

	example_boot();
	rc = uk_vma_map_anon(uk_vas_get_active(), &vaddr, SIZE,
			     PAGE_ATTR_PROT_RW, UK_VMA_MAP_SIZE_2MB, NULL);
	example_show("map anon 4M in 2M pages", rc);
	rc = uk_vas_write(uk_vas_get_active(), vaddr, "x", 1) == 1 ? 0 : -1;
	example_show("touch the first page (one 2M frame)", rc);
	example_shutdown();
	return 0;
}
