/* SPDX-License-Identifier: BSD-3-Clause */
/* Example 2: map an existing physical range (device memory), populated. */
#include "example_env.h"

#define SIZE (8 * PAGE_SIZE)

int main(void)
{
	__vaddr_t vaddr = __VADDR_ANY;
	__paddr_t paddr;
	int rc;

	example_boot();
	paddr = uk_falloc(uk_vas_get_active()->pt->fa, SIZE / PAGE_SIZE);
	rc = uk_vma_map_dma(uk_vas_get_active(), &vaddr, SIZE,
			    PAGE_ATTR_PROT_RW, UK_VMA_MAP_POPULATE, NULL,
			    paddr);
	example_show("map dma 32K populated", rc);
	rc = uk_vma_unmap(uk_vas_get_active(), vaddr, SIZE, 0);
	example_show("unmap (frames stay with their owner)", rc);
	uk_ffree(uk_vas_get_active()->pt->fa, paddr, SIZE / PAGE_SIZE);
	example_shutdown();
	return 0;
}
