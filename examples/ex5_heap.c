/* SPDX-License-Identifier: BSD-3-Clause */
/* Example 5: a heap growing and shrinking inside a 1 GiB reservation. */
#include "example_env.h"

#define HEAP_BASE 0x2000000000UL

int main(void)
{
	__vaddr_t vaddr = HEAP_BASE;
	int rc;

	example_boot();
	rc = uk_vma_reserve(uk_vas_get_active(), &vaddr, 0x40000000);
	example_show("reserve 1G", rc);
	vaddr = HEAP_BASE;
	rc = uk_vma_map_anon(uk_vas_get_active(), &vaddr, 0x100000,
			     PAGE_ATTR_PROT_RW, UK_VMA_MAP_REPLACE, "HEAP");
	example_show("initial 1M heap", rc);
	vaddr += 0x100000;
	rc = uk_vma_map_anon(uk_vas_get_active(), &vaddr, 0x200000,
			     PAGE_ATTR_PROT_RW, UK_VMA_MAP_REPLACE, "HEAP");
	example_show("grow by 2M", rc);
	vaddr += 0x100000;
	rc = uk_vma_reserve_ex(uk_vas_get_active(), &vaddr, 0x100000, 0,
			       UK_VMA_MAP_REPLACE, NULL);
	example_show("shrink by 1M", rc);
	example_shutdown();
	return 0;
}
