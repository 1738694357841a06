#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Boot the x86_64 test kernel once (make run): the suites on every CPU,
# then per-CPU page faults, fixups, shootdowns sent and TLB IPIs taken.
#   tools/kernel-run.sh [NCPUS]   (default 4)
set -eu
cd "$(dirname "$0")/.."
n=${1:-4}
make -s -C kernel ARCH=x86_64
echo "== booting the ukvmem test kernel on $n CPUs (QEMU TCG)"
kernel/x86_64/qemu.sh build/kernel-x86_64/ukvmem.img "$n" 60
