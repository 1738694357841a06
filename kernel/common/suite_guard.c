/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Faults ukvmem must refuse, and the handler's recovery: every CPU touches
 * stack guard pages, a reservation, a PROT_NONE mapping, a hole, writes a
 * read-only page and executes a no-exec page. Each access must come back
 * -EFAULT through the exception table (the CPU carries on), while the
 * allowed accesses next to them (the stack itself, reading the read-only
 * page, executing an executable page) succeed.
 */
#include "ksuite.h"

#define STACK_LEN (4 * PAGE_SIZE)

static __vaddr_t stack, rsvd, none, ro, rw, rwx, hole, irqoff;

static void setup(void)
{
	uint64_t ret = 0;
	int rc;

	stack = __VADDR_ANY;
	rc = uk_vma_map_stack(&kvas, &stack, STACK_LEN, 0, "stack", PAGE_SIZE);
	KCHECK(rc == 0, "map stack: %d", rc);
	rsvd = __VADDR_ANY;
	rc = uk_vma_reserve(&kvas, &rsvd, 4 * PAGE_SIZE);
	KCHECK(rc == 0, "reserve: %d", rc);
	none = ksuite_map_anon(PAGE_SIZE, PAGE_ATTR_PROT_NONE, 0, "none");
	ro = ksuite_map_anon(PAGE_SIZE, PAGE_ATTR_PROT_READ, 0, "ro");
	rw = ksuite_map_anon(PAGE_SIZE, PAGE_ATTR_PROT_RW, 0, "rw");
	irqoff = ksuite_map_anon(KMAX_CPUS * PAGE_SIZE, PAGE_ATTR_PROT_RW, 0,
				 "irqoff");
	rwx = ksuite_map_anon(PAGE_SIZE, PAGE_ATTR_PROT_RWX, 0, "rwx");
	/* A hole: map and unmap a page; nothing maps it afterwards. */
	hole = ksuite_map_anon(PAGE_SIZE, PAGE_ATTR_PROT_RW, 0, "hole");
	rc = uk_vma_unmap(&kvas, hole, PAGE_SIZE, 0);
	KCHECK(rc == 0, "unmap hole: %d", rc);
	__builtin_memcpy(&ret, karch_ret_insn, karch_ret_insn_len);
	rc = karch_probe_write(rwx, ret);
	KCHECK(rc == 0, "write the return instruction: %d", rc);
	/* Then read + exec only: arm64 never lets EL1 fetch from a page
	 * EL0 may write (the library's leaves are EL0 pages), so a fetch
	 * from an RWX page keeps faulting there (x86_64 would not mind). */
	rc = uk_vma_set_attr(&kvas, rwx, PAGE_SIZE,
			     PAGE_ATTR_PROT_READ | PAGE_ATTR_PROT_EXEC, 0);
	KCHECK(rc == 0, "set_attr RX: %d", rc);
}

static void expect(const char *what, int rc, int want)
{
	KCHECK(rc == want, "%s: %d, expected %d", what, rc, want);
}

/* A fault with interrupts disabled takes the NOWAIT path (kfault): a
 * fresh page still comes in, no writer being in the way here. */
static void fault_irqs_off(unsigned int cpu)
{
	unsigned long flags = karch_irq_save();
	uint64_t v = 1;

	expect("fault with interrupts off",
	       karch_probe_read(irqoff + PAGE_SIZE * cpu, &v), 0);
	karch_irq_restore(flags);
	KCHECK(v == 0, "fresh page read %lx with interrupts off",
	       (unsigned long)v);
}

static void run(unsigned int cpu)
{
	unsigned long fixed0 = kthis_cpu()->faults_fixed;
	__vaddr_t w = cpu * 8;
	uint64_t v;

	expect("stack write", karch_probe_write(stack + w, cpu), 0);
	expect("stack top write",
	       karch_probe_write(stack + STACK_LEN - PAGE_SIZE + w, cpu), 0);
	expect("guard below", karch_probe_write(stack - PAGE_SIZE + w, 1),
	       -EFAULT);
	expect("guard above", karch_probe_read(stack + STACK_LEN + w, &v),
	       -EFAULT);
	expect("reservation read", karch_probe_read(rsvd + w, &v), -EFAULT);
	expect("PROT_NONE read", karch_probe_read(none + w, &v), -EFAULT);
	expect("PROT_NONE write", karch_probe_write(none + w, 1), -EFAULT);
	expect("hole read", karch_probe_read(hole + w, &v), -EFAULT);
	expect("read-only read", karch_probe_read(ro + w, &v), 0);
	expect("read-only write", karch_probe_write(ro + w, 1), -EFAULT);
	expect("no-exec write", karch_probe_write(rw + 2048 + w, 1), 0);
	expect("no-exec fetch", karch_probe_exec(rw), -EFAULT);
	expect("exec fetch", karch_probe_exec(rwx), 0);
	/* Seven fixups from the table (the refused fetch is recovered by
	 * the arch's own return emulation). */
	KCHECK(kthis_cpu()->faults_fixed - fixed0 == 7,
	       "%lu fixups, expected 7", kthis_cpu()->faults_fixed - fixed0);
	expect("CPU still fine after the fixups", karch_probe_read(rw + w, &v),
	       0);
	fault_irqs_off(cpu);
}

/* The whole VMA around @va (a stack's includes its guards). */
static int vma_span(__vaddr_t va, __vaddr_t *start, __sz *len)
{
	const struct uk_vma *v;
	int rc = -ENOENT;

	uk_rcu_read_lock();
	v = uk_vma_find(&kvas, va);
	if (v) {
		*start = v->start;
		*len = v->end - v->start;
		rc = 0;
	}
	uk_rcu_read_unlock();
	return rc;
}

static void teardown(void)
{
	__vaddr_t va[] = {stack, rsvd, none, ro, rw, rwx, irqoff};
	__sz len;
	int rc;

	for (unsigned int i = 0; i < KARRAY_SIZE(va); i++) {
		rc = vma_span(va[i], &va[i], &len);
		if (!rc)
			rc = uk_vma_unmap(&kvas, va[i], len, 0);
		KCHECK(rc == 0, "unmap VMA %u: %d", i, rc);
	}
}

const struct ksuite ksuite_guard = {
	.name = "guard", .setup = setup, .run = run, .teardown = teardown};
