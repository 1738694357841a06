/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software MMU over the VAS page table.
 *
 * Each access is split at leaf boundaries. Per piece: in an RCU read
 * section, walk the table (acquire loads of each entry, pairing with the
 * installing CAS), check the leaf's rights, copy through the direct map,
 * leave the section. A frame seen in the walk cannot be freed and reused
 * before the section ends: removers exchange the leaf out and free the
 * frame only after a grace period. When the leaf is missing or lacks
 * rights, the fault handler runs outside the read section (it may wait on
 * the VAS lock for a PENDING VMA) and the piece is retried.
 */
#include "lib/string.h"
#include <uk/mmu.h>
#include "vas_internal.h"

/* The switch is a per-context word (plat.h): non-NULL means off. */
void uk_vas_paging_disable(void)
{
	ukplat_ctx_set(UKPLAT_CTX_PAGING_OFF, (void *)1);
}

void uk_vas_paging_enable(void)
{
	ukplat_ctx_set(UKPLAT_CTX_PAGING_OFF, NULL);
}

bool uk_vas_paging_enabled(void)
{
	return ukplat_ctx_get(UKPLAT_CTX_PAGING_OFF) == NULL;
}

enum mmu_op { MMU_READ, MMU_WRITE, MMU_PROBE_R, MMU_PROBE_RW };

static unsigned long op_prot(enum mmu_op op, unsigned int type)
{
	if (op == MMU_WRITE || op == MMU_PROBE_RW)
		return PAGE_ATTR_PROT_READ | PAGE_ATTR_PROT_WRITE;
	return type == UK_VMA_FAULT_EXEC ? PAGE_ATTR_PROT_EXEC
					 : PAGE_ATTR_PROT_READ;
}

/* Word-atomic copies: aligned 8-byte words, single bytes elsewhere. */
static void copy_from_frame(void *dst, const char *src, __sz n)
{
	char *d = dst;
	__sz i = 0;

	for (; i < n && ((uintptr_t)(src + i) & 7); i++)
		d[i] = __atomic_load_n(src + i, __ATOMIC_RELAXED);
	for (; i + 8 <= n; i += 8) {
		uint64_t w = __atomic_load_n((const uint64_t *)(src + i),
					     __ATOMIC_RELAXED);
		memcpy(d + i, &w, 8);
	}
	for (; i < n; i++)
		d[i] = __atomic_load_n(src + i, __ATOMIC_RELAXED);
}

static void copy_to_frame(char *dst, const void *src, __sz n)
{
	const char *s = src;
	__sz i = 0;

	for (; i < n && ((uintptr_t)(dst + i) & 7); i++)
		__atomic_store_n(dst + i, s[i], __ATOMIC_RELAXED);
	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		__atomic_store_n((uint64_t *)(dst + i), w, __ATOMIC_RELAXED);
	}
	for (; i < n; i++)
		__atomic_store_n(dst + i, s[i], __ATOMIC_RELAXED);
}

/* One piece inside one leaf; returns bytes done, 0 when it must fault. */
static __sz access_piece(struct uk_vas *vas, __vaddr_t va, char *buf,
			 __sz len, enum mmu_op op, unsigned long prot)
{
	unsigned int level;
	__pte_t pte;
	__sz off, n = 0;
	char *host;

	uk_rcu_read_lock();
	if (ukplat_pt_lookup(vas->pt, va, &level, &pte) == 0 &&
	    (ukplat_pte_attr(pte) & prot) == prot) {
		off = va & (PAGE_Lx_SIZE(level) - 1);
		n = PAGE_Lx_SIZE(level) - off;
		if (n > len)
			n = len;
		host = (char *)ukplat_page_kptr(vas->pt,
						ukplat_pte_paddr(pte, level),
						1, 0) + off;
		if (op == MMU_READ)
			copy_from_frame(buf, host, n);
		else if (op == MMU_WRITE)
			copy_to_frame(host, buf, n);
		else if (op == MMU_PROBE_RW)
			__atomic_fetch_or(host, 0, __ATOMIC_RELAXED);
	}
	uk_rcu_read_unlock();
	return n;
}

static __sz mmu_access(struct uk_vas *vas, __vaddr_t vaddr, char *buf,
		       __sz len, enum mmu_op op, unsigned int type,
		       bool paging)
{
	unsigned long prot = op_prot(op, type);
	__sz done = 0, n;

	if (!vas || vaddr + len < vaddr)
		return 0;
	while (done < len) {
		n = access_piece(vas, vaddr + done, buf ? buf + done : NULL,
				 len - done, op, prot);
		if (n) {
			done += n;
			continue;
		}
		if (!paging || uk_vas_fault(vas, vaddr + done, type))
			break;
	}
	return done;
}

__sz uk_vas_read(struct uk_vas *vas, __vaddr_t vaddr, void *buf, __sz len)
{
	return mmu_access(vas, vaddr, buf, len, MMU_READ, UK_VMA_FAULT_READ,
			  uk_vas_paging_enabled());
}

__sz uk_vas_write(struct uk_vas *vas, __vaddr_t vaddr, const void *buf,
		  __sz len)
{
	/* The buffer is only read; the cast serves the shared helper. */
	return mmu_access(vas, vaddr, (char *)(uintptr_t)buf, len, MMU_WRITE,
			  UK_VMA_FAULT_WRITE, uk_vas_paging_enabled());
}

__sz uk_vas_fetch(struct uk_vas *vas, __vaddr_t vaddr, void *buf, __sz len)
{
	return mmu_access(vas, vaddr, buf, len, MMU_READ, UK_VMA_FAULT_EXEC,
			  uk_vas_paging_enabled());
}

int uk_vas_translate(struct uk_vas *vas, __vaddr_t vaddr, unsigned int access,
		     __paddr_t *paddr)
{
	unsigned long prot = op_prot(access == UK_VMA_FAULT_WRITE ? MMU_WRITE
								  : MMU_READ,
				     access);
	unsigned int level;
	__pte_t pte;
	int rc = -EFAULT;

	uk_rcu_read_lock();
	if (ukplat_pt_lookup(vas->pt, vaddr, &level, &pte) == 0 &&
	    (ukplat_pte_attr(pte) & prot) == prot) {
		*paddr = ukplat_pte_paddr(pte, level) +
			 (vaddr & (PAGE_Lx_SIZE(level) - 1));
		rc = 0;
	}
	uk_rcu_read_unlock();
	return rc;
}

/*
 * A nofault probe. Without UK_NOFAULTF_CONTINUE: the accessible prefix.
 * With it: an inaccessible byte costs the rest of its 4 KiB page, which is
 * skipped, and the accessible bytes of the whole range are summed.
 */
static __sz probe(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		  enum mmu_op op, unsigned int type, unsigned long flags)
{
	bool paging = !(flags & UK_NOFAULTF_NOPAGING) &&
		      uk_vas_paging_enabled();
	__sz done = 0, ok = 0, n, skip;

	if (!vas || vaddr + len < vaddr)
		return 0;
	while (done < len) {
		n = mmu_access(vas, vaddr + done, NULL, len - done, op, type,
			       paging);
		ok += n;
		done += n;
		if (done == len || !(flags & UK_NOFAULTF_CONTINUE))
			break;
		skip = PAGE_SIZE - ((vaddr + done) & (PAGE_SIZE - 1));
		done += skip < len - done ? skip : len - done;
	}
	return ok;
}

__sz uk_vas_probe_r(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		    unsigned long flags)
{
	return probe(vas, vaddr, len, MMU_PROBE_R, UK_VMA_FAULT_READ, flags);
}

__sz uk_vas_probe_rw(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		     unsigned long flags)
{
	return probe(vas, vaddr, len, MMU_PROBE_RW, UK_VMA_FAULT_WRITE, flags);
}

__sz uk_nofault_probe_r(__vaddr_t vaddr, __sz len, unsigned long flags)
{
	return uk_vas_probe_r(uk_vas_get_active(), vaddr, len, flags);
}

__sz uk_nofault_probe_rw(__vaddr_t vaddr, __sz len, unsigned long flags)
{
	return uk_vas_probe_rw(uk_vas_get_active(), vaddr, len, flags);
}
