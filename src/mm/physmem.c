/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simulated physical memory.
 *
 * Design
 *   One anonymous private mapping of the whole size, reserved with
 *   MAP_NORESERVE so that the host backs it lazily: a 8 GiB "machine" costs
 *   only the pages somebody actually touches. Physical address p maps to
 *   host address host + (p - base); base is UK_PHYSMEM_BASE (1 GiB, never 0,
 *   and 1 GiB aligned so frame numbers keep their natural alignment up to
 *   1 GiB and beyond: see buddy.c).
 *
 * Invariants
 *   - base + size <= UK_PHYSMEM_MAX_END, size is a non-zero multiple of
 *     PAGE_SIZE, host != NULL while initialised.
 *
 * Locking
 *   None: the structure is immutable between init and destroy. Discarding
 *   a range is the business of whoever owns its frames.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <uk/host.h>

/* Physical addresses stay below 2^48 (the arm64 and x86_64 output
 * address width our PTE formats both hold). */
#define UK_PHYSMEM_MAX_END (1UL << 48)

_Static_assert((UK_PHYSMEM_BASE & (PAGE_HUGE_SIZE - 1)) == 0,
	       "physical base must be 1 GiB aligned");
_Static_assert(UK_PHYSMEM_BASE != 0, "physical address 0 is never valid");

int uk_physmem_init(struct uk_physmem *pm, __sz size)
{
	void *host;

	if (size == 0)
		size = UK_PHYSMEM_DEFAULT_SIZE;
	if (size > UK_PHYSMEM_MAX_END - UK_PHYSMEM_BASE)
		return -EINVAL;
	size = PAGE_ALIGN_UP(size);

	host = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (host == MAP_FAILED)
		return -ENOMEM;

	pm->base = UK_PHYSMEM_BASE;
	pm->size = size;
	pm->host = host;
	return 0;
}

void uk_physmem_destroy(struct uk_physmem *pm)
{
	if (pm->host)
		munmap(pm->host, pm->size);
	memset(pm, 0, sizeof(*pm));
}

void uk_physmem_discard(struct uk_physmem *pm, __paddr_t paddr, __sz len)
{
	__paddr_t end;

	/* Only whole pages can be given back; shrink to the pages inside. */
	end = PAGE_ALIGN_DOWN(paddr + len);
	paddr = PAGE_ALIGN_UP(paddr);
	if (end <= paddr || !uk_physmem_contains(pm, paddr, end - paddr))
		return;
	madvise(uk_physmem_kmap(pm, paddr), end - paddr, MADV_DONTNEED);
}
