#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Boot an arm64 kernel image under QEMU: qemu.sh IMAGE NCPUS [TIMEOUT_S]
# The exit status is the kernel's (semihosting SYS_EXIT), 124 on timeout.
# GICv2 (the kernel's interrupt controller) allows up to 8 CPUs; no KVM
# here, so TCG with one host thread per CPU.
set -u
image=$1
ncpus=$2
limit=${3:-60}
exec timeout --foreground -k 5 "$limit" qemu-system-aarch64 \
	-M virt,gic-version=2 -cpu max -accel tcg,thread=multi \
	-smp "$ncpus" -m 512M -nographic -monitor none -serial stdio \
	-semihosting-config enable=on,target=native -no-reboot \
	-kernel "$image"
