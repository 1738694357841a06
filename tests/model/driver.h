/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model driver: one byte stream in, random operations out, each
 * applied to the reference model and to a real VAS and compared. The same
 * code serves seeded runs (the bytes come from a PRNG) and libFuzzer
 * (the bytes are the input).
 */
#ifndef UK_MODEL_DRIVER_H
#define UK_MODEL_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <uk/vmem.h>
#include <uk/physmem.h>
#include <uk/falloc.h>
#include "model.h"

/* Where the bytes come from: @buf until it runs out, or a PRNG. */
struct drv_src {
	const uint8_t *buf;
	size_t len, pos;
	uint64_t rng; /* xorshift64* state when buf is NULL */
	bool exhausted;
};

void drv_src_bytes(struct drv_src *s, const uint8_t *buf, size_t len);
void drv_src_seed(struct drv_src *s, uint64_t seed);
uint8_t drv_u8(struct drv_src *s);
uint16_t drv_u16(struct drv_src *s);
uint32_t drv_u32(struct drv_src *s);

struct driver {
	struct uk_physmem pm;
	struct uk_falloc *fa;
	struct uk_pagetable pt;
	struct uk_vas vas;
	struct model m;
	int fd;                 /* the file private mappings map */
	unsigned char *file;    /* its contents */
	unsigned long ops;      /* operations applied since init */
	unsigned long long seed; /* printed on failure */
	char desc[256];         /* the current operation, for reports */
	bool verbose;
	/* Skip the frame accounting (a grace-period barrier, ~10 ms) at the
	 * end of a run and in reset: the fuzzer sets it for most inputs. */
	bool no_frames;
};

/* Physical memory, frame allocator, page table, VAS, DMA pool, file. */
int drv_init(struct driver *d);
void drv_fini(struct driver *d);
/* Empty the VAS and the model (between seeds or fuzz inputs); checks
 * that every frame came back. 0 or -1. */
int drv_reset(struct driver *d);
/* Apply up to @max_ops operations (0: until the bytes run out). Returns 0,
 * or -1 after printing the seed, the operation and both layouts. */
int drv_run(struct driver *d, struct drv_src *src, unsigned long max_ops);

/* ---- driver_check.c ----------------------------------------------------- */
int drv_fail(struct driver *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int drv_check_layout(struct driver *d);
/* Dirty pages read back, validator, and with @frames frame accounting
 * (after uk_rcu_barrier(), which costs up to ~10 ms with liburcu). */
int drv_check_deep(struct driver *d, bool frames);
int drv_check_frames(struct driver *d);

/* ---- driver_ops.c --------------------------------------------------------- */
int drv_step(struct driver *d, struct drv_src *src);

#endif
