/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stale TLB entries. Each round every CPU first uses a translation (so its
 * TLB caches it), then the boot CPU changes the mapping and every other
 * CPU uses the address again, expecting the new state:
 *   unmap           the read must fault (-EFAULT through the fixup);
 *   REPLACE         the read must see the new page's value;
 *   set_attr RO     the write must fault.
 * A CPU that still used its cached entry would read the old frame or write
 * a read-only page. ukvmem calls the TLB hook before any of these returns,
 * and the kernel's hook shoots down every CPU's entry: the checks pass. The
 * negative-control kernel (-DKERNEL_NO_SHOOTDOWN) flushes only the calling
 * CPU, so on two or more CPUs these checks fail: that build must FAIL.
 */
#include "ksuite.h"

static __vaddr_t a, b;

static void setup(void)
{
	a = ksuite_map_anon(PAGE_SIZE, PAGE_ATTR_PROT_RW, 0, "tlb-a");
	b = ksuite_map_anon(PAGE_SIZE, PAGE_ATTR_PROT_RW, 0, "tlb-b");
}

enum op { OP_UNMAP, OP_REPLACE, OP_RDONLY, OP_NR };

static void change(enum op op, unsigned long r)
{
	__vaddr_t va = a;
	int rc = 0;

	switch (op) {
	case OP_UNMAP:
		rc = uk_vma_unmap(&kvas, a, PAGE_SIZE, 0);
		break;
	case OP_REPLACE:
		rc = uk_vma_map_anon(&kvas, &va, PAGE_SIZE, PAGE_ATTR_PROT_RW,
				     UK_VMA_MAP_REPLACE, "tlb-a2");
		if (!rc)
			rc = karch_probe_write(a, ktag(0, 2, r));
		break;
	case OP_RDONLY:
		rc = uk_vma_set_attr(&kvas, b, PAGE_SIZE, PAGE_ATTR_PROT_READ, 0);
		break;
	default:
		break;
	}
	KCHECK(rc == 0, "round %lu change %d: %d", r, op, rc);
}

/* Back to "a and b mapped read-write, a holds the round's tag". */
static void restore(enum op op, unsigned long r)
{
	__vaddr_t va = a;
	int rc = 0;

	if (op == OP_RDONLY)
		rc = uk_vma_set_attr(&kvas, b, PAGE_SIZE, PAGE_ATTR_PROT_RW, 0);
	if (!rc)
		rc = uk_vma_map_anon(&kvas, &va, PAGE_SIZE, PAGE_ATTR_PROT_RW,
				     UK_VMA_MAP_REPLACE, "tlb-a");
	if (!rc)
		rc = karch_probe_write(a, ktag(0, 1, r + 1));
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
		rc = karch_probe_read(a, &v);
		KCHECK(rc == 0 && v == ktag(0, 2, r),
		       "stale TLB: read after REPLACE gave %d value %lx, want %lx",
		       rc, (unsigned long)v, (unsigned long)ktag(0, 2, r));
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

static void run(unsigned int cpu)
{
	unsigned int rounds = ksuite_rounds(60);
	uint64_t v;
	int rc;

	if (cpu == 0) {
		rc = karch_probe_write(a, ktag(0, 1, 0));
		KCHECK(rc == 0, "first write: %d", rc);
	}
	kbarrier();
	for (unsigned long r = 0; r < rounds; r++) {
		enum op op = (enum op)(r % OP_NR);

		/* Every CPU caches both translations, b writable. */
		rc = karch_probe_read(a, &v);
		KCHECK(rc == 0 && v == ktag(0, 1, r),
		       "round %lu: read gave %d value %lx", r, rc,
		       (unsigned long)v);
		rc = karch_probe_write(b + cpu * 8, 1);
		KCHECK(rc == 0, "round %lu: write b: %d", r, rc);
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
}

const struct ksuite ksuite_tlb = {
	.name = "tlb", .setup = setup, .run = run, .teardown = teardown};
