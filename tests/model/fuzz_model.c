/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer entry for the model driver: the input bytes are the operation
 * stream (driver.h). One VAS for the whole process, emptied after each
 * input; a mismatch prints the operation and both layouts and aborts, so
 * libFuzzer saves the input. Built by tools/run-fuzz.sh (clang,
 * -fsanitize=fuzzer,address); tests/model/corpus/ holds seeds.
 */
#include <stdint.h>
#include <stdlib.h>
#include "driver.h"

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
	return 0;
}
