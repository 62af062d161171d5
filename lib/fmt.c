/*
 * lib/fmt.c - the formatter behind every log line and test report.
 * Environment: any (pure).
 */
#include "fmt.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, int n, char c)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero;
	int width, prec;
	int lng;	/* 0 int, 1 long, 2 long long, 3 size_t */
};

/* Emit s (n bytes) padded to the field width. */
static void emit(struct out *o, const struct spec *sp, const char *s, int n)
{
	int fill = sp->width - n;

	if (!sp->left)
		pad(o, fill, ' ');
	while (n--)
		put(o, *s++);
	if (sp->left)
		pad(o, fill, ' ');
}

static void emit_num(struct out *o, const struct spec *sp, u64 v, bool neg,
		     unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + (neg ? 1 : 0);
	if (sp->zero && !sp->left) {
		if (neg)
			put(o, '-');
		pad(o, sp->width - len, '0');
	} else {
		if (!sp->left)
			pad(o, sp->width - len, ' ');
		if (neg)
			put(o, '-');
	}
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, sp->width - len, ' ');
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	for (; *f == 'l'; f++)
		sp->lng++;
	if (*f == 'z') {
		sp->lng = 3;
		f++;
	}
	return f;
}

static u64 arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->lng) {
	case 0: return va_arg(*ap, unsigned int);
	case 1: return va_arg(*ap, unsigned long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned long long);
	}
}

static s64 arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->lng) {
	case 0: return va_arg(*ap, int);
	case 1: return va_arg(*ap, long);
	case 3: return (s64)va_arg(*ap, size_t);
	default: return va_arg(*ap, long long);
	}
}

static void conv(struct out *o, char c, const struct spec *sp, va_list *ap)
{
	const char *s;
	s64 sv;
	char ch;

	switch (c) {
	case 'd':
	case 'i':
		sv = arg_signed(sp, ap);
		emit_num(o, sp, sv < 0 ? -(u64)sv : (u64)sv, sv < 0, 10, false);
		break;
	case 'u':
		emit_num(o, sp, arg_unsigned(sp, ap), false, 10, false);
		break;
	case 'x':
	case 'X':
		emit_num(o, sp, arg_unsigned(sp, ap), false, 16, c == 'X');
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		emit_num(o, sp, (u64)(uintptr_t)va_arg(*ap, void *), false, 16, false);
		break;
	case 's':
		s = va_arg(*ap, const char *);
		if (!s)
			s = "(null)";
		{
			int n = 0;

			while (s[n] && (sp->prec < 0 || n < sp->prec))
				n++;
			emit(o, sp, s, n);
		}
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		emit(o, sp, &ch, 1);
		break;
	case '%':
		put(o, '%');
		break;
	default:	/* unknown conversion: show it as written */
		put(o, '%');
		if (c)
			put(o, c);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *f, va_list ap)
{
	struct out o = { buf, size, 0 };
	struct spec sp;
	va_list cp;

	va_copy(cp, ap);
	while (*f) {
		if (*f != '%') {
			put(&o, *f++);
			continue;
		}
		f = parse_spec(f + 1, &sp, &cp);
		conv(&o, *f, &sp, &cp);
		if (*f)
			f++;
	}
	va_end(cp);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = fmt_vsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}
