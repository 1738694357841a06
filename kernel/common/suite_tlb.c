/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stale TLB entries. Each round every CPU first uses the translations (so
 * its TLB caches them: a 4 KiB page a, a writable page b, a 2 MiB page h),
 * then the boot CPU changes one mapping and every other CPU uses the
 * address again, expecting the new state:
 *   unmap a            the read must fault (-EFAULT through the fixup);
 *   REPLACE a          the read must see the new page's value;
 *   DONTNEED a         the read must see a fresh zero page;
 *   set_attr b RO      the write must fault;
 *   REPLACE h (2 MiB)  the read must see the new large page's value.
 * A CPU that still used its cached entry would read the old frame or write
 * a read-only page. ukvmem calls the TLB hook before any of these returns,
 * and the kernel's hook shoots down every CPU's entry: the checks pass. The
 * negative-control kernel (-DKERNEL_NO_SHOOTDOWN) flushes only the calling
 * CPU, so on two or more CPUs these checks fail: that build must FAIL.
 */
#include "ksuite.h"

static __vaddr_t a, b, h;

/* Tags: a holds TAG_A of the round, h TAG_H; the changes write TAG_NEW. */
#define TAG_A(r) ktag(0, 1, r)
#define TAG_NEW(r) ktag(0, 2, r)
#define TAG_H(r) ktag(0, 3, r)

static void setup(void)
{
	a = ksuite_map_anon(PAGE_SIZE, PAGE_ATTR_PROT_RW, 0, "tlb-a");
	b = ksuite_map_anon(PAGE_SIZE, PAGE_ATTR_PROT_RW, 0, "tlb-b");
	h = ksuite_map_anon(PAGE_LARGE_SIZE, PAGE_ATTR_PROT_RW,
			    UK_VMA_MAP_SIZE_2MB, "tlb-h");
}

enum op { OP_UNMAP, OP_REPLACE, OP_DONTNEED, OP_RDONLY, OP_HUGE, OP_NR };

/* A new anonymous VMA over @va (REPLACE) holding @tag in its first word. */
static int replace(__vaddr_t va, __sz len, unsigned long flags, uint64_t tag)
{
	int rc = uk_vma_map_anon(&kvas, &va, len, PAGE_ATTR_PROT_RW,
				 UK_VMA_MAP_REPLACE | flags, "tlb-new");

	return rc ? rc : karch_probe_write(va, tag);
}

static void change(enum op op, unsigned long r)
{
	int rc = 0;

	switch (op) {
	case OP_UNMAP:
		rc = uk_vma_unmap(&kvas, a, PAGE_SIZE, 0);
		break;
	case OP_REPLACE:
		rc = replace(a, PAGE_SIZE, 0, TAG_NEW(r));
		break;
	case OP_DONTNEED:
		rc = uk_vma_advise(&kvas, a, PAGE_SIZE, UK_VMA_ADV_DONTNEED, 0);
		break;
	case OP_RDONLY:
		rc = uk_vma_set_attr(&kvas, b, PAGE_SIZE, PAGE_ATTR_PROT_READ, 0);
		break;
	case OP_HUGE:
		rc = replace(h, PAGE_LARGE_SIZE, UK_VMA_MAP_SIZE_2MB, TAG_NEW(r));
		break;
	default:
		break;
	}
	KCHECK(rc == 0, "round %lu change %d: %d", r, op, rc);
}

/* Back to "a, b, h mapped read-write; a and h hold the next round's tags". */
static void restore(enum op op, unsigned long r)
{
	int rc = 0;

	if (op == OP_RDONLY)
		rc = uk_vma_set_attr(&kvas, b, PAGE_SIZE, PAGE_ATTR_PROT_RW, 0);
	if (!rc)
		rc = replace(a, PAGE_SIZE, 0, TAG_A(r + 1));
	if (!rc)
		rc = karch_probe_write(h, TAG_H(r + 1));
	KCHECK(rc == 0, "round %lu restore: %d", r, rc);
}

static void check(enum op op, unsigned long r, unsigned int cpu)
{
	uint64_t v = 0;
	int rc;

	switch (op) {
	case OP_UNMAP:
		rc = karch_probe_read(a, &v);
		KCHECK(rc == -EFAULT,
		       "stale TLB: read after unmap gave %d (value %lx)", rc,
		       (unsigned long)v);
		break;
	case OP_REPLACE:
	case OP_HUGE:
		rc = karch_probe_read(op == OP_HUGE ? h : a, &v);
		KCHECK(rc == 0 && v == TAG_NEW(r),
		       "stale TLB: read after REPLACE (%s) gave %d value %lx, want %lx",
		       op == OP_HUGE ? "2 MiB" : "4 KiB", rc, (unsigned long)v,
		       (unsigned long)TAG_NEW(r));
		break;
	case OP_DONTNEED:
		rc = karch_probe_read(a, &v);
		KCHECK(rc == 0 && v == 0,
		       "stale TLB: read after DONTNEED gave %d value %lx", rc,
		       (unsigned long)v);
		break;
	case OP_RDONLY:
		rc = karch_probe_write(b + cpu * 8, 2);
		KCHECK(rc == -EFAULT,
		       "stale TLB: write after set_attr RO gave %d", rc);
		break;
	default:
		break;
	}
}

/* Every CPU caches the three translations, b writable. */
static void use_all(unsigned long r, unsigned int cpu)
{
	uint64_t v;
	int rc;

	rc = karch_probe_read(a, &v);
	KCHECK(rc == 0 && v == TAG_A(r), "round %lu: read a gave %d value %lx",
	       r, rc, (unsigned long)v);
	rc = karch_probe_read(h, &v);
	KCHECK(rc == 0 && v == TAG_H(r), "round %lu: read h gave %d value %lx",
	       r, rc, (unsigned long)v);
	rc = karch_probe_write(b + cpu * 8, 1);
	KCHECK(rc == 0, "round %lu: write b: %d", r, rc);
}

static void run(unsigned int cpu)
{
	unsigned int rounds = ksuite_rounds(60);

	if (cpu == 0)
		KCHECK(karch_probe_write(a, TAG_A(0)) == 0 &&
			       karch_probe_write(h, TAG_H(0)) == 0,
		       "first writes");
	kbarrier();
	for (unsigned long r = 0; r < rounds; r++) {
		enum op op = (enum op)(r % OP_NR);

		use_all(r, cpu);
		kbarrier();
		if (cpu == 0)
			change(op, r);
		kbarrier();
		if (cpu != 0)
			check(op, r, cpu);
		kbarrier();
		if (cpu == 0)
			restore(op, r);
		kbarrier();
	}
}

static void teardown(void)
{
	KCHECK(uk_vma_unmap(&kvas, a, PAGE_SIZE, 0) == 0, "unmap a");
	KCHECK(uk_vma_unmap(&kvas, b, PAGE_SIZE, 0) == 0, "unmap b");
	KCHECK(uk_vma_unmap(&kvas, h, PAGE_LARGE_SIZE, 0) == 0, "unmap h");
}

const struct ksuite ksuite_tlb = {
	.name = "tlb", .setup = setup, .run = run, .teardown = teardown};
