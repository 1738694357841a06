/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel build's configuration (meson writes its own for the host). */
#ifndef UKVMEM_CONFIG_H
#define UKVMEM_CONFIG_H

#if defined(__aarch64__)
#define UKVMEM_PT_ARM64 1
#else
#define UKVMEM_PT_ARM64 0
#endif
#define UKVMEM_RCU_CK 0
#define UKVMEM_VERSION "0.1.0-kernel"

#endif /* UKVMEM_CONFIG_H */
