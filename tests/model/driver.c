/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model driver's set-up and main loop.
 *
 * Design
 *   One VAS over 1 GiB of simulated physical memory, kept for the whole
 *   process and emptied between seeds / fuzz inputs (drv_reset). Besides
 *   the VAS the driver owns an 8 MiB DMA pool (2 MiB aligned, zeroed) that
 *   DMA VMAs map pieces of, and a temporary file of a little over 3 MiB
 *   (not a page multiple) that private file mappings load.
 *   The loop: drv_step draws one operation from the bytes and applies it
 *   to both sides (driver_ops.c); after every step the layouts are
 *   compared; every 32 steps the validator runs, every 256 steps the deep
 *   check (dirty pages) runs, every 1024 with frame accounting.
 */
#include <uk/host.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "driver.h"

#define PM_SIZE (1UL << 30)
#define DMA_SIZE (8UL << 20)
#define FILE_SIZE ((3UL << 20) + 1234)
#define WIN_LO (UK_VAS_VMA_BASE - (4UL << 20))
#define WIN_HI (UK_VAS_VMA_BASE + (60UL << 20))

void drv_src_bytes(struct drv_src *s, const uint8_t *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->buf = buf;
	s->len = len;
}

void drv_src_seed(struct drv_src *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
}

uint8_t drv_u8(struct drv_src *s)
{
	if (!s->buf) {
		s->rng ^= s->rng >> 12;
		s->rng ^= s->rng << 25;
		s->rng ^= s->rng >> 27;
		return (uint8_t)((s->rng * 0x2545F4914F6CDD1DULL) >> 56);
	}
	if (s->pos >= s->len) {
		s->exhausted = true;
		return 0;
	}
	return s->buf[s->pos++];
}

uint16_t drv_u16(struct drv_src *s)
{
	return (uint16_t)(drv_u8(s) | (drv_u8(s) << 8));
}

uint32_t drv_u32(struct drv_src *s)
{
	return (uint32_t)drv_u16(s) | ((uint32_t)drv_u16(s) << 16);
}

static int make_file(struct driver *d)
{
	char path[] = "/tmp/ukvmem-model-XXXXXX";
	size_t i;

	d->fd = mkstemp(path);
	if (d->fd < 0)
		return -1;
	d->file = malloc(FILE_SIZE);
	if (!d->file)
		return -1;
	for (i = 0; i < FILE_SIZE; i++)
		d->file[i] = (unsigned char)(i * 131 + (i >> 12) * 7 + 1);
	if (write(d->fd, d->file, FILE_SIZE) != (ssize_t)FILE_SIZE)
		return -1;
	/* Keep the path: the library names the VMA after /proc/self/fd. */
	return 0;
}

static char *fd_name(int fd)
{
	char link[64], path[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return NULL;
	path[n] = '\0';
	return strdup(path);
}

int drv_init(struct driver *d)
{
	struct model_env env = {0};
	__paddr_t pool = __PADDR_ANY;
	char *name;

	memset(d, 0, sizeof(*d));
	if (uk_physmem_init(&d->pm, PM_SIZE) || uk_falloc_create(&d->fa, &d->pm) ||
	    ukplat_pt_init(&d->pt, d->fa) || uk_vas_init(&d->vas, &d->pt, NULL))
		return -1;
	if (uk_falloc_frames(d->fa, &pool, DMA_SIZE >> PAGE_SHIFT,
			     FALLOC_FLAG_ALIGNED | FALLOC_FLAG_ZERO))
		return -1;
	if (make_file(d) || !(name = fd_name(d->fd)))
		return -1;
	env.va_start = d->vas.va_start;
	env.va_end = d->vas.va_end;
	env.base = d->vas.vma_base;
	env.win_lo = WIN_LO;
	env.win_hi = WIN_HI;
	env.pm_base = d->pm.base;
	env.pm_size = d->pm.size;
	env.dma_base = pool;
	env.dma_size = DMA_SIZE;
	env.file = d->file;
	env.file_size = FILE_SIZE;
	env.file_name = model_name(name);
	free(name);
	return model_init(&d->m, &env);
}

void drv_fini(struct driver *d)
{
	char *path = fd_name(d->fd);

	uk_vas_destroy(&d->vas);
	uk_rcu_barrier();
	model_fini(&d->m);
	ukplat_pt_destroy(&d->pt);
	uk_falloc_destroy(d->fa);
	uk_physmem_destroy(&d->pm);
	close(d->fd);
	if (path)
		unlink(path);
	free(path);
	free(d->file);
}

int drv_reset(struct driver *d)
{
	int rc = uk_vma_unmap(&d->vas, d->vas.va_start,
			      d->vas.va_end - d->vas.va_start, 0);

	if (rc)
		return drv_fail(d, "reset: unmap everything returned %d", rc);
	model_reset(&d->m);
	memset(ukplat_page_kptr(&d->pt, d->m.env.dma_base,
				DMA_SIZE >> PAGE_SHIFT, 0),
	       0, DMA_SIZE);
	return d->no_frames ? 0 : drv_check_frames(d);
}

int drv_run(struct driver *d, struct drv_src *src, unsigned long max_ops)
{
	unsigned long i;

	for (i = 0; !max_ops || i < max_ops; i++) {
		if (drv_step(d, src) || drv_check_layout(d))
			return -1;
		d->ops++;
		if (src->exhausted)
			break;
		if ((i & 31) == 31) {
			char err[256];

			snprintf(d->desc, sizeof(d->desc), "periodic validate");
			if (uk_vas_validate(&d->vas, err, sizeof(err)))
				return drv_fail(d, "validator: %s", err);
		}
		if ((i & 255) == 255 && drv_check_deep(d, (i & 1023) == 1023))
			return -1;
	}
	return drv_check_deep(d, !d->no_frames);
}
