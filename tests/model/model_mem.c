/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reference model's contents and its software MMU.
 *
 * Design
 *   A page of the window is clean (NULL: it reads what a first fault would
 *   load) or dirty (a private 4 KiB copy). Clean means: zeros for
 *   anonymous memory and stacks, the file's bytes (zeros past its end) for
 *   a private file mapping, and nothing for an anonymous mapping or stack
 *   with UK_VMA_MAP_UNINITIALIZED (its frames hold whatever they held, so
 *   the driver never compares its bytes, written or not). DMA pages are not per virtual page: all
 *   DMA VMAs read and write one array standing for the physical pool, so
 *   aliases see each other's writes.
 *
 *   An access walks page by page and stops at the first page the library
 *   cannot resolve: no VMA, a reservation, a stack guard page, or a VMA
 *   without the right (read: READ; write: READ and WRITE, as the PTE
 *   check needs both; fetch: EXEC). The driver never makes write-only or
 *   exec-only VMAs, where x86 and arm64 PTEs would grant READ anyway.
 */
#include <stdlib.h>
#include <string.h>
#include "model.h"
#include "model_mem.h"

int mmem_init(struct model *m)
{
	m->npages = (m->env.win_hi - m->env.win_lo) >> PAGE_SHIFT;
	m->page = calloc(m->npages, sizeof(*m->page));
	m->dma = calloc(1, m->env.dma_size);
	return m->page && m->dma ? 0 : -1;
}

void mmem_fini(struct model *m)
{
	mmem_drop(m, m->env.win_lo, m->env.win_hi);
	free(m->page);
	free(m->dma);
}

void mmem_drop(struct model *m, __vaddr_t s, __vaddr_t e)
{
	__vaddr_t p;

	if (s < m->env.win_lo)
		s = m->env.win_lo;
	if (e > m->env.win_hi)
		e = m->env.win_hi;
	for (p = s; p < e; p += PAGE_SIZE) {
		size_t i = (p - m->env.win_lo) >> PAGE_SHIFT;

		free(m->page[i]);
		m->page[i] = NULL;
	}
}

void mmem_reset_dma(struct model *m)
{
	memset(m->dma, 0, m->env.dma_size);
}

static bool allowed(const struct mvma *v, __vaddr_t page, unsigned int access)
{
	unsigned long need = access == UK_VMA_FAULT_WRITE
				     ? PAGE_ATTR_PROT_READ | PAGE_ATTR_PROT_WRITE
			     : access == UK_VMA_FAULT_EXEC ? PAGE_ATTR_PROT_EXEC
							   : PAGE_ATTR_PROT_READ;

	if (!v || v->type == MT_RSVD)
		return false;
	if (v->type == MT_STACK && (page < v->ustart || page >= v->uend))
		return false;
	return (v->attr & need) == need;
}

/* Fill @dst with the clean contents of @page of @v. */
static void clean_page(const struct model *m, const struct mvma *v,
		       __vaddr_t page, unsigned char *dst)
{
	unsigned long off;

	memset(dst, 0, PAGE_SIZE);
	if (v->type != MT_FILE)
		return;
	off = v->off + (page - v->start);
	if (off < m->env.file_size)
		memcpy(dst, m->env.file + off,
		       m->env.file_size - off < PAGE_SIZE ? m->env.file_size - off
							 : PAGE_SIZE);
}

/* Host bytes of @page in @v for this access, creating the private copy
 * of a clean page on write. NULL: read of a clean page (see @tmp). */
static unsigned char *page_bytes(struct model *m, const struct mvma *v,
				 __vaddr_t page, bool write,
				 unsigned char *tmp)
{
	size_t i;

	if (v->type == MT_DMA)
		return m->dma + (v->off + (page - v->start) - m->env.dma_base);
	if (page < m->env.win_lo || page >= m->env.win_hi)
		abort(); /* the driver only accesses the window */
	i = (page - m->env.win_lo) >> PAGE_SHIFT;
	if (m->page[i])
		return m->page[i];
	clean_page(m, v, page, tmp);
	if (!write)
		return tmp;
	m->page[i] = malloc(PAGE_SIZE);
	if (!m->page[i])
		abort();
	memcpy(m->page[i], tmp, PAGE_SIZE);
	return m->page[i];
}

__sz model_access(struct model *m, __vaddr_t va, unsigned char *buf,
		  bool *check, __sz len, unsigned int access)
{
	static unsigned char tmp[PAGE_SIZE];
	__sz done = 0;

	if (va + len < va)
		return 0;
	while (done < len) {
		__vaddr_t a = va + done, page = PAGE_ALIGN_DOWN(a);
		const struct mvma *v = model_find(m, a);
		__sz off = a - page, n = PAGE_SIZE - off;
		unsigned char *src;
		bool known;
		size_t i;

		if (!allowed(v, page, access))
			break;
		if (n > len - done)
			n = len - done;
		if (!buf) { /* a probe: rights only */
			done += n;
			continue;
		}
		src = page_bytes(m, v, page, access == UK_VMA_FAULT_WRITE,
				 tmp);
		known = !((v->type == MT_ANON || v->type == MT_STACK) &&
			  (v->flags & UK_VMA_FLAG_UNINITIALIZED));
		if (access == UK_VMA_FAULT_WRITE)
			memcpy(src + off, buf + done, n);
		else
			memcpy(buf + done, src + off, n);
		for (i = 0; check && access != UK_VMA_FAULT_WRITE && i < n; i++)
			check[done + i] = known;
		done += n;
	}
	return done;
}
