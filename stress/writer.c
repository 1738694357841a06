/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writer threads: random edits of their own region (stress.h) while
 * faulters fault, read and write everywhere.
 *
 * Each op is described in w->desc before the call, so a failure names it.
 * After each call returns the writer checks its range (check.c): after
 * unmap no leaf at all; otherwise every leaf inside a backing VMA, at its
 * level, with no more rights than it. Every validate_every ops it runs
 * the full validator (which takes the VAS lock, stalling the other
 * writers but not the faults).
 *   churn:      map (anon, reservation, stack, DMA, file; REPLACE,
 *               POPULATE; 4 KiB and 2 MiB pages), unmap, set_attr,
 *               advise DONTNEED / WILLNEED
 *   neighbours: REPLACE with anon "priv" RW (merges into the faulter's
 *               private VMA), other attributes or types (splits it off
 *               again), unmap, set_attr, DONTNEED - never a byte of the
 *               private VMA itself
 *   toggle:     set_attr R / RW / RX / NONE, DONTNEED, WILLNEED on parts
 *               of the file mapping faulters read and verify
 *   huge:       (--huge, writer 0) map a 1 GiB anon page, touch it, unmap
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include "atomic.h"
#include "stress.h"

static const unsigned long attrs[] = {
	PAGE_ATTR_PROT_NONE, PAGE_ATTR_PROT_READ, PAGE_ATTR_PROT_RW,
	PAGE_ATTR_PROT_RW, PAGE_ATTR_PROT_READ | PAGE_ATTR_PROT_EXEC,
	PAGE_ATTR_PROT_RWX,
};

#define DESC(w, ...) snprintf((w)->desc, sizeof((w)->desc), __VA_ARGS__)

static unsigned long rnd(struct writer *w, unsigned long n)
{
	return (unsigned long)(st_rand(&w->rng) % n);
}

static int after(struct writer *w, int rc, __vaddr_t va, __sz len,
		 bool emptied)
{
	char who[32];

	snprintf(who, sizeof(who), "writer %u", w->id);
	/* -ENOMEM is an honest answer when memory runs short; everything
	 * else an op may return was planned by the caller. */
	if (rc && rc != -ENOMEM && rc != -EPERM && rc != -EINVAL &&
	    rc != -EEXIST)
		return st_fail(w->st, who, "%s returned %d", w->desc, rc);
	if (!rc && emptied && st_check_empty(w->st, who, va, len))
		return -1;
	return st_check_range(w->st, who, va, len);
}

/* A map of @type over [va, va + len) with REPLACE. */
static int map_one(struct writer *w, int type, __vaddr_t va, __sz len,
		   bool big, unsigned long attr, const char *name)
{
	struct stress *st = w->st;
	unsigned long flags = UK_VMA_MAP_REPLACE |
			      (big ? UK_VMA_MAP_SIZE_2MB : 0) |
			      (rnd(w, 4) == 0 ? UK_VMA_MAP_POPULATE : 0);
	__vaddr_t at = va;
	__sz dlen = len > DMA_POOL ? DMA_POOL : len;

	switch (type) {
	case 0:
		DESC(w, "map anon %#lx+%#zx attr %#lx flags %#lx %s", va, len,
		     attr, flags, name);
		return uk_vma_map_anon(&st->vas, &at, len, attr, flags, name);
	case 1:
		DESC(w, "reserve %#lx+%#zx flags %#lx", va, len, flags);
		return uk_vma_reserve_ex(&st->vas, &at, len, attr,
					 UK_VMA_MAP_REPLACE, name);
	case 2:
		if (big || len < 8 * PAGE_SIZE)
			return 0;
		at = va; /* the stack VMA's start */
		DESC(w, "map stack %#lx+%#zx", va, len);
		return uk_vma_map_stack(&st->vas, &at,
					len - 5 * PAGE_SIZE,
					UK_VMA_MAP_REPLACE, name,
					rnd(w, 2) * PAGE_SIZE);
	case 3: {
		__sz al = big ? 2 * MB : PAGE_SIZE;
		__paddr_t pa = st->dma + rnd(w, (DMA_POOL - dlen) / al + 1) * al;

		DESC(w, "map dma %#lx+%#zx paddr %#lx flags %#lx", va, dlen,
		     pa, flags);
		return uk_vma_map_dma(&st->vas, &at, dlen, attr, flags, name,
				      pa);
	}
	default:
		DESC(w, "map file %#lx+%#zx attr %#lx flags %#lx", va, len,
		     attr, flags);
		return uk_vma_map_file(&st->vas, &at, len, attr, flags, st->fd,
				       (long)rnd(w, 256) * (long)PAGE_SIZE);
	}
}

/* One random op on [va, va + len) (an area this writer owns). */
static int churn_op(struct writer *w, __vaddr_t va, __sz len, bool big,
		    const char *name)
{
	struct stress *st = w->st;
	unsigned long attr = attrs[rnd(w, 6)];
	unsigned long op = rnd(w, 10);
	int rc;

	if (op < 4) {
		int type = op < 2 ? 0 : (int)rnd(w, 5);
		__sz mlen = type == 3 && len > DMA_POOL ? DMA_POOL : len;

		rc = map_one(w, type, va, len, big, attr, name);
		return after(w, rc, va, mlen, false);
	}
	if (op < 6) {
		DESC(w, "unmap %#lx+%#zx", va, len);
		rc = uk_vma_unmap(&st->vas, va, len, 0);
		return after(w, rc, va, len, true);
	}
	if (op < 8) {
		DESC(w, "set_attr %#lx+%#zx attr %#lx", va, len, attr);
		rc = uk_vma_set_attr(&st->vas, va, len, attr, 0);
		return after(w, rc, va, len, false);
	}
	DESC(w, "advise %#lx+%#zx %s", va, len, op == 8 ? "DONTNEED" :
	     "WILLNEED");
	rc = uk_vma_advise(&st->vas, va, len,
			   op == 8 ? UK_VMA_ADV_DONTNEED : UK_VMA_ADV_WILLNEED,
			   0);
	return after(w, rc, va, len, false);
}

static int churn(struct writer *w)
{
	__vaddr_t base = region_of(w->id) + CHURN_OFF;

	if (rnd(w, 6) == 0) {
		__vaddr_t va = base + rnd(w, CHURN_SIZE / (2 * MB) - 1) * 2 * MB;

		return churn_op(w, va, (1 + rnd(w, 2)) * 2 * MB, true, "big");
	}
	return churn_op(w, base + rnd(w, CHURN_SIZE / PAGE_SIZE - 64) * PAGE_SIZE,
			(1 + rnd(w, 32)) * PAGE_SIZE, false,
			rnd(w, 2) ? "c" : "d");
}

/* Neighbours of a faulter's private VMA, which stays untouched. */
static int neighbour(struct writer *w)
{
	struct stress *st = w->st;
	unsigned int n = (st->cfg.faulters + st->cfg.writers - 1 - w->id) /
			 st->cfg.writers; /* faulters this writer serves */
	__vaddr_t slot, va;
	__sz len;
	int rc;

	if (!n)
		return churn(w);
	slot = slot_of(st, w->id + (unsigned int)rnd(w, n) * st->cfg.writers);
	len = (1 + rnd(w, 64)) * PAGE_SIZE;
	if (rnd(w, 2)) /* below: ends at the private VMA */
		va = slot + PRIV_OFF - len;
	else           /* above: starts right after it */
		va = slot + PRIV_OFF + st->cfg.priv_pages * PAGE_SIZE;
	if (rnd(w, 3) == 0) {
		__vaddr_t at = va;

		DESC(w, "map anon %#lx+%#zx rw priv (merges)", va, len);
		rc = uk_vma_map_anon(&st->vas, &at, len, PAGE_ATTR_PROT_RW,
				     UK_VMA_MAP_REPLACE, "priv");
		return after(w, rc, va, len, false);
	}
	return churn_op(w, va, len, false, "priv");
}

/* Change the rights of part of the toggle mapping, or advise it. */
static int toggle(struct writer *w)
{
	static const unsigned long tattr[] = {
		PAGE_ATTR_PROT_READ, PAGE_ATTR_PROT_RW,
		PAGE_ATTR_PROT_READ | PAGE_ATTR_PROT_EXEC, PAGE_ATTR_PROT_NONE,
	};
	struct stress *st = w->st;
	__vaddr_t va = region_of(w->id) + TOGGLE_OFF +
		       rnd(w, TOGGLE_SIZE / PAGE_SIZE - 16) * PAGE_SIZE;
	__sz len = (1 + rnd(w, 16)) * PAGE_SIZE;
	unsigned long op = rnd(w, 6), attr = tattr[op & 3];
	int rc;

	if (op < 4) {
		DESC(w, "toggle set_attr %#lx+%#zx attr %#lx", va, len, attr);
		rc = uk_vma_set_attr(&st->vas, va, len, attr, 0);
	} else {
		DESC(w, "toggle advise %#lx+%#zx %s", va, len,
		     op == 4 ? "DONTNEED" : "WILLNEED");
		rc = uk_vma_advise(&st->vas, va, len,
				   op == 4 ? UK_VMA_ADV_DONTNEED
					   : UK_VMA_ADV_WILLNEED, 0);
	}
	if (rc)
		return st_fail(st, "writer", "%s returned %d", w->desc, rc);
	return after(w, rc, va, len, false);
}

static int huge(struct writer *w)
{
	struct stress *st = w->st;
	__vaddr_t va = HUGE_VA;
	int rc;

	DESC(w, "map anon 1G %#lx", va);
	rc = uk_vma_map_anon(&st->vas, &va, GB, PAGE_ATTR_PROT_RW,
			     UK_VMA_MAP_REPLACE | UK_VMA_MAP_SIZE_1GB, "huge");
	if (!rc && uk_vas_write(&st->vas, va + 12345, "x", 1) != 1)
		return st_fail(st, "writer", "1 GiB page not writable");
	if (after(w, rc, va, GB, false))
		return -1;
	DESC(w, "unmap 1G %#lx", va);
	rc = uk_vma_unmap(&st->vas, HUGE_VA, GB, 0);
	return after(w, rc, HUGE_VA, GB, true);
}

void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct stress *st = w->st;
	char who[32];

	snprintf(who, sizeof(who), "writer %u", w->id);
	while (!uk_load_acquire(&st->stop)) {
		unsigned long r = rnd(w, 100);
		int rc;

		if (r < 45)
			rc = churn(w);
		else if (r < 80)
			rc = neighbour(w);
		else if (r < 99 || !st->cfg.huge || w->id || rnd(w, 20))
			rc = toggle(w);
		else
			rc = huge(w);
		w->ops++;
		uk_fetch_add_relaxed(&st->writer_ops, 1);
		if (!rc && st->cfg.validate_every &&
		    w->ops % st->cfg.validate_every == 0)
			rc = st_validate(st, who);
		if (rc)
			break;
		if (rnd(w, 8) == 0)
			sched_yield();
	}
	return NULL;
}
