#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the test kernel of every architecture under kernel/ (x86_64, and
# arm64 when kernel/arm64 exists) and boot it under QEMU on 1, 2, 4 and 8
# CPUs, each boot under a timeout. A boot passes when the kernel prints
# "kernel: PASS" and exits with 0. Then the negative control: the kernel
# built without the shootdown IPI (VARIANT=noshoot) on 2 and 4 CPUs must
# FAIL its stale-TLB checks. Ends with "N passed, N failed".
#
#   tools/kernel-test.sh [ARCH...]        (default: every arch present)
# Environment: KERNEL_CPUS ("1 2 4 8"), KERNEL_TIMEOUT (seconds per boot).
set -u
cd "$(dirname "$0")/.."

CPUS=${KERNEL_CPUS:-"1 2 4 8"}
NEG_CPUS=${KERNEL_NEG_CPUS:-"2 4"}
LIMIT=${KERNEL_TIMEOUT:-60}
LOGDIR=build/kernel-logs
mkdir -p "$LOGDIR"

declare -A QEMU=([x86_64]=qemu-system-x86_64 [arm64]=qemu-system-aarch64)
declare -A PKG=([x86_64]=qemu-system-x86 [arm64]=qemu-system-arm)

if [ $# -gt 0 ]; then
	arches=("$@")
else
	arches=()
	for a in x86_64 arm64; do
		[ -d "kernel/$a" ] && arches+=("$a")
	done
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS  $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }

# The image QEMU boots: the elf32 conversion on x86_64, the ELF elsewhere.
image_of() {
	local out=$1
	if [ -f "$out/ukvmem.img" ]; then echo "$out/ukvmem.img"
	else echo "$out/ukvmem.elf"; fi
}

# boot ARCH VARIANT NCPUS EXPECT(pass|fail)
boot() {
	local arch=$1 variant=$2 n=$3 expect=$4 flavour=${5:-}
	local out=build/kernel-$arch${variant:+-$variant}
	local log=$LOGDIR/$arch${variant:+-$variant}${flavour:+-$flavour}-$n.log
	local what="kernel $arch${variant:+ ($variant)}${flavour:+ [$flavour]} on $n CPUs"
	local rc start ms

	start=$(date +%s%N)
	KERNEL_FLAVOUR=$flavour "kernel/$arch/qemu.sh" "$(image_of "$out")" \
		"$n" "$LIMIT" >"$log" 2>&1 </dev/null
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	what="$what ($((ms / 1000)).$((ms % 1000 / 100)) s)"
	if [ "$expect" = pass ]; then
		if [ $rc -eq 0 ] && grep -q "^kernel: PASS" "$log"; then
			pass "$what"
		else
			fail "$what: exit $rc, log $log"
			grep -E "check failed|PANIC|exception|FAIL" "$log" | head -5
		fi
	else
		# The negative control must fail its stale-TLB checks, and
		# only those: a hang or a panic is not the expected failure.
		if [ $rc -eq 1 ] && grep -q "stale TLB" "$log" &&
		   grep -q "^kernel: FAIL" "$log"; then
			pass "$what fails the stale-TLB check as it must"
		else
			fail "$what: expected the stale-TLB failure, exit $rc, log $log"
		fi
	fi
}

for arch in "${arches[@]}"; do
	if ! command -v "${QEMU[$arch]}" >/dev/null; then
		if [ "$(id -u)" -eq 0 ]; then
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				--no-install-recommends "${PKG[$arch]}" >/dev/null
		fi
	fi
	if ! command -v "${QEMU[$arch]}" >/dev/null; then
		fail "$arch: ${QEMU[$arch]} missing (install ${PKG[$arch]})"
		continue
	fi
	built=1
	for variant in "" noshoot; do
		if ! make -s -C kernel ARCH="$arch" VARIANT="$variant" \
			-j"$(nproc)" >"$LOGDIR/build-$arch$variant.log" 2>&1; then
			fail "build $arch ${variant:-kernel} (log $LOGDIR/build-$arch$variant.log)"
			built=0
		fi
	done
	[ $built -eq 1 ] || continue
	pass "build $arch kernel and negative control"
	for n in $CPUS; do
		boot "$arch" "" "$n" pass
	done
	for n in $NEG_CPUS; do
		boot "$arch" noshoot "$n" fail
	done
	# Other ways QEMU can start the same image, named one per line in
	# kernel/<arch>/flavours; qemu.sh reads KERNEL_FLAVOUR.
	if [ -f "kernel/$arch/flavours" ]; then
		while read -r flavour; do
			boot "$arch" "" 2 pass "$flavour"
		done <"kernel/$arch/flavours"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
