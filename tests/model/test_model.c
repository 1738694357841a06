/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seeded model test: the driver (driver.c) fed by a PRNG, several seeds
 * of a few thousand operations each, one VAS emptied between seeds. Any
 * mismatch prints the seed and the operation; rerun one seed with
 *   test_model --seed S --ops N
 * At least 100,000 operations in normal builds; fewer under ASan.
 *
 * Usage: test_model [--seed S] [--seeds K] [--ops N] [-v]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "driver.h"

#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_OPS 2000
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DEFAULT_OPS 2000
#endif
#endif
#ifndef DEFAULT_OPS
#define DEFAULT_OPS 5000
#endif
#define DEFAULT_SEEDS 20

int main(int argc, char **argv)
{
	unsigned long long seed = 1;
	unsigned long ops = DEFAULT_OPS, seeds = DEFAULT_SEEDS, i;
	static struct driver d;
	struct timespec t0, t1;
	int rc = 0, a;
	bool verbose;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
			seed = strtoull(argv[++a], NULL, 0);
			seeds = 1;
		} else if (!strcmp(argv[a], "--seeds") && a + 1 < argc) {
			seeds = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--ops") && a + 1 < argc) {
			ops = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "-v")) {
			d.verbose = true;
		} else {
			fprintf(stderr, "usage: %s [--seed S] [--seeds K] "
					"[--ops N]\n", argv[0]);
			return 2;
		}
	}
	verbose = d.verbose;
	if (drv_init(&d)) {
		fprintf(stderr, "model: set-up failed\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < seeds && !rc; i++) {
		struct drv_src src;

		d.verbose = verbose;
		d.seed = seed + i;
		drv_src_seed(&src, d.seed);
		rc = drv_run(&d, &src, ops);
		if (!rc)
			rc = drv_reset(&d);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("model: %lu ops over %lu seeds from %llu (%s, %s): %s in %.1f s\n",
	       d.ops, i, seed, ukplat_pt_format(), uk_rcu_backend(),
	       rc ? "FAILED" : "ok",
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	drv_fini(&d);
	return rc ? 1 : 0;
}
