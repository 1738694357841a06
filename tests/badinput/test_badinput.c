/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bad input and refused accesses.
 *
 * test_table: every class of bad argument to map (anon, reservation,
 * file, DMA, stack), unmap, set_attr, advise and fault, each with the
 * errno the contract gives it (include/uk/vmem.h, vma_types.h, API.md).
 * Each case runs against the same starting VAS and must leave it exactly
 * as it was (vas_snap.h: layout, every leaf and its data, table pages,
 * frames used, open descriptors) and pass uk_vas_validate. Every case is
 * run and every mismatch printed before the test fails.
 *
 * The other tests check the software MMU's refusals (read-only, NX,
 * reservations, stack guards, past a VMA's end, PROT_NONE): the access
 * returns fewer bytes, uk_vas_fault gives -EACCES/-EFAULT, and no PTE is
 * left behind (the existing read-only PTE of a resident page stays as it
 * was).
 */
#include <uk/host.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "../inject/vas_snap.h"

#define B UK_VAS_VMA_BASE
#define P PAGE_SIZE
#define MB (1UL << 20)
#define GB (1UL << 30)
#define RW PAGE_ATTR_PROT_RW
#define RO PAGE_ATTR_PROT_READ
#define ANY __VADDR_ANY
/* A page-aligned address at the very top (not __VADDR_ANY itself). */
#define TOP (~0UL & PAGE_MASK)

/* The starting layout (see setup). */
#define A_VA B                  /* anon "a", 8 pages, 2 resident */
#define STK_VMA (B + 8 * P)     /* stack VMA: 1 guard + 16 + 4 guards */
#define STK_USE (STK_VMA + P)   /* first usable byte of the stack */
#define RO_VA (B + 64 * P)      /* read-only anon, 4 pages, 1 resident */
#define FILE_VA (B + 128 * P)   /* private file mapping, 2 pages */
#define BIG_VA (B + 2 * MB)     /* 2 MiB pages, 4 MiB, 1 resident */
#define RSV_VA (B + GB)         /* reservation, 16 pages */
#define HUGE_VA (B + 2 * GB)    /* 1 GiB pages, 1 GiB, none resident */
#define FREE_VA (B + 512 * MB)  /* nothing mapped around here */

static struct vas_fixture *fx;
static char file_path[64];
static int file_fd = -1;

/* ---- Fixture ------------------------------------------------------------- */

static void map_anon_at(__vaddr_t va, __sz len, unsigned long attr,
			unsigned long flags, const char *name)
{
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, len, attr, flags,
					 name), 0);
}

static int setup(void **state)
{
	__vaddr_t va;
	char c;

	(void)state;
	fx = calloc(1, sizeof(*fx));
	if (!fx || vas_fixture_init(fx, 64 * MB))
		return -1;
	map_anon_at(A_VA, 8 * P, RW, 0, "a");
	assert_int_equal(snap_fill(&fx->vas, A_VA, 2 * P, 1), 0);
	va = STK_VMA; /* a fixed stack address is its VMA's start */
	assert_int_equal(uk_vma_map_stack(&fx->vas, &va, 16 * P, 0, "stack",
					  2 * P), 0);
	assert_int_equal(va, STK_USE);
	map_anon_at(RO_VA, 4 * P, RO, 0, "ro");
	assert_int_equal(uk_vas_read(&fx->vas, RO_VA, &c, 1), 1);
	va = FILE_VA;
	assert_int_equal(uk_vma_map_file(&fx->vas, &va, 2 * P, RW, 0, file_fd,
					 0), 0);
	assert_int_equal(uk_vas_read(&fx->vas, FILE_VA, &c, 1), 1);
	map_anon_at(BIG_VA, 4 * MB, RW, UK_VMA_MAP_SIZE_2MB, "big");
	assert_int_equal(snap_fill(&fx->vas, BIG_VA + MB, 64, 2), 0);
	va = RSV_VA;
	assert_int_equal(uk_vma_reserve(&fx->vas, &va, 16 * P), 0);
	map_anon_at(HUGE_VA, GB, RW, UK_VMA_MAP_SIZE_1GB, "huge");
	return vas_fixture_check(fx);
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(vas_fixture_fini(fx), 0);
	free(fx);
	return 0;
}

static int group_setup(void **state)
{
	char buf[P + 100];

	(void)state;
	snprintf(file_path, sizeof(file_path), "/tmp/ukvmem-bad-XXXXXX");
	file_fd = mkstemp(file_path);
	if (file_fd < 0)
		return -1;
	memset(buf, 'f', sizeof(buf));
	return write(file_fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf) ? 0
									 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	close(file_fd);
	unlink(file_path);
	return 0;
}

/* One past the highest address the build's VAS accepts. */
static __vaddr_t vas_end(void)
{
	return strcmp(ukplat_pt_format(), "arm64") == 0 ? 1UL << 48
							: 1UL << 47;
}

/* ---- The table ------------------------------------------------------------- */

enum bop {
	OP_MAP,     /* uk_vma_map with the anon ops */
	OP_RESERVE, /* uk_vma_reserve_ex */
	OP_UNMAP,
	OP_ATTR,
	OP_ADVISE,  /* attr: the advice */
	OP_FILE,    /* arg: fd, arg2: offset */
	OP_DMA,     /* arg: paddr */
	OP_STACK,   /* arg: premapped_len */
	OP_FAULT,   /* flags: the fault type */
};

#define N_VAS 0x1   /* pass vas = NULL */
#define N_VADDR 0x2 /* pass vaddr = NULL */
#define N_OPS 0x4   /* pass ops = NULL */
#define N_ARGS 0x8  /* pass the type's args = NULL (uk_vma_map) */

struct bcase {
	const char *what;
	enum bop op;
	__vaddr_t va;
	__sz len;
	unsigned long attr, flags;
	long arg, arg2;
	unsigned int nulls;
	int want;
};

static int run_case(const struct bcase *c)
{
	struct uk_vas *vas = (c->nulls & N_VAS) ? NULL : &fx->vas;
	__vaddr_t va = c->va, *pva = (c->nulls & N_VADDR) ? NULL : &va;
	const struct uk_vma_ops *anon =
		(c->nulls & N_OPS) ? NULL : &uk_vma_anon_ops;
	struct uk_vma_dma_args dma = {.paddr = (__paddr_t)c->arg};

	switch (c->op) {
	case OP_MAP:
		return uk_vma_map(vas, pva, c->len, c->attr, c->flags, "bad",
				  anon, NULL);
	case OP_RESERVE:
		return uk_vma_reserve_ex(vas, pva, c->len, c->attr, c->flags,
					 NULL);
	case OP_UNMAP:
		return uk_vma_unmap(vas, c->va, c->len, c->flags);
	case OP_ATTR:
		return uk_vma_set_attr(vas, c->va, c->len, c->attr, c->flags);
	case OP_ADVISE:
		return uk_vma_advise(vas, c->va, c->len, c->attr, c->flags);
	case OP_FILE:
		return uk_vma_map_file(vas, pva, c->len, c->attr, c->flags,
				       (int)c->arg, (__off)c->arg2);
	case OP_DMA:
		return uk_vma_map(vas, pva, c->len, c->attr, c->flags, "dma",
				  &uk_vma_dma_ops,
				  (c->nulls & N_ARGS) ? NULL : &dma);
	case OP_STACK:
		return uk_vma_map_stack(vas, pva, c->len, c->flags, "stk",
					(__sz)c->arg);
	case OP_FAULT:
		return uk_vas_fault(vas, c->va, (unsigned int)c->flags);
	}
	return -ENOSYS;
}

/* A descriptor number that is not open (was open a moment ago). */
static int closed_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

#define CASES_MAX 256

static size_t build_cases(struct bcase *t)
{
	const __vaddr_t E = vas_end();
	const bool x86 = strcmp(ukplat_pt_format(), "x86_64") == 0;
	const __paddr_t mb = fx->pm.base, me = fx->pm.base + fx->pm.size;
	const long cfd = closed_fd();
	size_t n = 0;

#define C(...) (t[n++] = (struct bcase){__VA_ARGS__})
#define MAP(w, v, l, a, f, e) C(.what = w, .op = OP_MAP, .va = v, .len = l, \
				.attr = a, .flags = f, .want = e)
	/* ---- map: alignment to 4 KiB and to the VMA's page size ---- */
	MAP("map: vaddr +1", FREE_VA + 1, P, RW, 0, -EINVAL);
	MAP("map: vaddr +2K", FREE_VA + P / 2, P, RW, 0, -EINVAL);
	MAP("map: len 4K+1", FREE_VA, P + 1, RW, 0, -EINVAL);
	MAP("map: len 1", FREE_VA, 1, RW, 0, -EINVAL);
	MAP("map ANY: len 4K-1", ANY, P - 1, RW, 0, -EINVAL);
	MAP("map 2M: vaddr 4K aligned", FREE_VA + P, 2 * MB, RW,
	    UK_VMA_MAP_SIZE_2MB, -EINVAL);
	MAP("map 2M: vaddr 1M aligned", FREE_VA + MB, 2 * MB, RW,
	    UK_VMA_MAP_SIZE_2MB, -EINVAL);
	MAP("map 2M: len 3M", FREE_VA, 3 * MB, RW, UK_VMA_MAP_SIZE_2MB,
	    -EINVAL);
	MAP("map 2M: len 4K", FREE_VA, P, RW, UK_VMA_MAP_SIZE_2MB, -EINVAL);
	MAP("map ANY 2M: len 4K", ANY, P, RW, UK_VMA_MAP_SIZE_2MB, -EINVAL);
	MAP("map 1G: vaddr 2M aligned", B + 4 * GB + 2 * MB, GB, RW,
	    UK_VMA_MAP_SIZE_1GB, -EINVAL);
	MAP("map 1G: len 2M", B + 4 * GB, 2 * MB, RW, UK_VMA_MAP_SIZE_1GB,
	    -EINVAL);
	MAP("map ANY 1G: len 1G+2M", ANY, GB + 2 * MB, RW,
	    UK_VMA_MAP_SIZE_1GB, -EINVAL);
	MAP("reserve: vaddr +1", FREE_VA + 1, P, 0, 0, -EINVAL);
	t[n - 1].op = OP_RESERVE;
	/* ---- map: zero length, wrap, outside the address space ---- */
	MAP("map: len 0", FREE_VA, 0, RW, 0, -EINVAL);
	MAP("map ANY: len 0", ANY, 0, RW, 0, -EINVAL);
	MAP("reserve: len 0", FREE_VA, 0, 0, 0, -EINVAL);
	t[n - 1].op = OP_RESERVE;
	MAP("map: vaddr+len wraps", TOP, 2 * P, RW, 0, -EINVAL);
	MAP("map: len wraps from va end", E - P, TOP, RW, 0, -EINVAL);
	MAP("map: page 0", 0, P, RW, 0, -EINVAL);
	MAP("map: at va end", E, P, RW, 0, -EINVAL);
	MAP("map: across va end", E - P, 2 * P, RW, 0, -EINVAL);
	MAP("map: 1<<48", 1UL << 48, P, RW, 0, -EINVAL);
	MAP("map: kernel half", 0xffff800000000000UL, P, RW, 0, -EINVAL);
	MAP("map: 1<<63", 1UL << 63, P, RW, 0, -EINVAL);
	if (x86) {
		/* x86_64: the lower canonical half ends at 1 << 47. */
		MAP("map x86: non-canonical 1<<47", 1UL << 47, P, RW, 0,
		    -EINVAL);
		MAP("map x86: 2M pages across 1<<47", (1UL << 47) - 2 * MB,
		    4 * MB, RW, UK_VMA_MAP_SIZE_2MB, -EINVAL);
	} else {
		MAP("map arm64: 1G pages across 1<<48", (1UL << 48) - GB,
		    2 * GB, RW, UK_VMA_MAP_SIZE_1GB, -EINVAL);
	}
	MAP("map: len = address space", P, E, RW, 0, -EINVAL);
	MAP("map ANY: len = address space", ANY, E, RW, 0, -ENOMEM);
	MAP("map ANY: len 1<<60", ANY, 1UL << 60, RW, 0, -ENOMEM);
	MAP("map ANY: len ~0 & PAGE_MASK", ANY, TOP, RW, 0, -ENOMEM);
	MAP("map ANY 1G: len 1<<62", ANY, 1UL << 62, RW, UK_VMA_MAP_SIZE_1GB,
	    -ENOMEM);
	/* ---- map: flags, attributes, page sizes ---- */
	MAP("map: flag 0x8", FREE_VA, P, RW, 0x8, -EINVAL);
	MAP("map: flag 0x10", FREE_VA, P, RW, 0x10, -EINVAL);
	MAP("map: flag 0x800", FREE_VA, P, RW, 0x800, -EINVAL);
	MAP("map: flag 0x2000", FREE_VA, P, RW, 0x2000, -EINVAL);
	MAP("map: flag 1<<31", FREE_VA, P, RW, 1UL << 31, -EINVAL);
	MAP("map: attr 0x40", FREE_VA, P, 0x40, 0, -EINVAL);
	MAP("map: attr 1<<40", FREE_VA, P, 1UL << 40, 0, -EINVAL);
	MAP("map: SIZE(1)", FREE_VA, P, RW, UK_VMA_MAP_SIZE(1), -EINVAL);
	MAP("map: SIZE(11)", FREE_VA, P, RW, UK_VMA_MAP_SIZE(11), -EINVAL);
	MAP("map: SIZE(13)", FREE_VA, 2 * P, RW, UK_VMA_MAP_SIZE(13),
	    -EINVAL);
	MAP("map: SIZE(16)", FREE_VA, 16 * P, RW, UK_VMA_MAP_SIZE(16),
	    -EINVAL);
	MAP("map: SIZE(22)", FREE_VA, 4 * MB, RW, UK_VMA_MAP_SIZE(22),
	    -EINVAL);
	MAP("map: SIZE(31)", B + 4 * GB, 2 * GB, RW, UK_VMA_MAP_SIZE(31),
	    -EINVAL);
	MAP("map: SIZE(39) (512G level)", ANY, 1UL << 39, RW,
	    UK_VMA_MAP_SIZE(39), -EINVAL);
	MAP("map: SIZE(63)", FREE_VA, P, RW, UK_VMA_MAP_SIZE(63), -EINVAL);
	/* ---- map: NULL pointers, overlap, refused splits ---- */
	MAP("map: NULL vaddr", FREE_VA, P, RW, 0, -EINVAL);
	t[n - 1].nulls = N_VADDR;
	MAP("map: NULL vas", FREE_VA, P, RW, 0, -EINVAL);
	t[n - 1].nulls = N_VAS;
	MAP("map: NULL ops", FREE_VA, P, RW, 0, -EINVAL);
	t[n - 1].nulls = N_OPS;
	MAP("map: overlap without REPLACE", A_VA + 4 * P, 8 * P, RW, 0,
	    -EEXIST);
	MAP("map: REPLACE cutting a stack", STK_USE + P, P, RW,
	    UK_VMA_MAP_REPLACE, -EPERM);
	MAP("map: REPLACE cutting 2M pages at 4K", BIG_VA + P, P, RW,
	    UK_VMA_MAP_REPLACE, -EINVAL);
	MAP("map: REPLACE ending inside a 2M page", BIG_VA - P, 2 * P, RW,
	    UK_VMA_MAP_REPLACE, -EINVAL);
#define RNG(o, w, v, l, f, e) C(.what = w, .op = o, .va = v, .len = l, \
				.attr = RO, .flags = f, .want = e)
#define ALL3(w, v, l, f, e) do { \
		RNG(OP_UNMAP, "unmap: " w, v, l, f, e); \
		RNG(OP_ATTR, "set_attr: " w, v, l, f, e); \
		RNG(OP_ADVISE, "advise: " w, v, l, f, e); \
		t[n - 1].attr = UK_VMA_ADV_DONTNEED; \
	} while (0)
	/* ---- unmap, set_attr, advise (DONTNEED) ---- */
	ALL3("len 0", A_VA, 0, 0, 0);
	ALL3("len 0, misaligned", A_VA + 1, 0, 0, 0);
	ALL3("len 0, outside", E + P, 0, 0, 0);
	ALL3("len 0, unknown flags", A_VA, 0, 0x8, 0);
	ALL3("vaddr +1", A_VA + 1, P, 0, -EINVAL);
	ALL3("vaddr +2K", A_VA + P / 2, P, 0, -EINVAL);
	ALL3("len 4K+1", A_VA, P + 1, 0, -EINVAL);
	ALL3("len 1", A_VA, 1, 0, -EINVAL);
	ALL3("2M VMA cut at 4K (start)", BIG_VA + P, 2 * MB - P, 0, -EINVAL);
	ALL3("2M VMA cut at 4K (end)", BIG_VA, P, 0, -EINVAL);
	ALL3("1G VMA cut at 2M", HUGE_VA + 2 * MB, 2 * MB, 0, -EINVAL);
	ALL3("vaddr+len wraps", TOP, 2 * P, 0, -EINVAL);
	ALL3("page 0", 0, P, 0, -EINVAL);
	ALL3("at va end", E, P, 0, -EINVAL);
	ALL3("across va end", E - P, 2 * P, 0, -EINVAL);
	ALL3("1<<48", 1UL << 48, P, 0, -EINVAL);
	ALL3("kernel half", 0xffff800000000000UL, P, 0, -EINVAL);
	ALL3("len = address space", P, E, 0, -EINVAL);
	ALL3("len ~0 & PAGE_MASK", P, TOP, 0, -EINVAL);
	ALL3("flag POPULATE", A_VA, P, UK_VMA_MAP_POPULATE, -EINVAL);
	ALL3("flag REPLACE", A_VA, P, UK_VMA_MAP_REPLACE, -EINVAL);
	ALL3("flag 0x8", A_VA, P, 0x8, -EINVAL);
	ALL3("flag 1<<40", A_VA, P, 1UL << 40, -EINVAL);
	ALL3("strict, nothing mapped", FREE_VA, P,
	     UK_VMA_FLAG_STRICT_VMA_CHECK, -ENOENT);
	ALL3("strict, hole inside", A_VA, 64 * P, UK_VMA_FLAG_STRICT_VMA_CHECK,
	     -ENOENT);
	ALL3("NULL vas", A_VA, P, 0, -EINVAL);
	t[n - 1].nulls = t[n - 2].nulls = t[n - 3].nulls = N_VAS;
	ALL3("NULL vas, len 0", A_VA, 0, 0, 0);
	t[n - 1].nulls = t[n - 2].nulls = t[n - 3].nulls = N_VAS;
	ALL3("part of a stack", STK_USE + P, P, 0, -EPERM);
	RNG(OP_ATTR, "set_attr: attr 0x40", A_VA, P, 0, -EINVAL);
	t[n - 1].attr = 0x40;
	RNG(OP_ATTR, "set_attr: attr 1<<40", A_VA, P, 0, -EINVAL);
	t[n - 1].attr = 1UL << 40;
	RNG(OP_ADVISE, "advise: advice 0", A_VA, P, 0, -EINVAL);
	t[n - 1].attr = 0;
	RNG(OP_ADVISE, "advise: advice 0x4", A_VA, P, 0, -EINVAL);
	t[n - 1].attr = 0x4;
	RNG(OP_ADVISE, "advise: advice 0x8|DONTNEED", A_VA, P, 0, -EINVAL);
	t[n - 1].attr = 0x8 | UK_VMA_ADV_DONTNEED;
	RNG(OP_ADVISE, "advise: advice 1<<40", A_VA, P, 0, -EINVAL);
	t[n - 1].attr = 1UL << 40;
	RNG(OP_ADVISE, "advise WILLNEED: 2M VMA cut at 4K", BIG_VA, P, 0,
	    -EINVAL);
	t[n - 1].attr = UK_VMA_ADV_WILLNEED;
#define FILEC(w, v, l, fd, off, e) C(.what = w, .op = OP_FILE, .va = v, \
				     .len = l, .attr = RW, .arg = fd,     \
				     .arg2 = off, .want = e)
	/* ---- file mappings ---- */
	FILEC("file: fd -1", FREE_VA, P, -1, 0, -EBADF);
	FILEC("file: fd 999999", FREE_VA, P, 999999, 0, -EBADF);
	FILEC("file: closed fd", FREE_VA, P, cfd, 0, -EBADF);
	FILEC("file: fd INT_MIN", FREE_VA, P, INT32_MIN, 0, -EBADF);
	FILEC("file: offset -4096", FREE_VA, P, file_fd, -(long)P, -EINVAL);
	FILEC("file: offset -1", FREE_VA, P, file_fd, -1, -EINVAL);
	FILEC("file: offset INT64_MIN", FREE_VA, P, file_fd, INT64_MIN,
	      -EINVAL);
	FILEC("file: offset 5", FREE_VA, P, file_fd, 5, -EINVAL);
	FILEC("file: offset 4095", FREE_VA, P, file_fd, P - 1, -EINVAL);
	FILEC("file: bad fd and offset", FREE_VA, P, -1, 5, -EINVAL);
	FILEC("file: vaddr +1", FREE_VA + 1, P, file_fd, 0, -EINVAL);
	FILEC("file: len 0", FREE_VA, 0, file_fd, 0, -EINVAL);
	FILEC("file: len 4K+1", FREE_VA, P + 1, file_fd, 0, -EINVAL);
	FILEC("file: at va end", E, P, file_fd, 0, -EINVAL);
	FILEC("file: flag 0x8", FREE_VA, P, file_fd, 0, -EINVAL);
	t[n - 1].flags = 0x8;
	FILEC("file: attr 0x40", FREE_VA, P, file_fd, 0, -EINVAL);
	t[n - 1].attr = 0x40;
	FILEC("file: SIZE(13)", FREE_VA, 2 * P, file_fd, 0, -EINVAL);
	t[n - 1].flags = UK_VMA_MAP_SIZE(13);
	FILEC("file: overlap", A_VA, P, file_fd, 0, -EEXIST);
	FILEC("file: NULL vaddr", FREE_VA, P, file_fd, 0, -EINVAL);
	t[n - 1].nulls = N_VADDR;
	FILEC("file: NULL vas", FREE_VA, P, file_fd, 0, -EINVAL);
	t[n - 1].nulls = N_VAS;
#define DMAC(w, v, l, pa, f, e) C(.what = w, .op = OP_DMA, .va = v, \
				  .len = l, .attr = RW, .flags = f,  \
				  .arg = (long)(pa), .want = e)
	/* ---- DMA ---- */
	DMAC("dma: paddr 0", FREE_VA, P, 0, 0, -EINVAL);
	DMAC("dma: paddr below memory", FREE_VA, P, mb - P, 0, -EINVAL);
	DMAC("dma: paddr at end of memory", FREE_VA, P, me, 0, -EINVAL);
	DMAC("dma: range past end of memory", FREE_VA, 2 * P, me - P, 0,
	     -EINVAL);
	DMAC("dma: range larger than memory", FREE_VA, fx->pm.size + P, mb, 0,
	     -EINVAL);
	DMAC("dma: paddr +1", FREE_VA, P, mb + 1, 0, -EINVAL);
	DMAC("dma: paddr +2K", FREE_VA, P, mb + P / 2, 0, -EINVAL);
	DMAC("dma 2M: paddr 4K aligned", FREE_VA, 2 * MB, mb + P,
	     UK_VMA_MAP_SIZE_2MB, -EINVAL);
	DMAC("dma: paddr+len wraps", FREE_VA, 2 * P, TOP, 0, -EINVAL);
	DMAC("dma: paddr __PADDR_ANY", FREE_VA, P, __PADDR_ANY, 0, -EINVAL);
	DMAC("dma: vaddr +1", FREE_VA + 1, P, mb, 0, -EINVAL);
	DMAC("dma: len 0", FREE_VA, 0, mb, 0, -EINVAL);
	DMAC("dma: NULL args", FREE_VA, P, mb, 0, -EINVAL);
	t[n - 1].nulls = N_ARGS;
#define STK(w, v, l, pre, f, e) C(.what = w, .op = OP_STACK, .va = v, \
				  .len = l, .arg = (long)(pre), .flags = f, \
				  .want = e)
	/* ---- stacks ---- */
	STK("stack: len 0", ANY, 0, 0, 0, -EINVAL);
	STK("stack: len 4K+1", ANY, P + 1, 0, 0, -EINVAL);
	STK("stack: premapped 4K+1", ANY, 4 * P, P + 1, 0, -EINVAL);
	STK("stack: vaddr +1", FREE_VA + P + 1, 4 * P, 0, 0, -EINVAL);
	STK("stack: vaddr 0 (below the VAS)", 0, 4 * P, 0, 0, -EINVAL);
	STK("stack: vaddr at va end", E, 4 * P, 0, 0, -EINVAL);
	STK("stack: SIZE_2MB", ANY, 2 * MB, 0, UK_VMA_MAP_SIZE_2MB, -EINVAL);
	STK("stack: len ~0 & PAGE_MASK", ANY, TOP, 0, 0, -EINVAL);
	STK("stack: len = address space", ANY, E, 0, 0, -ENOMEM);
	STK("stack: flag 0x8", ANY, 4 * P, 0, 0x8, -EINVAL);
	STK("stack: overlap", A_VA + P, 4 * P, 0, 0, -EEXIST);
	STK("stack: NULL vaddr", ANY, 4 * P, 0, 0, -EINVAL);
	t[n - 1].nulls = N_VADDR;
	STK("stack: NULL vas", ANY, 4 * P, 0, 0, -EINVAL);
	t[n - 1].nulls = N_VAS;
#define FLT(w, v, ty, e) C(.what = w, .op = OP_FAULT, .va = v, .flags = ty, \
			   .want = e)
	/* ---- faults at addresses no VMA can cover ---- */
	FLT("fault: NULL vas", A_VA, UK_VMA_FAULT_READ, -EINVAL);
	t[n - 1].nulls = N_VAS;
	FLT("fault: page 0", 0, UK_VMA_FAULT_READ, -EFAULT);
	FLT("fault: va end", E, UK_VMA_FAULT_WRITE, -EFAULT);
	FLT("fault: 1<<48", 1UL << 48, UK_VMA_FAULT_READ, -EFAULT);
	FLT("fault: kernel half", 0xffff800000000000UL, UK_VMA_FAULT_READ,
	    -EFAULT);
	FLT("fault: ~0", ~0UL, UK_VMA_FAULT_EXEC, -EFAULT);
	FLT("fault: hole", FREE_VA, UK_VMA_FAULT_READ, -EFAULT);
#undef C
	assert_true(n <= CASES_MAX);
	return n;
}

static void test_table(void **state)
{
	static struct bcase cases[CASES_MAX];
	struct vas_snap before, now;
	char msg[512];
	size_t n, i, bad = 0;
	int rc;

	(void)state;
	n = build_cases(cases);
	snap_take(fx, &before);
	for (i = 0; i < n; i++) {
		rc = run_case(&cases[i]);
		if (rc != cases[i].want) {
			print_error("bad input \"%s\": returned %d, want %d\n",
				    cases[i].what, rc, cases[i].want);
			bad++;
		}
		snap_take(fx, &now);
		if (snap_diff(&before, &now, msg, sizeof(msg))) {
			print_error("bad input \"%s\" changed the VAS: %s\n",
				    cases[i].what, msg);
			uk_vas_print(&fx->vas, stderr);
			bad++;
			/* Go on from the changed state. */
			snap_free(&before);
			before = now;
		} else {
			snap_free(&now);
		}
		if (vas_fixture_check(fx))
			bad++;
	}
	snap_free(&before);
	print_message("badinput: %zu cases (%s format), %zu failed\n", n,
		      ukplat_pt_format(), bad);
	assert_int_equal(bad, 0);
}

/*
 * uk_vma_map with the file type and no args: the file type's new hook
 * must refuse it like the DMA type does, not dereference NULL. Run in a
 * child so that a crash is reported, not fatal.
 */
static int map_file_null_args(void)
{
	__vaddr_t va = FREE_VA;

	return uk_vma_map(&fx->vas, &va, P, RW, 0, NULL, &uk_vma_file_ops,
			  NULL);
}

static void test_file_null_args(void **state)
{
	struct vas_snap before, now;
	char msg[512];
	pid_t pid;
	int st, diff;

	(void)state;
	snap_take(fx, &before);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* cmocka catches these; the child must die of them. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		_exit(map_file_null_args() == -EINVAL ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	snap_take(fx, &now);
	diff = snap_diff(&before, &now, msg, sizeof(msg));
	snap_free(&before);
	snap_free(&now);
	if (WIFSIGNALED(st))
		fail_msg("uk_vma_map(file ops, args NULL) crashed with "
			 "signal %d", WTERMSIG(st));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(diff, 0);
}

/* ---- A type with no hooks at all: a plain VMA that never resolves ---- */

static const struct uk_vma_ops no_hooks;

static void test_no_hooks(void **state)
{
	struct vas_snap before, now;
	__vaddr_t va = FREE_VA, vb = ANY;
	char msg[512], c = 1;
	__paddr_t pa;

	(void)state;
	snap_take(fx, &before);
	assert_int_equal(uk_vma_map(&fx->vas, &va, 8 * P, RW, 0, "hookless",
				    &no_hooks, NULL), 0);
	/* Placement without get_base: first fit from the VAS base. */
	assert_int_equal(uk_vma_map(&fx->vas, &vb, P, RW, 0, NULL, &no_hooks,
				    NULL), 0);
	assert_true(vb >= B);
	assert_int_equal(uk_vma_map(&fx->vas, &va, 8 * P, RW,
				    UK_VMA_MAP_POPULATE, "hookless",
				    &no_hooks, NULL), -EEXIST);
	/* Faults are not resolved; nothing is installed. */
	assert_int_equal(uk_vas_fault(&fx->vas, va, UK_VMA_FAULT_READ),
			 -EFAULT);
	assert_int_equal(uk_vas_fault(&fx->vas, va + P, UK_VMA_FAULT_WRITE),
			 -EFAULT);
	assert_int_equal(uk_vas_read(&fx->vas, va, &c, 1), 0);
	assert_int_equal(uk_vas_write(&fx->vas, va, &c, 1), 0);
	assert_int_equal(uk_vas_translate(&fx->vas, va, UK_VMA_FAULT_READ,
					  &pa), -EFAULT);
	/* Every writer works with the defaults. */
	assert_int_equal(uk_vma_advise(&fx->vas, va, 8 * P,
				       UK_VMA_ADV_WILLNEED, 0), 0);
	assert_int_equal(uk_vma_advise(&fx->vas, va, 8 * P,
				       UK_VMA_ADV_DONTNEED, 0), 0);
	assert_int_equal(uk_vma_set_attr(&fx->vas, va + 2 * P, 2 * P, RO, 0),
			 0);
	assert_int_equal(uk_vma_set_attr(&fx->vas, va + 2 * P, 2 * P, RW, 0),
			 0);
	assert_int_equal(uk_vma_unmap(&fx->vas, va + 3 * P, P, 0), 0);
	va += 3 * P;
	assert_int_equal(uk_vma_map(&fx->vas, &va, P, RW, 0, "hookless",
				    &no_hooks, NULL), 0);
	uk_rcu_read_lock();
	assert_int_equal(uk_vma_find(&fx->vas, FREE_VA)->end, FREE_VA + 8 * P);
	assert_int_equal(uk_vma_resident(uk_vma_find(&fx->vas, FREE_VA)), 0);
	uk_rcu_read_unlock();
	/* Populate maps nothing either. */
	va = FREE_VA + 16 * P;
	assert_int_equal(uk_vma_map(&fx->vas, &va, 2 * P, RW,
				    UK_VMA_MAP_POPULATE, "hookless",
				    &no_hooks, NULL), 0);
	assert_int_equal(vas_fixture_check(fx), 0);
	assert_int_equal(uk_vma_unmap(&fx->vas, FREE_VA, 32 * P, 0), 0);
	assert_int_equal(uk_vma_unmap(&fx->vas, vb, P, 0), 0);
	snap_take(fx, &now);
	assert_int_equal(snap_diff(&before, &now, msg, sizeof(msg)), 0);
	snap_free(&before);
	snap_free(&now);
}

/* ---- Protection ------------------------------------------------------------- */

/* No leaf maps @va (and no translation for any access). */
static void assert_no_pte(__vaddr_t va)
{
	unsigned int level;
	__pte_t pte;
	__paddr_t pa;

	uk_rcu_read_lock();
	assert_int_equal(ukplat_pt_lookup(&fx->pt, va, &level, &pte), -ENOENT);
	uk_rcu_read_unlock();
	assert_int_equal(uk_vas_translate(&fx->vas, va, UK_VMA_FAULT_READ,
					  &pa), -EFAULT);
}

static __pte_t pte_at(__vaddr_t va)
{
	unsigned int level;
	__pte_t pte = 0;

	uk_rcu_read_lock();
	assert_int_equal(ukplat_pt_lookup(&fx->pt, va, &level, &pte), 0);
	uk_rcu_read_unlock();
	return pte;
}

/* Every kind of access to @va is refused and leaves no PTE; a fault
 * returns @want (an instruction fetch @want_x: a guard page of a non-exec
 * stack is refused for its rights before its hook is asked). */
static void refused_all_x(__vaddr_t va, int want, int want_x)
{
	char c = 0;

	assert_int_equal(uk_vas_read(&fx->vas, va, &c, 1), 0);
	assert_int_equal(uk_vas_write(&fx->vas, va, &c, 1), 0);
	assert_int_equal(uk_vas_fetch(&fx->vas, va, &c, 1), 0);
	assert_int_equal(uk_vas_probe_r(&fx->vas, va, 1, 0), 0);
	assert_int_equal(uk_vas_probe_rw(&fx->vas, va, 1, 0), 0);
	assert_int_equal(uk_vas_fault(&fx->vas, va, UK_VMA_FAULT_READ), want);
	assert_int_equal(uk_vas_fault(&fx->vas, va, UK_VMA_FAULT_WRITE), want);
	assert_int_equal(uk_vas_fault(&fx->vas, va, UK_VMA_FAULT_EXEC),
			 want_x);
	assert_no_pte(va);
}

static void refused_all(__vaddr_t va, int want)
{
	refused_all_x(va, want, want);
}

/* Every kind of access to the resident PROT_NONE page at @va (frame @pa)
 * is refused; its leaf stays as it is. */
static void refused_all_resident(__vaddr_t va, __paddr_t pa)
{
	unsigned int level;
	__pte_t pte = pte_at(va);
	__paddr_t got;
	char c = 0;

	uk_rcu_read_lock();
	assert_int_equal(ukplat_pt_lookup(&fx->pt, va, &level, &pte), 0);
	uk_rcu_read_unlock();
	assert_int_equal(ukplat_pte_paddr(pte, level), pa);
	assert_int_equal(ukplat_pte_attr(pte) & PAGE_ATTR_PROT_MASK, 0);
	assert_int_equal(uk_vas_read(&fx->vas, va, &c, 1), 0);
	assert_int_equal(uk_vas_write(&fx->vas, va, &c, 1), 0);
	assert_int_equal(uk_vas_fetch(&fx->vas, va, &c, 1), 0);
	assert_int_equal(uk_vas_probe_r(&fx->vas, va, 1, 0), 0);
	assert_int_equal(uk_vas_probe_rw(&fx->vas, va, 1, 0), 0);
	assert_int_equal(uk_vas_fault(&fx->vas, va, UK_VMA_FAULT_READ),
			 -EACCES);
	assert_int_equal(uk_vas_fault(&fx->vas, va, UK_VMA_FAULT_WRITE),
			 -EACCES);
	assert_int_equal(uk_vas_fault(&fx->vas, va, UK_VMA_FAULT_EXEC),
			 -EACCES);
	assert_int_equal(uk_vas_translate(&fx->vas, va, UK_VMA_FAULT_READ,
					  &got), -EFAULT);
	assert_int_equal(pte_at(va), pte);
}

/* The snapshot of the whole VAS equals @before. */
static void assert_unchanged(const struct vas_snap *before)
{
	struct vas_snap now;
	char msg[512];

	snap_take(fx, &now);
	if (snap_diff(before, &now, msg, sizeof(msg)))
		fail_msg("refused access changed the VAS: %s", msg);
	snap_free(&now);
	assert_int_equal(vas_fixture_check(fx), 0);
}

static void test_refused_accesses(void **state)
{
	struct vas_snap before;
	__pte_t pte;
	char buf[2 * P], c = 9;
	__paddr_t pa;

	(void)state;
	snap_take(fx, &before);
	/* Write to read-only: not resident (no PTE created) ... */
	assert_int_equal(uk_vas_write(&fx->vas, RO_VA + P, &c, 1), 0);
	assert_int_equal(uk_vas_fault(&fx->vas, RO_VA + P, UK_VMA_FAULT_WRITE),
			 -EACCES);
	assert_int_equal(uk_vas_probe_rw(&fx->vas, RO_VA + P, 1, 0), 0);
	assert_no_pte(RO_VA + P);
	/* ... and resident: its read-only PTE stays exactly as it was. */
	pte = pte_at(RO_VA);
	assert_int_equal(uk_vas_write(&fx->vas, RO_VA, &c, 1), 0);
	assert_int_equal(uk_vas_fault(&fx->vas, RO_VA, UK_VMA_FAULT_WRITE),
			 -EACCES);
	assert_int_equal(pte_at(RO_VA), pte);
	assert_int_equal(uk_vas_translate(&fx->vas, RO_VA, UK_VMA_FAULT_WRITE,
					  &pa), -EFAULT);
	/* Execute from NX (RW) memory: resident and not. */
	pte = pte_at(A_VA);
	assert_int_equal(uk_vas_fetch(&fx->vas, A_VA, &c, 1), 0);
	assert_int_equal(uk_vas_fault(&fx->vas, A_VA, UK_VMA_FAULT_EXEC),
			 -EACCES);
	assert_int_equal(pte_at(A_VA), pte);
	assert_int_equal(uk_vas_fetch(&fx->vas, A_VA + 5 * P, &c, 1), 0);
	assert_int_equal(uk_vas_fault(&fx->vas, A_VA + 5 * P,
				      UK_VMA_FAULT_EXEC), -EACCES);
	assert_no_pte(A_VA + 5 * P);
	assert_int_equal(uk_vas_fetch(&fx->vas, FILE_VA + P, &c, 1), 0);
	assert_no_pte(FILE_VA + P);
	/* A reservation: every access, first, middle and last page. */
	refused_all(RSV_VA, -EFAULT);
	refused_all(RSV_VA + 7 * P + 123, -EFAULT);
	refused_all(RSV_VA + 16 * P - 1, -EFAULT);
	/* Stack guards: the one below and the four above. */
	refused_all_x(STK_VMA, -EFAULT, -EACCES);
	refused_all_x(STK_USE - 1, -EFAULT, -EACCES);
	refused_all_x(STK_USE + 16 * P, -EFAULT, -EACCES);
	refused_all_x(STK_USE + 20 * P - 1, -EFAULT, -EACCES);
	/* Past a VMA's end: the access stops at the end. Resident part of
	 * "a" runs into a non-resident part, then the stack's guard. */
	assert_int_equal(uk_vas_read(&fx->vas, STK_VMA - P, buf, 2 * P), P);
	assert_int_equal(uk_vas_write(&fx->vas, RO_VA + 4 * P - 1, buf, 2), 0);
	assert_int_equal(uk_vas_read(&fx->vas, RO_VA + 4 * P - 1, buf, 2), 1);
	assert_no_pte(RO_VA + 4 * P);
	refused_all(RO_VA + 4 * P, -EFAULT);
	assert_int_equal(uk_vas_read(&fx->vas, FILE_VA + 2 * P - 1, buf, 2),
			 1);
	assert_int_equal(uk_vas_write(&fx->vas, FILE_VA + 2 * P - 1, buf, 2),
			 1);
	refused_all(FILE_VA + 2 * P, -EFAULT);
	refused_all(HUGE_VA + GB, -EFAULT);
	assert_int_equal(uk_vas_probe_r(&fx->vas, RSV_VA - P, 2 * P, 0), 0);
	/* Wrapping and out-of-range accesses. */
	assert_int_equal(uk_vas_read(&fx->vas, ~0UL, buf, 2), 0);
	assert_int_equal(uk_vas_read(NULL, A_VA, buf, 1), 0);
	assert_int_equal(uk_vas_write(&fx->vas, 1UL << 48, buf, 1), 0);
	assert_int_equal(uk_vas_translate(&fx->vas, 1UL << 60,
					  UK_VMA_FAULT_READ, &pa), -EFAULT);
	/* The accesses that ran into an end faulted in the last pages of
	 * "a", "ro" and the file mapping (legitimately): drop those pages
	 * before comparing. */
	assert_int_equal(uk_vma_advise(&fx->vas, STK_VMA - P, P,
				       UK_VMA_ADV_DONTNEED, 0), 0);
	assert_int_equal(uk_vma_advise(&fx->vas, RO_VA + 3 * P, P,
				       UK_VMA_ADV_DONTNEED, 0), 0);
	assert_int_equal(uk_vma_advise(&fx->vas, FILE_VA + P, P,
				       UK_VMA_ADV_DONTNEED, 0), 0);
	assert_unchanged(&before);
	snap_free(&before);
}

/* PROT_NONE keeps a resident page's data while refusing every access;
 * back to RW the old data reads again. */
static void test_prot_none(void **state)
{
	struct vas_snap before;
	__vaddr_t va = FREE_VA;
	unsigned int level;
	__pte_t pte;
	__paddr_t pa, pa1;

	(void)state;
	map_anon_at(va, 4 * P, RW, 0, "pn");
	assert_int_equal(snap_fill(&fx->vas, va, 2 * P, 3), 0);
	assert_int_equal(uk_vas_translate(&fx->vas, va, UK_VMA_FAULT_READ, &pa),
			 0);
	assert_int_equal(uk_vas_translate(&fx->vas, va + P, UK_VMA_FAULT_READ,
					  &pa1), 0);
	assert_int_equal(uk_vma_set_attr(&fx->vas, va, 4 * P,
					 PAGE_ATTR_PROT_NONE, 0), 0);
	snap_take(fx, &before);
	/* Resident pages: the leaf stays (software-present) but gives no
	 * access; non-resident pages get no PTE, not even from WILLNEED. */
	refused_all_resident(va, pa);
	refused_all_resident(va + P, pa1);
	refused_all(va + 3 * P, -EACCES);
	assert_int_equal(uk_vma_advise(&fx->vas, va, 4 * P,
				       UK_VMA_ADV_WILLNEED, 0), 0);
	assert_no_pte(va + 3 * P);
	assert_unchanged(&before);
	snap_free(&before);
	/* Back to RW: the old bytes, in the same frame. */
	assert_int_equal(uk_vma_set_attr(&fx->vas, va, 4 * P, RW, 0), 0);
	assert_int_equal(snap_check_fill(&fx->vas, va, 2 * P, 3), 0);
	uk_rcu_read_lock();
	assert_int_equal(ukplat_pt_lookup(&fx->pt, va, &level, &pte), 0);
	uk_rcu_read_unlock();
	assert_int_equal(ukplat_pte_paddr(pte, level), pa);
	assert_int_equal(vas_fixture_check(fx), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_table),
		T(test_file_null_args),
		T(test_no_hooks),
		T(test_refused_accesses),
		T(test_prot_none),
#undef T
	};

	return cmocka_run_group_tests_name("badinput", tests, group_setup,
					   group_teardown);
}
