#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `make run`: the seven seed examples, each printing the VAS layout after
# every step, then faults with and without a concurrent writer for ukvmem
# and the lock-based baselines (tools/demo-storm.sh, about 10 s).
set -euo pipefail
build=${1:-build/release}
for ex in ex1_anon ex2_dma ex3_large ex4_fixed ex5_heap ex6_dontneed ex7_ring; do
	echo "=================== $ex"
	"$build/examples/$ex"
done
tools/demo-storm.sh "$build"
