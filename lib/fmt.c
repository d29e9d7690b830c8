/*
 * A small vsnprintf. The format is read left to right; each conversion is first
 * parsed into a struct fmt_spec (flags, width, precision, length, conversion),
 * then rendered by one of three routines: integers, strings, characters. All
 * output goes through out_put, which stores a byte only while room is left and
 * counts every byte, so the return value is the length the full result has.
 *
 * An integer is rendered as: padding spaces, sign or "0x" prefix, zeros (from
 * the precision, or from the '0' flag when no precision is given), digits,
 * then trailing spaces for '-'. Values are widened to unsigned long long; signed
 * ones carry a separate "negative" flag so LLONG_MIN needs no special case.
 */
#include <lib/fmt.h>
#include <lib/string.h>
#include <weft/errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	F_LEFT = 1 << 0,  /* '-' */
	F_ZERO = 1 << 1,  /* '0' */
	F_PLUS = 1 << 2,  /* '+' */
	F_SPACE = 1 << 3, /* ' ' */
	F_ALT = 1 << 4,	  /* '#' */
};

enum fmt_len { L_INT, L_CHAR, L_SHORT, L_LONG, L_LLONG, L_SIZE, L_PTRDIFF, L_MAX };

struct fmt_spec {
	unsigned flags;
	int width; /* 0 when absent */
	int prec;  /* -1 when absent */
	enum fmt_len len;
	char conv;
};

struct fmt_out {
	char *buf;
	size_t size;
	size_t pos; /* bytes the full output has so far */
};

static void out_put(struct fmt_out *o, char c)
{
	if (o->size && o->pos < o->size - 1)
		o->buf[o->pos] = c;
	o->pos++;
}

static void out_repeat(struct fmt_out *o, char c, int n)
{
	for (; n > 0; n--)
		out_put(o, c);
}

static void out_mem(struct fmt_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_put(o, s[i]);
}

/* Read a decimal number at *p, saturating well below INT_MAX. */
static int parse_num(const char **p)
{
	int v = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++)
		if (v < 100000000)
			v = v * 10 + (**p - '0');
	return v;
}

static const char *parse_flags(const char *p, unsigned *flags)
{
	for (;; p++) {
		switch (*p) {
		case '-':
			*flags |= F_LEFT;
			break;
		case '0':
			*flags |= F_ZERO;
			break;
		case '+':
			*flags |= F_PLUS;
			break;
		case ' ':
			*flags |= F_SPACE;
			break;
		case '#':
			*flags |= F_ALT;
			break;
		default:
			return p;
		}
	}
}

static const char *parse_len(const char *p, enum fmt_len *len)
{
	switch (*p) {
	case 'h':
		if (p[1] == 'h') {
			*len = L_CHAR;
			return p + 2;
		}
		*len = L_SHORT;
		return p + 1;
	case 'l':
		if (p[1] == 'l') {
			*len = L_LLONG;
			return p + 2;
		}
		*len = L_LONG;
		return p + 1;
	case 'z':
		*len = L_SIZE;
		return p + 1;
	case 't':
		*len = L_PTRDIFF;
		return p + 1;
	case 'j':
		*len = L_MAX;
		return p + 1;
	default:
		*len = L_INT;
		return p;
	}
}

/* Parse the conversion after '%' at p into *sp; returns the position after it. */
static const char *parse_spec(const char *p, struct fmt_spec *sp, va_list *ap)
{
	sp->flags = 0;
	p = parse_flags(p, &sp->flags);
	if (*p == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->flags |= F_LEFT;
			sp->width = sp->width < -100000000 ? 100000000 : -sp->width;
		}
		p++;
	} else {
		sp->width = parse_num(&p);
	}
	sp->prec = -1;
	if (*p == '.') {
		p++;
		if (*p == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
			p++;
		} else {
			sp->prec = parse_num(&p);
		}
	}
	p = parse_len(p, &sp->len);
	sp->conv = *p;
	return *p ? p + 1 : p;
}

static unsigned long long get_unsigned(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case L_CHAR:
		return (unsigned char)va_arg(*ap, unsigned);
	case L_SHORT:
		return (unsigned short)va_arg(*ap, unsigned);
	case L_LONG:
		return va_arg(*ap, unsigned long);
	case L_LLONG:
		return va_arg(*ap, unsigned long long);
	case L_SIZE:
		return va_arg(*ap, size_t);
	case L_PTRDIFF:
		return (unsigned long long)va_arg(*ap, ptrdiff_t);
	case L_MAX:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

static long long get_signed(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case L_CHAR:
		return (signed char)va_arg(*ap, int);
	case L_SHORT:
		return (short)va_arg(*ap, int);
	case L_LONG:
		return va_arg(*ap, long);
	case L_LLONG:
		return va_arg(*ap, long long);
	case L_SIZE:
		return (long long)va_arg(*ap, size_t);
	case L_PTRDIFF:
		return va_arg(*ap, ptrdiff_t);
	case L_MAX:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

/* Digits of v in base, written backwards ending before end; returns the count, 0 for v == 0. */
static int to_digits(unsigned long long v, unsigned base, bool upper, char *end)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	for (; v; v /= base) {
		*--end = set[v % base];
		n++;
	}
	return n;
}

static void put_integer(struct fmt_out *o, const struct fmt_spec *sp, unsigned long long v,
			bool neg)
{
	char tmp[24], prefix[3] = {0};
	unsigned base = sp->conv == 'o' ? 8 : (sp->conv == 'x' || sp->conv == 'X') ? 16 : 10;
	int nd = to_digits(v, base, sp->conv == 'X', tmp + sizeof(tmp));
	int zeros = 0, npre = 0;

	if (nd == 0 && sp->prec != 0) {
		tmp[sizeof(tmp) - 1] = '0';
		nd = 1;
	}
	if (sp->prec > nd)
		zeros = sp->prec - nd;
	if (neg)
		prefix[npre++] = '-';
	else if ((sp->conv == 'd' || sp->conv == 'i') && (sp->flags & (F_PLUS | F_SPACE)))
		prefix[npre++] = (sp->flags & F_PLUS) ? '+' : ' ';
	if ((sp->flags & F_ALT) && base == 16 && v) {
		prefix[npre++] = '0';
		prefix[npre++] = sp->conv;
	}
	if ((sp->flags & F_ALT) && base == 8 && zeros == 0 &&
	    (nd == 0 || tmp[sizeof(tmp) - nd] != '0'))
		zeros = 1;
	int total = npre + zeros + nd;
	if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', sp->width - total);
	out_mem(o, prefix, (size_t)npre);
	out_repeat(o, '0', zeros);
	out_mem(o, tmp + sizeof(tmp) - nd, (size_t)nd);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', sp->width - total);
}

/* n bytes of s, padded to the width. */
static void put_padded(struct fmt_out *o, const struct fmt_spec *sp, const char *s, size_t n)
{
	int pad = sp->width > (int)n ? sp->width - (int)n : 0;

	if (!(sp->flags & F_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, s, n);
	if (sp->flags & F_LEFT)
		out_repeat(o, ' ', pad);
}

static void put_string(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	size_t n = sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);
	put_padded(o, sp, s, n);
}

static void put_pointer(struct fmt_out *o, struct fmt_spec *sp, const void *p)
{
	if (!p) {
		sp->prec = -1;
		put_string(o, sp, "(nil)");
		return;
	}
	sp->flags |= F_ALT;
	sp->flags &= ~(unsigned)(F_PLUS | F_SPACE);
	sp->conv = 'x';
	put_integer(o, sp, (uintptr_t)p, false);
}

/* Render one parsed conversion, fetching its argument. */
static void put_conv(struct fmt_out *o, struct fmt_spec *sp, va_list *ap)
{
	switch (sp->conv) {
	case 'd':
	case 'i': {
		long long v = get_signed(sp->len, ap);
		unsigned long long mag =
		    v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
		put_integer(o, sp, mag, v < 0);
		break;
	}
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		put_integer(o, sp, get_unsigned(sp->len, ap), false);
		break;
	case 'p':
		put_pointer(o, sp, va_arg(*ap, void *));
		break;
	case 's':
		put_string(o, sp, va_arg(*ap, const char *));
		break;
	case 'c': {
		char c = (char)va_arg(*ap, int);
		put_padded(o, sp, &c, 1);
		break;
	}
	case '%':
		out_put(o, '%');
		break;
	case '\0':
		out_put(o, '%');
		break;
	default:
		out_put(o, '%');
		out_put(o, sp->conv);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = {buf, size, 0};
	struct fmt_spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);
		put_conv(&o, &sp, &args);
	}
	va_end(args);
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return o.pos > 0x7fffffff ? -EOVERFLOW : (int)o.pos;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
