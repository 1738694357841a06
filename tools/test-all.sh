#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `make test`: the host matrix (tools/test-matrix.sh), then the kernels
# (tools/kernel-test.sh). Both always run, so one failure does not hide the
# other's result; the last line adds their counts up.
set -uo pipefail
cd "$(dirname "$0")/.."

total_pass=0
total_fail=0
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_part() {
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local counts
	counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	if [ -z "$counts" ]; then
		echo "$1 printed no 'N passed, N failed' line"
		counts="0 passed, 1 failed"
	fi
	total_pass=$((total_pass + ${counts%% passed*}))
	total_fail=$((total_fail + $(echo "$counts" | sed 's/.*, \([0-9]*\) failed/\1/')))
	[ "$rc" -eq 0 ] || status=1
}

run_part tools/test-matrix.sh
run_part tools/kernel-test.sh

echo "=== make test: host matrix and kernels"
echo "$total_pass passed, $total_fail failed"
exit $status
