/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLB maintenance of the VAS half (karch.h).
 *
 * Shootdown is broadcast TLB invalidation, not IPIs: TLBI ...IS reaches
 * every CPU in the inner-shareable domain and the DSB ISH after it waits
 * until all of them have completed it, which is the "returns only after
 * every CPU has dropped the translation" of ukplat_tlb_flush. Sequence,
 * for both the broadcast and the local form:
 *   1. DSB ISHST: the caller's PTE stores (cleared or downgraded entries)
 *      are visible to every table walker before any invalidation, so no
 *      walker can refill the old entry after its TLBI;
 *   2. TLBI per 4 KiB page of the range, or by ASID for a long range.
 *      VALE1 (last level only) when no table was unlinked; VAE1 (every
 *      level: walk caches too) with UK_TLB_FLUSH_TABLES. TLBI by ASID
 *      drops all levels;
 *   3. DSB ISH (local: NSH): the invalidations are complete;
 *   4. ISB: this CPU's later instructions use the new translations.
 * The range is walked in 4 KiB steps whatever @level says: @level is the
 * largest leaf, smaller leaves may sit at any 4 KiB address of the range.
 */
#include <karch.h>
#include <uk/plat.h>
#include "arm64.h"
#include "kernel.h" /* per-CPU statistics */

#define KARM_TLBI_MAX_PAGES 32 /* above: TLBI by ASID */

static uint64_t tlbi_arg(__vaddr_t va)
{
	return KARM_VAS_ASID << 48 | ((va >> 12) & ((1UL << 44) - 1));
}

#define TLBI_RANGE(op_page, op_all, start, len)                               \
	do {                                                                  \
		if ((len) >> 12 > KARM_TLBI_MAX_PAGES) {                      \
			__asm__ volatile("tlbi " op_all ", %0" ::"r"(         \
						 KARM_VAS_ASID << 48)         \
					 : "memory");                         \
			break;                                                \
		}                                                             \
		for (__vaddr_t va = (start); va < (start) + (len);            \
		     va += 4096)                                              \
			__asm__ volatile("tlbi " op_page ", %0" ::"r"(        \
						 tlbi_arg(va))                \
					 : "memory");                         \
	} while (0)

void karch_tlb_flush_local(__vaddr_t start, __sz len, unsigned int level,
			   unsigned int flags)
{
	(void)level;
	__asm__ volatile("dsb ishst" ::: "memory");
	if (flags & UK_TLB_FLUSH_TABLES)
		TLBI_RANGE("vae1", "aside1", start, len);
	else
		TLBI_RANGE("vale1", "aside1", start, len);
	__asm__ volatile("dsb nsh\n\tisb" ::: "memory");
}

void karch_tlb_shootdown(const struct uk_tlb_flush_req *req)
{
	kthis_cpu()->shootdowns_sent++; /* broadcast: no IPI, none taken */
	__asm__ volatile("dsb ishst" ::: "memory");
	if (req->flags & UK_TLB_FLUSH_TABLES)
		TLBI_RANGE("vae1is", "aside1is", req->start, req->len);
	else
		TLBI_RANGE("vale1is", "aside1is", req->start, req->len);
	__asm__ volatile("dsb ish\n\tisb" ::: "memory");
}

