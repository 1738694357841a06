/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One CPU churns a window of slots (map, populate, unmap, set_attr,
 * REPLACE, DONTNEED at random) while every other CPU faults all over it,
 * each reading and writing its own word of random pages. A CPU's read
 * must return 0 (a fresh page: after REPLACE, DONTNEED, unmap + map) or
 * the last value it wrote to that page, never an older value nor another
 * page's: either would mean a stale translation or a frame handed out
 * twice. Faults that find no VMA or no rights come back -EFAULT.
 */
#include "ksuite.h"

#define SLOTS 16
#define SLOT_PAGES 4
#define WINDOW_PAGES (SLOTS * SLOT_PAGES)

static __vaddr_t base;
static unsigned int done;

static void setup(void)
{
	base = ksuite_map_anon(WINDOW_PAGES * PAGE_SIZE, PAGE_ATTR_PROT_RW, 0,
			       "churn");
	__atomic_store_n(&done, 0, __ATOMIC_RELAXED);
}

enum op { MAP, POPULATE, REPLACE, UNMAP, RDONLY, NOACCESS, RDWR, DONTNEED,
	  NOPS };

static int do_op(enum op op, __vaddr_t va, __sz len)
{
	int rc;

	switch (op) {
	case MAP:
		rc = uk_vma_map_anon(&kvas, &va, len, PAGE_ATTR_PROT_RW, 0,
				     "churn");
		return rc == -EEXIST ? 0 : rc;
	case POPULATE:
		return uk_vma_map_anon(&kvas, &va, len, PAGE_ATTR_PROT_RW,
				       UK_VMA_MAP_REPLACE | UK_VMA_MAP_POPULATE,
				       "churn-pop");
	case REPLACE:
		return uk_vma_map_anon(&kvas, &va, len, PAGE_ATTR_PROT_RW,
				       UK_VMA_MAP_REPLACE, "churn-rep");
	case UNMAP:
		return uk_vma_unmap(&kvas, va, len, 0);
	case RDONLY:
	case NOACCESS:
	case RDWR:
		rc = uk_vma_set_attr(&kvas, va, len,
				     op == RDONLY     ? PAGE_ATTR_PROT_READ
				     : op == NOACCESS ? PAGE_ATTR_PROT_NONE
						      : PAGE_ATTR_PROT_RW,
				     0);
		/* A slot may be partly unmapped: set_attr on a hole. */
		return rc == -ENOENT || rc == -EFAULT ? 0 : rc;
	case DONTNEED:
		rc = uk_vma_advise(&kvas, va, len, UK_VMA_ADV_DONTNEED, 0);
		return rc == -ENOENT || rc == -EFAULT ? 0 : rc;
	default:
		return -EINVAL;
	}
}

static void churn(void)
{
	unsigned int ops = ksuite_rounds(300);
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	for (unsigned int i = 0; i < ops; i++) {
		uint64_t r = krand(&seed);
		enum op op = (enum op)(r % NOPS);
		unsigned int slot = (unsigned int)((r >> 8) % SLOTS);
		__sz len = (1 + (r >> 16) % SLOT_PAGES) * PAGE_SIZE;
		__vaddr_t va = base + slot * SLOT_PAGES * PAGE_SIZE;
		int rc = do_op(op, va, len);

		KCHECK(rc == 0, "churn op %d at %lx+%lx: %d", op,
		       (unsigned long)va, (unsigned long)len, rc);
		krcu_poll(false);
	}
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
}

static void fault_loop(unsigned int cpu)
{
	uint64_t last[WINDOW_PAGES] = {0};
	uint64_t seed = 0x2545f4914f6cdd1dULL * (cpu + 1);
	unsigned long n = 0;

	while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
		uint64_t r = krand(&seed), v;
		unsigned long p = r % WINDOW_PAGES;
		__vaddr_t w = base + p * PAGE_SIZE + cpu * 8;
		int rc = karch_probe_read(w, &v);

		KCHECK(rc == 0 || rc == -EFAULT, "read: %d", rc);
		if (rc == 0)
			KCHECK(v == 0 || v == last[p],
			       "page %lu: read %lx, last wrote %lx", p,
			       (unsigned long)v, (unsigned long)last[p]);
		if ((r >> 32) & 1) {
			uint64_t tag = ktag(cpu, p, ++n);

			if (karch_probe_write(w, tag) == 0)
				last[p] = tag;
		}
		if ((n & 63) == 0)
			krcu_poll(false);
	}
}

static void run(unsigned int cpu)
{
	if (cpu == 0)
		churn();
	else
		fault_loop(cpu);
}

static void teardown(void)
{
	int rc = uk_vma_unmap(&kvas, base, WINDOW_PAGES * PAGE_SIZE, 0);

	KCHECK(rc == 0, "unmap window: %d", rc);
}

const struct ksuite ksuite_churn = {
	.name = "churn", .setup = setup, .run = run, .teardown = teardown};
