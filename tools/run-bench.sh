#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `make bench`: build ukvmem in release mode once per RCU backend, run every
# benchmark side by side with the baselines and the host kernel, and write
# bench/results/: one CSV and log per run, all.csv (every row merged, a
# `design` column per row), summary.txt (tables + targets), machine.txt and
# PNG charts (gnuplot).
#
# Usage: tools/run-bench.sh [--quick] [--out DIR] [--flag=value ...]
#   --quick        small sizes (about a minute): for checking the pipeline
#   --flag=value   passed to every benchmark (each ignores flags it does not
#                  know), e.g. --threads=1,2 --vmas=10,1000 --pages=65536
#                  --ms=300 --reps=7; see `build/bench-urcu/bench/bench_* --help`
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

out=bench/results
quick=0
pass=()
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--out) out=$2; shift ;;
	--out=*) out=${1#--out=} ;;
	*) pass+=("$1") ;;
	esac
	shift
done
if [ "$quick" = 1 ]; then
	pass=(--threads=1,2 --storm-threads=1 --pages=32768 --reps=3
	      --vmas=10,1000,100000 --readers=1,2 --ms=60 --ff-vmas=10,1000
	      "${pass[@]}")
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.csv "$out"/*.log "$out"/*.png "$out"/*.dat "$out"/*.gp

# ---- Build: two release configurations, one per RCU backend ------------------
for rcu in urcu ck; do
	dir=build/bench-$rcu
	if [ ! -f "$dir/build.ninja" ]; then
		echo "== configuring $dir (release, -Drcu=$rcu)"
		meson setup "$dir" --buildtype=release -Db_ndebug=true \
			-Dtests=false -Drcu=$rcu >/dev/null
	fi
	echo "== building $dir"
	ninja -C "$dir" >/dev/null
done

# ---- The machine and the exact command -------------------------------------------
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "command: tools/run-bench.sh $([ "$quick" = 1 ] && echo --quick) ${pass[*]:-}"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
	echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
	echo "cores: $(nproc) ($(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s) per core, $(lscpu | sed -n 's/^Hypervisor vendor: *//p' || true) guest)"
	echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "kernel: $(uname -r)"
	echo "compiler: $(cc --version | head -1)"
	echo "liburcu: $(pkg-config --modversion liburcu-memb 2>/dev/null || echo ?)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt"
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
	echo "WARNING: load average $load before the run: other processes share" \
		"the CPUs and the figures will be noisy" | tee -a "$out/machine.txt"
fi

# ---- Runs ------------------------------------------------------------------------
# run_one NAME CMD...: the benchmark's output, indented, on the terminal and
# unindented in NAME.log, while ticker NAME watches: whenever the benchmark
# has printed nothing for 5 s, it says for how long it has run and how many
# results (CSV rows) it has written, so a slow configuration can be told
# from a hung one. A benchmark aborts on any failed operation, so every
# result so far is of operations that succeeded. The benchmark runs in the
# foreground (Ctrl-C reaches it); the ticker is killed after it, or on exit.
ticker_main() {
	local name=$1 t0=$SECONDS lines=0 quiet=0 n
	while sleep 1; do
		n=$(wc -l <"$out/$name.log" 2>/dev/null) || n=0
		if [ "$n" != "$lines" ]; then
			lines=$n
			quiet=0
		elif [ $((++quiet % 5)) -eq 0 ]; then
			n=$(wc -l <"$out/$name.csv" 2>/dev/null) || n=1
			echo "   ... $name: $((SECONDS - t0)) s, $((n > 0 ? n - 1 : 0)) results so far"
		fi
	done
}
ticker=
trap '[ -z "$ticker" ] || kill "$ticker" 2>/dev/null' EXIT
run_one() {
	local name=$1 rc=0
	shift
	ticker_main "$name" &
	ticker=$!
	"$@" 2>&1 | tee "$out/$name.log" | sed -u 's/^/   /' || rc=$?
	kill "$ticker" 2>/dev/null || true
	wait "$ticker" 2>/dev/null || true
	ticker=
	return "$rc"
}

U=build/bench-urcu/bench
C=build/bench-ck/bench
runs=(
	"faults-urcu|$U/bench_faults"
	"faults-ck|$C/bench_faults --designs=ukvmem"
	"linux|$U/bench_linux"
	"lookup-urcu|$U/bench_lookup"
	"lookup-ck|$C/bench_lookup --designs=ukvmem"
	"writers-urcu|$U/bench_writers"
	"writers-ck|$C/bench_writers --designs=ukvmem"
	"memory-urcu|$U/bench_memory"
)
i=0
failed=()
t_all=$(date +%s)
for r in "${runs[@]}"; do
	i=$((i + 1))
	name=${r%%|*}
	cmd=${r#*|}
	echo "== [$i/${#runs[@]}] $name: $cmd ${pass[*]:-}"
	t0=$(date +%s)
	# shellcheck disable=SC2086
	if ! run_one "$name" $cmd "${pass[@]}" --csv="$out/$name.csv"; then
		echo "   FAILED: $name (see $out/$name.log)"
		failed+=("$name")
	fi
	echo "   ($(( $(date +%s) - t0 )) s)"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
echo "total run time: $(( $(date +%s) - t_all )) s" >>"$out/machine.txt"

# ---- Merge, tables, targets, charts --------------------------------------------------
{
	head -1 "$out/faults-urcu.csv"
	for f in "$out"/*.csv; do
		[ "$(basename "$f")" = all.csv ] || [ ! -s "$f" ] || tail -n +2 "$f"
	done
} >"$out/all.csv.tmp"
mv "$out/all.csv.tmp" "$out/all.csv"
python3 bench/report.py "$out"
echo "== results in ${out#"$root"/}: all.csv, summary.txt, machine.txt, *.png"
if [ "${#failed[@]}" -gt 0 ]; then
	echo "FAILED benchmarks: ${failed[*]}"
	exit 1
fi
