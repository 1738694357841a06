#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The arm64 arch layer alone (no library, no kernel/common): smoke.c plays
# kmain/kfault. build.sh OUTDIR -> OUTDIR/smoke.elf
set -eu
here=$(cd "$(dirname "$0")" && pwd)
arch=$(cd "$here/.." && pwd)
root=$(cd "$arch/../.." && pwd)
out=${1:-$root/build/kernel-arm64-smoke}
mkdir -p "$out"
CC="clang --target=aarch64-none-elf -march=armv8.1-a"
CFLAGS="-std=c11 -O2 -g -Wall -Wextra -Werror -ffreestanding -nostdlib \
 -fno-pic -mgeneral-regs-only -fno-stack-protector \
 -I$root/kernel/include -I$root/include -I$arch"
objs=""
for f in boot.S vectors.S trap.c uart.c psci.c gic.c fdt.c cpu.c mmu.c \
	probe.S smoke/smoke.c; do
	o="$out/$(basename "$f" | tr . _).o"
	$CC $CFLAGS -c "$arch/$f" -o "$o"
	objs="$objs $o"
done
ld.lld -T "$arch/kernel.ld" -nostdlib -o "$out/smoke.elf" $objs
