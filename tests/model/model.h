/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A deliberately simple reference model of a ukvmem address space: a
 * sorted array of ranges with their attributes, type and name, and a byte
 * store for the contents the software MMU would show. It encodes the
 * semantics of API.md / vmem.h / vma_types.h (first fit, merging,
 * splitting, REPLACE, strict checks, errno order) with none of the
 * library's machinery: every operation is a linear scan.
 *
 * The driver (driver.c) applies the same operations to the model and to a
 * real VAS and compares layouts, return codes and contents.
 */
#ifndef UK_MODEL_H
#define UK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uk/vmem.h>

enum mtype { MT_ANON, MT_RSVD, MT_STACK, MT_DMA, MT_FILE, MT_NTYPES };

struct mvma {
	__vaddr_t start, end;
	enum mtype type;
	unsigned long attr;
	unsigned long flags; /* the persistent part, as vma->flags */
	int lvl;             /* page_lvl; -1: no preference */
	const char *name;    /* interned (model_name) or NULL */
	unsigned long off;   /* DMA: paddr of start; file: offset of start */
	int file_id;         /* file: one id per map call (no cross merges) */
	__vaddr_t ustart, uend; /* stack: usable part (outside: guards) */
};

/* Everything the model needs to know about the world outside it. */
struct model_env {
	__vaddr_t va_start, va_end, base; /* the VAS's limits, vma_base */
	__vaddr_t win_lo, win_hi;         /* contents are tracked here */
	__paddr_t pm_base;                /* physical memory */
	__sz pm_size;
	__paddr_t dma_base;               /* DMA pool (zeroed at reset) */
	__sz dma_size;
	const unsigned char *file;        /* the file private maps load */
	__sz file_size;
	const char *file_name;            /* what the library names it */
};

struct model {
	struct model_env env;
	struct mvma *v;
	size_t n, cap;
	int next_file_id;
	unsigned char **page;  /* per 4 KiB page of the window; NULL: clean */
	size_t npages;
	unsigned char *dma;    /* contents of the DMA pool */
};

/* What a map call asks for (the wrapper the driver calls). */
struct mmap_req {
	enum mtype type;
	__vaddr_t vaddr;      /* in; __VADDR_ANY: first fit */
	__sz len;
	unsigned long attr, flags;
	const char *name;
	__paddr_t paddr;      /* DMA */
	long offset;          /* file; a negative offset is an error */
	bool bad_fd;          /* file: pass a closed descriptor */
	__sz premapped;       /* stack */
};

int model_init(struct model *m, const struct model_env *env);
void model_fini(struct model *m);
/* Forget every VMA and every content (the VAS was emptied). */
void model_reset(struct model *m);

/* The API calls; each returns what the library must return. */
int model_map(struct model *m, struct mmap_req *r);
int model_unmap(struct model *m, __vaddr_t va, __sz len, unsigned long flags);
int model_set_attr(struct model *m, __vaddr_t va, __sz len,
		   unsigned long attr, unsigned long flags);
int model_advise(struct model *m, __vaddr_t va, __sz len,
		 unsigned long advice, unsigned long flags);

/* Software MMU. access: UK_VMA_FAULT_READ/WRITE/EXEC. Returns the bytes
 * that succeed; @buf gets (read) or gives (write) them; NULL @buf is a
 * probe (nothing copied, nothing changes). @check (read, may
 * be NULL) is set per byte to whether its value is known. */
__sz model_access(struct model *m, __vaddr_t va, unsigned char *buf,
		  bool *check, __sz len, unsigned int access);

/* The VMA containing @va, or NULL. */
const struct mvma *model_find(const struct model *m, __vaddr_t va);
/* Interned name: pointer-equal for equal strings (NULL stays NULL). */
const char *model_name(const char *name);

#endif /* UK_MODEL_H */
