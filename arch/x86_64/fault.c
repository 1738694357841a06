/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * x86_64 page-fault error code decoding (Intel SDM vol. 3, 4.7). Pure bit
 * arithmetic: every combination of P, W/R and RSVD is meaningful; only a
 * write that is also an instruction fetch cannot happen.
 */
#include "lib/errno.h"
#include <uk/vmem_types.h>
#include "fault.h"

#define X86_PF_P (1UL << 0)
#define X86_PF_WR (1UL << 1)
#define X86_PF_RSVD (1UL << 3)
#define X86_PF_ID (1UL << 4)

int x86_64_fault_type(unsigned long error_code)
{
	int type = UK_VMA_FAULT_READ;

	if ((error_code & X86_PF_WR) && (error_code & X86_PF_ID))
		return -EINVAL;
	if (error_code & X86_PF_WR)
		type = UK_VMA_FAULT_WRITE;
	if (error_code & X86_PF_ID)
		type = UK_VMA_FAULT_EXEC;
	if (!(error_code & X86_PF_P))
		type |= UK_VMA_FAULT_NONPRESENT;
	if (error_code & X86_PF_RSVD)
		type |= UK_VMA_FAULT_MISCONFIG;
	return type;
}
