#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Boot an arm64 kernel image under QEMU: qemu.sh IMAGE NCPUS [TIMEOUT_S]
# The exit status is the kernel's (semihosting SYS_EXIT), 124 on timeout.
# GICv2 (the kernel's interrupt controller) allows up to 8 CPUs; no KVM
# here, so TCG with one host thread per CPU.
# KERNEL_FLAVOUR=el2 (kernel/arm64/flavours): start the CPUs at EL2
# (virtualization=on), so boot.S drops to EL1 and PSCI goes through SMC.
set -u
image=$1
ncpus=$2
limit=${3:-60}
machine=virt,gic-version=2
case ${KERNEL_FLAVOUR:-} in
"") ;;
el2) machine=$machine,virtualization=on ;;
*) echo "qemu.sh: unknown KERNEL_FLAVOUR '$KERNEL_FLAVOUR'" >&2; exit 2 ;;
esac
exec timeout --foreground -k 5 "$limit" qemu-system-aarch64 \
	-M "$machine" -cpu max -accel tcg,thread=multi \
	-smp "$ncpus" -m 512M -nographic -monitor none -serial stdio \
	-semihosting-config enable=on,target=native -no-reboot \
	-kernel "$image"
