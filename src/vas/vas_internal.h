/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private interface of the VAS core (src/vas). Functions named *_locked
 * need vas->lock; *_rcu need an RCU read section (or the lock).
 */
#ifndef UK_VAS_INTERNAL_H
#define UK_VAS_INTERNAL_H

#include "lib/errno.h"
#include <stdbool.h>
#include <uk/vmem.h>
#include <uk/vma_types.h>
#include "atomic.h"
#include "tree/vtree.h"

#define vas_assert_locked(vas) UK_ASSERT(ukplat_mutex_held(&(vas)->lock))

static inline struct uk_pagetable *vas_pt(struct uk_vas *vas)
{
	return vas->pt;
}

/* ---- VMA objects (vma_obj.c) -------------------------------------------- */

/* Page level a VMA maps with (no preference maps 4 KiB pages). */
static inline unsigned int vma_level(const struct uk_vma *vma)
{
	return vma->page_lvl < 0 ? PAGE_LEVEL : (unsigned int)vma->page_lvl;
}

static inline __sz vma_page_size(const struct uk_vma *vma)
{
	return PAGE_Lx_SIZE(vma_level(vma));
}

/* The part of @vma inside [a, b): [vma_clip_start, vma_clip_end), empty
 * when start >= end. */
static inline __vaddr_t vma_clip_start(const struct uk_vma *vma, __vaddr_t a)
{
	return vma->start > a ? vma->start : a;
}

static inline __vaddr_t vma_clip_end(const struct uk_vma *vma, __vaddr_t b)
{
	return vma->end < b ? vma->end : b;
}

/* Give back a frame the type's fault hook supplied that was never mapped
 * (lost install race, rollback): its fault_undo hook, or the allocator. */
void vma_fault_undo(struct uk_vma *vma, struct uk_vm_fault *f);

/* A private copy of @vma restricted to [start, end), with type data
 * adjusted (DMA paddr, file offset) and references taken. NULL: -ENOMEM. */
struct uk_vma *vma_clone_range(const struct uk_vma *vma, __vaddr_t start,
			       __vaddr_t end);
/* Free a VMA that was never published, or whose grace period is over. */
void vma_free(struct uk_vma *vma);
/* Free a published VMA after a grace period. */
void vma_retire(struct uk_vma *vma);
/* Same type, attributes, flags, page level and name, and adjacent. */
bool vma_compatible(const struct uk_vma *a, const struct uk_vma *b);
/* Duplicate a name for a VMA (NULL stays NULL). */
int vma_set_name(struct uk_vma *vma, const char *name);

/* ---- Lookup (vas.c) ------------------------------------------------------- */

struct uk_vma *vas_find_rcu(struct uk_vas *vas, __vaddr_t vaddr);
/* First VMA with end > vaddr, in the tree @root. */
struct uk_vma *vas_next_from(const struct vt_node *root, __vaddr_t vaddr);

/* ---- Edits: the writer protocol (edit.c) -------------------------------- */

struct vma_vec {
	struct uk_vma **v;
	size_t n, cap;
};

int vma_vec_push(struct vma_vec *vec, struct uk_vma *vma);
void vma_vec_release(struct vma_vec *vec);

struct vas_edit {
	struct uk_vas *vas;
	__vaddr_t start, end;   /* the range the caller changes */
	struct vma_vec old;     /* published VMAs that leave the tree */
	struct vma_vec fresh;   /* private VMAs that enter it, ascending */
	struct vt_txn txn;
	bool pending;           /* fresh VMAs wait for old PTEs to go */
};

void vas_edit_init(struct vas_edit *e, struct uk_vas *vas, __vaddr_t start,
		   __vaddr_t end);
/* Collect the VMAs overlapping the range into e->old; -ENOENT with
 * @strict when nothing is mapped or the range has holes. */
int vas_edit_collect(struct vas_edit *e, bool strict);
/* Check that the range ends do not split a large page of the VMAs they
 * cut (-EINVAL), then add the pieces of e->old that lie outside the range
 * to e->fresh (-EPERM when a type refuses the split, -ENOMEM). */
int vas_edit_keep_outside(struct vas_edit *e);
/* Insert @vma into e->fresh in address order. */
int vas_edit_add(struct vas_edit *e, struct uk_vma *vma);
/* Merge adjacent compatible VMAs of e->fresh, and with the neighbours just
 * outside them (which then join e->old). */
int vas_edit_merge(struct vas_edit *e);
/* The fresh VMA containing @addr (NULL if none). */
struct uk_vma *vas_edit_fresh_at(const struct vas_edit *e, __vaddr_t addr);
/* Build and publish the transaction: erase e->old, insert e->fresh.
 * On error nothing is published. */
int vas_edit_commit(struct vas_edit *e);
/* After commit: wait out every fault that could see the old VMAs, then
 * remove their pages inside the edited range. No-op without old VMAs. */
void vas_edit_clear_old(struct vas_edit *e);
/* After commit: mark fresh VMAs live, retire old ones. */
void vas_edit_finish(struct vas_edit *e);
/* Before commit: free the fresh VMAs, forget everything. */
void vas_edit_abort(struct vas_edit *e);

/* ---- Page-table work of a VMA (vma_pt.c) --------------------------------- */

/* The TLB work of one writer operation: from begin to end, every range
 * operation on vas->pt by the calling thread (also inside type hooks)
 * records into @g; end asks for one flush and then frees the frames and
 * tables (include/uk/pagetable.h). Caller: vas->lock, outside any read
 * section. */
void vas_tlb_begin(struct uk_vas *vas, struct ukplat_tlb_gather *g);
void vas_tlb_end(struct ukplat_tlb_gather *g);

/* Remove the VMA's PTEs in [vaddr, vaddr + len) the way its type wants. */
int vma_unmap_range(struct uk_vma *vma, __vaddr_t vaddr, __sz len);

/* Drop the VMA's pages in the range while faults may run there (page
 * tables stay); @ptflags: PAGE_FLAG_KEEP_FRAMES for frames not owned. */
int vma_dontneed_range(struct uk_vma *vma, __vaddr_t vaddr, __sz len,
		       unsigned long ptflags);

/* Frames prepared before a commit and installed after it (populate). */
struct vas_prefault {
	struct uk_vma *vma;  /* the VMA the frames are for */
	__vaddr_t start, end;
	unsigned int level;
	unsigned int type;   /* fault type passed to the hook */
	__paddr_t *frames;   /* one per page; __PADDR_INV: already present */
	size_t n;
	struct ukplat_pt_reserve tables; /* so that installing cannot fail */
};

/* Ask @vma's fault hook for every page of [start, end) not mapped yet.
 * All or nothing: -ENOMEM (or the hook's error) frees what it took. */
int vas_prefault_prepare(struct vas_prefault *pf, struct uk_vma *vma,
			 __vaddr_t start, __vaddr_t end, bool skip_present);
/* Install the prepared frames (a page a fault got to first keeps the
 * fault's frame; ours is given back). Cannot fail: the table pages were
 * reserved by prepare. */
void vas_prefault_install(struct vas_prefault *pf);
/* Give back frames not installed and free the pool. */
void vas_prefault_release(struct vas_prefault *pf);

/* ---- Fault path (fault.c) ------------------------------------------------ */

/* Returned by vas_fault_vma_rcu (never by a public function): the entry
 * or the VMA is being changed by the writer holding vas->lock; wait for
 * it outside the read section, or give -EAGAIN to a caller that cannot. */
#define VAS_FAULT_WAIT 1

/* The VMA's fault hook for one page, then the CAS install. Caller: RCU.
 * 0, VAS_FAULT_WAIT or a negative errno. */
int vas_fault_vma_rcu(struct uk_vas *vas, struct uk_vma *vma,
		      __vaddr_t vaddr, unsigned int type);

/* Test hook: when set, called by every fault after the type's hook gave
 * a frame and before the install CAS, inside the read section. Lets tests
 * pause a fault in its race window deterministically. */
extern void (*_Atomic vas_fault_window_hook)(struct uk_vas *vas,
					     __vaddr_t vaddr);

/* ---- Introspection (inspect.c) ------------------------------------------ */

/* uk_vas_dump with the fourth column of each line from @mark (NULL: 'p'),
 * so that the host's printer can mark shared file mappings. */
void vas_dump(struct uk_vas *vas, char (*mark)(const struct uk_vma *),
	      uk_print_fn fn, void *arg);

/* ---- Argument checks (map.c) ---------------------------------------------- */

/* Range inside the address space, aligned to @align, no wrap. */
bool vas_range_ok(const struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		  __sz align);

#endif /* UK_VAS_INTERNAL_H */
