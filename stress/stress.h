/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multithreaded VAS stress: shared state of the threads (see main.c for
 * the design and the invariants).
 */
#ifndef UK_STRESS_H
#define UK_STRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uk/vmem.h>
#include <uk/vma_types.h>
#include <uk/mmu.h>
#include <uk/physmem.h>
#include <uk/falloc.h>

#define MB (1UL << 20)
#define GB (1UL << 30)

/* Per writer, a 64 MiB region of the arena (UK_VAS_VMA_BASE up):
 *   [0, 32M)   churn: every op, every type, 4 KiB and 2 MiB pages
 *   [32M, 48M) one 1 MiB slot per faulter it serves: [0, 256K) and
 *              [512K, 768K) are neighbours it churns, [256K, 512K) the
 *              faulter's private VMA, which it never touches
 *   [48M, 52M) toggle: a private file mapping whose bytes are known; the
 *              writer changes its rights and advises it, faulters read */
#define REGION_SIZE (64 * MB)
#define CHURN_OFF 0
#define CHURN_SIZE (32 * MB)
#define SLOTS_OFF (32 * MB)
#define SLOT_SIZE MB
#define SLOTS_MAX 16
#define PRIV_OFF (256 * 1024UL)
#define PRIV_MAX (256 * 1024UL)
#define TOGGLE_OFF (48 * MB)
#define TOGGLE_SIZE (4 * MB)
#define FILE_SIZE (TOGGLE_SIZE - 1000) /* last page part zeros */
#define DMA_POOL (8 * MB)
#define HUGE_VA (UK_VAS_VMA_BASE + 64 * GB)

struct stress_cfg {
	unsigned int faulters, writers;
	double seconds;
	unsigned long long seed;
	__sz priv_pages;   /* per faulter, <= PRIV_MAX / PAGE_SIZE */
	__sz mem_mb;       /* simulated physical memory */
	bool huge;         /* 1 GiB pages now and then (needs mem >= 2 GiB) */
	bool yield;        /* random yields inside the fault window */
	unsigned int validate_every; /* writer ops between validator runs */
	double progress;   /* seconds between progress lines, 0: none */
	bool verbose;
};

struct writer;

struct stress {
	struct stress_cfg cfg;
	struct uk_physmem pm;
	struct uk_falloc *fa;
	struct uk_pagetable pt;
	struct uk_vas vas;
	__paddr_t dma;         /* DMA pool */
	int fd;                /* the toggle file */
	unsigned char *file;   /* its bytes */
	char file_path[64];
	_Atomic bool stop, failed;
	_Atomic unsigned long fault_ops, writer_ops, checks;
	struct writer *w;      /* writers[cfg.writers] */
};

struct writer {
	struct stress *st;
	unsigned int id;
	uint64_t rng;
	unsigned long ops;
	char desc[200];        /* the op in progress or just returned */
	pthread_t thread;
};

extern struct stress *g_stress;

static inline uint64_t st_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static inline __vaddr_t region_of(unsigned int writer)
{
	return UK_VAS_VMA_BASE + (__vaddr_t)writer * REGION_SIZE;
}

/* Faulter f lives in a slot of writer f % writers. */
static inline __vaddr_t slot_of(const struct stress *st, unsigned int f)
{
	return region_of(f % st->cfg.writers) + SLOTS_OFF +
	       (f / st->cfg.writers) * SLOT_SIZE;
}

/* Report a broken invariant once: seed, who, what, every writer's last
 * op; makes every thread stop. Returns -1. */
int st_fail(struct stress *st, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* check.c: every present leaf in [va, va + len) lies in a VMA that backs
 * it, at the VMA's level, with no more rights than the VMA. Caller must
 * be the only one changing VMAs there. */
int st_check_range(struct stress *st, const char *who, __vaddr_t va,
		   __sz len);
/* No leaf at all in [va, va + len). */
int st_check_empty(struct stress *st, const char *who, __vaddr_t va,
		   __sz len);
int st_validate(struct stress *st, const char *who);
/* After a barrier, single-threaded: frames allocated = resident + tables
 * + pending + the DMA pool. */
int st_check_frames(struct stress *st, const char *who);

void *writer_main(void *arg);
void *faulter_main(void *arg);

#endif
