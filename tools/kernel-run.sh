#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Boot each test kernel once (make run): the suites on every CPU, then per
# CPU the page faults, fixups, shootdowns initiated (x86_64: IPIs; arm64:
# broadcast TLBI) and TLB IPIs taken.
#   tools/kernel-run.sh [NCPUS]   (default 4)
set -eu
cd "$(dirname "$0")/.."
n=${1:-4}
make -s -C kernel ARCH=x86_64
echo "== booting the x86_64 ukvmem test kernel on $n CPUs (QEMU TCG)"
kernel/x86_64/qemu.sh build/kernel-x86_64/ukvmem.img "$n" 60
if [ -d kernel/arm64 ] && command -v qemu-system-aarch64 >/dev/null; then
	make -s -C kernel ARCH=arm64
	echo "== booting the arm64 ukvmem test kernel on $n CPUs (QEMU TCG)"
	kernel/arm64/qemu.sh build/kernel-arm64/ukvmem.elf "$n" 60
fi
