/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ukvmem: virtual address space (VAS) management with lock-free faults.
 *
 * A VAS is a set of disjoint VMAs kept in an RCU-protected B-tree. Fault
 * handlers (uk_vas_fault) and lookups (uk_vma_find, the iterators, the
 * software MMU) take no lock; writers (map, unmap, set_attr, advise,
 * destroy) serialise on the per-VAS mutex, never change a VMA or tree node
 * that a reader can reach, and free what they replace after a grace period.
 *
 *                  | map | unmap | set_attr | advise | find/iter | fault
 *   map/unmap/
 *   set_attr/advise|  serialised on vas->lock         |  concurrent
 *   find/iterate   |  concurrent with everything (RCU read section)
 *   fault          |  concurrent with everything
 *
 * Call contexts (each declaration below repeats its own; the table is in
 * docs/design.md, "Call contexts"):
 *  - writers (map, unmap, set_attr, advise, init, destroy, validate) may
 *    sleep: they take vas->lock, wait for grace periods and make TLB
 *    shootdowns (ukplat_tlb_flush). Call them with interrupts enabled,
 *    outside any RCU read section.
 *  - lookups and iterators never sleep and run in any context, inside a
 *    read section (or under vas->lock).
 *  - uk_vas_fault may sleep on vas->lock while a writer is mid-change;
 *    with UK_VMA_FAULT_NOWAIT it never sleeps (any context).
 *
 * Names, flags and errno values follow Unikraft's ukvmem; docs/compat.md
 * lists every place where ukvmem differs from it and why.
 */
#ifndef UK_VMEM_H
#define UK_VMEM_H

#include <stdbool.h>
#include <uk/vmem_types.h>
#include <uk/vmem_config.h>
#include <uk/plat.h>
#include <uk/pagetable.h>
#include <uk/falloc.h>

#ifdef __cplusplus
extern "C" {
#endif

struct uk_alloc; /* Unikraft's allocator handle; metadata uses ukplat_malloc */
struct vt_tree;
struct uk_vma_ops;

/* Default base for first-fit placement of VMAs without a fixed address. */
#define UK_VAS_VMA_BASE ((__vaddr_t)CONFIG_LIBUKVMEM_DEFAULT_BASE)

struct uk_vas {
	struct uk_pagetable *pt;
	struct uk_alloc *a;
	struct vt_tree *tree;   /* VMAs by address; readers: RCU */
	struct uk_mutex lock;   /* serialises writers */
	__vaddr_t vma_base;     /* first-fit placement starts here */
	__vaddr_t va_start;     /* lowest usable address */
	__vaddr_t va_end;       /* one past the highest usable address */
	unsigned long flags;    /* UK_VAS_FLAG_* */
};

/*
 * Demand paging on or off for the calling thread (a kernel: the code
 * running on this CPU). With it off, uk_vas_fault resolves nothing
 * (-EFAULT) and the software MMU treats a page not mapped yet as
 * inaccessible. On by default.
 *
 * Unikraft keeps this switch in the VAS (vas->flags). Here it stays the
 * calling thread's, because a VAS-wide switch is shared by every CPU: a
 * probe on one CPU would make a legitimate demand fault on another fail,
 * and two CPUs saving and restoring the flag concurrently can leave paging
 * off for good. ukvmem never sets UK_VAS_FLAG_NO_PAGING in vas->flags.
 */
void uk_vas_paging_disable(void);
void uk_vas_paging_enable(void);
bool uk_vas_paging_enabled(void);

/* Unikraft's value of the flag that uk_vas_paging_savef returns. */
#define UK_VAS_FLAG_NO_PAGING 0x1UL

/* Switch demand paging off for the calling thread; returns the previous
 * state (UK_VAS_FLAG_NO_PAGING when it was off already, else 0) for
 * uk_vas_paging_restoref. @vas is unused (see above). */
static inline unsigned long uk_vas_paging_savef(struct uk_vas *vas)
{
	unsigned long was = uk_vas_paging_enabled() ? 0 : UK_VAS_FLAG_NO_PAGING;

	(void)vas;
	uk_vas_paging_disable();
	return was;
}

/* Put back the state that uk_vas_paging_savef returned. */
static inline void uk_vas_paging_restoref(struct uk_vas *vas,
					  unsigned long flag)
{
	(void)vas;
	if (flag & UK_VAS_FLAG_NO_PAGING)
		uk_vas_paging_disable();
	else
		uk_vas_paging_enable();
}

/* Life of a VMA as faults see it (vma->state). */
#define UK_VMA_STATE_LIVE 0
/* Inserted over a range whose old PTEs are still being removed: a fault
 * waits for the writer (takes and drops vas->lock) and retries. */
#define UK_VMA_STATE_PENDING 1

struct uk_vma {
	struct uk_vas *vas;
	__vaddr_t start;
	__vaddr_t end; /* exclusive */
	const struct uk_vma_ops *ops;
	unsigned long attr;  /* PAGE_ATTR_* */
	unsigned long flags; /* UK_VMA_FLAG_UNINITIALIZED, type flags */
	int page_lvl;        /* page level of the VMA; -1: no preference */
	const char *name;    /* owned copy, may be NULL */
	__sz size;           /* bytes of the object (type data follows) */
	_Atomic int state;   /* UK_VMA_STATE_* */
	struct uk_rcu_head rcu;
};

/* vma->flags: do not zero or load new pages (set by mapping with
 * UK_VMA_MAP_UNINITIALIZED). Unikraft's value. */
#define UK_VMA_FLAG_UNINITIALIZED 0x01UL

/* Bytes the VMA covers. */
static inline __sz uk_vma_len(const struct uk_vma *vma)
{
	return vma->end - vma->start;
}

/* A fault being resolved, as the type's fault hook sees it. */
struct uk_vm_fault {
	__vaddr_t vaddr;   /* faulting address */
	__vaddr_t vbase;   /* page base */
	__sz len;          /* page size */
	__paddr_t paddr;   /* out: frame that maps vbase */
	unsigned int type; /* UK_VMA_FAULT_* */
	__pte_t pte;       /* what the page table had */
	unsigned int level;
};

/*
 * VMA type hooks. Writers call them with vas->lock held, outside read
 * sections (they may sleep); fault and fault_undo run concurrently from any
 * thread inside the fault's RCU read section, possibly with interrupts
 * disabled (a NOWAIT fault), and must not sleep or block on the VAS.
 * Hooks that change a VMA (split, merge, set_attr) get a private copy that
 * no reader can see yet.
 */
struct uk_vma_ops {
	/* Base for first-fit placement of this type (NULL: vas->vma_base). */
	__vaddr_t (*get_base)(struct uk_vas *vas, void *data,
			      unsigned long flags);
	/* Allocate and fill *vma (size >= sizeof(struct uk_vma), vma->size
	 * set); may adjust *flags. NULL: plain struct uk_vma. */
	int (*new)(struct uk_vas *vas, __vaddr_t vaddr, __sz len, void *data,
		   unsigned long attr, unsigned long *flags,
		   struct uk_vma **vma);
	/* Free type resources (not the VMA memory itself). */
	void (*destroy)(struct uk_vma *vma);
	/* @copy is a byte copy of @orig cut to [copy->start, copy->end):
	 * adjust type data (a physical or file offset) and take references
	 * that destroy drops. NULL: nothing to do. */
	int (*clone)(struct uk_vma *copy, const struct uk_vma *orig);
	/* Supply fault->paddr for fault->vbase. NULL: never resolved. */
	int (*fault)(struct uk_vma *vma, struct uk_vm_fault *fault);
	/* Give back a frame supplied by fault that lost the install race.
	 * NULL: free it to the frame allocator. */
	void (*fault_undo)(struct uk_vma *vma, struct uk_vm_fault *fault);
	/* Remove [vaddr, vaddr + len) from the page table (after every fault
	 * that could see the VMA has finished). NULL: unmap, free frames. */
	int (*unmap)(struct uk_vma *vma, __vaddr_t vaddr, __sz len);
	/* @vma (private copy) becomes [start, vaddr); set *new_vma to the
	 * [vaddr, end) part or leave NULL for a copy. -EPERM refuses. */
	int (*split)(struct uk_vma *vma, __vaddr_t vaddr,
		     struct uk_vma **new_vma);
	/* May @vma (private copy, to be extended) absorb @next? 0 yes. */
	int (*merge)(struct uk_vma *vma, struct uk_vma *next);
	/* Accept new attributes on @vma (private copy). -EPERM refuses. */
	int (*set_attr)(struct uk_vma *vma, unsigned long attr);
	/* Type-specific advice; NULL or -EOPNOTSUPP: the default DONTNEED /
	 * WILLNEED. DONTNEED is first asked of every VMA in the range with
	 * UK_VMA_ADV_QUERY set: answer (0, -EOPNOTSUPP or a refusal) without
	 * acting, so that a refusal leaves every page in place. */
	int (*advise)(struct uk_vma *vma, __vaddr_t vaddr, __sz len,
		      unsigned long advice);
};

/* ---- Map flags --------------------------------------------------------- */
#define UK_VMA_MAP_POPULATE 0x01UL
#define UK_VMA_MAP_UNINITIALIZED 0x02UL
#define UK_VMA_MAP_REPLACE 0x04UL
#define UK_VMA_FLAG_STRICT_VMA_CHECK 0x1000UL

/* Page size: UK_VMA_MAP_SIZE(order) in a 6-bit field at bit 5. As in
 * Unikraft, a *_MASK is the field's width before shifting; the *_FLAGS
 * names are the same fields in place in the flag word. */
#define UK_VMA_MAP_SIZE_SHIFT 5
#define UK_VMA_MAP_SIZE_BITS 6
#define UK_VMA_MAP_SIZE_MASK ((1UL << UK_VMA_MAP_SIZE_BITS) - 1)
#define UK_VMA_MAP_SIZE_FLAGS (UK_VMA_MAP_SIZE_MASK << UK_VMA_MAP_SIZE_SHIFT)
/* An order too large for the field makes flags that map refuses. */
#define UK_VMA_MAP_SIZE(order) (((unsigned long)(order)) << UK_VMA_MAP_SIZE_SHIFT)
#define UK_VMA_MAP_SIZE_TO_ORDER(flags)                                        \
	((unsigned int)(((flags) >> UK_VMA_MAP_SIZE_SHIFT) &                   \
			UK_VMA_MAP_SIZE_MASK))
#define UK_VMA_MAP_SIZE_4KB UK_VMA_MAP_SIZE(12)
#define UK_VMA_MAP_SIZE_2MB UK_VMA_MAP_SIZE(21)
#define UK_VMA_MAP_SIZE_1GB UK_VMA_MAP_SIZE(30)

/* The upper half of the flag word belongs to the VMA type. */
#define UK_VMA_MAP_EXTF_SHIFT (sizeof(unsigned long) * 4)
#define UK_VMA_MAP_EXTF_BITS UK_VMA_MAP_EXTF_SHIFT
#define UK_VMA_MAP_EXTF_MASK ((1UL << UK_VMA_MAP_EXTF_BITS) - 1)
#define UK_VMA_MAP_EXTF_FLAGS (UK_VMA_MAP_EXTF_MASK << UK_VMA_MAP_EXTF_SHIFT)
#define UK_VMA_MAP_FLAGS_KNOWN                                                 \
	(UK_VMA_MAP_POPULATE | UK_VMA_MAP_UNINITIALIZED | UK_VMA_MAP_REPLACE | \
	 UK_VMA_FLAG_STRICT_VMA_CHECK | UK_VMA_MAP_SIZE_FLAGS)

/* ---- Advice ------------------------------------------------------------ */
#define UK_VMA_ADV_DONTNEED 0x01UL
#define UK_VMA_ADV_WILLNEED 0x02UL
/* The upper half of the advice belongs to the VMA type. */
#define UK_VMA_ADV_EXTF_SHIFT (sizeof(unsigned long) * 4)
#define UK_VMA_ADV_EXTF_BITS UK_VMA_ADV_EXTF_SHIFT
#define UK_VMA_ADV_EXTF_MASK ((1UL << UK_VMA_ADV_EXTF_BITS) - 1)
/* Set by ukvmem when it asks an advise hook whether it would accept. */
#define UK_VMA_ADV_QUERY (1UL << 31)

/* ---- Address space ----------------------------------------------------- */

/*
 * Set up an empty VAS over @pt (whose frame allocator supplies frames):
 * addresses [PAGE_SIZE, 2^47) on x86_64 ([PAGE_SIZE, 2^48) on arm64),
 * within the part of @pt that is the library's. Returns 0, -EINVAL (NULL
 * @vas or @pt) or -ENOMEM. @a may be NULL on a host. THREAD context.
 */
int uk_vas_init(struct uk_vas *vas, struct uk_pagetable *pt,
		struct uk_alloc *a);
/*
 * The same over [@start, @end), for a kernel that keeps the rest of the
 * address space (its own half) in the same table: page aligned, @start >=
 * PAGE_SIZE (page 0 always faults), @start < @end, inside
 * [pt->va_start, pt->va_end) (see ukplat_pt_init_range). VMAs, first-fit
 * placement and the validator stay inside; first fit starts at
 * UK_VAS_VMA_BASE when that lies inside, else at @start. Returns 0,
 * -EINVAL or -ENOMEM.
 */
int uk_vas_init_range(struct uk_vas *vas, struct uk_pagetable *pt,
		      struct uk_alloc *a, __vaddr_t start, __vaddr_t end);
/* Unmap and free every VMA (the page table itself stays). No other
 * thread may use the VAS during or after the call. Never fails.
 * Context (init, destroy): may sleep; outside read sections. */
void uk_vas_destroy(struct uk_vas *vas);

/* The calling thread's (a kernel: CPU's) active VAS; NULL if none. */
struct uk_vas *uk_vas_get_active(void);
int uk_vas_set_active(struct uk_vas *vas);

/*
 * Resolve a fault at @vaddr of @type (UK_VMA_FAULT_*) from any thread, with
 * no lock taken on the lookup. Returns 0 when the page is (now) mapped with
 * the rights the access needs, -EFAULT when no VMA covers @vaddr or the VMA
 * does not resolve faults (reservation, guard page) or the calling thread
 * has demand paging off (uk_vas_paging_savef), -EACCES when the VMA
 * forbids the access, -ENOMEM, -EAGAIN (below).
 *
 * A writer may be in the middle of changing the page: a REPLACE whose new
 * VMA is still PENDING, or a break-before-make (set_attr changing the
 * memory type, DONTNEED) that left the entry hardware-invalid until its
 * TLB shootdown is done. The fault then waits for the writer (takes and
 * drops vas->lock, outside its read section) and retries; with
 * UK_VMA_FAULT_NOWAIT in @type it returns -EAGAIN instead, and so does a
 * caller that is inside an RCU read section (waiting there would deadlock
 * with the writer's grace period).
 *
 * Call contexts (docs/design.md, "Call contexts"):
 *  - any thread or fault handler with interrupts enabled, outside any RCU
 *    read section: may sleep (on vas->lock) in the case above;
 *  - interrupts disabled, or inside a read section, or wherever it must
 *    not sleep: pass UK_VMA_FAULT_NOWAIT (uk_vas_fault_hw_nowait). It never
 *    sleeps, never waits for another CPU and never asks for a TLB
 *    shootdown (only ukplat_tlb_flush_local). On -EAGAIN the caller must
 *    not retry with interrupts still disabled (the writer's shootdown waits
 *    for this CPU): it takes its fixup path, or enables interrupts (leaves
 *    the read section) and retries.
 * The type's fault hook runs inside the fault's read section in both
 * cases (it may allocate frames; it must not sleep on the VAS).
 */
int uk_vas_fault(struct uk_vas *vas, __vaddr_t vaddr, unsigned int type);
/* Same, from a hardware report (x86_64 error code or arm64 ESR). */
int uk_vas_fault_hw(struct uk_vas *vas, __vaddr_t vaddr, unsigned long report);
/* uk_vas_fault_hw with UK_VMA_FAULT_NOWAIT: for handlers that run with
 * interrupts disabled. */
int uk_vas_fault_hw_nowait(struct uk_vas *vas, __vaddr_t vaddr,
			   unsigned long report);

/* ---- Lookup and iteration ----------------------------------------------
 *
 * Context: any (also interrupts disabled); never sleep; inside a read
 * section or under vas->lock.
 * The returned VMA stays valid while the caller stays in the RCU read
 * section it was looked up in (uk_rcu_read_lock), or holds vas->lock.
 * Successive uk_vma_next/prev calls each see the current tree; for one
 * consistent snapshot across a whole walk use struct uk_vma_iter.
 */
const struct uk_vma *uk_vma_find(struct uk_vas *vas, __vaddr_t vaddr);
const struct uk_vma *uk_vma_first(struct uk_vas *vas);
const struct uk_vma *uk_vma_last(struct uk_vas *vas);
const struct uk_vma *uk_vma_next(const struct uk_vma *vma);
const struct uk_vma *uk_vma_prev(const struct uk_vma *vma);

/* Snapshot iteration: every call sees the tree as it was at _init. Use
 * inside one RCU read section (or under vas->lock). */
struct uk_vma_iter {
	const void *root;
	__vaddr_t next;
};
void uk_vma_iter_init(struct uk_vma_iter *it, struct uk_vas *vas);
const struct uk_vma *uk_vma_iter_next(struct uk_vma_iter *it);

/* ---- Changing the VAS (each takes vas->lock) ----------------------------
 *
 * Context: may sleep (vas->lock, grace periods, one TLB shootdown per call:
 * include/uk/plat.h); interrupts enabled, outside any RCU read section.
 * All or nothing: on any error the VMAs, the page table and the frame
 * counts are as they were before the call.
 */

/*
 * Create a VMA of [*vaddr, *vaddr + len) (or at the first fitting hole when
 * *vaddr is __VADDR_ANY; the address is returned in *vaddr).
 * Errors: -EINVAL (misaligned to the page size, len 0, wrap, outside the
 * address space, unknown flags, bad page size, NULL vaddr/ops), -EEXIST
 * (overlap without UK_VMA_MAP_REPLACE), -ENOMEM (no hole, out of memory),
 * -EPERM (a VMA in the way refuses to be split), or the type's error.
 */
int uk_vma_map(struct uk_vas *vas, __vaddr_t *vaddr, __sz len,
	       unsigned long attr, unsigned long flags, const char *name,
	       const struct uk_vma_ops *ops, void *args);
int uk_vma_unmap(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		 unsigned long flags);
int uk_vma_set_attr(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		    unsigned long attr, unsigned long flags);
int uk_vma_advise(struct uk_vas *vas, __vaddr_t vaddr, __sz len,
		  unsigned long advice, unsigned long flags);

/* ---- Introspection -------------------------------------------------------- */

/* Bytes of @vma's range that are mapped in the page table (like Rss).
 * Context: like a lookup (the VMA must stay valid). */
__sz uk_vma_resident(const struct uk_vma *vma);
/* Receives output text piece by piece (a line, NUL-terminated, with its
 * newline), e.g. to a console; @arg is the caller's. */
typedef void (*uk_print_fn)(void *arg, const char *str);
/* Hand @fn one line per VMA, like /proc/<pid>/maps plus Rss. Call outside
 * any read section of the caller's (it takes its own); @fn runs inside it
 * and must not block. The host also has uk_vas_print (uk/host.h). */
void uk_vas_dump(struct uk_vas *vas, uk_print_fn fn, void *arg);
/* Check the tree and that no PTE lies outside a VMA or carries more
 * rights than its VMA. Returns 0 or -EUCLEAN with a message. Caller holds
 * no lock; this takes vas->lock. */
int uk_vas_validate(struct uk_vas *vas, char *err, __sz errlen);

#ifdef __cplusplus
}
#endif

/* Unikraft's uk/vmem.h brings in the VMA types too. */
#include <uk/vma_types.h>

#endif /* UK_VMEM_H */
