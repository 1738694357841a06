/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-context words on a Linux host: a thread-local array. Only the
 * owning thread reads or writes its words, so they need no atomics.
 */
#include <uk/plat.h>

/* ---- Per-context words ---------------------------------------------------- */

static _Thread_local void *ctx_words[UKPLAT_CTX_NWORDS];

void *ukplat_ctx_get(enum ukplat_ctx_word w)
{
	UK_ASSERT((unsigned int)w < UKPLAT_CTX_NWORDS);
	return ctx_words[w];
}

void ukplat_ctx_set(enum ukplat_ctx_word w, void *val)
{
	UK_ASSERT((unsigned int)w < UKPLAT_CTX_NWORDS);
	ctx_words[w] = val;
}
