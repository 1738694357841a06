/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer entry for the model driver: the input bytes are the operation
 * stream (driver.h). One VAS for the whole process, emptied after each
 * input; a mismatch prints the operation and both layouts and aborts, so
 * libFuzzer saves the input. Built by tools/run-fuzz.sh (clang,
 * -fsanitize=fuzzer,address); tests/model/corpus/ holds seeds.
 * Every 5 s it prints a line to stderr (libFuzzer's own status lines come
 * at powers of two of the input count, minutes apart in a long run), so a
 * working run can be told from a hung one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "driver.h"

#define PROGRESS_NS (5 * 1000000000ULL)

static unsigned long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)t.tv_sec * 1000000000ULL +
	       (unsigned long long)t.tv_nsec;
}

/* Every operation a run applied was compared with the model after it
 * (drv_run: a mismatch aborts), so d->ops counts checks passed too. */
static void progress(const struct driver *d, unsigned long inputs)
{
	static unsigned long long t0, next;
	unsigned long long t = now_ns();

	if (!t0) {
		t0 = t;
		next = t + PROGRESS_NS;
		return;
	}
	if (t < next)
		return;
	next = t + PROGRESS_NS;
	fprintf(stderr, "fuzz_model: %llu s: %lu inputs, %lu operations, "
		"each matched the model\n", (t - t0) / 1000000000ULL, inputs,
		d->ops);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct driver d;
	static int ready;
	static unsigned long inputs;
	struct drv_src src;

	if (!ready) {
		if (drv_init(&d))
			abort();
		ready = 1;
	}
	/* Frame accounting needs a barrier: every 64th input only. */
	d.no_frames = inputs++ % 64 != 0;
	drv_src_bytes(&src, data, size);
	if (drv_run(&d, &src, 0) || drv_reset(&d))
		abort();
	progress(&d, inputs);
	return 0;
}
