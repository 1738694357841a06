/* SPDX-License-Identifier: BSD-3-Clause */
#include "kmutex.h"

void kmutex_init(struct kmutex *m)
{
	m->locked = 0;
	m->owner = 0;
	m->q.mask = 0;
}

bool kmutex_trylock(struct kmutex *m)
{
	if (__atomic_exchange_n(&m->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	m->owner = karch_cpu_id() + 1;
	return true;
}

static bool unlocked(void *arg)
{
	struct kmutex *m = arg;

	return !__atomic_load_n(&m->locked, __ATOMIC_ACQUIRE);
}

void kmutex_lock(struct kmutex *m)
{
	KASSERT(m->owner != karch_cpu_id() + 1); /* not recursive */
	while (!kmutex_trylock(m))
		kwait_until(&m->q, unlocked, m);
}

/* The release store, then kwake's seq_cst fence and read of the queue:
 * a waiter either sees the lock free or is woken (see sync.c). */
void kmutex_unlock(struct kmutex *m)
{
	KASSERT(m->owner == karch_cpu_id() + 1);
	m->owner = 0;
	__atomic_store_n(&m->locked, 0, __ATOMIC_RELEASE);
	kwake(&m->q);
}

bool kmutex_held(struct kmutex *m)
{
	return m->owner == karch_cpu_id() + 1;
}
