/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x86_64 MMU services: the direct map, VAS roots in CR3, local TLB flushes.
 * The VAS root is ukvmem's table page; its upper half (PML4 entries
 * 256..511) is a copy of the kernel's, so every CR3 a CPU loads maps the
 * kernel identically. ukvmem writes only entries 0..255.
 */
#include <karch.h>
#include <uk/plat.h>
#include "x86.h"

void *karch_phys_to_virt(__paddr_t paddr)
{
	return (void *)(uintptr_t)(DIRECT_MAP + paddr);
}

__paddr_t karch_virt_to_phys(const void *vaddr)
{
	uintptr_t v = (uintptr_t)vaddr;

	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - DIRECT_MAP;
}

void karch_vas_prepare_root(void *root_va)
{
	uint64_t *root = root_va;

	for (unsigned int i = 256; i < 512; i++)
		root[i] = boot_pml4[i];
}

void karch_vas_load(__paddr_t root)
{
	write_cr3(root);
}

void karch_vas_unload(void)
{
	write_cr3(V2P_IMAGE(boot_pml4));
}

/* Beyond this many pages one CR3 reload is cheaper than invlpg each. */
#define INVLPG_MAX_PAGES 32

/*
 * invlpg drops the 4 KiB or large entry that maps the address and, on
 * Intel and AMD alike, every paging-structure cache entry of the current
 * PCID, so UK_TLB_FLUSH_TABLES needs nothing more. A range whose largest
 * leaf is 2 MiB may still hold 4 KiB leaves, so the stride is 4 KiB.
 */
void karch_tlb_flush_local(__vaddr_t start, __sz len, unsigned int level,
			   unsigned int flags)
{
	(void)level;
	(void)flags;
	if (len / PAGE_SIZE > INVLPG_MAX_PAGES) {
		write_cr3(read_cr3());
		return;
	}
	for (__vaddr_t va = start; va - start < len; va += PAGE_SIZE)
		__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

void karch_tlb_shootdown(const struct uk_tlb_flush_req *req)
{
	kshootdown_by_ipi(req);
}
