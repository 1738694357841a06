/* SPDX-License-Identifier: BSD-3-Clause */
/* Example 4: a fixed VMA describing an existing mapping (an initrd). */
#include "example_env.h"

#define INITRD_BASE 0x800000000UL
#define INITRD_SIZE (64 * PAGE_SIZE)

int main(void)
{
	__vaddr_t vaddr = INITRD_BASE;
	int rc;

	example_boot();
	rc = uk_vma_reserve_ex(uk_vas_get_active(), &vaddr, INITRD_SIZE,
			       PAGE_ATTR_PROT_READ, 0, ".initrd");
	example_show("reserve .initrd", rc);
	rc = uk_vas_probe_r(uk_vas_get_active(), INITRD_BASE, 1, 0) == 0
		     ? 0 : -1;
	example_show("a reservation is never paged in", rc);
	example_shutdown();
	return 0;
}
