/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arm64 ESR_ELx decoding for instruction and data aborts (Arm ARM D17.2.37).
 * EC = ESR[31:26]; for aborts ESR[5:0] is the fault status code, whose
 * upper four bits give the kind and lower two the lookup level.
 */
#include "lib/errno.h"
#include <uk/vmem_types.h>
#include "fault.h"

#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3fUL
#define ESR_EC_IABT_LOW 0x20
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_DABT_LOW 0x24
#define ESR_EC_DABT_CUR 0x25
#define ESR_WNR (1UL << 6)
#define ESR_FSC_MASK 0x3fUL
#define ESR_FSC_KIND(fsc) ((fsc) & 0x3c) /* without the level */
#define ESR_FSC_TRANSLATION 0x04
#define ESR_FSC_ACCESS_FLAG 0x08
#define ESR_FSC_PERMISSION 0x0c

int arm64_fault_type(unsigned long esr)
{
	unsigned long ec = (esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
	int type;

	switch (ec) {
	case ESR_EC_IABT_LOW:
	case ESR_EC_IABT_CUR:
		type = UK_VMA_FAULT_EXEC;
		break;
	case ESR_EC_DABT_LOW:
	case ESR_EC_DABT_CUR:
		type = (esr & ESR_WNR) ? UK_VMA_FAULT_WRITE : UK_VMA_FAULT_READ;
		break;
	default:
		return -EINVAL;
	}
	switch (ESR_FSC_KIND(esr & ESR_FSC_MASK)) {
	case ESR_FSC_TRANSLATION:
		return type | UK_VMA_FAULT_NONPRESENT;
	case ESR_FSC_ACCESS_FLAG:
	case ESR_FSC_PERMISSION:
		return type;
	default:
		return -EINVAL;
	}
}
