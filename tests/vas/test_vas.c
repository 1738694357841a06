/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the VAS operations: layout, errors, types, faults. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "fixture.h"
#include "atomic.h"

#define BASE UK_VAS_VMA_BASE
#define MB (1UL << 20)
#define GB (1UL << 30)

struct lay {
	__vaddr_t start, end;
	unsigned long attr;
	const char *name;
};

static struct vas_fixture *fx;

static int setup(void **state)
{
	(void)state;
	fx = calloc(1, sizeof(*fx));
	return vas_fixture_init(fx, 4 * GB);
}

static int teardown(void **state)
{
	(void)state;
	/* Nothing mapped any more: only page-table pages remain. */
	assert_int_equal(vas_fixture_fini(fx), 0);
	free(fx);
	return 0;
}

static void check_layout(const struct lay *want, size_t n)
{
	const struct uk_vma *vma;
	size_t i = 0;

	assert_int_equal(vas_fixture_check(fx), 0);
	uk_rcu_read_lock();
	for (vma = uk_vma_first(&fx->vas); vma; vma = uk_vma_next(vma), i++) {
		assert_true(i < n);
		assert_int_equal(vma->start, want[i].start);
		assert_int_equal(vma->end, want[i].end);
		assert_int_equal(vma->attr, want[i].attr);
		if (want[i].name)
			assert_string_equal(vma->name, want[i].name);
	}
	uk_rcu_read_unlock();
	assert_int_equal(i, n);
}

static void test_map_any_first_fit_and_merge(void **state)
{
	__vaddr_t a = __VADDR_ANY, b = __VADDR_ANY;

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &a, 4 * PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, "x"), 0);
	assert_int_equal(a, BASE);
	assert_int_equal(uk_vma_map_anon(&fx->vas, &b, 2 * PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, "x"), 0);
	assert_int_equal(b, BASE + 4 * PAGE_SIZE);
	/* Same type, rights and name, touching: one VMA. */
	check_layout((struct lay[]){{BASE, BASE + 6 * PAGE_SIZE,
				     PAGE_ATTR_PROT_RW, "x"}}, 1);
}

static void test_map_errors(void **state)
{
	__vaddr_t va = BASE;

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 0, PAGE_ATTR_PROT_RW,
					 0, NULL), -EINVAL);
	va = BASE + 1;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, NULL), -EINVAL);
	va = BASE;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, PAGE_SIZE + 1,
					 PAGE_ATTR_PROT_RW, 0, NULL), -EINVAL);
	assert_int_equal(uk_vma_map_anon(&fx->vas, NULL, PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, NULL), -EINVAL);
	va = BASE + PAGE_SIZE;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, MB,
					 PAGE_ATTR_PROT_RW, UK_VMA_MAP_SIZE_2MB,
					 NULL), -EINVAL);
	va = BASE;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, UK_VMA_MAP_SIZE(13),
					 NULL), -EINVAL);
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0x800, NULL),
			 -EINVAL);
	va = ~0UL - PAGE_SIZE + 1;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 2 * PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, NULL), -EINVAL);
	va = BASE;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 4 * PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, "a"), 0);
	va = BASE + PAGE_SIZE;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, PAGE_SIZE,
					 PAGE_ATTR_PROT_READ, 0, "b"), -EEXIST);
	check_layout((struct lay[]){{BASE, BASE + 4 * PAGE_SIZE,
				     PAGE_ATTR_PROT_RW, "a"}}, 1);
	va = __VADDR_ANY;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 1UL << 50,
					 PAGE_ATTR_PROT_RW, 0, NULL), -ENOMEM);
}

static void test_unmap_splits(void **state)
{
	__vaddr_t va = BASE;

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 8 * PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, "a"), 0);
	assert_int_equal(uk_vma_unmap(&fx->vas, BASE + 2 * PAGE_SIZE,
				      3 * PAGE_SIZE, 0), 0);
	check_layout((struct lay[]){{BASE, BASE + 2 * PAGE_SIZE,
				     PAGE_ATTR_PROT_RW, "a"},
				    {BASE + 5 * PAGE_SIZE, BASE + 8 * PAGE_SIZE,
				     PAGE_ATTR_PROT_RW, "a"}}, 2);
	/* Nothing there: 0, or -ENOENT when strict. */
	assert_int_equal(uk_vma_unmap(&fx->vas, BASE + 3 * PAGE_SIZE,
				      PAGE_SIZE, 0), 0);
	assert_int_equal(uk_vma_unmap(&fx->vas, BASE + 3 * PAGE_SIZE,
				      PAGE_SIZE, UK_VMA_FLAG_STRICT_VMA_CHECK),
			 -ENOENT);
	/* Strict rejects a hole inside the range. */
	assert_int_equal(uk_vma_unmap(&fx->vas, BASE, 8 * PAGE_SIZE,
				      UK_VMA_FLAG_STRICT_VMA_CHECK), -ENOENT);
	assert_int_equal(uk_vma_unmap(&fx->vas, BASE, 0, 0), 0);
	assert_int_equal(uk_vma_unmap(&fx->vas, BASE + 1, PAGE_SIZE, 0),
			 -EINVAL);
	assert_int_equal(uk_vma_unmap(&fx->vas, BASE, 8 * PAGE_SIZE, 0), 0);
	check_layout(NULL, 0);
}

static void test_set_attr_split_and_merge_back(void **state)
{
	__vaddr_t va = BASE;
	char c = 1;

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 4 * PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, "a"), 0);
	assert_int_equal(uk_vas_write(&fx->vas, BASE + PAGE_SIZE, &c, 1), 1);
	assert_int_equal(uk_vma_set_attr(&fx->vas, BASE + PAGE_SIZE, PAGE_SIZE,
					 PAGE_ATTR_PROT_READ, 0), 0);
	check_layout((struct lay[]){
			     {BASE, BASE + PAGE_SIZE, PAGE_ATTR_PROT_RW, "a"},
			     {BASE + PAGE_SIZE, BASE + 2 * PAGE_SIZE,
			      PAGE_ATTR_PROT_READ, "a"},
			     {BASE + 2 * PAGE_SIZE, BASE + 4 * PAGE_SIZE,
			      PAGE_ATTR_PROT_RW, "a"}},
		     3);
	/* The resident page lost its write right, kept its data. */
	assert_int_equal(uk_vas_write(&fx->vas, BASE + PAGE_SIZE, &c, 1), 0);
	c = 0;
	assert_int_equal(uk_vas_read(&fx->vas, BASE + PAGE_SIZE, &c, 1), 1);
	assert_int_equal(c, 1);
	assert_int_equal(uk_vma_set_attr(&fx->vas, BASE + PAGE_SIZE, PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0), 0);
	check_layout((struct lay[]){{BASE, BASE + 4 * PAGE_SIZE,
				     PAGE_ATTR_PROT_RW, "a"}}, 1);
	assert_int_equal(uk_vas_write(&fx->vas, BASE + PAGE_SIZE, &c, 1), 1);
}

/* Seed example 5: a heap growing and shrinking inside a reservation. */
static void test_heap_in_reservation(void **state)
{
	__vaddr_t va = BASE;

	(void)state;
	assert_int_equal(uk_vma_reserve(&fx->vas, &va, GB), 0);
	va = BASE;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, MB, PAGE_ATTR_PROT_RW,
					 UK_VMA_MAP_REPLACE, "HEAP"), 0);
	check_layout((struct lay[]){{BASE, BASE + MB, PAGE_ATTR_PROT_RW, "HEAP"},
				    {BASE + MB, BASE + GB, 0, NULL}}, 2);
	va += MB;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 2 * MB,
					 PAGE_ATTR_PROT_RW, UK_VMA_MAP_REPLACE,
					 "HEAP"), 0);
	check_layout((struct lay[]){{BASE, BASE + 3 * MB, PAGE_ATTR_PROT_RW,
				     "HEAP"},
				    {BASE + 3 * MB, BASE + GB, 0, NULL}}, 2);
	va += MB;
	assert_int_equal(uk_vma_reserve_ex(&fx->vas, &va, MB, 0,
					   UK_VMA_MAP_REPLACE, NULL), 0);
	check_layout((struct lay[]){{BASE, BASE + 2 * MB, PAGE_ATTR_PROT_RW,
				     "HEAP"},
				    {BASE + 2 * MB, BASE + GB, 0, NULL}}, 2);
}

static void test_dontneed_refault_zero(void **state)
{
	__vaddr_t va = BASE;
	char buf[16] = "hello", out[16];

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 3 * PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, "h"), 0);
	assert_int_equal(uk_vas_write(&fx->vas, BASE + 2 * PAGE_SIZE, buf, 16),
			 16);
	assert_int_equal(uk_vma_advise(&fx->vas, BASE + 2 * PAGE_SIZE,
				       PAGE_SIZE, UK_VMA_ADV_DONTNEED, 0), 0);
	uk_rcu_read_lock();
	assert_int_equal(uk_vma_resident(uk_vma_find(&fx->vas, BASE)), 0);
	uk_rcu_read_unlock();
	assert_int_equal(uk_vas_read(&fx->vas, BASE + 2 * PAGE_SIZE, out, 16),
			 16);
	memset(buf, 0, sizeof(buf));
	assert_memory_equal(out, buf, 16);
	assert_int_equal(uk_vma_advise(&fx->vas, BASE, 3 * PAGE_SIZE,
				       UK_VMA_ADV_WILLNEED, 0), 0);
	uk_rcu_read_lock();
	assert_int_equal(uk_vma_resident(uk_vma_find(&fx->vas, BASE)),
			 3 * PAGE_SIZE);
	uk_rcu_read_unlock();
	assert_int_equal(uk_vma_advise(&fx->vas, BASE, PAGE_SIZE, 0x8, 0),
			 -EINVAL);
	assert_int_equal(vas_fixture_check(fx), 0);
}

static void test_large_pages(void **state)
{
	__vaddr_t va = __VADDR_ANY;
	const struct uk_vma *vma;
	char c = 7;

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 4 * MB,
					 PAGE_ATTR_PROT_RW,
					 UK_VMA_MAP_SIZE_2MB, "big"), 0);
	assert_true(PAGE_Lx_ALIGNED(va, 1));
	assert_int_equal(uk_vas_write(&fx->vas, va + MB, &c, 1), 1);
	uk_rcu_read_lock();
	vma = uk_vma_find(&fx->vas, va);
	assert_int_equal(vma->page_lvl, 1);
	assert_int_equal(uk_vma_resident(vma), 2 * MB);
	uk_rcu_read_unlock();
	/* Boundaries inside a 2 MiB VMA must be 2 MiB aligned. */
	assert_int_equal(uk_vma_unmap(&fx->vas, va + PAGE_SIZE, PAGE_SIZE, 0),
			 -EINVAL);
	assert_int_equal(uk_vma_set_attr(&fx->vas, va, MB, PAGE_ATTR_PROT_READ,
					 0), -EINVAL);
	assert_int_equal(uk_vma_unmap(&fx->vas, va + 2 * MB, 2 * MB, 0), 0);
	assert_int_equal(vas_fixture_check(fx), 0);
	va = __VADDR_ANY;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, GB, PAGE_ATTR_PROT_RW,
					 UK_VMA_MAP_SIZE_1GB |
						 UK_VMA_MAP_POPULATE |
						 UK_VMA_MAP_UNINITIALIZED,
					 "huge"), 0);
	assert_true(PAGE_Lx_ALIGNED(va, 2));
	uk_rcu_read_lock();
	assert_int_equal(uk_vma_resident(uk_vma_find(&fx->vas, va)), GB);
	uk_rcu_read_unlock();
	assert_int_equal(vas_fixture_check(fx), 0);
}

static void test_stack(void **state)
{
	__vaddr_t va = __VADDR_ANY;
	const struct uk_vma *vma;
	char c = 0;

	(void)state;
	assert_int_equal(uk_vma_map_stack(&fx->vas, &va, 16 * PAGE_SIZE, 0,
					  "stack", 2 * PAGE_SIZE), 0);
	uk_rcu_read_lock();
	vma = uk_vma_find(&fx->vas, va);
	assert_non_null(vma);
	assert_int_equal(vma->start, va - PAGE_SIZE);
	assert_int_equal(vma->end, va + 16 * PAGE_SIZE + 4 * PAGE_SIZE);
	assert_int_equal(uk_vma_resident(vma), 2 * PAGE_SIZE);
	uk_rcu_read_unlock();
	/* Guards trap, the usable part pages in. */
	assert_int_equal(uk_vas_read(&fx->vas, va - 1, &c, 1), 0);
	assert_int_equal(uk_vas_read(&fx->vas, va + 16 * PAGE_SIZE, &c, 1), 0);
	assert_int_equal(uk_vas_write(&fx->vas, va, &c, 1), 1);
	assert_int_equal(uk_vma_unmap(&fx->vas, va, PAGE_SIZE, 0), -EPERM);
	assert_int_equal(uk_vma_set_attr(&fx->vas, va, PAGE_SIZE,
					 PAGE_ATTR_PROT_READ, 0), -EPERM);
	assert_int_equal(uk_vma_advise(&fx->vas, va, PAGE_SIZE,
				       UK_VMA_ADV_DONTNEED, 0), -EPERM);
	assert_int_equal(vas_fixture_check(fx), 0);
	/* POPULATE premaps all of it, never the guards. */
	va = __VADDR_ANY;
	assert_int_equal(uk_vma_map_stack(&fx->vas, &va, 8 * PAGE_SIZE,
					  UK_VMA_MAP_POPULATE, "full", 0), 0);
	uk_rcu_read_lock();
	assert_int_equal(uk_vma_resident(uk_vma_find(&fx->vas, va)),
			 8 * PAGE_SIZE);
	uk_rcu_read_unlock();
	assert_int_equal(vas_fixture_check(fx), 0);
}

static void test_dma(void **state)
{
	__paddr_t pa = uk_falloc(fx->fa, 8);
	__vaddr_t va = __VADDR_ANY, vb;
	char *host = ukplat_page_kptr(&fx->pt, pa, 8, 0);
	const struct uk_vma *vma;
	char c;

	(void)state;
	assert_int_not_equal(pa, __PADDR_INV);
	host[5 * PAGE_SIZE] = 42;
	assert_int_equal(uk_vma_map_dma(&fx->vas, &va, 8 * PAGE_SIZE,
					PAGE_ATTR_PROT_RW, UK_VMA_MAP_POPULATE,
					"dma", pa), 0);
	assert_int_equal(uk_vma_unmap(&fx->vas, va + 2 * PAGE_SIZE, PAGE_SIZE,
				      0), 0);
	uk_rcu_read_lock();
	vma = uk_vma_find(&fx->vas, va + 5 * PAGE_SIZE);
	assert_int_equal(uk_vma_dma_paddr(vma), pa + 3 * PAGE_SIZE);
	uk_rcu_read_unlock();
	assert_int_equal(uk_vas_read(&fx->vas, va + 5 * PAGE_SIZE, &c, 1), 1);
	assert_int_equal(c, 42);
	/* Mapping the hole again with the matching frame merges back. */
	vb = va + 2 * PAGE_SIZE;
	assert_int_equal(uk_vma_map_dma(&fx->vas, &vb, PAGE_SIZE,
					PAGE_ATTR_PROT_RW, 0, "dma",
					pa + 2 * PAGE_SIZE), 0);
	check_layout((struct lay[]){{va, va + 8 * PAGE_SIZE,
				     PAGE_ATTR_PROT_RW, "dma"}}, 1);
	assert_int_equal(uk_vma_unmap(&fx->vas, va, 8 * PAGE_SIZE, 0), 0);
	uk_rcu_barrier();
	/* Unmap kept the frames: still allocated, still ours to free. */
	assert_int_equal(uk_falloc_is_allocated(fx->fa, pa, 8), 1);
	assert_int_equal(uk_ffree(fx->fa, pa, 8), 0);
	va = __VADDR_ANY;
	assert_int_equal(uk_vma_map_dma(&fx->vas, &va, PAGE_SIZE,
					PAGE_ATTR_PROT_RW, 0, NULL, 0x1000),
			 -EINVAL);
}

static void test_file(void **state)
{
	char path[] = "/tmp/ukvmem-test-XXXXXX", buf[8];
	int fd = mkstemp(path);
	__vaddr_t va = __VADDR_ANY, vs = __VADDR_ANY;
	const struct uk_vma *vma;
	char data[PAGE_SIZE + 100];

	(void)state;
	assert_true(fd >= 0);
	memset(data, 'a', PAGE_SIZE);
	memset(data + PAGE_SIZE, 'b', 100);
	assert_int_equal(write(fd, data, sizeof(data)), sizeof(data));
	assert_int_equal(uk_vma_map_file(&fx->vas, &va, 2 * PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, fd, 0), 0);
	uk_rcu_read_lock();
	vma = uk_vma_find(&fx->vas, va);
	assert_string_equal(vma->name, path);
	assert_int_equal(uk_vma_resident(vma), 0); /* loads on fault */
	uk_rcu_read_unlock();
	assert_int_equal(uk_vas_read(&fx->vas, va + PAGE_SIZE + 98, buf, 4), 4);
	assert_memory_equal(buf, "bb\0\0", 4); /* zeros past end of file */
	/* Private: writes stay in memory. */
	assert_int_equal(uk_vas_write(&fx->vas, va, "zz", 2), 2);
	assert_int_equal(pread(fd, buf, 2, 0), 2);
	assert_memory_equal(buf, "aa", 2);
	/* Offsets: map the second page alone. */
	assert_int_equal(uk_vma_map_file(&fx->vas, &vs, PAGE_SIZE,
					 PAGE_ATTR_PROT_RW,
					 UK_VMA_FILE_SHARED, fd, PAGE_SIZE), 0);
	assert_int_equal(uk_vas_read(&fx->vas, vs, buf, 1), 1);
	assert_int_equal(buf[0], 'b');
	/* Shared writable: written back on sync and on unmap. */
	assert_int_equal(uk_vas_write(&fx->vas, vs + 1, "Q", 1), 1);
	assert_int_equal(uk_vma_file_sync(&fx->vas, vs, PAGE_SIZE), 0);
	assert_int_equal(pread(fd, buf, 2, PAGE_SIZE), 2);
	assert_memory_equal(buf, "bQ", 2);
	assert_int_equal(uk_vas_write(&fx->vas, vs + 2, "R", 1), 1);
	assert_int_equal(uk_vma_unmap(&fx->vas, vs, PAGE_SIZE, 0), 0);
	assert_int_equal(pread(fd, buf, 3, PAGE_SIZE), 3);
	assert_memory_equal(buf, "bQR", 3);
	/* The file did not grow from the zero tail. */
	assert_int_equal(lseek(fd, 0, SEEK_END), sizeof(data));
	assert_int_equal(uk_vma_map_file(&fx->vas, &vs, PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, 999, 0), -EBADF);
	assert_int_equal(uk_vma_map_file(&fx->vas, &vs, PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, fd, 5), -EINVAL);
	close(fd);
	unlink(path);
	assert_int_equal(vas_fixture_check(fx), 0);
}

static void test_fault_rights(void **state)
{
	__vaddr_t ro = BASE, rsv = BASE + MB;
	char c = 0;

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &ro, PAGE_SIZE,
					 PAGE_ATTR_PROT_READ, 0, "ro"), 0);
	assert_int_equal(uk_vma_reserve(&fx->vas, &rsv, PAGE_SIZE), 0);
	assert_int_equal(uk_vas_fault(&fx->vas, ro, UK_VMA_FAULT_WRITE),
			 -EACCES);
	assert_int_equal(uk_vas_fault(&fx->vas, ro, UK_VMA_FAULT_EXEC),
			 -EACCES);
	assert_int_equal(uk_vas_fault(&fx->vas, ro, UK_VMA_FAULT_READ), 0);
	/* Already present: resolved without a new frame. */
	assert_int_equal(uk_vas_fault(&fx->vas, ro, UK_VMA_FAULT_READ), 0);
	assert_int_equal(uk_vas_fault(&fx->vas, rsv, UK_VMA_FAULT_READ),
			 -EFAULT);
	assert_int_equal(uk_vas_fault(&fx->vas, BASE + 2 * MB,
				      UK_VMA_FAULT_READ), -EFAULT);
	assert_int_equal(uk_vas_write(&fx->vas, ro, &c, 1), 0);
	assert_int_equal(uk_vas_fetch(&fx->vas, ro, &c, 1), 0);
	assert_int_equal(uk_vas_probe_r(&fx->vas, ro, 2 * PAGE_SIZE, 0),
			 PAGE_SIZE);
	assert_int_equal(uk_vas_probe_rw(&fx->vas, ro, PAGE_SIZE, 0), 0);
	assert_int_equal(vas_fixture_check(fx), 0);
}

static void test_paging_switch_and_probes(void **state)
{
	__vaddr_t va = BASE;

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 2 * PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, "p"), 0);
	assert_int_equal(uk_vas_probe_rw(&fx->vas, va, 2 * PAGE_SIZE,
					 UK_NOFAULTF_NOPAGING), 0);
	uk_vas_paging_disable();
	assert_int_equal(uk_vas_probe_r(&fx->vas, va, PAGE_SIZE, 0), 0);
	uk_vas_paging_enable();
	assert_int_equal(uk_vas_probe_rw(&fx->vas, va, PAGE_SIZE, 0),
			 PAGE_SIZE);
	assert_int_equal(uk_vas_probe_r(&fx->vas, va, 2 * PAGE_SIZE,
					UK_NOFAULTF_NOPAGING),
			 PAGE_SIZE);
	uk_vas_set_active(&fx->vas);
	assert_int_equal(uk_nofault_probe_r(va, 2 * PAGE_SIZE, 0),
			 2 * PAGE_SIZE);
}

static void test_write_visible_through_kmap(void **state)
{
	__vaddr_t va = BASE;
	__paddr_t pa;

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, "k"), 0);
	assert_int_equal(uk_vas_write(&fx->vas, va + 10, "kmap", 4), 4);
	assert_int_equal(uk_vas_translate(&fx->vas, va, UK_VMA_FAULT_READ,
					  &pa), 0);
	assert_memory_equal((char *)ukplat_page_kptr(&fx->pt, pa, 1, 0) + 10,
			    "kmap", 4);
}

static void *unmap_all(void *arg)
{
	(void)arg;
	uk_vma_unmap(&fx->vas, BASE, 100 * PAGE_SIZE, 0);
	return NULL;
}

static void test_iter_snapshot(void **state)
{
	struct uk_vma_iter it;
	pthread_t thr;
	__vaddr_t va;
	int i, n = 0;

	(void)state;
	for (i = 0; i < 50; i++) {
		va = BASE + (unsigned long)i * 2 * PAGE_SIZE;
		assert_int_equal(uk_vma_map_anon(&fx->vas, &va, PAGE_SIZE,
						 PAGE_ATTR_PROT_RW, 0, NULL), 0);
	}
	uk_rcu_read_lock();
	uk_vma_iter_init(&it, &fx->vas);
	/* A writer empties the tree while we walk our snapshot; its grace
	 * period waits for this read section. */
	assert_int_equal(pthread_create(&thr, NULL, unmap_all, NULL), 0);
	while (uk_vma_first(&fx->vas))
		sched_yield();
	while (uk_vma_iter_next(&it))
		n++;
	uk_rcu_read_unlock();
	assert_int_equal(pthread_join(thr, NULL), 0);
	assert_int_equal(n, 50);
	check_layout(NULL, 0);
}

/* The trap-handler entry: the build's hardware report format. */
static void test_fault_hw_report(void **state)
{
	bool arm = strcmp(ukplat_pt_format(), "arm64") == 0;
	/* A write to a page with no translation. */
	unsigned long wr = arm ? 0x92000047UL : 0x2UL;
	/* An instruction fetch from a page with no translation. */
	unsigned long ex = arm ? 0x82000007UL : 0x10UL;
	__vaddr_t va = BASE;
	__paddr_t pa;

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, "hw"), 0);
	assert_int_equal(uk_vas_fault_hw(&fx->vas, va, ex), -EACCES);
	assert_int_equal(uk_vas_fault_hw(&fx->vas, va, wr), 0);
	assert_int_equal(uk_vas_translate(&fx->vas, va, UK_VMA_FAULT_WRITE,
					  &pa), 0);
	assert_int_equal(uk_vas_fault_hw(&fx->vas, va, arm ? 0UL : 0x18UL),
			 arm ? -EINVAL : -EACCES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_map_any_first_fit_and_merge),
		T(test_map_errors),
		T(test_unmap_splits),
		T(test_set_attr_split_and_merge_back),
		T(test_heap_in_reservation),
		T(test_dontneed_refault_zero),
		T(test_large_pages),
		T(test_stack),
		T(test_dma),
		T(test_file),
		T(test_fault_rights),
		T(test_paging_switch_and_probes),
		T(test_write_visible_through_kmap),
		T(test_iter_snapshot),
		T(test_fault_hw_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
