/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel's sleeping mutex (also what ukplat_mutex_* keep in struct
 * uk_mutex's storage): a test-and-set word plus a wait queue; waiters halt
 * with interrupts enabled, so they keep answering shootdown IPIs.
 */
#ifndef KMUTEX_H
#define KMUTEX_H

#include "kernel.h"

struct kmutex {
	unsigned int locked;
	unsigned int owner; /* cpu id + 1 while held, for assertions */
	struct kwaitq q;
};

void kmutex_init(struct kmutex *m);
void kmutex_lock(struct kmutex *m);
bool kmutex_trylock(struct kmutex *m);
void kmutex_unlock(struct kmutex *m);
bool kmutex_held(struct kmutex *m);

#endif /* KMUTEX_H */
