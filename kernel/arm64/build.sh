#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build the arm64 arch smoke image: build.sh OUTDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-build/kernel-arm64}
mkdir -p "$out"
CC="clang --target=aarch64-none-elf -march=armv8.1-a"
CFLAGS="-std=c11 -O2 -g -Wall -Wextra -Werror -ffreestanding -nostdlib \
 -fno-pic -mgeneral-regs-only -fno-stack-protector \
 -I$root/kernel/include -I$root/include"
arch_src="boot.S vectors.S trap.c uart.c psci.c gic.c fdt.c cpu.c mmu.c probe.S"
objs=""
for f in $arch_src smoke.c; do
	o="$out/$(basename "$f" | tr . _).o"
	$CC $CFLAGS -c "$here/$f" -o "$o"
	objs="$objs $o"
done
ld.lld -T "$here/kernel.ld" -nostdlib -o "$out/smoke.elf" $objs
