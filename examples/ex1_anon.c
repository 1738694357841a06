/* SPDX-License-Identifier: BSD-3-Clause */
/* Example 1: anonymous writable memory, paged in on access. */
#include "example_env.h"

#define SIZE (16 * PAGE_SIZE)

int main(void)
{
	__vaddr_t vaddr = __VADDR_ANY;
	int rc;

	example_boot();
	rc = uk_vma_map_anon(uk_vas_get_active(), &vaddr, SIZE,
			     PAGE_ATTR_PROT_RW, 0, NULL);
	example_show("map anon 64K", rc);
	rc = uk_vas_write(uk_vas_get_active(), vaddr + 5 * PAGE_SIZE, "hi", 3)
		     == 3 ? 0 : -1;
	example_show("write one page (demand paging)", rc);
	example_shutdown();
	return 0;
}
