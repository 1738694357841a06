#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build and test every configuration `make test` promises:
#   both page-table formats x both RCU backends, normal build: unit + mt
#   ASan+UBSan (both formats, both backends across the two): unit + mt
#   ThreadSanitizer, each backend: mt
#   the Unikraft compatibility suite (compat) in every configuration above,
#   and once more built by clang (only that suite: the rest of the tree is
#   gcc-checked)
#   the core builds freestanding (tools/check-freestanding.sh), once
# Usage: tools/test-matrix.sh [config-name ...]  (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

# name | meson options | suites [| compiler | ninja targets (default: all)]
CONFIGS=(
	"x86_64-urcu|-Dpt_format=x86_64 -Drcu=urcu|unit mt freestanding"
	"arm64-ck|-Dpt_format=arm64 -Drcu=ck|unit mt"
	"x86_64-ck|-Dpt_format=x86_64 -Drcu=ck|unit mt"
	"arm64-urcu|-Dpt_format=arm64 -Drcu=urcu|unit mt"
	"asan-x86_64-urcu|-Dpt_format=x86_64 -Drcu=urcu -Db_sanitize=address,undefined|unit mt"
	"asan-arm64-ck|-Dpt_format=arm64 -Drcu=ck -Db_sanitize=address,undefined|unit mt"
	"tsan-x86_64-urcu|-Dpt_format=x86_64 -Drcu=urcu -Db_sanitize=thread|mt compat"
	"tsan-arm64-ck|-Dpt_format=arm64 -Drcu=ck -Db_sanitize=thread|mt compat"
	"clang-compat|-Dpt_format=x86_64 -Drcu=urcu|compat|clang|tests/test_compat"
)

want=("$@")
failed=()
npass=0
nfail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for c in "${CONFIGS[@]}"; do
	IFS='|' read -r name opts suites compiler targets <<<"$c"
	if [ "${#want[@]}" -gt 0 ] && [[ ! " ${want[*]} " == *" $name "* ]]; then
		continue
	fi
	dir="build/test-$name"
	echo "=== $name: $opts (suites: $suites)"
	if [ ! -f "$dir/build.ninja" ]; then
		# shellcheck disable=SC2086
		CC="${compiler:-${CC:-cc}}" meson setup "$dir" $opts \
			-Dwerror=true -Db_lundef=false >/dev/null
	fi
	# shellcheck disable=SC2086
	ninja -C "$dir" $targets >/dev/null
	suite_args=()
	# Only the named targets are built: meson test must not build the rest.
	if [ -n "$targets" ]; then suite_args+=(--no-rebuild); fi
	for s in $suites; do suite_args+=(--suite "$s"); done
	if ! meson test -C "$dir" "${suite_args[@]}" --print-errorlogs \
		--num-processes 2 | tee "$log"; then
		failed+=("$name")
	fi
	npass=$((npass + $(awk '/^Ok:/ {print $2}' "$log")))
	nfail=$((nfail + $(awk '/^(Fail|Timeout|Unexpected Pass):/ {s += $NF} END {print s + 0}' "$log")))
done

if [ "${#failed[@]}" -gt 0 ]; then
	echo "FAILED configurations: ${failed[*]}"
	echo "$npass passed, $nfail failed"
	exit 1
fi
echo "all configurations passed"
echo "$npass passed, $nfail failed"
