#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Boot the x86_64 kernel image under QEMU: qemu.sh IMAGE NCPUS [TIMEOUT_S]
# The exit status is the kernel's (0: every check passed), 124 on timeout.
# QEMU's isa-debug-exit makes QEMU exit with (status << 1) | 1, so 1 means
# the kernel exited with 0 and 3 with 1; anything else (0: QEMU stopped by
# itself, e.g. on a triple fault with -no-reboot) is a failure.
# No KVM here: TCG with one host thread per CPU.
set -u
image=$1
ncpus=$2
limit=${3:-60}
timeout --foreground -k 5 "$limit" qemu-system-x86_64 \
	-accel tcg,thread=multi -smp "$ncpus" -m 256M \
	-display none -monitor none -serial stdio -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$image"
rc=$?
case $rc in
1) exit 0 ;;
3) exit 1 ;;
124) exit 124 ;;
0) echo "qemu stopped without the kernel's exit (triple fault?)"; exit 2 ;;
*) exit "$rc" ;;
esac
