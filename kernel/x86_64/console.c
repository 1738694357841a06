/* SPDX-License-Identifier: BSD-3-Clause */
/* COM1 (polled 16550) and QEMU's isa-debug-exit device. */
#include <karch.h>
#include "x86.h"

#define COM1 0x3f8
#define LSR_THRE 0x20
#define DEBUG_EXIT_PORT 0xf4

void x86_console_init(void)
{
	outb(COM1 + 1, 0x00); /* no UART interrupts */
	outb(COM1 + 3, 0x80); /* DLAB: divisor follows */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xc7); /* FIFO on */
}

void karch_putc(char c)
{
	if (c == '\n')
		karch_putc('\r');
	while (!(inb(COM1 + 5) & LSR_THRE))
		;
	outb(COM1, (uint8_t)c);
}

/* QEMU exits with (value << 1) | 1; without the device (a plain -kernel
 * boot) the write is ignored and the CPU halts forever. */
_Noreturn void karch_exit(int status)
{
	__asm__ volatile("outl %0, %1"
			 :
			 : "a"((uint32_t)status), "Nd"((uint16_t)DEBUG_EXIT_PORT));
	for (;;)
		__asm__ volatile("cli; hlt");
}
