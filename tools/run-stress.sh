#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Long multithreaded stress (stress/main.c) on a built tree.
# Usage: tools/run-stress.sh BUILD [stress_vas flags...]
#   default flags: --faulters 4 --writers 2 --seconds 60 --huge
#   (any flag given replaces the defaults; see stress_vas --help)
#   STRESS_SEEDS=K runs K seeds one after the other (default 1).
#   A progress line every 5 s (elapsed, ops, checks; --progress S to
#   change, 0 for none), then the summary line per seed.
#
# Negative control (checks that the stress tests something): in a scratch
# copy of the tree, delete the uk_rcu_synchronize() call at the top of
# clear_old_range() in src/vas/unmap.c, build, and run
#   BUILD/stress/stress_vas --seed 1 --seconds 3
# It must fail within seconds ("PTE ... outside a backed VMA" or "rights"
# from the writer's checks or the validator). Never commit that edit.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: tools/run-stress.sh BUILD [flags...]}
shift
exe="$build/stress/stress_vas"
[ -x "$exe" ] || ninja -C "$build" stress/stress_vas
if [ "$#" -eq 0 ]; then
	set -- --faulters 4 --writers 2 --seconds 60 --huge
fi
seed=${STRESS_SEED:-$(date +%s)}
for ((i = 0; i < ${STRESS_SEEDS:-1}; i++)); do
	"$exe" --seed $((seed + i)) "$@"
done
