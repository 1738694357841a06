/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kernel/common internals: per-CPU records, console output, spinlocks,
 * halting waits, the kernel heap, RCU polling. Arch-neutral: everything
 * machine-specific goes through karch.h.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <karch.h>

#include <uk/plat.h>

#define KCACHELINE 64
#define KARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Per-CPU record ------------------------------------------------------ */
struct kcpu {
	unsigned int id;
	bool online;
	/* RCU (rcu.c): nesting depth of read sections, and the state word
	 * writers scan: (epoch << 1) | 1 inside a section, 0 outside. */
	unsigned int rcu_nesting;
	unsigned long rcu_state; /* __atomic_* only (clang refuses them on _Atomic) */
	/* Statistics (written by this CPU only, read at the end). */
	unsigned long faults;          /* kfault calls */
	unsigned long faults_resolved; /* ... that uk_vas_fault_hw resolved */
	unsigned long faults_fixed;    /* ... recovered through a fixup */
	unsigned long shootdowns_sent; /* shootdowns initiated (IPIs or TLBI IS) */
	unsigned long tlb_ipis;        /* KIPI_TLB handled */
	unsigned long waits;           /* karch_wait_for_irq calls */
} __attribute__((aligned(KCACHELINE)));

extern struct kcpu kcpus[KMAX_CPUS];
extern unsigned int kncpus; /* online, set once all CPUs are up */

static inline struct kcpu *kthis_cpu(void)
{
	return &kcpus[karch_cpu_id()];
}

/* Bit mask of the online CPUs. */
unsigned long konline_mask(void);

/* ---- Console ---------------------------------------------------------------- */
/* %d %i %u %x %lx %ld %lu %zu %zx %p %s %c %%, with width and '0'. One
 * call prints atomically with respect to other CPUs. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
_Noreturn void kpanic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#define KASSERT(cond)                                                          \
	do {                                                                   \
		if (!(cond))                                                   \
			kpanic("assertion failed: %s (%s:%d)", #cond,          \
			       __FILE__, __LINE__);                            \
	} while (0)

/* ---- Spinlocks: short sections only, interrupts off while held ------------ */
struct kspinlock {
	unsigned int locked; /* __atomic_* only */
};
unsigned long kspin_lock(struct kspinlock *l);
void kspin_unlock(struct kspinlock *l, unsigned long flags);

/* ---- Waiting ------------------------------------------------------------------ */
/*
 * A wait queue: the CPUs halted waiting for one kind of event.
 * kwait_until(q, cond, arg) waits until @cond(@arg) holds, halted between
 * checks (karch_wait_for_irq) when interrupts are enabled, so that waiting
 * CPUs leave the host's cores to the CPUs that work. Whoever makes the
 * condition true calls kwake(q) afterwards. The condition must read its
 * state with at least acquire ordering.
 */
struct kwaitq {
	unsigned long mask; /* CPUs halted (or about to halt) on it */
};
void kwait_until(struct kwaitq *q, bool (*cond)(void *arg), void *arg);
void kwake(struct kwaitq *q);

/* ---- Kernel heap (metadata for ukvmem and the kernel) ----------------------- */
void kheap_init(void *base, size_t size);
void *kheap_alloc(size_t size, size_t align);
void kheap_free(void *ptr);
size_t kheap_used(void);

/* ---- RCU ----------------------------------------------------------------------- */
void krcu_cpu_init(struct kcpu *c);
/* Run the deferred callbacks queued so far if there are many (or any with
 * @force), after a grace period. Call only where the caller holds no lock
 * and is outside read sections (the suites' loops). */
void krcu_poll(bool force);

/* ---- Faults ----------------------------------------------------------------- */
struct uk_vas;
/* The VAS faults in the lower half are resolved against (one for all
 * CPUs; NULL: none, every lower-half fault is unresolved). */
void kfault_set_vas(struct uk_vas *vas);

/* ---- Suites ---------------------------------------------------------------------- */
/* Run every suite on every CPU; returns the number of failed checks. */
unsigned int ksuites_run(void);
/* A barrier for all online CPUs (halting). */
void kbarrier(void);

#endif /* KERNEL_H */
