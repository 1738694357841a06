/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ukvmem as a benchmark design: every operation is the public API, called
 * exactly as a kernel would (uk_vas_fault from the trap handler, uk_vma_find
 * inside uk_rcu_read_lock). Nothing here adds work or skips any.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct bd_ukvmem {
	struct uk_pagetable pt;
	struct uk_vas vas;
};

const char *bench_ukvmem_name(void)
{
	return strcmp(uk_rcu_backend(), "ck_epoch") ? "ukvmem-urcu"
						     : "ukvmem-ck";
}

static void *u_create(void)
{
	struct bd_ukvmem *u = calloc(1, sizeof(*u));

	if (!u || ukplat_pt_init(&u->pt, benv.fa) ||
	    uk_vas_init(&u->vas, &u->pt, NULL))
		abort();
	return u;
}

static void u_destroy(void *d)
{
	struct bd_ukvmem *u = d;

	uk_vas_destroy(&u->vas);
	uk_rcu_barrier();
	ukplat_pt_destroy(&u->pt);
	free(u);
}

static int u_map(void *d, __vaddr_t va, __sz len, unsigned long attr,
		 enum bench_kind kind, __paddr_t paddr, bool populate)
{
	struct bd_ukvmem *u = d;
	unsigned long flags = populate ? UK_VMA_MAP_POPULATE : 0;

	switch (kind) {
	case BK_DMA:
		return uk_vma_map_dma(&u->vas, &va, len, attr, flags, NULL,
				      paddr);
	case BK_UNINIT:
		flags |= UK_VMA_MAP_UNINITIALIZED;
		/* fall through */
	default:
		return uk_vma_map_anon(&u->vas, &va, len, attr, flags, NULL);
	}
}

static int u_map_any(void *d, __vaddr_t *va, __sz len, unsigned long attr)
{
	*va = __VADDR_ANY;
	return uk_vma_map_anon(&((struct bd_ukvmem *)d)->vas, va, len, attr, 0,
			       NULL);
}

static int u_unmap(void *d, __vaddr_t va, __sz len)
{
	return uk_vma_unmap(&((struct bd_ukvmem *)d)->vas, va, len, 0);
}

static int u_set_attr(void *d, __vaddr_t va, __sz len, unsigned long attr)
{
	return uk_vma_set_attr(&((struct bd_ukvmem *)d)->vas, va, len, attr, 0);
}

static int u_dontneed(void *d, __vaddr_t va, __sz len)
{
	return uk_vma_advise(&((struct bd_ukvmem *)d)->vas, va, len,
			     UK_VMA_ADV_DONTNEED, 0);
}

static int u_fault(void *d, __vaddr_t va)
{
	return uk_vas_fault(&((struct bd_ukvmem *)d)->vas, va,
			    UK_VMA_FAULT_WRITE);
}

static bool u_lookup(void *d, __vaddr_t va)
{
	const struct uk_vma *v;

	uk_rcu_read_lock();
	v = uk_vma_find(&((struct bd_ukvmem *)d)->vas, va);
	uk_rcu_read_unlock();
	return v != NULL;
}

static int u_bulk(void *d, __vaddr_t base, long from, long to, long stride)
{
	struct bd_ukvmem *u = d;

	for (long i = from; i < to; i++) {
		__vaddr_t va = base + (__vaddr_t)(i * stride) * PAGE_SIZE;
		unsigned long attr = i % 2 ? PAGE_ATTR_PROT_READ
					   : PAGE_ATTR_PROT_RW;
		int rc = uk_vma_map_anon(&u->vas, &va, PAGE_SIZE, attr, 0,
					 NULL);

		if (rc)
			return rc;
	}
	return 0;
}

static struct uk_pagetable *u_pt(void *d)
{
	return &((struct bd_ukvmem *)d)->pt;
}

const struct bench_design bench_ukvmem = {
	.name = "ukvmem",
	.create = u_create,
	.destroy = u_destroy,
	.map = u_map,
	.map_any = u_map_any,
	.unmap = u_unmap,
	.set_attr = u_set_attr,
	.dontneed = u_dontneed,
	.fault = u_fault,
	.lookup = u_lookup,
	.bulk = u_bulk,
	.pt = u_pt,
};
