/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Regression test (found by the model driver, seed 3): vmem.h promises
 * that uk_vma_advise, like every call that changes the VAS, is all or
 * nothing. DONTNEED over [anon][stack] must return -EPERM (stacks keep
 * their frames) and leave the anonymous pages before the stack in place.
 * src/vas/advise.c asks every VMA's type before it drops anything.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <uk/vma_types.h>
#include <uk/mmu.h>
#include <uk/physmem.h>
#include <uk/falloc.h>
#include <uk/host.h>

int main(void)
{
	struct uk_physmem pm;
	struct uk_falloc *fa;
	struct uk_pagetable pt;
	struct uk_vas vas;
	__vaddr_t anon = UK_VAS_VMA_BASE, stack;
	char buf[6] = {0};
	int rc;

	if (uk_physmem_init(&pm, 64UL << 20) || uk_falloc_create(&fa, &pm) ||
	    ukplat_pt_init(&pt, fa) || uk_vas_init(&vas, &pt, NULL))
		return 2;
	if (uk_vma_map_anon(&vas, &anon, PAGE_SIZE, PAGE_ATTR_PROT_RW, 0,
			    "a") ||
	    uk_vas_write(&vas, anon, "hello", 6) != 6)
		return 2;
	/* The stack VMA (bottom guard included) starts right after. */
	stack = anon + PAGE_SIZE;
	if (uk_vma_map_stack(&vas, &stack, 4 * PAGE_SIZE, 0, "s", 0))
		return 2;
	rc = uk_vma_advise(&vas, anon, 2 * PAGE_SIZE, UK_VMA_ADV_DONTNEED, 0);
	uk_vas_read(&vas, anon, buf, 6);
	printf("advise DONTNEED over [anon][stack] = %d; anon reads \"%s\"\n",
	       rc, buf);
	uk_vas_destroy(&vas);
	uk_rcu_barrier();
	ukplat_pt_destroy(&pt);
	uk_falloc_destroy(fa);
	uk_physmem_destroy(&pm);
	if (rc == -EPERM && strcmp(buf, "hello") != 0) {
		printf("BUG: failed advise dropped the anonymous page\n");
		return 1;
	}
	return 0;
}
