/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cache slots on a Linux host: pthread keys, so a slot's value is per
 * thread and its destructor runs when the thread exits. (A file of its
 * own, so that a test can link the frame allocator against per-CPU slots
 * of its own instead.)
 *
 * Design:
 *  - Only the owning thread reads or writes its key value, so install is
 *    get-then-set and still one atomic step: nobody else can touch the
 *    calling thread's value in between.
 *  - struct ukplat_slot's opaque words hold the key (word 0) and a flag
 *    that the key exists (word 1), so that delete of a slot whose create
 *    failed is harmless.
 */
#include <errno.h>
#include <pthread.h>

#include <uk/plat.h>

/* ---- Cache slots ------------------------------------------------------------ */

static pthread_key_t slot_key(const struct ukplat_slot *slot)
{
	return (pthread_key_t)slot->opaque[0];
}

int ukplat_slot_create(struct ukplat_slot *slot, void (*dtor)(void *val))
{
	pthread_key_t key;

	slot->opaque[1] = 0;
	if (pthread_key_create(&key, dtor))
		return -ENOMEM;
	slot->opaque[0] = (uintptr_t)key;
	slot->opaque[1] = 1;
	return 0;
}

void ukplat_slot_delete(struct ukplat_slot *slot)
{
	if (slot->opaque[1])
		pthread_key_delete(slot_key(slot));
	slot->opaque[1] = 0;
}

void *ukplat_slot_get(const struct ukplat_slot *slot)
{
	return slot->opaque[1] ? pthread_getspecific(slot_key(slot)) : NULL;
}

void *ukplat_slot_install(const struct ukplat_slot *slot, void *val)
{
	void *cur;

	if (!slot->opaque[1])
		return NULL;
	cur = pthread_getspecific(slot_key(slot));
	if (cur)
		return cur;
	if (pthread_setspecific(slot_key(slot), val))
		return NULL;
	return val;
}
