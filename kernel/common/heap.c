/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel heap: metadata for ukvmem (VMAs, tree nodes, frame-allocator
 * bitmaps) and the kernel. A fixed region of RAM, split into pages:
 *  - blocks of 16..2048 bytes come from per-size-class free lists; a class
 *    fills one page at a time, so a block of class size C is C-aligned;
 *  - larger requests take a run of whole pages (first fit in a page
 *    bitmap), aligned as asked.
 * kind[] records per page what it holds, so free needs no header. Small
 * pages are never given back to the page pool (a test kernel's heap only
 * grows to its peak). One spinlock; nothing here waits.
 */
#include "kernel.h"

#define KPAGE 4096UL
#define NCLASSES 8 /* 16 << 0 .. 16 << 7 = 2048 */
#define KIND_FREE 0
#define KIND_LARGE_HEAD 0xfe
#define KIND_LARGE_TAIL 0xff
/* kind 1..NCLASSES: a page of class kind - 1 */

struct free_block {
	struct free_block *next;
};

static struct {
	struct kspinlock lock;
	char *base;
	size_t npages;
	uint8_t *kind;      /* per page */
	uint32_t *run;      /* large head: pages in the run */
	struct free_block *free[NCLASSES];
	size_t used;        /* bytes handed out */
} heap;

void kheap_init(void *base, size_t size)
{
	size_t n = size / KPAGE, meta;

	heap.base = base;
	heap.kind = base;
	heap.run = (uint32_t *)((char *)base + n);
	meta = (n + n * sizeof(uint32_t) + KPAGE - 1) / KPAGE;
	for (size_t i = 0; i < n; i++) {
		heap.kind[i] = i < meta ? KIND_LARGE_TAIL : KIND_FREE;
		heap.run[i] = 0;
	}
	heap.npages = n;
}

static size_t page_of(const void *p)
{
	return (size_t)((const char *)p - heap.base) / KPAGE;
}

/* First run of @n free pages whose address is @align aligned. */
static long find_run(size_t n, size_t align)
{
	size_t step = align > KPAGE ? align / KPAGE : 1;
	size_t first = (size_t)(((uintptr_t)heap.base + align - 1) &
				~(uintptr_t)(align - 1)) -
		       (size_t)(uintptr_t)heap.base;

	for (size_t i = first / KPAGE; i + n <= heap.npages; i += step) {
		size_t j = 0;

		while (j < n && heap.kind[i + j] == KIND_FREE)
			j++;
		if (j == n)
			return (long)i;
	}
	return -1;
}

static void *take_pages(size_t n, size_t align, uint8_t kind)
{
	long i = find_run(n, align < KPAGE ? KPAGE : align);

	if (i < 0)
		return NULL;
	for (size_t j = 0; j < n; j++)
		heap.kind[i + j] = KIND_LARGE_TAIL;
	heap.kind[i] = kind;
	heap.run[i] = (uint32_t)n;
	return heap.base + (size_t)i * KPAGE;
}

static void *class_alloc(unsigned int c)
{
	size_t sz = 16UL << c;
	struct free_block *b = heap.free[c];

	if (!b) {
		char *page = take_pages(1, KPAGE, (uint8_t)(c + 1));

		if (!page)
			return NULL;
		for (size_t off = KPAGE; off; off -= sz) {
			b = (struct free_block *)(page + off - sz);
			b->next = heap.free[c];
			heap.free[c] = b;
		}
		b = heap.free[c];
	}
	heap.free[c] = b->next;
	heap.used += sz;
	return b;
}

void *kheap_alloc(size_t size, size_t align)
{
	size_t need = size > align ? size : align;
	unsigned long flags;
	void *p = NULL;

	if (!need)
		need = 1;
	flags = kspin_lock(&heap.lock);
	if (need <= (16UL << (NCLASSES - 1))) {
		unsigned int c = 0;

		while ((16UL << c) < need)
			c++;
		p = class_alloc(c);
	} else {
		size_t n = (size + KPAGE - 1) / KPAGE;

		p = take_pages(n, align, KIND_LARGE_HEAD);
		if (p)
			heap.used += n * KPAGE;
	}
	kspin_unlock(&heap.lock, flags);
	return p;
}

void kheap_free(void *ptr)
{
	unsigned long flags;
	size_t i;

	if (!ptr)
		return;
	i = page_of(ptr);
	KASSERT(i < heap.npages);
	flags = kspin_lock(&heap.lock);
	if (heap.kind[i] == KIND_LARGE_HEAD) {
		KASSERT(ptr == heap.base + i * KPAGE);
		for (size_t j = 0; j < heap.run[i]; j++)
			heap.kind[i + j] = KIND_FREE;
		heap.used -= heap.run[i] * KPAGE;
	} else {
		unsigned int c = heap.kind[i] - 1u;
		struct free_block *b = ptr;

		KASSERT(heap.kind[i] >= 1 && heap.kind[i] <= NCLASSES);
		b->next = heap.free[c];
		heap.free[c] = b;
		heap.used -= 16UL << c;
	}
	kspin_unlock(&heap.lock, flags);
}

size_t kheap_used(void)
{
	return __atomic_load_n(&heap.used, __ATOMIC_RELAXED);
}
