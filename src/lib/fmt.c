/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small snprintf (see fmt.h). The output goes through struct out, which
 * counts every byte and stores those that fit, so truncation needs no
 * special path.
 */
#include <stdbool.h>
#include <stdint.h>

#include "lib/fmt.h"

struct out {
	char *buf;
	size_t len; /* capacity including the NUL */
	size_t n;   /* bytes produced so far */
};

static void put(struct out *o, char c)
{
	if (o->n + 1 < o->len)
		o->buf[o->n] = c;
	o->n++;
}

static void pad(struct out *o, char c, unsigned int n)
{
	while (n--)
		put(o, c);
}

struct spec {
	bool alt, zero, left;
	unsigned int width;
	char conv;
};

/* @s of @n bytes (after @prefix), padded to the field width. */
static void put_field(struct out *o, const struct spec *sp, const char *prefix,
		      const char *s, size_t n)
{
	size_t plen = 0, total, i;
	unsigned int fill;

	while (prefix[plen])
		plen++;
	total = plen + n;
	fill = sp->width > total ? (unsigned int)(sp->width - total) : 0;
	if (!sp->left && !sp->zero)
		pad(o, ' ', fill);
	for (i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!sp->left && sp->zero)
		pad(o, '0', fill);
	for (i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', fill);
}

static void put_num(struct out *o, const struct spec *sp, uint64_t v, bool neg)
{
	const char *digits = sp->conv == 'X' ? "0123456789ABCDEF"
					      : "0123456789abcdef";
	unsigned int base = (sp->conv == 'x' || sp->conv == 'X' ||
			     sp->conv == 'p') ? 16 : 10;
	char tmp[24];
	size_t i = sizeof(tmp);
	const char *prefix = neg ? "-" : "";

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	if (base == 16 && (sp->alt || sp->conv == 'p'))
		prefix = sp->conv == 'X' ? "0X" : "0x";
	put_field(o, sp, prefix, tmp + i, sizeof(tmp) - i);
}

/* Parse flags and width at *@f (just past '%'); return the length
 * modifier's size in longs: 0 int, 1 long, 2 long long, 3 size_t. */
static unsigned int parse_spec(const char **f, struct spec *sp)
{
	unsigned int lng = 0;

	*sp = (struct spec){0};
	for (;; (*f)++) {
		if (**f == '#')
			sp->alt = true;
		else if (**f == '0')
			sp->zero = true;
		else if (**f == '-')
			sp->left = true;
		else
			break;
	}
	while (**f >= '0' && **f <= '9')
		sp->width = sp->width * 10 + (unsigned int)(*(*f)++ - '0');
	if (**f == 'z') {
		lng = 3;
		(*f)++;
	}
	while (**f == 'l' && lng < 2) {
		lng++;
		(*f)++;
	}
	sp->conv = **f;
	return lng;
}

static uint64_t arg_unsigned(va_list *ap, unsigned int lng)
{
	if (lng == 3)
		return va_arg(*ap, size_t);
	if (lng == 2)
		return va_arg(*ap, unsigned long long);
	if (lng == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, unsigned int lng)
{
	if (lng == 2)
		return va_arg(*ap, long long);
	if (lng == 1 || lng == 3)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static void put_conv(struct out *o, const struct spec *sp, unsigned int lng,
		     va_list *ap)
{
	const char *s;
	int64_t sv;
	size_t n = 0;
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i':
		sv = arg_signed(ap, lng);
		put_num(o, sp, sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv, sv < 0);
		break;
	case 'u':
	case 'x':
	case 'X':
		put_num(o, sp, arg_unsigned(ap, lng), false);
		break;
	case 'p':
		put_num(o, sp, (uintptr_t)va_arg(*ap, void *), false);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		put_field(o, sp, "", &c, 1);
		break;
	case 's':
		s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		while (s[n])
			n++;
		put_field(o, sp, "", s, n);
		break;
	default: /* '%' and anything unknown: copy it */
		put(o, sp->conv);
	}
}

int uk_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct out o = {buf, len, 0};
	struct spec sp;
	unsigned int lng;
	va_list aq;

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		lng = parse_spec(&fmt, &sp);
		if (!sp.conv)
			break; /* a lone '%' at the end */
		put_conv(&o, &sp, lng, &aq);
	}
	va_end(aq);
	if (len)
		buf[o.n < len ? o.n : len - 1] = '\0';
	return (int)o.n;
}

int uk_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = uk_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
