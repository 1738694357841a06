/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page tables in a real hardware format (x86_64 or arm64 4 KiB granule,
 * picked at build time; see arch/), stored in simulated physical memory.
 *
 * Concurrency contract
 *  - Walks (ukplat_pt_lookup, ukplat_pt_walk, the software MMU) run under
 *    uk_rcu_read_lock and concurrently with everything else here.
 *  - Every store of a PTE is one atomic operation: a leaf or an intermediate
 *    table is installed by compare-and-swap from the empty entry, so of two
 *    threads installing the same slot exactly one wins; a leaf is removed by
 *    exchange, so exactly one remover owns the frame it pointed to.
 *  - Frames and table pages taken out of the table are freed only after an
 *    RCU grace period (walkers may still hold their address).
 *  - A table page is removed only when the operation covers the table's
 *    whole span, so an install into a neighbouring range never lands in a
 *    table that is being freed.
 *  - Range operations (map/unmap/set_attr) on overlapping ranges must be
 *    serialised by the caller (the VAS mutex does that), and run outside
 *    RCU read sections with interrupts enabled: they ask for a TLB
 *    shootdown (one per operation, through a TLB gather, below) and their
 *    out-of-memory fallback waits for a grace period.
 *  - Single-entry operations (walk, install, update_attr) never ask for a
 *    shootdown and never wait: faults call them inside read sections,
 *    possibly with interrupts disabled.
 *  - PAGE_ATTR_PROT_NONE leaves exist: hardware-invalid, software-present
 *    entries that keep their frame (walk returns 0 with attr PROT_NONE);
 *    hardware would report an access as "not present". WRITE and EXEC
 *    imply READ in both formats.
 *  - Virtual addresses are [0, 2^48); walks beyond give -ENOENT, range
 *    operations -EINVAL. Range operations outside the library's part
 *    [va_start, va_end) (ukplat_pt_init_range) give -EINVAL too.
 */
#ifndef UK_PAGETABLE_H
#define UK_PAGETABLE_H

#include <stdbool.h>
#include <uk/vmem_types.h>

struct uk_falloc;

struct uk_pagetable {
	__paddr_t root;         /* top-level (level 3) table */
	struct uk_falloc *fa;   /* frames and table pages come from here */
	_Atomic long nr_tables; /* table pages in use, root included if ours */
	_Atomic long pending_frames; /* frames removed, awaiting grace period */
	/* The library's part of the address space; the rest of the table
	 * (a kernel's own half) is never touched. [0, 2^48) by default. */
	__vaddr_t va_start, va_end;
	bool root_owned;        /* root allocated here, freed by destroy */
};

/* Flags of the range operations (Unikraft's values; a *_MASK is the
 * field's width before shifting). Unikraft's PAGE_FLAG_KEEP_PTES (0x01)
 * is not supported. */
#define PAGE_FLAG_KEEP_FRAMES 0x02UL /* unmap: do not free the frames */
#define PAGE_FLAG_FORCE_SIZE 0x04UL  /* use exactly PAGE_FLAG_SIZE */
#define PAGE_FLAG_SIZE_SHIFT 4
#define PAGE_FLAG_SIZE_BITS 4
#define PAGE_FLAG_SIZE_MASK ((1UL << PAGE_FLAG_SIZE_BITS) - 1)
/* Largest (or, with FORCE_SIZE, exact) page level to use; a level above
 * PAGE_MAX_LEVEL is refused (-EINVAL). */
#define PAGE_FLAG_SIZE(lvl) (((unsigned long)(lvl)) << PAGE_FLAG_SIZE_SHIFT)
#define PAGE_FLAG_SIZE_TO_LEVEL(f)                                             \
	((unsigned int)(((f) >> PAGE_FLAG_SIZE_SHIFT) & PAGE_FLAG_SIZE_MASK))
/* unmap (ukvmem's): leave table pages in place even where the range
 * covers them. Needed when faults may run in the range meanwhile
 * (DONTNEED): a fault that walked into a table before it was unlinked
 * would install into a table no one can reach. Above the size field. */
#define PAGE_FLAG_KEEP_TABLES 0x100UL

/* Returns of a mapx callback besides 0 and a negative errno. */
#define UKPLAT_PAGE_MAPX_ESKIP 1   /* leave this page unmapped */
#define UKPLAT_PAGE_MAPX_ETOOBIG 2 /* retry this range with smaller pages */

struct ukplat_page_mapx {
	/*
	 * Supply the frame for the page of @level at @vaddr in *paddr (or use
	 * the one already in *paddr when it is not __PADDR_ANY). Returns 0,
	 * ESKIP, ETOOBIG, or a negative errno which aborts the whole map.
	 */
	int (*map)(struct uk_pagetable *pt, __vaddr_t vaddr, __paddr_t *paddr,
		   unsigned int level, void *ctx);
	/*
	 * Take back a frame that @map supplied when the map is rolled back or
	 * loses the install race. NULL frees it to pt->fa.
	 */
	void (*undo)(struct uk_pagetable *pt, __vaddr_t vaddr, __paddr_t paddr,
		     unsigned int level, void *ctx);
	void *ctx;
};

/* Allocate the root table; the whole address space is the library's.
 * Returns 0 or -ENOMEM. */
int ukplat_pt_init(struct uk_pagetable *pt, struct uk_falloc *fa);
/*
 * A page table of which only [@start, @end) is the library's (page aligned,
 * @start < @end <= 2^48): a kernel keeps its own mappings in the rest. @root
 * is the caller's root table (it must lie in @fa's physical memory, where
 * the direct map reaches it; its entries outside the range stay as they
 * are, and destroy leaves the page itself to the caller), or __PADDR_ANY
 * for a new root that destroy frees. Everything inside the range is the
 * library's: the caller keeps no mapping and no table whose span lies
 * wholly inside it. Returns 0, -EINVAL or -ENOMEM.
 */
int ukplat_pt_init_range(struct uk_pagetable *pt, struct uk_falloc *fa,
			 __paddr_t root, __vaddr_t start, __vaddr_t end);
/*
 * Free the library's table pages (immediately: no walker may be running):
 * every table whose span lies wholly inside [va_start, va_end), and a
 * table that straddles a boundary when nothing outside the range is left
 * in it. Entries and tables outside the range (a kernel's) are left
 * exactly as they were; the root is freed only when init allocated it.
 * Leaf frames are not freed; they belong to whoever mapped them.
 */
void ukplat_pt_destroy(struct uk_pagetable *pt);

/*
 * Find what maps @vaddr (ukvmem's own walk). Returns 0 with the leaf's
 * *level and *pte when a present leaf maps it, or -ENOENT with the level
 * of the empty entry that ends the walk (and *pte = that entry). Caller:
 * RCU read section or the VAS mutex.
 */
int ukplat_pt_lookup(struct uk_pagetable *pt, __vaddr_t vaddr,
		     unsigned int *level, __pte_t *pte);

/*
 * Unikraft's walk. Descends from the root towards level *level (PAGE_LEVEL
 * when @level is NULL) and stops earlier at a non-present entry or a leaf.
 * Returns 0 with *level = the level it stopped at, *pte = the entry there
 * (which may be non-present: test it with PT_Lx_PTE_PRESENT) and *pt_vaddr
 * = the virtual address of the table page holding that entry; each out
 * pointer may be NULL. -EINVAL (nothing written) when *level is not a
 * table level or @vaddr lies outside the translated range [0, 2^48).
 * Caller: RCU read section or the VAS mutex; the table page at *pt_vaddr
 * may be freed once the caller leaves both. Read entries through it with
 * an atomic load; change them only through the functions below (a plain
 * store would race with the lock-free installs).
 */
int ukplat_pt_walk(struct uk_pagetable *pt, __vaddr_t vaddr,
		   unsigned int *level, __vaddr_t *pt_vaddr, __pte_t *pte);

/* Unikraft's PTE tests, for the entry a walk returns at level @lvl. */
bool ukplat_pte_present(__pte_t pte, unsigned int lvl);
bool ukplat_pte_is_leaf(__pte_t pte, unsigned int lvl);
#define PT_Lx_PTE_PRESENT(pte, lvl) ukplat_pte_present((pte), (lvl))
#define PAGE_Lx_IS(pte, lvl) ukplat_pte_is_leaf((pte), (lvl))
/* Index of @vaddr's entry in its table of level @lvl. */
#define PT_Lx_IDX(vaddr, lvl)                                                  \
	((((unsigned long)(vaddr)) >> PAGE_Lx_SHIFT(lvl)) &                    \
	 (PT_PTES_PER_LEVEL - 1))

/*
 * Install one leaf of @level at @vaddr (aligned to the level) mapping
 * @paddr with @attr, if the slot is empty; creates missing intermediate
 * tables. Returns 0 when installed, -EEXIST when the slot or a larger leaf
 * covering it is already present (*found and *found_level describe it; a
 * table where a large leaf was asked for also gives -EEXIST), -ENOMEM.
 * Caller: RCU read section or the VAS mutex.
 */
int ukplat_pt_install(struct uk_pagetable *pt, __vaddr_t vaddr,
		      __paddr_t paddr, unsigned int level, unsigned long attr,
		      __pte_t *found, unsigned int *found_level);

/*
 * Raise the rights of the hardware-valid leaf @expected at @vaddr/@level to
 * include those of @attr, with one CAS: the frame, the memory type and every
 * right it has stay. The fault path's only change to a present entry: it
 * needs no shootdown (no CPU may lose a translation it uses; a CPU that
 * still holds the old, lower entry faults and finds the raised one), so it
 * may run inside a read section with interrupts disabled. The caller then
 * drops its own CPU's entry with ukplat_tlb_flush_local. Returns 0 (also
 * when nothing was missing), -EAGAIN when the entry is no longer @expected,
 * -EBUSY when it is hardware-invalid (PROT_NONE: a writer's break-before-
 * make or a PROT_NONE range) or its memory type differs from @attr's (a
 * writer is changing it): only a writer may change those, -EINVAL.
 */
int ukplat_pt_update_attr(struct uk_pagetable *pt, __vaddr_t vaddr,
			  unsigned int level, __pte_t expected,
			  unsigned long attr);

/* Map @pages 4 KiB pages at @vaddr to @paddr (or to newly allocated frames
 * when @paddr is __PADDR_ANY). See ukplat_page_mapx. */
int ukplat_page_map(struct uk_pagetable *pt, __vaddr_t vaddr, __paddr_t paddr,
		    unsigned long pages, unsigned long attr,
		    unsigned long flags);

/*
 * Map a range page by page with the largest level allowed by @flags and by
 * alignment, asking @mapx (when not NULL) for each frame. All or nothing:
 * on failure every PTE this call installed is removed and its frame handed
 * to mapx->undo (or freed), and the error is returned: -EINVAL (misaligned,
 * level the flags cannot give), -EEXIST (a page already present), -ENOMEM.
 */
int ukplat_page_mapx(struct uk_pagetable *pt, __vaddr_t vaddr,
		     __paddr_t paddr, unsigned long pages, unsigned long attr,
		     unsigned long flags, const struct ukplat_page_mapx *mapx);

/*
 * Remove every leaf in [vaddr, vaddr + pages * 4 KiB); free the frames after
 * a grace period unless PAGE_FLAG_KEEP_FRAMES; free tables whose whole span
 * lies in the range, after a grace period. Empty parts (even whole missing
 * upper levels) are skipped page by page correctly. Returns 0, or -EINVAL
 * when a large leaf crosses a boundary of the range (nothing changed then).
 */
int ukplat_page_unmap(struct uk_pagetable *pt, __vaddr_t vaddr,
		      unsigned long pages, unsigned long flags);

/*
 * Set the attributes of every present leaf in the range. Returns 0, or
 * -EINVAL when a large leaf crosses a boundary (nothing changed then).
 */
int ukplat_page_set_attr(struct uk_pagetable *pt, __vaddr_t vaddr,
			 unsigned long pages, unsigned long attr,
			 unsigned long flags);

/* Host pointer to @pages pages of physical memory at @paddr (the direct
 * map); never fails for frames of pt->fa's memory, NULL outside it. */
void *ukplat_page_kptr(struct uk_pagetable *pt, __paddr_t paddr,
		       unsigned long pages, unsigned long flags);

/*
 * Unikraft's temporary kernel mapping of physical memory: the virtual
 * address of @pages pages at @paddr, __VADDR_INV when the range is not
 * memory of pt->fa. The direct map is permanent, so unmapping has nothing
 * to undo; pair every kmap with a kunmap anyway, as Unikraft code does.
 */
static inline __vaddr_t ukplat_page_kmap(struct uk_pagetable *pt,
					 __paddr_t paddr, unsigned long pages,
					 unsigned long flags)
{
	void *p = ukplat_page_kptr(pt, paddr, pages, flags);

	return p ? (__vaddr_t)p : __VADDR_INV;
}

static inline void ukplat_page_kunmap(struct uk_pagetable *pt,
				      __vaddr_t vaddr, unsigned long pages,
				      unsigned long flags)
{
	(void)pt; (void)vaddr; (void)pages; (void)flags;
}

/* Visit every present leaf intersecting [vaddr, vaddr + len). A non-zero
 * return of @fn stops the walk and is returned. */
typedef int (*ukplat_pt_leaf_fn)(__vaddr_t vaddr, unsigned int level,
				 __pte_t pte, void *arg);
int ukplat_pt_for_each_leaf(struct uk_pagetable *pt, __vaddr_t vaddr,
			    __sz len, ukplat_pt_leaf_fn fn, void *arg);

/* Format-independent view of a leaf. */
__paddr_t ukplat_pte_paddr(__pte_t pte, unsigned int level);
unsigned long ukplat_pte_attr(__pte_t pte);
/* Name of the compiled-in format: "x86_64" or "arm64". */
const char *ukplat_pt_format(void);

/*
 * Table-page reserve, so that a writer can make a later install unable to
 * fail: reserve enough zeroed table pages for leaves of @level over
 * [vaddr, vaddr + len) (as if no table existed yet), then install with the
 * reserve active on the calling thread; table allocations draw from it
 * first. All or nothing: -ENOMEM leaves nothing allocated.
 */
struct ukplat_pt_reserve {
	__paddr_t *pages;
	unsigned long n;
};
int ukplat_pt_reserve(struct uk_pagetable *pt, __vaddr_t vaddr, __sz len,
		      unsigned int level, struct ukplat_pt_reserve *r);
/* Make @r (or NULL: none) the calling thread's active reserve. */
void ukplat_pt_reserve_use(struct ukplat_pt_reserve *r);
/* Free the pages the installs did not use. */
void ukplat_pt_reserve_release(struct uk_pagetable *pt,
			       struct ukplat_pt_reserve *r);

/*
 * TLB gather: what one operation changed in a page table, so that it asks
 * for one TLB flush (ukplat_tlb_flush, include/uk/plat.h) however many pages
 * and VMAs it touched. Range operations (unmap, set_attr, map's rollback
 * and stale-table reclaim) record into the calling thread's active gather
 * for their page table when there is one (ukplat_tlb_gather_use), else into
 * their own, finished before they return.
 *
 * It keeps: the union of the changed ranges that need a flush (entries
 * cleared, rights lowered, memory type changed, table pages unlinked), the
 * largest leaf level among them, UK_TLB_FLUSH_TABLES when tables were
 * unlinked, the frames and table pages to free (handed to RCU only after
 * the flush), and the "make" halves of break-before-make changes (run
 * after the flush). Entries whose rights were only raised need no flush
 * and are not recorded.
 *
 * Finishing: one ukplat_tlb_flush when something needs it, then the make
 * steps, then the frames and tables go to RCU. Call it outside every RCU
 * read section (the flush may wait for other CPUs), under whatever
 * serialises writers of the range. More than UKPLAT_TLB_GATHER_MAKES
 * separate make ranges, or no memory for a free record, make an early
 * flush (a second call for that operation; only then).
 */
#define UKPLAT_TLB_GATHER_MAKES 8

struct ukplat_tlb_gather;
typedef void (*ukplat_tlb_make_fn)(struct ukplat_tlb_gather *g,
				   __vaddr_t start, __vaddr_t end,
				   unsigned long attr, unsigned long flags);
struct pt_free_rec;

struct ukplat_tlb_gather {
	struct uk_pagetable *pt;
	__vaddr_t start, end;     /* flush range so far; empty: start >= end */
	unsigned int level;       /* largest leaf level in it */
	unsigned int flags;       /* UK_TLB_FLUSH_TABLES */
	struct pt_free_rec *frees; /* to RCU after the flush */
	unsigned int nmakes;
	struct {
		ukplat_tlb_make_fn fn;
		__vaddr_t start, end;
		unsigned long attr, flags;
	} makes[UKPLAT_TLB_GATHER_MAKES];
};

void ukplat_tlb_gather_init(struct ukplat_tlb_gather *g,
			    struct uk_pagetable *pt);
/* Make @g (or NULL: none) the calling thread's active gather. */
void ukplat_tlb_gather_use(struct ukplat_tlb_gather *g);
/* Flush once if needed, make, free; @g is empty (reusable) afterwards. */
void ukplat_tlb_gather_finish(struct ukplat_tlb_gather *g);

/* Hand @frames frames at @paddr back to pt->fa after a grace period. */
void ukplat_pt_free_frames_deferred(struct uk_pagetable *pt, __paddr_t paddr,
				    unsigned long frames);

#endif /* UK_PAGETABLE_H */
