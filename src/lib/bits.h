/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bit counting in plain code: __builtin_popcountl becomes a call to
 * libgcc's __popcountdi2 on targets without a population-count
 * instruction in the baseline ISA (x86_64 without -mpopcnt, arm64 without
 * SIMD), which a freestanding core cannot call.
 */
#ifndef UK_LIB_BITS_H
#define UK_LIB_BITS_H

#include <stdint.h>

static inline unsigned int uk_popcount64(uint64_t x)
{
	/* Sum bits in 2-, 4- and 8-bit fields, then add the bytes up. */
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned int)((x * 0x0101010101010101ULL) >> 56);
}

#endif /* UK_LIB_BITS_H */
