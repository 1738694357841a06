/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run-once initialisation made of atomics, for the core's few global
 * objects (a platform mutex has no static initializer). The first caller
 * runs the function; concurrent callers spin (ukplat_cpu_relax) until it
 * has finished; later callers pay one acquire load.
 *
 * Ordering: the runner's release store of DONE pairs with every caller's
 * acquire load of it, so whatever the function wrote is visible to all
 * callers that return.
 */
#ifndef UK_LIB_ONCE_H
#define UK_LIB_ONCE_H

#include <uk/plat.h>
#include "atomic.h"

#define UK_ONCE_INIT 0
#define UK_ONCE_RUNNING 1
#define UK_ONCE_DONE 2

typedef _Atomic int uk_once_t;

static inline void uk_once(uk_once_t *once, void (*fn)(void))
{
	int state = UK_ONCE_INIT;

	if (UK_LIKELY(uk_load_acquire(once) == UK_ONCE_DONE))
		return;
	if (uk_cas_acq_rel(once, &state, UK_ONCE_RUNNING)) {
		fn();
		uk_store_release(once, UK_ONCE_DONE);
		return;
	}
	while (uk_load_acquire(once) != UK_ONCE_DONE)
		ukplat_cpu_relax();
}

#endif /* UK_LIB_ONCE_H */
