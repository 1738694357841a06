/* SPDX-License-Identifier: BSD-3-Clause */
/* A small printf for the serial console; one line lock for all CPUs. */
#include "kernel.h"

struct sink {
	char *buf;   /* NULL: the console */
	size_t len;  /* capacity of buf */
	size_t n;    /* characters produced */
};

static void put(struct sink *s, char c)
{
	if (!s->buf)
		karch_putc(c);
	else if (s->n + 1 < s->len)
		s->buf[s->n] = c;
	s->n++;
}

static void put_num(struct sink *s, unsigned long v, unsigned int base,
		    bool neg, int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		put(s, pad);
	while (n)
		put(s, tmp[--n]);
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		bool left = false;
		char pad = ' ';
		long sv;

		if (*fmt != '%') {
			put(s, *fmt);
			continue;
		}
		if (*++fmt == '-')
			left = true, fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z')
			lng = 1, fmt++;
		switch (*fmt) {
		case 'd':
		case 'i':
			sv = lng ? va_arg(ap, long) : va_arg(ap, int);
			put_num(s, sv < 0 ? -(unsigned long)sv : (unsigned long)sv,
				10, sv < 0, width, pad);
			break;
		case 'u':
			put_num(s, lng ? va_arg(ap, unsigned long)
				       : va_arg(ap, unsigned int),
				10, false, width, pad);
			break;
		case 'x':
			put_num(s, lng ? va_arg(ap, unsigned long)
				       : va_arg(ap, unsigned int),
				16, false, width, pad);
			break;
		case 'p':
			put(s, '0');
			put(s, 'x');
			put_num(s, (uintptr_t)va_arg(ap, void *), 16, false,
				width, pad);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			int len = 0;

			if (!str)
				str = "(null)";
			while (str[len])
				len++;
			while (!left && width-- > len)
				put(s, ' ');
			for (; *str; str++)
				put(s, *str);
			while (left && width-- > len)
				put(s, ' ');
			break;
		}
		case 'c':
			put(s, (char)va_arg(ap, int));
			break;
		case '%':
			put(s, '%');
			break;
		default:
			put(s, '?');
			if (!*fmt)
				return;
		}
	}
}

static struct kspinlock console_lock;

void kvprintf(const char *fmt, va_list ap)
{
	struct sink s = {0};
	unsigned long flags = kspin_lock(&console_lock);

	format(&s, fmt, ap);
	kspin_unlock(&console_lock, flags);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

int kvsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct sink s = {.buf = buf, .len = len};

	format(&s, fmt, ap);
	if (len)
		buf[s.n < len ? s.n : len - 1] = '\0';
	return (int)s.n;
}

int ksnprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

static void put_str(struct sink *s, const char *str)
{
	while (*str)
		put(s, *str++);
}

/* Stop the machine with a failure; the other CPUs stop with it. The
 * console lock may be held by the CPU that panics (a fault while
 * printing): print without it. */
_Noreturn void kpanic(const char *fmt, ...)
{
	struct sink s = {0};
	va_list ap;

	karch_irq_disable();
	put_str(&s, "\nPANIC (cpu ");
	put_num(&s, karch_cpu_id(), 10, false, 0, ' ');
	put_str(&s, ") ");
	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	put(&s, '\n');
	karch_exit(1);
}

_Noreturn void kpanic_exception(const char *what, unsigned long code,
				uintptr_t pc, __vaddr_t addr)
{
	kpanic("exception %s code %lx pc %lx addr %lx", what, code,
	       (unsigned long)pc, (unsigned long)addr);
}
