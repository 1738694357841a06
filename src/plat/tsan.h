/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ThreadSanitizer annotations for the RCU backends (private to src/plat and
 * the RCU tests). Outside TSan builds every macro is a no-op.
 *
 * liburcu's and ck's grace periods are made of membarrier(), inline-asm
 * loads/stores and futexes that TSan cannot see, so without help it reports
 * every deferred free as a race. The backends model the grace period as one
 * synchronization object, the address of a token:
 *   - a reader releases the token just before each read-unlock;
 *   - a grace-period wait acquires it just after it returns;
 *   - a deferred callback acquires it (and its own head) before it runs.
 * TSan's release merges clocks, so one acquire after the wait inherits the
 * history of every read section that ended before it. See
 * shared/spec/CONCURRENCY-NOTES.md.
 */
#ifndef UKPLAT_TSAN_H
#define UKPLAT_TSAN_H

#if defined(__SANITIZE_THREAD__)
#define UKPLAT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UKPLAT_TSAN 1
#endif
#endif
#ifndef UKPLAT_TSAN
#define UKPLAT_TSAN 0
#endif

#if UKPLAT_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define uk_tsan_acquire(addr) __tsan_acquire((void *)(addr))
#define uk_tsan_release(addr) __tsan_release((void *)(addr))
#else
#define uk_tsan_acquire(addr) ((void)(addr))
#define uk_tsan_release(addr) ((void)(addr))
#endif

#endif /* UKPLAT_TSAN_H */
