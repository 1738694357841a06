/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exception dispatch. Data and instruction aborts taken at EL1 go to the
 * page-fault hook with the faulting address and the whole ESR (the
 * library's arm64 decoder reads EC, WnR and the fault status from it);
 * the IRQ vector only ever sees the wake-up SGI. Anything else is a bug
 * and stops the machine with the registers printed.
 */
#include "arm64.h"
#include "trap.h"

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_EC_IABT_CUR 0x21
#define ESR_EC_DABT_CUR 0x25
#define ESR_FNV (1UL << 10) /* FAR not valid */

static karm_fault_fn fault_hook;

void karm_set_fault_hook(karm_fault_fn fn)
{
	fault_hook = fn;
}

static void print_hex(const char *name, uint64_t v)
{
	char buf[19] = "0x";

	for (int i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	buf[18] = 0;
	karm_uart_puts(name);
	karm_uart_write(buf, 18);
	karm_uart_write("\n", 1);
}

__attribute__((noreturn)) static void trap_panic(struct karm_frame *f,
						 const char *why)
{
	karm_uart_puts(why);
	print_hex(" cpu ", karm_cpu_index());
	print_hex("  vector ", f->kind);
	print_hex("  esr ", f->esr);
	print_hex("  far ", f->far);
	print_hex("  elr ", f->elr);
	print_hex("  x30 ", f->x[30]);
	karm_exit(3);
}

static void trap_abort(struct karm_frame *f)
{
	uint64_t ec = ESR_EC(f->esr);

	if ((ec != ESR_EC_DABT_CUR && ec != ESR_EC_IABT_CUR) ||
	    (f->esr & ESR_FNV) || !fault_hook)
		trap_panic(f, "unexpected abort");
	if (fault_hook(f->far, f->esr, &f->elr) != 0)
		trap_panic(f, "unresolved page fault");
}

void karm_trap(struct karm_frame *f)
{
	switch (f->kind) {
	case KARM_VEC_CUR_SPX_SYNC:
		trap_abort(f);
		break;
	case KARM_VEC_CUR_SPX_IRQ:
		karm_gic_drain();
		break;
	default:
		trap_panic(f, "unexpected exception");
	}
}
