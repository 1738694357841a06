/* SPDX-License-Identifier: BSD-3-Clause */
/* Example 7: a ring buffer mirrored at its end with two DMA mappings. */
#include <string.h>
#include "example_env.h"

#define PAGES 4

int main(void)
{
	struct uk_vas *vas;
	__paddr_t paddr;
	__vaddr_t vaddr = __VADDR_ANY, base;
	char buf[6] = {0};
	int rc;

	example_boot();
	vas = uk_vas_get_active();
	/* Reserve both halves first so that no one takes the second. */
	rc = uk_vma_reserve(vas, &vaddr, 2 * PAGE_SIZE * PAGES);
	example_show("reserve 2 x 16K", rc);
	base = vaddr;
	paddr = uk_falloc(vas->pt->fa, PAGES);
	rc = uk_vma_map_dma(vas, &vaddr, PAGE_SIZE * PAGES, PAGE_ATTR_PROT_RW,
			    UK_VMA_MAP_POPULATE | UK_VMA_MAP_REPLACE, NULL,
			    paddr);
	example_show("map the buffer", rc);
	vaddr += PAGE_SIZE * PAGES;
	rc = uk_vma_map_dma(vas, &vaddr, PAGE_SIZE * PAGES, PAGE_ATTR_PROT_RW,
			    UK_VMA_MAP_POPULATE | UK_VMA_MAP_REPLACE, NULL,
			    paddr);
	example_show("map its mirror", rc);
	/* A write across the end continues at the start. */
	uk_vas_write(vas, base + PAGE_SIZE * PAGES - 3, "ring!", 5);
	uk_vas_read(vas, base, buf, 2);
	rc = memcmp(buf, "g!", 2) ? -1 : 0;
	example_show("write across the end wraps to the start", rc);
	uk_vma_unmap(vas, base, 2 * PAGE_SIZE * PAGES, 0);
	uk_ffree(vas->pt->fa, paddr, PAGES);
	example_shutdown();
	return 0;
}
