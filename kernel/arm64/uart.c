/* SPDX-License-Identifier: BSD-3-Clause */
/* PL011 transmit: QEMU's model needs no setup (enabled at reset). */
#include "arm64.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)

static volatile uint32_t *uart_reg(unsigned int off)
{
	return (volatile uint32_t *)karm_phys_to_virt(UART_PHYS + off);
}

void karm_uart_putc(char c)
{
	while (*uart_reg(UART_FR) & UART_FR_TXFF)
		;
	*uart_reg(UART_DR) = (uint32_t)(unsigned char)c;
}

void karm_uart_write(const char *s, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++) {
		if (s[i] == '\n')
			karm_uart_putc('\r');
		karm_uart_putc(s[i]);
	}
}

void karm_uart_puts(const char *s)
{
	while (*s) {
		if (*s == '\n')
			karm_uart_putc('\r');
		karm_uart_putc(*s++);
	}
}
