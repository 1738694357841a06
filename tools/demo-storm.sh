#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The end of `make run`: what the lock-free fault path changes, shown with
# the writer-storm workload of bench/bench_faults.c (the program `make
# bench` runs), at short sizes: one fault thread, idle and then beside one
# writer thread, for ukvmem and the two lock-based baselines. One run of
# bench_faults per design, so a row appears every few seconds; the rows
# are read from its CSV and printed side by side. It reports what it
# measured and names no winner: on a shared 2-core machine the figures
# move by tens of percent from run to run.
# Usage: tools/demo-storm.sh [BUILD]   (DEMO_PAGES, DEMO_REPS: sizes)
set -euo pipefail
build=${1:-build/release}
exe=$build/bench/bench_faults
pages=${DEMO_PAGES:-65536}
reps=${DEMO_REPS:-5}
if [ ! -x "$exe" ]; then
	echo "($exe is not built: no fault comparison)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat <<EOF
=================== page faults beside a writer: what the design changes
One thread faults in $pages pages of its own anonymous VMA, one fault per
page, first with nothing else running ("no writer"), then while a second
thread, on another core, maps 16 pages, write-protects them, makes them
writable again, advises them away (DONTNEED) and unmaps them, over and
over, elsewhere in the same address space ("writer storm"). The two
threads never touch each other's pages: what the storm costs the faults
comes from sharing one address space (and one machine). Three designs do
the same work per fault on the same page tables and frame allocator:
  ukvmem-*          this library: a fault finds its VMA under RCU and
                    never takes the writers' mutex
  btree-rwlock      the same B-tree behind a reader-writer lock; a fault
                    holds the read side (Linux's mmap_lock before per-VMA
                    locks)
  list-global-lock  a sorted VMA list under one mutex that faults take
                    too (upstream Unikraft's list, made safe on SMP)
Measured by $exe
  --no-idle --storm-threads=1 --pages=$pages --reps=$reps (median of
$reps rounds after a warm-up; a timestamp after every fault), on
$(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg) at the start.
EOF
# Same threshold as tools/run-bench.sh: other work on the CPUs shows up
# in every column, so the reader is told before the figures.
if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { exit !(l > 0.5) }'; then
	echo "Other programs are using these CPUs now: expect noisy figures. The two"
	echo "threads then take turns with them rather than run side by side, so the"
	echo "storm columns measure the scheduler as much as the design. To repeat"
	echo "this part alone later: tools/demo-storm.sh"
fi
echo
hdr='%-17s %10s %9s %9s   %10s %6s %9s %9s %11s\n'
echo "                  ---------- no writer ----------   ------------------ writer storm -------------------"
# shellcheck disable=SC2059
printf "$hdr" design faults/s p99 longest faults/s kept p99 longest "writer op/s"
for d in ukvmem btree-rwlock list-global-lock; do
	if ! "$exe" --no-idle --storm-threads=1 --pages="$pages" \
		--reps="$reps" --designs="$d" --csv="$tmp/$d.csv" \
		>"$tmp/$d.log" 2>&1; then
		echo "bench_faults failed for $d:"
		cat "$tmp/$d.log"
		exit 1
	fi
	# One row from the CSV's storm rows: v[writer, metric] = value.
	awk -F, '
	function rate(x) {
		if (x >= 1e6) return sprintf("%.2fM", x / 1e6)
		return sprintf("%.0fk", x / 1e3)
	}
	function ns(x) {
		if (x >= 1e6) return sprintf("%.1f ms", x / 1e6)
		if (x >= 1e4) return sprintf("%.0f us", x / 1e3)
		if (x >= 1e3) return sprintf("%.1f us", x / 1e3)
		return sprintf("%d ns", x)
	}
	$1 == "storm" { name = $2; v[$6, $7] = $8 }
	END {
		printf "%-17s %10s %9s %9s   %10s %5.1f%% %9s %9s %11s\n",
			name, rate(v["none", "faults_per_s"]),
			ns(v["none", "p99_ns"]), ns(v["none", "max_ns"]),
			rate(v["storm", "faults_per_s"]),
			100 * v["storm", "rel_idle"], ns(v["storm", "p99_ns"]),
			ns(v["storm", "max_ns"]),
			rate(v["storm", "writer_ops_per_s"])
	}' "$tmp/$d.csv"
done

cat <<'EOF'

How to read it: "kept" is the fault rate beside the writer as a share of
the same design's rate with no writer; p99 is the fault latency 99 % of
faults stay under (timestamp included), "longest" the slowest single
fault (one preemption by another program lands there too). With no
writer the designs do the same work and nobody else wants their locks, so
they should be close: that column is not where they differ. Beside the
writer, a fault of a lock-based design that arrives while the writer holds
the lock waits for the writer's whole operation: its rate falls, and the
waits show in p99 or, when the lock lets the writer run many operations
in a row, in the longest fault. ukvmem's faults never wait for the
writer; they still share caches and the frame allocator with it and, with
the liburcu backend, take the interrupt each of the writer's grace
periods sends to every CPU of the process (membarrier). Those interrupts
are what raises ukvmem-urcu's p99 when a storm raises it (see
docs/performance.md, "Why the misses"); the ck backend sends none.
Figures from a shared or busy machine vary by tens of percent from run to
run. `make bench` runs the full set (1-8 threads, both RCU backends) and
docs/performance.md discusses a reference run.
EOF
