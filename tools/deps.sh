#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install the Debian packages ukvmem needs, only those that are missing.
# As root this runs apt-get; otherwise it names the packages and fails.
set -euo pipefail

PKGS=(gcc make pkg-config meson ninja-build liburcu-dev libck-dev
      libcmocka-dev gnuplot-nox python3)
# The freestanding check (tools/check-freestanding.sh): arm64 with clang,
# ld.lld and llvm-nm.
PKGS+=(clang lld llvm)
# The test kernels (tools/kernel-test.sh): QEMU, objcopy.
PKGS+=(binutils qemu-system-x86 qemu-system-arm)
# clang's runtimes give LeakSanitizer/libFuzzer; optional, used when present.
OPTIONAL=(clang libclang-rt-14-dev)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" \
		|| missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "ukvmem needs these Debian packages: ${missing[*]}" >&2
	echo "install them with: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
apt-get install -y -qq --no-install-recommends "${OPTIONAL[@]}" >/dev/null 2>&1 || true
