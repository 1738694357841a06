#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `make run`: the seven seed examples, each printing the VAS layout after
# every step, then a short concurrent-fault benchmark when it is built.
set -euo pipefail
build=${1:-build/release}
for ex in ex1_anon ex2_dma ex3_large ex4_fixed ex5_heap ex6_dontneed ex7_ring; do
	echo "=================== $ex"
	"$build/examples/$ex"
done
if [ -x "$build/bench/bench_faults" ]; then
	echo "=================== short fault benchmark"
	"$build/bench/bench_faults" --short --csv=/dev/null
fi
