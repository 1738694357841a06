/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File mappings over a host file descriptor.
 *
 * The mapping holds its own descriptor (dup), shared by every piece of the
 * mapping through a reference count: splits and copies take a reference,
 * destroy drops one. Pages load on first access with pread; the part of
 * the last page past end-of-file reads as zeros. Private mappings are
 * copies (writes never reach the file). Shared writable mappings write
 * their resident pages back, up to end-of-file, on uk_vma_file_sync and on
 * unmap.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "vas/vas_internal.h"
#include "vas/types/types.h"

struct file_ref {
	_Atomic long refs;
	int fd;
};

struct vma_file {
	struct uk_vma base;
	struct file_ref *file;
	__off offset; /* file offset of base.start */
};

static struct vma_file *to_file(const struct uk_vma *vma)
{
	return (struct vma_file *)vma;
}

static bool file_shared_writable(const struct uk_vma *vma)
{
	return (vma->flags & UK_VMA_FILE_SHARED) &&
	       (vma->attr & PAGE_ATTR_PROT_WRITE);
}

static void file_put(struct file_ref *f)
{
	if (uk_fetch_sub_relaxed(&f->refs, 1) == 1) {
		close(f->fd);
		ukplat_free(f);
	}
}

static char *fd_name(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return NULL;
	path[n] = '\0';
	return strdup(path);
}

static int file_new(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		    void *data, unsigned long attr, unsigned long *flags,
		    struct uk_vma **out)
{
	const struct uk_vma_file_args *args = data;
	struct vma_file *v;
	char *name;
	int rc;

	(void)vas;
	(void)vaddr;
	(void)len;
	(void)attr;
	(void)flags;
	if (!args)
		return -EINVAL;
	v = ukplat_aligned_alloc(UK_CACHELINE, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*v = (struct vma_file){0};
	v->base.size = sizeof(*v);
	v->offset = args->offset;
	v->file = ukplat_malloc(sizeof(*v->file));
	if (!v->file) {
		ukplat_free(v);
		return -ENOMEM;
	}
	atomic_init(&v->file->refs, 1);
	v->file->fd = fcntl(args->fd, F_DUPFD_CLOEXEC, 0);
	if (v->file->fd < 0) {
		rc = errno == EBADF ? -EBADF : -errno;
		ukplat_free(v->file);
		ukplat_free(v);
		return rc;
	}
	/* The VMA is named after the file. */
	name = fd_name(args->fd);
	rc = vma_set_name(&v->base, name);
	free(name);
	if (rc) {
		file_put(v->file);
		ukplat_free(v);
		return rc;
	}
	*out = &v->base;
	return 0;
}

static void file_destroy(struct uk_vma *vma)
{
	file_put(to_file(vma)->file);
}

static int file_clone(struct uk_vma *copy, const struct uk_vma *orig)
{
	struct vma_file *c = to_file(copy);

	c->offset = to_file(orig)->offset + (__off)(copy->start - orig->start);
	uk_fetch_add_relaxed(&c->file->refs, 1);
	return 0;
}

static int file_merge(struct uk_vma *vma, struct uk_vma *next)
{
	struct vma_file *a = to_file(vma), *b = to_file(next);

	if (a->file != b->file ||
	    a->offset + (__off)(vma->end - vma->start) != b->offset)
		return -EPERM;
	return 0;
}

/* Read the page at file offset @off into @dst; zeros past end-of-file. */
static int load_page(int fd, __off off, char *dst, __sz len)
{
	__sz done = 0;
	ssize_t n;

	if (ukplat_inject_fail(UK_INJECT_FILE))
		return -EIO;
	while (done < len) {
		n = pread(fd, dst + done, len - done, off + (__off)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -EIO;
		if (n == 0)
			break;
		done += (__sz)n;
	}
	memset(dst + done, 0, len - done);
	return 0;
}

static int file_fault(struct uk_vma *vma, struct uk_vm_fault *f)
{
	struct vma_file *v = to_file(vma);
	struct uk_pagetable *pt = vma->vas->pt;
	int rc;

	rc = vma_anon_frame(vma, f, false);
	if (rc)
		return rc;
	rc = load_page(v->file->fd, v->offset + (__off)(f->vbase - vma->start),
		       ukplat_page_kptr(pt, f->paddr, f->len >> PAGE_SHIFT, 0),
		       f->len);
	if (rc) {
		uk_ffree(pt->fa, f->paddr, f->len >> PAGE_SHIFT);
		return rc;
	}
	return 0;
}

struct writeback {
	struct uk_vma *vma;
	struct uk_pagetable *pt;
	__off size; /* file size: nothing is written past it */
	int rc;
};

static int write_leaf(__vaddr_t vaddr, unsigned int level, __pte_t pte,
		      void *arg)
{
	struct writeback *wb = arg;
	struct vma_file *v = to_file(wb->vma);
	__off off = v->offset + (__off)(vaddr - wb->vma->start);
	__sz len = PAGE_Lx_SIZE(level);
	const char *src;
	ssize_t n;

	if (off >= wb->size)
		return 0;
	if ((__off)len > wb->size - off)
		len = (__sz)(wb->size - off);
	src = ukplat_page_kptr(wb->pt, ukplat_pte_paddr(pte, level), 1, 0);
	n = pwrite(v->file->fd, src, len, off);
	if (n != (ssize_t)len)
		wb->rc = -EIO;
	return 0;
}

static int file_writeback(struct uk_vma *vma, __vaddr_t vaddr, __sz len)
{
	struct writeback wb = {.vma = vma, .pt = vma->vas->pt};
	struct stat st;

	if (!file_shared_writable(vma))
		return 0;
	if (fstat(to_file(vma)->file->fd, &st))
		return -EIO;
	wb.size = st.st_size;
	ukplat_pt_for_each_leaf(wb.pt, vaddr, len, write_leaf, &wb);
	return wb.rc;
}

static int file_unmap(struct uk_vma *vma, __vaddr_t vaddr, __sz len)
{
	/* Unmap cannot fail half-way: a write error is reported by sync,
	 * the pages go regardless. */
	(void)file_writeback(vma, vaddr, len);
	return ukplat_page_unmap(vma->vas->pt, vaddr, len >> PAGE_SHIFT, 0);
}

/* DONTNEED: shared writable pages go back to the file first; the next
 * access loads the page again. */
static int file_advise(struct uk_vma *vma, __vaddr_t vaddr, __sz len,
		       unsigned long advice)
{
	if (advice & UK_VMA_ADV_WILLNEED)
		return -EOPNOTSUPP; /* the default pre-fault */
	if (advice & UK_VMA_ADV_QUERY)
		return 0;
	(void)file_writeback(vma, vaddr, len);
	return vma_dontneed_range(vma, vaddr, len, 0);
}

const struct uk_vma_ops uk_vma_file_ops = {
	.advise = file_advise,
	.new = file_new,
	.destroy = file_destroy,
	.clone = file_clone,
	.merge = file_merge,
	.fault = file_fault,
	.unmap = file_unmap,
};

int uk_vma_map_file(struct uk_vas *vas, __vaddr_t *vaddr, __sz len,
		    unsigned long attr, unsigned long flags, int fd,
		    __off offset)
{
	struct uk_vma_file_args args = {.fd = fd, .offset = offset};

	if (offset < 0 || !PAGE_ALIGNED((unsigned long)offset))
		return -EINVAL;
	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	return uk_vma_map(vas, vaddr, len, attr, flags, NULL,
			  &uk_vma_file_ops, &args);
}

int uk_vma_file_sync(struct uk_vas *vas, __vaddr_t vaddr, __sz len)
{
	const struct vt_node *root;
	struct uk_vma *vma;
	int rc = 0, r;

	if (!vas || !vas_range_ok(vas, vaddr, len, PAGE_SIZE))
		return -EINVAL;
	ukplat_mutex_lock(&vas->lock);
	root = vt_snapshot(vas->tree);
	for (vma = vas_next_from(root, vaddr); vma && vma->start < vaddr + len;
	     vma = vas_next_from(root, vma->end)) {
		__vaddr_t s = vma_clip_start(vma, vaddr);
		__vaddr_t t = vma_clip_end(vma, vaddr + len);

		if (vma->ops != &uk_vma_file_ops)
			continue;
		r = file_writeback(vma, s, t - s);
		if (r && !rc)
			rc = r;
	}
	ukplat_mutex_unlock(&vas->lock);
	return rc;
}
