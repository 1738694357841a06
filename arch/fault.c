/* SPDX-License-Identifier: BSD-3-Clause */
/* The fault decoder of the build's page-table format. */
#include "ukvmem_config.h"
#include "fault.h"

int uk_arch_fault_type(unsigned long report)
{
#if UKVMEM_PT_ARM64
	return arm64_fault_type(report);
#else
	return x86_64_fault_type(report);
#endif
}
