# SPDX-License-Identifier: BSD-3-Clause
# arm64: clang cross-compiles (aarch64-none-elf) and ld.lld links. No
# FP/SIMD registers (vectors.S saves only the general registers).
# -march=armv8.1-a: LSE atomics, and no RCpc: an acquire load is LDAR,
# which stays ordered after an earlier release store or seq_cst RMW. The
# Dekker handshakes of kernel/common (sync.c, rcu.c) rely on that.
CC := clang
ARCH_CFLAGS := --target=aarch64-none-elf -march=armv8.1-a \
	-mgeneral-regs-only -Wno-ignored-optimization-argument \
	-Wno-unused-command-line-argument
LDFLAGS += -fuse-ld=lld
KERNEL_IMAGE_EXTRA :=
