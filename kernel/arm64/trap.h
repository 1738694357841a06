/* SPDX-License-Identifier: BSD-3-Clause */
/* The context saved by vectors.S on every exception, and its dispatcher. */
#ifndef KARM_TRAP_H
#define KARM_TRAP_H

#include <stdint.h>

struct karm_frame {
	uint64_t x[31];
	uint64_t kind; /* vector index 0..15 (vectors.S) */
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

_Static_assert(sizeof(struct karm_frame) == 288, "vectors.S FRAME_SIZE");
_Static_assert(__builtin_offsetof(struct karm_frame, kind) == 248 &&
		       __builtin_offsetof(struct karm_frame, elr) == 256 &&
		       __builtin_offsetof(struct karm_frame, esr) == 272 &&
		       __builtin_offsetof(struct karm_frame, far) == 280,
	       "vectors.S frame offsets");

enum {
	KARM_VEC_CUR_SPX_SYNC = 4,
	KARM_VEC_CUR_SPX_IRQ = 5,
};

void karm_trap(struct karm_frame *frame);

#endif /* KARM_TRAP_H */
