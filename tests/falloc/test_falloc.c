/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame allocator, single-threaded: placement, alignment, partial frees,
 * error paths (each checked to change nothing), large lazily backed zones,
 * zeroing, fault injection, and a random run against a shadow model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <uk/falloc.h>
#include <uk/physmem.h>
#include <uk/plat.h>
#include <uk/host.h>

#define GIB (1UL << 30)
#define MIB (1UL << 20)
#define FRAMES_1G (GIB / PAGE_SIZE)

struct zone {
	struct uk_physmem pm;
	struct uk_falloc *fa;
};

static void zone_init(struct zone *z, __sz size)
{
	assert_int_equal(uk_physmem_init(&z->pm, size), 0);
	assert_int_equal(uk_falloc_create(&z->fa, &z->pm), 0);
	assert_int_equal(z->fa->total_memory, z->pm.size);
	assert_int_equal(z->fa->free_memory(z->fa), z->pm.size);
}

static void zone_fini(struct zone *z)
{
	uk_falloc_drain(z->fa);
	assert_int_equal(uk_falloc_validate(z->fa), 0);
	assert_int_equal(z->fa->free_memory(z->fa), z->fa->total_memory);
	assert_int_equal(uk_falloc_used(z->fa), 0);
	uk_falloc_destroy(z->fa);
	uk_physmem_destroy(&z->pm);
}

static __paddr_t zbase(struct zone *z)
{
	return z->pm.base;
}

static __paddr_t alloc_ok(struct uk_falloc *fa, unsigned long n,
			  unsigned long flags)
{
	__paddr_t p = __PADDR_ANY;

	assert_int_equal(uk_falloc_frames(fa, &p, n, flags), 0);
	assert_true(PAGE_ALIGNED(p));
	assert_int_equal(uk_falloc_is_allocated(fa, p, n), 1);
	return p;
}

static void alloc_at_ok(struct uk_falloc *fa, __paddr_t p, unsigned long n)
{
	__paddr_t q = p;

	assert_int_equal(uk_falloc_frames(fa, &q, n, 0), 0);
	assert_int_equal(q, p);
	assert_int_equal(uk_falloc_is_allocated(fa, p, n), 1);
}

static void physmem_basics(void **state)
{
	struct uk_physmem pm;

	(void)state;
	assert_int_equal(uk_physmem_init(&pm, 0), 0);
	assert_int_equal(pm.base, UK_PHYSMEM_BASE);
	assert_int_equal(pm.size, UK_PHYSMEM_DEFAULT_SIZE);
	assert_true(uk_physmem_contains(&pm, pm.base, pm.size));
	assert_false(uk_physmem_contains(&pm, pm.base - 1, 1));
	assert_false(uk_physmem_contains(&pm, pm.base + pm.size, 1));
	memset(uk_physmem_kmap(&pm, pm.base + PAGE_SIZE), 0xab, 16);
	uk_physmem_discard(&pm, pm.base + PAGE_SIZE, PAGE_SIZE);
	assert_int_equal(*(unsigned char *)uk_physmem_kmap(&pm, pm.base + PAGE_SIZE), 0);
	uk_physmem_destroy(&pm);

	assert_int_equal(uk_physmem_init(&pm, 5), 0);
	assert_int_equal(pm.size, PAGE_SIZE);
	uk_physmem_destroy(&pm);
	assert_int_equal(uk_physmem_init(&pm, ~0UL), -EINVAL);
}

static void alloc_any_aligned(void **state)
{
	static const unsigned long counts[] = {1, 3, 512, 513, 262144, 7, 1000};
	__paddr_t p[sizeof(counts) / sizeof(counts[0])];
	struct zone z;
	unsigned long i, used = 0;

	(void)state;
	zone_init(&z, 2 * GIB);
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		unsigned long n = counts[i], align = 1;

		while (align < n)
			align <<= 1;
		p[i] = alloc_ok(z.fa, n, FALLOC_FLAG_ALIGNED);
		assert_int_equal(p[i] % (align * PAGE_SIZE), 0);
		assert_true(uk_physmem_contains(&z.pm, p[i], n * PAGE_SIZE));
		used += n;
		/* The rounded-up tail is not wasted. */
		assert_int_equal(uk_falloc_used(z.fa), used * PAGE_SIZE);
		assert_int_equal(uk_falloc_validate(z.fa), 0);
	}
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		assert_int_equal(uk_ffree(z.fa, p[i], counts[i]), 0);
	zone_fini(&z);
}

static void alloc_any_unaligned(void **state)
{
	struct zone z;
	__paddr_t a, b, c;

	(void)state;
	zone_init(&z, 64 * MIB);
	a = alloc_ok(z.fa, 5, 0);
	b = alloc_ok(z.fa, 1, 0);
	c = alloc_ok(z.fa, 300, FALLOC_FLAG_ZERO);
	assert_true(a + 5 * PAGE_SIZE <= b || b + PAGE_SIZE <= a);
	assert_true(c + 300 * PAGE_SIZE <= a || a + 5 * PAGE_SIZE <= c);
	assert_int_equal(uk_falloc_used(z.fa), 306 * PAGE_SIZE);
	/* The tail of the 8-frame block behind a is free and allocatable. */
	if (a % (8 * PAGE_SIZE) == 0 && b != a + 5 * PAGE_SIZE) {
		alloc_at_ok(z.fa, a + 5 * PAGE_SIZE, 3);
		assert_int_equal(uk_ffree(z.fa, a + 5 * PAGE_SIZE, 3), 0);
	}
	assert_int_equal(uk_ffree(z.fa, a, 5), 0);
	assert_int_equal(uk_ffree(z.fa, b, 1), 0);
	assert_int_equal(uk_ffree(z.fa, c, 300), 0);
	zone_fini(&z);
}

static void alloc_at_address(void **state)
{
	struct zone z;
	__paddr_t p, q;
	__sz used;

	(void)state;
	zone_init(&z, 64 * MIB);
	p = zbase(&z) + 12345 * PAGE_SIZE;
	alloc_at_ok(z.fa, p, 7);
	used = uk_falloc_used(z.fa);
	assert_int_equal(used, 7 * PAGE_SIZE);

	/* Any overlap with an allocated frame: -ENOMEM, nothing changes. */
	q = p + 6 * PAGE_SIZE;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 1, 0), -ENOMEM);
	q = p - 2 * PAGE_SIZE;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 3, 0), -ENOMEM);
	assert_int_equal(q, p - 2 * PAGE_SIZE);
	assert_int_equal(uk_falloc_is_allocated(z.fa, q, 2), 0);
	assert_int_equal(uk_falloc_used(z.fa), used);

	/* Bad requests: -EINVAL. */
	q = p + 1;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 1, 0), -EINVAL);
	q = zbase(&z) - PAGE_SIZE;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 1, 0), -EINVAL);
	q = zbase(&z) + 64 * MIB - PAGE_SIZE;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 2, 0), -EINVAL);
	q = zbase(&z) + 64 * MIB;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 1, 0), -EINVAL);
	q = zbase(&z) + 3 * PAGE_SIZE;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 4, FALLOC_FLAG_ALIGNED), -EINVAL);
	q = __PADDR_ANY;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 0, 0), -EINVAL);
	assert_int_equal(uk_falloc_frames(z.fa, &q, 1, 0x100), -EINVAL);
	assert_int_equal(uk_falloc_frames(z.fa, &q, ~0UL, 0), -ENOMEM);
	assert_int_equal(uk_falloc_frames(z.fa, &q, 64 * MIB / PAGE_SIZE + 1, 0),
			 -ENOMEM);
	assert_int_equal(q, __PADDR_ANY);
	assert_int_equal(uk_falloc_used(z.fa), used);

	/* First and last frame of the zone, aligned at an address. */
	alloc_at_ok(z.fa, zbase(&z), 1);
	alloc_at_ok(z.fa, zbase(&z) + 64 * MIB - PAGE_SIZE, 1);
	q = zbase(&z) + 32 * MIB;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 512, FALLOC_FLAG_ALIGNED), 0);
	assert_int_equal(q, zbase(&z) + 32 * MIB);
	assert_int_equal(uk_falloc_validate(z.fa), 0);

	assert_int_equal(uk_ffree(z.fa, q, 512), 0);
	assert_int_equal(uk_ffree(z.fa, zbase(&z), 1), 0);
	assert_int_equal(uk_ffree(z.fa, zbase(&z) + 64 * MIB - PAGE_SIZE, 1), 0);
	assert_int_equal(uk_ffree(z.fa, p, 7), 0);
	zone_fini(&z);
}

static void exhaustion_and_recovery(void **state)
{
	const unsigned long nframes = 1024;
	__paddr_t *p = malloc(nframes * sizeof(*p)), q;
	struct zone z;
	unsigned long i;

	(void)state;
	zone_init(&z, nframes * PAGE_SIZE);
	for (i = 0; i < nframes; i++)
		p[i] = alloc_ok(z.fa, 1, 0);
	assert_int_equal(z.fa->free_memory(z.fa), 0);
	assert_int_equal(uk_falloc(z.fa, 1), __PADDR_INV);
	q = __PADDR_ANY;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 2, 0), -ENOMEM);
	assert_int_equal(uk_falloc_validate(z.fa), 0);

	/* One back: allocatable again, at its address or anywhere. */
	assert_int_equal(uk_ffree(z.fa, p[100], 1), 0);
	assert_int_equal(z.fa->free_memory(z.fa), PAGE_SIZE);
	alloc_at_ok(z.fa, p[100], 1);
	assert_int_equal(uk_ffree(z.fa, p[100], 1), 0);
	assert_int_equal(uk_falloc(z.fa, 1), p[100]);

	/* Every other frame back (into the cache, then the buddy): no run of
	 * two exists, single frames all come back. */
	for (i = 0; i < nframes; i += 2)
		assert_int_equal(uk_ffree(z.fa, p[i], 1), 0);
	assert_int_equal(uk_falloc_frames(z.fa, &q, 2, 0), -ENOMEM);
	for (i = 0; i < nframes; i += 2)
		p[i] = alloc_ok(z.fa, 1, 0);
	assert_int_equal(uk_falloc(z.fa, 1), __PADDR_INV);

	for (i = 0; i < nframes; i++)
		assert_int_equal(uk_ffree(z.fa, p[i], 1), 0);
	/* Frames parked in the cache do not stop a full-zone allocation. */
	q = alloc_ok(z.fa, nframes, FALLOC_FLAG_ALIGNED);
	assert_int_equal(q, zbase(&z));
	assert_int_equal(uk_ffree(z.fa, q, nframes), 0);
	free(p);
	zone_fini(&z);
}

static void fragmented_run_fallback(void **state)
{
	const unsigned long nframes = 64;
	__paddr_t p[64], q;
	struct zone z;
	unsigned long i;

	(void)state;
	zone_init(&z, nframes * PAGE_SIZE);
	for (i = 0; i < nframes; i++) {
		p[i] = zbase(&z) + i * PAGE_SIZE;
		alloc_at_ok(z.fa, p[i], 1);
	}
	/* Free frames 5..7 and 8..10: no aligned 4- or 8-block is free, but
	 * a run of 6 is. */
	for (i = 5; i < 11; i++)
		assert_int_equal(uk_ffree(z.fa, p[i], 1), 0);
	q = alloc_ok(z.fa, 6, 0);
	assert_int_equal(q, p[5]);
	assert_int_equal(uk_ffree(z.fa, q, 6), 0);
	/* Aligned: a run of 3 at a multiple of 4 frames (8..10). */
	q = alloc_ok(z.fa, 3, FALLOC_FLAG_ALIGNED);
	assert_int_equal(q, p[8]);
	assert_int_equal(uk_ffree(z.fa, q, 3), 0);
	assert_int_equal(uk_falloc_validate(z.fa), 0);
	for (i = 0; i < nframes; i++)
		if (i < 5 || i >= 11)
			assert_int_equal(uk_ffree(z.fa, p[i], 1), 0);
	zone_fini(&z);
}

static void partial_frees(void **state)
{
	struct zone z;
	__paddr_t p;
	__sz used;

	(void)state;
	zone_init(&z, 16 * MIB);
	p = alloc_ok(z.fa, 16, 0);
	used = uk_falloc_used(z.fa);

	assert_int_equal(uk_ffree(z.fa, p, 2), 0);                   /* head */
	assert_int_equal(uk_ffree(z.fa, p + 5 * PAGE_SIZE, 3), 0);   /* middle */
	assert_int_equal(uk_ffree(z.fa, p + 15 * PAGE_SIZE, 1), 0);  /* tail */
	assert_int_equal(uk_falloc_used(z.fa), used - 6 * PAGE_SIZE);
	assert_int_equal(uk_falloc_is_allocated(z.fa, p, 1), 0);
	assert_int_equal(uk_falloc_is_allocated(z.fa, p + 2 * PAGE_SIZE, 3), 1);
	assert_int_equal(uk_falloc_is_allocated(z.fa, p + 2 * PAGE_SIZE, 4), 0);
	assert_int_equal(uk_falloc_is_allocated(z.fa, p + 8 * PAGE_SIZE, 7), 1);
	assert_int_equal(uk_falloc_validate(z.fa), 0);

	/* Exactly those frames, at their addresses. */
	alloc_at_ok(z.fa, p, 2);
	alloc_at_ok(z.fa, p + 5 * PAGE_SIZE, 3);
	alloc_at_ok(z.fa, p + 15 * PAGE_SIZE, 1);
	assert_int_equal(uk_falloc_used(z.fa), used);
	assert_int_equal(uk_falloc_is_allocated(z.fa, p, 16), 1);

	/* Free in pieces that differ from the allocations. */
	assert_int_equal(uk_ffree(z.fa, p + PAGE_SIZE, 14), 0);
	assert_int_equal(uk_ffree(z.fa, p, 1), 0);
	assert_int_equal(uk_ffree(z.fa, p + 15 * PAGE_SIZE, 1), 0);
	zone_fini(&z);
}

static void free_spanning_allocations(void **state)
{
	struct zone z;
	__paddr_t a, b, c;

	(void)state;
	zone_init(&z, 16 * MIB);
	a = zbase(&z) + 100 * PAGE_SIZE;
	b = a + 4 * PAGE_SIZE;
	c = b + 8 * PAGE_SIZE;
	alloc_at_ok(z.fa, a, 4);
	alloc_at_ok(z.fa, b, 8);
	alloc_at_ok(z.fa, c, 1);
	/* From the middle of a to the middle of b, then b's rest and c. */
	assert_int_equal(uk_ffree(z.fa, a + 2 * PAGE_SIZE, 6), 0);
	assert_int_equal(uk_falloc_is_allocated(z.fa, a, 2), 1);
	assert_int_equal(uk_falloc_is_allocated(z.fa, a + 2 * PAGE_SIZE, 1), 0);
	assert_int_equal(uk_ffree(z.fa, b + 4 * PAGE_SIZE, 5), 0);
	assert_int_equal(uk_ffree(z.fa, a, 2), 0);
	assert_int_equal(uk_falloc_validate(z.fa), 0);
	zone_fini(&z);
}

static void double_free_and_outside(void **state)
{
	struct zone z;
	__paddr_t p, s;
	__sz free_before;

	(void)state;
	zone_init(&z, 16 * MIB);
	p = alloc_ok(z.fa, 8, 0);
	s = alloc_ok(z.fa, 1, 0);
	assert_int_equal(uk_ffree(z.fa, p + 2 * PAGE_SIZE, 2), 0);
	assert_int_equal(uk_ffree(z.fa, s, 1), 0);
	free_before = z.fa->free_memory(z.fa);

	assert_int_equal(uk_ffree(z.fa, s, 1), -EINVAL);              /* single */
	assert_int_equal(uk_ffree(z.fa, p + 2 * PAGE_SIZE, 2), -EINVAL);
	assert_int_equal(uk_ffree(z.fa, p, 8), -EINVAL);  /* partly free */
	assert_int_equal(uk_ffree(z.fa, p + 3 * PAGE_SIZE, 1), -EINVAL);
	assert_int_equal(uk_ffree(z.fa, zbase(&z) - PAGE_SIZE, 1), -EINVAL);
	assert_int_equal(uk_ffree(z.fa, zbase(&z) + 16 * MIB, 1), -EINVAL);
	assert_int_equal(uk_ffree(z.fa, zbase(&z) + 16 * MIB - PAGE_SIZE, 2),
			 -EINVAL);
	assert_int_equal(uk_ffree(z.fa, 0, 1), -EINVAL);
	assert_int_equal(uk_ffree(z.fa, p + 1, 1), -EINVAL);     /* misaligned */
	assert_int_equal(uk_ffree(z.fa, p, 0), -EINVAL);
	assert_int_equal(uk_ffree(z.fa, p, ~0UL), -EINVAL);
	assert_int_equal(uk_falloc_is_allocated(z.fa, zbase(&z) - PAGE_SIZE, 1),
			 -EINVAL);

	/* Nothing changed. */
	assert_int_equal(z.fa->free_memory(z.fa), free_before);
	assert_int_equal(uk_falloc_is_allocated(z.fa, p, 2), 1);
	assert_int_equal(uk_falloc_is_allocated(z.fa, p + 4 * PAGE_SIZE, 4), 1);
	assert_int_equal(uk_falloc_validate(z.fa), 0);

	assert_int_equal(uk_ffree(z.fa, p, 2), 0);
	assert_int_equal(uk_ffree(z.fa, p + 4 * PAGE_SIZE, 4), 0);
	zone_fini(&z);
}

/* Fill a zone with 1 GiB aligned blocks; the frames are never touched. */
static void huge_blocks(__sz size)
{
	unsigned long want = size / GIB, n = 0, i;
	__paddr_t p[16], q, one;
	struct zone z;

	zone_init(&z, size);
	for (;;) {
		q = __PADDR_ANY;
		if (uk_falloc_frames(z.fa, &q, FRAMES_1G, FALLOC_FLAG_ALIGNED))
			break;
		assert_true(n < 16);
		assert_int_equal(q % GIB, 0);
		p[n++] = q;
	}
	assert_int_equal(n, want);
	assert_int_equal(z.fa->free_memory(z.fa), 0);
	assert_int_equal(uk_falloc_validate(z.fa), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(uk_ffree(z.fa, p[i], FRAMES_1G), 0);

	/* One small allocation costs one 1 GiB block, not more. */
	one = alloc_ok(z.fa, 1, 0);
	for (n = 0;; n++) {
		q = __PADDR_ANY;
		if (uk_falloc_frames(z.fa, &q, FRAMES_1G, FALLOC_FLAG_ALIGNED))
			break;
		p[n] = q;
	}
	assert_int_equal(n, want - 1);
	for (i = 0; i < n; i++)
		assert_int_equal(uk_ffree(z.fa, p[i], FRAMES_1G), 0);
	assert_int_equal(uk_ffree(z.fa, one, 1), 0);

	/* The whole zone at once, unaligned count allowed too. */
	q = alloc_ok(z.fa, size / PAGE_SIZE, 0);
	assert_int_equal(q, zbase(&z));
	assert_int_equal(uk_ffree(z.fa, q + GIB, size / PAGE_SIZE - FRAMES_1G), 0);
	assert_int_equal(uk_ffree(z.fa, q, FRAMES_1G), 0);
	zone_fini(&z);
}

static void zone_2g(void **state)
{
	(void)state;
	huge_blocks(2 * GIB);
}

static void zone_4g(void **state)
{
	(void)state;
	huge_blocks(4 * GIB);
}

static void zone_8g(void **state)
{
	(void)state;
	huge_blocks(8 * GIB);
}

static void zone_odd_size(void **state)
{
	struct zone z;
	__paddr_t q;

	(void)state;
	/* 3 GiB + 5 pages from 1 GiB: blocks [1G, 2G), [2G, 4G) and a few
	 * frames; 2 GiB + 1 frames exceed every block, but the run exists. */
	zone_init(&z, 3 * GIB + 5 * PAGE_SIZE);
	q = __PADDR_ANY;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 2 * FRAMES_1G, FALLOC_FLAG_ALIGNED),
			 0);
	assert_int_equal(q % (2 * GIB), 0);
	assert_int_equal(uk_ffree(z.fa, q, 2 * FRAMES_1G), 0);
	q = alloc_ok(z.fa, 2 * FRAMES_1G + 1, 0);
	assert_int_equal(uk_ffree(z.fa, q, 2 * FRAMES_1G + 1), 0);
	q = alloc_ok(z.fa, 5, 0);
	assert_int_equal(uk_ffree(z.fa, q, 5), 0);
	zone_fini(&z);
}

static void zeroing(void **state)
{
	struct zone z;
	__paddr_t p, q;
	unsigned char *m;
	unsigned long i;

	(void)state;
	zone_init(&z, 16 * MIB);
	p = alloc_ok(z.fa, 1, 0);
	memset(uk_physmem_kmap(&z.pm, p), 0x5a, PAGE_SIZE);
	assert_int_equal(uk_ffree(z.fa, p, 1), 0);
	q = alloc_ok(z.fa, 1, FALLOC_FLAG_ZERO);
	assert_int_equal(q, p); /* the cache hands the hot frame back */
	m = uk_physmem_kmap(&z.pm, q);
	for (i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(m[i], 0);
	assert_int_equal(uk_ffree(z.fa, q, 1), 0);

	p = alloc_ok(z.fa, 20, 0);
	memset(uk_physmem_kmap(&z.pm, p), 0xa5, 20 * PAGE_SIZE);
	assert_int_equal(uk_ffree(z.fa, p, 20), 0);
	alloc_at_ok(z.fa, p, 20);
	assert_int_equal(uk_ffree(z.fa, p, 20), 0);
	q = p;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 20, FALLOC_FLAG_ZERO), 0);
	m = uk_physmem_kmap(&z.pm, q);
	for (i = 0; i < 20 * PAGE_SIZE; i++)
		assert_int_equal(m[i], 0);
	assert_int_equal(uk_ffree(z.fa, q, 20), 0);
	zone_fini(&z);
}

static void injected_failure(void **state)
{
	struct zone z;
	__paddr_t q;
	__sz free_before;

	(void)state;
	zone_init(&z, 16 * MIB);
	free_before = z.fa->free_memory(z.fa);

	ukplat_inject_arm(UK_INJECT_FRAME, 1);
	q = __PADDR_ANY;
	assert_int_equal(uk_falloc_frames(z.fa, &q, 1, 0), -ENOMEM);
	assert_int_equal(q, __PADDR_ANY);
	assert_int_equal(z.fa->free_memory(z.fa), free_before);

	ukplat_inject_arm(UK_INJECT_FRAME, 2);
	q = alloc_ok(z.fa, 4, 0);
	__paddr_t r = zbase(&z) + 8 * MIB;
	assert_int_equal(uk_falloc_frames(z.fa, &r, 4, 0), -ENOMEM);
	assert_int_equal(uk_falloc_is_allocated(z.fa, zbase(&z) + 8 * MIB, 1), 0);
	assert_true(ukplat_inject_calls(UK_INJECT_FRAME) >= 2);
	ukplat_inject_arm(UK_INJECT_FRAME, 0);
	assert_int_equal(uk_falloc_frames(z.fa, &r, 4, 0), 0);
	assert_int_equal(uk_ffree(z.fa, r, 4), 0);
	assert_int_equal(uk_ffree(z.fa, q, 4), 0);
	assert_int_equal(z.fa->free_memory(z.fa), free_before);

	/* A metadata failure at create is reported, not fatal. */
	ukplat_inject_arm(UK_INJECT_META, 1);
	struct uk_falloc *fa2 = NULL;
	assert_int_equal(uk_falloc_create(&fa2, &z.pm), -ENOMEM);
	ukplat_inject_arm(UK_INJECT_META, 0);
	zone_fini(&z);
}

static void convenience(void **state)
{
	struct zone z;
	__paddr_t p;

	(void)state;
	zone_init(&z, 16 * MIB);
	p = uk_falloc(z.fa, 3);
	assert_int_not_equal(p, __PADDR_INV);
	assert_int_equal(uk_falloc_is_allocated(z.fa, p, 3), 1);
	assert_int_equal(uk_falloc(z.fa, 16 * MIB / PAGE_SIZE), __PADDR_INV);
	assert_int_equal(uk_ffree(z.fa, p, 3), 0);
	p = uk_falloc(z.fa, 16 * MIB / PAGE_SIZE);
	assert_int_equal(p, zbase(&z));
	assert_int_equal(uk_ffree(z.fa, p, 16 * MIB / PAGE_SIZE), 0);
	zone_fini(&z);
}

/* Random operations against a shadow bitmap of the zone. */
static unsigned long rnd_state = 88172645463325252UL;

static unsigned long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void random_vs_shadow(void **state)
{
	const unsigned long nframes = 4096;
	unsigned char *shadow = calloc(nframes, 1);
	unsigned long i, j, n, used = 0, iter;
	struct zone z;
	__paddr_t p;
	int rc;

	(void)state;
	zone_init(&z, nframes * PAGE_SIZE);
	for (iter = 0; iter < 20000; iter++) {
		unsigned long op = rnd() % 8;

		n = rnd() % 4 == 0 ? 1 + rnd() % 70 : 1;
		i = rnd() % nframes;
		if (i + n > nframes)
			n = nframes - i;
		p = zbase(&z) + i * PAGE_SIZE;
		if (op < 3) { /* anywhere */
			__paddr_t q = __PADDR_ANY;

			rc = uk_falloc_frames(z.fa, &q, n, rnd() & 1 ? FALLOC_FLAG_ALIGNED : 0);
			if (rc == 0) {
				i = (q - zbase(&z)) / PAGE_SIZE;
				for (j = i; j < i + n; j++) {
					assert_int_equal(shadow[j], 0);
					shadow[j] = 1;
				}
				used += n;
			} else {
				assert_int_equal(rc, -ENOMEM);
			}
		} else if (op < 5) { /* at address */
			for (j = i; j < i + n && !shadow[j]; j++)
				;
			rc = uk_falloc_frames(z.fa, &p, n, 0);
			assert_int_equal(rc, j == i + n ? 0 : -ENOMEM);
			if (!rc) {
				memset(shadow + i, 1, n);
				used += n;
			}
		} else { /* free a range, maybe invalid */
			for (j = i; j < i + n && shadow[j]; j++)
				;
			rc = uk_ffree(z.fa, p, n);
			assert_int_equal(rc, j == i + n ? 0 : -EINVAL);
			if (!rc) {
				memset(shadow + i, 0, n);
				used -= n;
			}
		}
		assert_int_equal(uk_falloc_used(z.fa), used * PAGE_SIZE);
		if (iter % 997 == 0) {
			assert_int_equal(uk_falloc_validate(z.fa), 0);
			for (j = 0; j < nframes; j++)
				assert_int_equal(uk_falloc_is_allocated(
					z.fa, zbase(&z) + j * PAGE_SIZE, 1), shadow[j]);
		}
		if (iter % 4999 == 0)
			uk_falloc_drain(z.fa);
	}
	for (i = 0; i < nframes; i++)
		if (shadow[i])
			assert_int_equal(uk_ffree(z.fa, zbase(&z) + i * PAGE_SIZE, 1), 0);
	free(shadow);
	zone_fini(&z);
}

/* Metadata handed in by the caller (a kernel at boot): any contents, the
 * allocator works in it, and destroy leaves it to the caller. */
static void create_in_caller_memory(void **state)
{
	struct uk_physmem pm;
	struct uk_falloc *fa = NULL;
	__sz need;
	char *meta;
	__paddr_t p;

	(void)state;
	assert_int_equal(uk_physmem_init(&pm, 64 * MIB), 0);
	need = uk_falloc_meta_size(&pm);
	assert_true(need > 0 && need % PAGE_SIZE == 0);
	/* One page more, to hand in a misaligned block below. */
	meta = aligned_alloc(PAGE_SIZE, need + PAGE_SIZE);
	assert_non_null(meta);
	memset(meta, 0xa5, need + PAGE_SIZE);

	assert_int_equal(uk_falloc_create_in(&fa, &pm, meta, need - PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(uk_falloc_create_in(&fa, &pm, meta + 8, need),
			 -EINVAL);
	assert_int_equal(uk_falloc_create_in(&fa, &pm, NULL, need), -EINVAL);
	assert_int_equal(uk_falloc_create_in(NULL, &pm, meta, need), -EINVAL);
	assert_null(fa);

	/* Injected metadata failures do not apply: nothing is allocated. */
	ukplat_inject_arm(UK_INJECT_META, 1);
	assert_int_equal(uk_falloc_create_in(&fa, &pm, meta, need), 0);
	ukplat_inject_arm(UK_INJECT_META, 0);
	assert_int_equal(fa->free_memory(fa), pm.size);
	assert_int_equal(uk_falloc_validate(fa), 0);
	p = uk_falloc(fa, 3);
	assert_int_not_equal(p, __PADDR_INV);
	assert_int_equal(uk_falloc_used(fa), 3 * PAGE_SIZE);
	assert_int_equal(uk_ffree(fa, p, 3), 0);
	uk_falloc_drain(fa);
	assert_int_equal(uk_falloc_validate(fa), 0);
	uk_falloc_destroy(fa);
	/* Still the caller's: the tail page past the block is untouched. */
	assert_int_equal((unsigned char)meta[need], 0xa5);
	meta[0] = 1;
	free(meta);
	uk_physmem_destroy(&pm);
}

static void meta_size_of_bad_zone(void **state)
{
	struct uk_physmem bad = {.base = UK_PHYSMEM_BASE, .size = 0,
				 .host = (char *)&bad};

	(void)state;
	assert_int_equal(uk_falloc_meta_size(&bad), 0);
	bad.size = PAGE_SIZE + 1;
	assert_int_equal(uk_falloc_meta_size(&bad), 0);
	bad.size = PAGE_SIZE;
	bad.host = NULL;
	assert_int_equal(uk_falloc_meta_size(&bad), 0);
	assert_int_equal(uk_falloc_meta_size(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(physmem_basics),
		cmocka_unit_test(alloc_any_aligned),
		cmocka_unit_test(alloc_any_unaligned),
		cmocka_unit_test(alloc_at_address),
		cmocka_unit_test(exhaustion_and_recovery),
		cmocka_unit_test(fragmented_run_fallback),
		cmocka_unit_test(partial_frees),
		cmocka_unit_test(free_spanning_allocations),
		cmocka_unit_test(double_free_and_outside),
		cmocka_unit_test(zone_2g),
		cmocka_unit_test(zone_4g),
		cmocka_unit_test(zone_8g),
		cmocka_unit_test(zone_odd_size),
		cmocka_unit_test(zeroing),
		cmocka_unit_test(injected_failure),
		cmocka_unit_test(convenience),
		cmocka_unit_test(random_vs_shadow),
		cmocka_unit_test(create_in_caller_memory),
		cmocka_unit_test(meta_size_of_bad_zone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
