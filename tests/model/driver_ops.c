/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model driver's operations: each step reads a few bytes, picks an
 * operation and its arguments, applies it to the model and to the VAS and
 * compares the return codes (and the address a map returns, and the bytes
 * an access returns).
 *
 * Design
 *   Arguments are drawn so that collisions are frequent: addresses come
 *   from a 64 MiB window around UK_VAS_VMA_BASE (4 MiB below it, so fixed
 *   maps sit below the first-fit base), half of them from its first 2 MiB;
 *   lengths are mostly 1-16 pages; about one op in six uses 2 MiB pages
 *   and 2 MiB aligned ranges. Bad arguments (misaligned, zero, wrapping,
 *   unknown flags and attributes, bad page sizes, bad DMA ranges, bad file
 *   offsets and descriptors) are mixed in. 1 GiB pages appear only where
 *   they cannot allocate memory (reservations, and the -EINVAL paths).
 *   Attributes always include READ when not NONE (write- or exec-only
 *   PTEs read anyway on both formats; see model_mem.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <uk/vma_types.h>
#include <uk/mmu.h>
#include "driver.h"

#define MB (1UL << 20)
#define HOT_PAGES 512

static const unsigned long attrs[] = {
	PAGE_ATTR_PROT_NONE, PAGE_ATTR_PROT_READ, PAGE_ATTR_PROT_RW,
	PAGE_ATTR_PROT_RW, PAGE_ATTR_PROT_READ | PAGE_ATTR_PROT_EXEC,
	PAGE_ATTR_PROT_RWX, PAGE_ATTR_PROT_RW | PAGE_ATTR_TYPE_DEVICE,
	PAGE_ATTR_PROT_RW,
};
static const char *const names[] = {NULL, "a", "b", "a"};

static const char *const type_str[] = {"anon", "rsvd", "stack", "dma",
				       "file"};

static __vaddr_t pick_va(struct driver *d, struct drv_src *s, bool big)
{
	const struct model_env *e = &d->m.env;
	uint8_t r = drv_u8(s);
	uint16_t x = drv_u16(s);

	switch (r) {
	case 0:
		return 0;
	case 1:
		return e->va_end - PAGE_SIZE;
	case 2:
		return ~0UL & PAGE_MASK;
	case 3:
		return __VADDR_ANY;
	case 4:
	case 5:
		return e->win_lo + (x % 4096) * PAGE_SIZE + 1 + r;
	}
	if (big)
		return e->win_lo + (x % ((e->win_hi - e->win_lo) >> 21)) * 2 * MB;
	if (r < 140)
		return e->base + (x % HOT_PAGES) * PAGE_SIZE;
	return e->win_lo + (x % ((e->win_hi - e->win_lo) >> PAGE_SHIFT)) *
				   PAGE_SIZE;
}

static __sz pick_len(struct drv_src *s, bool big)
{
	uint8_t r = drv_u8(s);
	uint16_t x = drv_u16(s);

	if (r < 3)
		return 0;
	if (r < 6)
		return (1 + x % 16) * PAGE_SIZE + 512;
	if (big)
		return (1 + x % 2) * 2 * MB;
	if (r < 180)
		return (1 + x % 16) * PAGE_SIZE;
	if (r < 240)
		return (1 + x % 512) * PAGE_SIZE;
	return (1 + x % 4096) * PAGE_SIZE;
}

/* Map flags: REPLACE half the time, sometimes POPULATE, a page size. */
static unsigned long pick_flags(struct drv_src *s, enum mtype t, bool *big)
{
	uint8_t r = drv_u8(s), z = drv_u8(s);
	unsigned long f = 0;

	if (r & 1)
		f |= UK_VMA_MAP_REPLACE;
	if (((r >> 1) & 3) == 0)
		f |= UK_VMA_MAP_POPULATE;
	if (((r >> 3) & 15) == 0 && t == MT_ANON)
		f |= UK_VMA_MAP_UNINITIALIZED;
	if (r == 0x80)
		f |= 0x800; /* unknown */
	if (r == 0x81)
		f |= UK_VMA_FLAG_STRICT_VMA_CHECK; /* known, ignored by map */
	if ((r >> 4) == 0xf && (t == MT_ANON || t == MT_RSVD))
		f |= UK_VMA_TYPE_FLAG(1); /* type bits persist */
	*big = false;
	switch (z % 32) {
	case 11:
	case 12:
	case 13:
		f |= UK_VMA_MAP_SIZE_4KB;
		break;
	case 14:
	case 15:
		f |= UK_VMA_MAP_SIZE_2MB;
		*big = true;
		break;
	case 31:
		f |= z & 0x20 ? UK_VMA_MAP_SIZE_1GB : UK_VMA_MAP_SIZE(13);
		break;
	}
	return f;
}

static void trace(struct driver *d, int rc)
{
	if (d->verbose)
		printf("%lu: %s -> %d\n", d->ops, d->desc, rc);
}

static int mismatch_rc(struct driver *d, int lib, int model)
{
	return drv_fail(d, "returned %d, model %d", lib, model);
}

static void pick_type_args(struct driver *d, struct drv_src *s,
			   struct mmap_req *r, bool big)
{
	const struct model_env *e = &d->m.env;
	uint8_t b = drv_u8(s);
	uint16_t x = drv_u16(s);

	if (r->type == MT_DMA) {
		__sz al = big ? 2 * MB : PAGE_SIZE;
		__sz slots = e->dma_size / al;

		r->paddr = e->dma_base + (x % slots) * al;
		if (r->len <= e->dma_size &&
		    r->paddr + r->len > e->dma_base + e->dma_size)
			r->paddr = e->dma_base + e->dma_size - r->len;
		if (r->len > e->dma_size || b == 0)
			r->paddr = e->pm_base + e->pm_size; /* outside */
		if (b == 1)
			r->paddr += 2048; /* misaligned */
	} else if (r->type == MT_FILE) {
		r->offset = (long)(x % 1200) * (long)PAGE_SIZE;
		if (b == 0)
			r->offset = -(long)PAGE_SIZE;
		if (b == 1)
			r->offset += 100;
		r->bad_fd = b == 2;
	} else if (r->type == MT_STACK) {
		r->len = (1 + x % 32) * PAGE_SIZE;
		r->premapped = (b % (1 + x % 32 + 2)) * PAGE_SIZE;
		r->flags &= ~UK_VMA_MAP_SIZE_FLAGS;
		if (b & 0x40)
			r->flags |= UK_VMA_STACK_GROWS_UP;
		if (b >= 0xf0)
			r->flags |= UK_VMA_MAP_SIZE_4KB;
		if (b == 0xef)
			r->flags |= UK_VMA_MAP_SIZE_2MB; /* refused */
		if (b == 0xee)
			r->len += 100; /* misaligned */
	}
}

static int lib_map(struct driver *d, struct mmap_req *r, __vaddr_t *va)
{
	struct uk_vas *vas = &d->vas;

	*va = r->vaddr;
	switch (r->type) {
	case MT_ANON:
		return uk_vma_map_anon(vas, va, r->len, r->attr, r->flags,
				       r->name);
	case MT_RSVD:
		return uk_vma_reserve_ex(vas, va, r->len, r->attr, r->flags,
					 r->name);
	case MT_STACK:
		return uk_vma_map_stack(vas, va, r->len, r->flags, r->name,
					r->premapped);
	case MT_DMA:
		return uk_vma_map_dma(vas, va, r->len, r->attr, r->flags,
				      r->name, r->paddr);
	default:
		return uk_vma_map_file(vas, va, r->len, r->attr, r->flags,
				       r->bad_fd ? -1 : d->fd, r->offset);
	}
}

static int op_map(struct driver *d, struct drv_src *s, enum mtype t,
		  bool any)
{
	struct mmap_req r = {.type = t};
	__vaddr_t va;
	bool big;
	int rc, mrc;

	r.flags = pick_flags(s, t, &big);
	r.vaddr = any ? __VADDR_ANY : pick_va(d, s, big);
	r.len = pick_len(s, big);
	if ((r.flags & UK_VMA_MAP_SIZE_FLAGS) == UK_VMA_MAP_SIZE_1GB &&
	    t == MT_RSVD && any)
		r.len = 1UL << 30;
	r.attr = attrs[drv_u8(s) % 8];
	if (drv_u8(s) == 0)
		r.attr |= 0x40; /* unknown attribute bit */
	r.name = names[drv_u8(s) % 4];
	pick_type_args(d, s, &r, big);
	snprintf(d->desc, sizeof(d->desc),
		 "map %s va %#lx len %#zx attr %#lx flags %#lx name %s "
		 "paddr %#lx off %ld%s premap %#zx",
		 type_str[t], r.vaddr, r.len, r.attr, r.flags,
		 r.name ? r.name : "-", r.paddr, r.offset,
		 r.bad_fd ? " badfd" : "", r.premapped);
	rc = lib_map(d, &r, &va);
	mrc = model_map(&d->m, &r);
	trace(d, rc);
	if (rc != mrc)
		return mismatch_rc(d, rc, mrc);
	if (!rc && va != r.vaddr)
		return drv_fail(d, "placed at %#lx, model %#lx", va, r.vaddr);
	return 0;
}

static int op_range(struct driver *d, struct drv_src *s, int which)
{
	uint8_t b = drv_u8(s);
	bool big = (b & 7) == 0;
	__vaddr_t va = pick_va(d, s, big);
	__sz len = pick_len(s, big);
	unsigned long flags = b & 0x10 ? UK_VMA_FLAG_STRICT_VMA_CHECK : 0;
	unsigned long arg = 0;
	int rc, mrc;

	if (va == __VADDR_ANY)
		va = d->m.env.base;
	if (b == 0xff)
		flags |= 0x4; /* unknown for these calls */
	if (which == 0) {
		snprintf(d->desc, sizeof(d->desc),
			 "unmap va %#lx len %#zx flags %#lx", va, len, flags);
		rc = uk_vma_unmap(&d->vas, va, len, flags);
		mrc = model_unmap(&d->m, va, len, flags);
	} else if (which == 1) {
		arg = attrs[drv_u8(s) % 8];
		if (b == 0xfe)
			arg |= 0x80;
		snprintf(d->desc, sizeof(d->desc),
			 "set_attr va %#lx len %#zx attr %#lx flags %#lx", va,
			 len, arg, flags);
		rc = uk_vma_set_attr(&d->vas, va, len, arg, flags);
		mrc = model_set_attr(&d->m, va, len, arg, flags);
	} else {
		arg = (b >> 5) & 3 ? UK_VMA_ADV_DONTNEED : UK_VMA_ADV_WILLNEED;
		if (b == 0xfd)
			arg = UK_VMA_ADV_DONTNEED | UK_VMA_ADV_WILLNEED;
		if (b == 0xfc)
			arg = b % 2 ? 0 : 0x8;
		snprintf(d->desc, sizeof(d->desc),
			 "advise va %#lx len %#zx advice %#lx flags %#lx", va,
			 len, arg, flags);
		rc = uk_vma_advise(&d->vas, va, len, arg, flags);
		mrc = model_advise(&d->m, va, len, arg, flags);
	}
	trace(d, rc);
	return rc != mrc ? mismatch_rc(d, rc, mrc) : 0;
}

/* A read, write, fetch or probe inside the window through the MMU. */
static int op_access(struct driver *d, struct drv_src *s, unsigned int kind)
{
	static unsigned char want[3 * PAGE_SIZE], got[3 * PAGE_SIZE];
	static bool known[3 * PAGE_SIZE];
	const struct model_env *e = &d->m.env;
	static const char *const kinds[] = {"read", "write", "fetch",
					    "probe_r", "probe_rw"};
	__vaddr_t va = pick_va(d, s, false);
	__sz len = 1 + drv_u16(s) % (2 * PAGE_SIZE + 100), n, k, i;
	uint32_t seed = drv_u32(s);
	unsigned int acc = kind == 1 || kind == 4 ? UK_VMA_FAULT_WRITE
			   : kind == 2		  ? UK_VMA_FAULT_EXEC
						  : UK_VMA_FAULT_READ;

	if (va < e->win_lo || va >= e->win_hi)
		va = e->base + (seed % HOT_PAGES) * PAGE_SIZE;
	va += seed >> 20 & (PAGE_SIZE - 1);
	if (va + len > e->win_hi)
		len = e->win_hi - va;
	for (i = 0; i < len; i++)
		got[i] = want[i] = (unsigned char)((seed >> (i & 15)) + i * 7);
	snprintf(d->desc, sizeof(d->desc), "%s va %#lx len %#zx", kinds[kind],
		 va, len);
	n = model_access(&d->m, va, kind >= 3 ? NULL : want, known, len, acc);
	switch (kind) {
	case 0:
		k = uk_vas_read(&d->vas, va, got, len);
		break;
	case 1:
		k = uk_vas_write(&d->vas, va, got, len);
		break;
	case 2:
		k = uk_vas_fetch(&d->vas, va, got, len);
		break;
	case 3:
		k = uk_vas_probe_r(&d->vas, va, len, 0);
		break;
	default:
		k = uk_vas_probe_rw(&d->vas, va, len, 0);
		break;
	}
	trace(d, (int)k);
	if (k != n)
		return drv_fail(d, "%zu bytes done, model %zu", k, n);
	if (kind == 0 || kind == 2)
		for (i = 0; i < n; i++)
			if (known[i] && got[i] != want[i])
				return drv_fail(d, "byte %#lx reads %#x, model "
						"%#x", va + i, got[i], want[i]);
	return 0;
}

int drv_step(struct driver *d, struct drv_src *s)
{
	uint8_t op = drv_u8(s) % 100;

	if (op < 16)
		return op_map(d, s, MT_ANON, false);
	if (op < 22)
		return op_map(d, s, (enum mtype)(op % MT_NTYPES), true);
	if (op < 25)
		return op_map(d, s, MT_RSVD, false);
	if (op < 29)
		return op_map(d, s, MT_STACK, false);
	if (op < 33)
		return op_map(d, s, MT_DMA, false);
	if (op < 37)
		return op_map(d, s, MT_FILE, false);
	if (op < 50)
		return op_range(d, s, 0);
	if (op < 62)
		return op_range(d, s, 1);
	if (op < 70)
		return op_range(d, s, 2);
	if (op < 80)
		return op_access(d, s, 1);
	if (op < 90)
		return op_access(d, s, 0);
	if (op < 94)
		return op_access(d, s, 2);
	if (op < 97)
		return op_access(d, s, 3 + op % 2);
	if (op < 99)
		return drv_check_deep(d, false);
	/* Empty everything above the window (first-fit maps pile up there). */
	snprintf(d->desc, sizeof(d->desc), "unmap above the window");
	{
		__vaddr_t va = d->m.env.win_hi;
		__sz len = 1UL << 36;
		int rc = uk_vma_unmap(&d->vas, va, len, 0);
		int mrc = model_unmap(&d->m, va, len, 0);

		return rc != mrc ? mismatch_rc(d, rc, mrc) : 0;
	}
}
