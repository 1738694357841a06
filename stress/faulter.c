/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault threads. Each owns a private anonymous RW VMA (its slot's middle,
 * stress.h) that no writer unmaps or changes, and keeps a shadow copy of
 * it; writers REPLACE, split and merge the ranges right next to it.
 *
 * Per iteration, one of:
 *   - write a random pattern to its private VMA through uk_vas_write and
 *     read it back at once (a lost write shows as a mismatch), and now and
 *     then compare the whole VMA with the shadow;
 *   - uk_vas_fault (read, write or exec) at a random address of a
 *     writer's churn or neighbour area: any return is fine, the writer's
 *     checks and the validator judge what it left in the page table;
 *   - uk_vas_read / uk_vas_write / uk_vas_fetch / probes of a few bytes
 *     there (DMA aliases and stacks included; contents not checked);
 *   - read part of a writer's toggle mapping: whatever part succeeds must
 *     hold the file's bytes (rights and DONTNEED change under it, the
 *     contents never do), plus write faults there that install writable
 *     PTEs while the VMA allows it (they write nothing).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "atomic.h"
#include "stress.h"

struct faulter {
	struct stress *st;
	unsigned int id;
	uint64_t rng;
	__vaddr_t priv;
	__sz len;
	unsigned char *shadow;
	char who[32];
};

static unsigned long rnd(struct faulter *f, unsigned long n)
{
	return (unsigned long)(st_rand(&f->rng) % n);
}

static int verify_all(struct faulter *f)
{
	unsigned char *buf = malloc(f->len);
	__sz n, i;
	int rc = 0;

	if (!buf)
		return 0;
	n = uk_vas_read(&f->st->vas, f->priv, buf, f->len);
	if (n != f->len)
		rc = st_fail(f->st, f->who, "private VMA %#lx: read %zu of %zu",
			     f->priv, n, f->len);
	for (i = 0; !rc && i < f->len; i++)
		if (buf[i] != f->shadow[i])
			rc = st_fail(f->st, f->who,
				     "lost write at %#lx: %#x, wrote %#x",
				     f->priv + i, buf[i], f->shadow[i]);
	free(buf);
	return rc;
}

static int private_rw(struct faulter *f)
{
	unsigned char buf[512], got[512];
	__sz off = rnd(f, f->len - 1), len = 1 + rnd(f, sizeof(buf)), i;

	if (len > f->len - off)
		len = f->len - off;
	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)st_rand(&f->rng);
	if (uk_vas_write(&f->st->vas, f->priv + off, buf, len) != len)
		return st_fail(f->st, f->who, "write to private %#lx failed",
			       f->priv + off);
	memcpy(f->shadow + off, buf, len);
	if (uk_vas_read(&f->st->vas, f->priv + off, got, len) != len)
		return st_fail(f->st, f->who, "read of private %#lx failed",
			       f->priv + off);
	for (i = 0; i < len; i++)
		if (got[i] != buf[i])
			return st_fail(f->st, f->who,
				       "lost write at %#lx: %#x, wrote %#x",
				       f->priv + off + i, got[i], buf[i]);
	return rnd(f, 64) ? 0 : verify_all(f);
}

/* An address some writer churns (never a private VMA). */
static __vaddr_t shared_addr(struct faulter *f)
{
	struct stress *st = f->st;
	unsigned int w = (unsigned int)rnd(f, st->cfg.writers);
	unsigned int n = (st->cfg.faulters + st->cfg.writers - 1 - w) /
			 st->cfg.writers;
	__vaddr_t slot;

	if (!n || rnd(f, 2))
		return region_of(w) + CHURN_OFF + rnd(f, CHURN_SIZE - 64);
	slot = slot_of(st, w + (unsigned int)rnd(f, n) * st->cfg.writers);
	/* Accesses are up to 64 bytes: stay clear of the private VMA. */
	if (rnd(f, 2))
		return slot + rnd(f, PRIV_OFF - 64);
	return slot + PRIV_OFF + st->cfg.priv_pages * PAGE_SIZE +
	       rnd(f, 64 * PAGE_SIZE);
}

static void shared_access(struct faulter *f)
{
	struct uk_vas *vas = &f->st->vas;
	__vaddr_t va = shared_addr(f);
	unsigned char buf[64];
	__sz len = 1 + rnd(f, sizeof(buf));

	memset(buf, 0x5a, sizeof(buf));
	switch (rnd(f, 8)) {
	case 0:
	case 1:
	case 2:
		(void)uk_vas_fault(vas, va, (unsigned int)rnd(f, 3));
		break;
	case 3:
		(void)uk_vas_read(vas, va, buf, len);
		break;
	case 4:
		(void)uk_vas_write(vas, va, buf, len);
		break;
	case 5:
		(void)uk_vas_fetch(vas, va, buf, len);
		break;
	case 6:
		(void)uk_vas_probe_r(vas, va, len, 0);
		break;
	default:
		(void)uk_vas_probe_rw(vas, va, len,
				      rnd(f, 2) ? UK_NOFAULTF_NOPAGING
						: 0);
		break;
	}
}

static int toggle_read(struct faulter *f)
{
	struct stress *st = f->st;
	unsigned int w = (unsigned int)rnd(f, st->cfg.writers);
	__sz off = rnd(f, TOGGLE_SIZE - 256), len = 1 + rnd(f, 256), n, i;
	__vaddr_t va = region_of(w) + TOGGLE_OFF + off;
	unsigned char buf[256];

	if (rnd(f, 3) == 0) {
		(void)uk_vas_fault(&st->vas, va, UK_VMA_FAULT_WRITE);
		return 0;
	}
	n = uk_vas_read(&st->vas, va, buf, len);
	for (i = 0; i < n; i++) {
		unsigned char want = off + i < FILE_SIZE ? st->file[off + i] : 0;

		if (buf[i] != want)
			return st_fail(st, f->who,
				       "toggle byte %#lx reads %#x, file %#x",
				       va + i, buf[i], want);
	}
	return 0;
}

void *faulter_main(void *arg)
{
	struct faulter *f = calloc(1, sizeof(*f));
	struct stress *st = g_stress;
	unsigned int id = (unsigned int)(uintptr_t)arg;
	int rc = 0;

	if (!f)
		return NULL;
	f->st = st;
	f->id = id;
	f->rng = (st->cfg.seed + 1) * 0x9E3779B97F4A7C15ULL ^ (id + 1) * 7919;
	f->priv = slot_of(st, id) + PRIV_OFF;
	f->len = st->cfg.priv_pages * PAGE_SIZE;
	f->shadow = calloc(1, f->len);
	snprintf(f->who, sizeof(f->who), "faulter %u", id);
	while (f->shadow && !rc && !uk_load_acquire(&st->stop)) {
		unsigned long r = rnd(f, 10);

		if (r < 3)
			rc = private_rw(f);
		else if (r < 7)
			shared_access(f);
		else
			rc = toggle_read(f);
		uk_fetch_add_relaxed(&st->fault_ops, 1);
	}
	if (!rc && f->shadow && !uk_load_acquire(&st->failed))
		verify_all(f);
	free(f->shadow);
	free(f);
	return NULL;
}
