/* SPDX-License-Identifier: BSD-3-Clause */
/* Example 6: release a heap's physical memory, keep the VMA. */
#include <string.h>
#include "example_env.h"

#define HEAP_BASE 0x2000000000UL

int main(void)
{
	__vaddr_t vaddr = HEAP_BASE;
	char zero[8] = {0}, buf[8];
	int rc;

	example_boot();
	rc = uk_vma_map_anon(uk_vas_get_active(), &vaddr, 0x300000,
			     PAGE_ATTR_PROT_RW, UK_VMA_MAP_POPULATE, "HEAP");
	example_show("map 3M heap, populated", rc);
	vaddr = HEAP_BASE + 0x200000;
	rc = uk_vma_advise(uk_vas_get_active(), vaddr, 0x100000,
			   UK_VMA_ADV_DONTNEED, 0);
	example_show("DONTNEED the last 1M", rc);
	rc = uk_vas_read(uk_vas_get_active(), vaddr, buf, 8) == 8 &&
			     !memcmp(buf, zero, 8) ? 0 : -1;
	example_show("read it again: a fresh zero page", rc);
	example_shutdown();
	return 0;
}
