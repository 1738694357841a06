#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libFuzzer on the reference-model driver (tests/model/fuzz_model.c).
# Usage: tools/run-fuzz.sh [-t SECONDS] [-j JOBS] [libFuzzer args...]
#   -t  total time, default 60 s (libFuzzer -max_total_time)
#   -j  parallel jobs, default 1. One job fuzzes in this process and prints
#       as it goes, a progress line every 5 s among libFuzzer's (inputs,
#       operations, each checked against the model). With more, libFuzzer
#       runs each job in a child writing fuzz-N.log; their latest progress
#       lines are repeated here every 5 s.
# Builds build/fuzz with clang, -fsanitize=fuzzer,address (installs clang
# and libclang-rt-14-dev when missing and run as root), seeds from
# tests/model/corpus/ and keeps new inputs in build/fuzz/corpus/.
# A mismatch aborts and leaves crash-* in the current directory; replay
# it with build/fuzz/tests/model/fuzz_model crash-FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=60
jobs=1
while getopts "t:j:" o; do
	case $o in
	t) secs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-j JOBS] [libFuzzer args...]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))

if ! command -v clang >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "need clang and libclang-rt-14-dev: sudo apt-get install clang libclang-rt-14-dev" >&2
		exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends clang libclang-rt-14-dev >/dev/null
fi
dir=build/fuzz
if [ ! -f "$dir/build.ninja" ]; then
	CC=clang meson setup "$dir" -Db_sanitize=address -Db_lundef=false \
		-Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$dir" tests/model/fuzz_model
mkdir -p "$dir/corpus"
# -jobs=1 would also run the job in a child with its output in fuzz-0.log,
# silent here until the end: pass -jobs only for real parallel runs.
par=()
if [ "$jobs" -gt 1 ]; then
	par=(-jobs="$jobs" -workers="$jobs")
	(
		while sleep 5; do
			for ((n = 0; n < jobs; n++)); do
				l=$(grep '^fuzz_model:' "fuzz-$n.log" 2>/dev/null |
					tail -1) || true
				[ -z "$l" ] || echo "job $n: $l"
			done
		done
	) &
	ticker=$!
	trap 'kill "$ticker" 2>/dev/null' EXIT
fi
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	"$dir/tests/model/fuzz_model" -max_total_time="$secs" "${par[@]}" \
	-max_len=4096 -print_final_stats=1 "$@" \
	"$dir/corpus" tests/model/corpus
