/*
 * String and memory routines for code without a libc (see lib/string.h for the
 * host naming scheme).
 *
 * memcpy, memmove and memset move 64-bit words once both pointers share the
 * same alignment, with an 8-word unrolled inner loop, because the kernel copies
 * and clears whole pages with them. When the two pointers are mutually
 * misaligned they fall back to bytes: rv64 traps or crawls on misaligned
 * accesses, so shifting words together would not pay for its complexity here.
 * The string functions are plain byte loops: reading past a terminator inside an
 * aligned word is safe on the hardware but not under AddressSanitizer.
 *
 * gcc may turn a byte loop into a call to memset/memcpy even when freestanding,
 * which inside memset itself would recurse forever; LIB_NOPATTERN stops it.
 */
#include <lib/string.h>
#include <stdbool.h>
#include <stdint.h>

/* used: gcc may call these after link-time optimisation has dropped "unused" code. */
#define LIB_NOPATTERN __attribute__((optimize("no-tree-loop-distribute-patterns"), used))
#define WORD	      sizeof(uint64_t)

typedef uint64_t __attribute__((may_alias)) lib_word_t;

/* Copy n bytes forwards, a word at a time where d and s allow it. */
LIB_NOPATTERN static void copy_fwd(unsigned char *d, const unsigned char *s, size_t n)
{
	if ((((uintptr_t)d ^ (uintptr_t)s) & (WORD - 1)) == 0) {
		while (n && ((uintptr_t)d & (WORD - 1))) {
			*d++ = *s++;
			n--;
		}
		lib_word_t *dw = (lib_word_t *)d;
		const lib_word_t *sw = (const lib_word_t *)s;
		for (; n >= 8 * WORD; n -= 8 * WORD, dw += 8, sw += 8) {
			dw[0] = sw[0];
			dw[1] = sw[1];
			dw[2] = sw[2];
			dw[3] = sw[3];
			dw[4] = sw[4];
			dw[5] = sw[5];
			dw[6] = sw[6];
			dw[7] = sw[7];
		}
		for (; n >= WORD; n -= WORD)
			*dw++ = *sw++;
		d = (unsigned char *)dw;
		s = (const unsigned char *)sw;
	}
	while (n--)
		*d++ = *s++;
}

/* Copy n bytes backwards (from the end), for overlapping moves with d > s. */
LIB_NOPATTERN static void copy_bwd(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if ((((uintptr_t)d ^ (uintptr_t)s) & (WORD - 1)) == 0) {
		while (n && ((uintptr_t)d & (WORD - 1))) {
			*--d = *--s;
			n--;
		}
		lib_word_t *dw = (lib_word_t *)d;
		const lib_word_t *sw = (const lib_word_t *)s;
		for (; n >= WORD; n -= WORD)
			*--dw = *--sw;
		d = (unsigned char *)dw;
		s = (const unsigned char *)sw;
	}
	while (n--)
		*--d = *--s;
}

LIB_NOPATTERN void *LIB_STR(memcpy)(void *restrict d, const void *restrict s, size_t n)
{
	copy_fwd(d, s, n);
	return d;
}

LIB_NOPATTERN void *LIB_STR(memmove)(void *d, const void *s, size_t n)
{
	uintptr_t du = (uintptr_t)d, su = (uintptr_t)s;

	/* Forwards is safe unless d starts inside [s, s+n). */
	if (du - su >= n)
		copy_fwd(d, s, n);
	else
		copy_bwd(d, s, n);
	return d;
}

LIB_NOPATTERN void *LIB_STR(memset)(void *d, int c, size_t n)
{
	unsigned char *p = d;
	unsigned char b = (unsigned char)c;

	while (n && ((uintptr_t)p & (WORD - 1))) {
		*p++ = b;
		n--;
	}
	uint64_t v = b * 0x0101010101010101ull;
	lib_word_t *w = (lib_word_t *)p;
	for (; n >= 8 * WORD; n -= 8 * WORD, w += 8) {
		w[0] = v;
		w[1] = v;
		w[2] = v;
		w[3] = v;
		w[4] = v;
		w[5] = v;
		w[6] = v;
		w[7] = v;
	}
	for (; n >= WORD; n -= WORD)
		*w++ = v;
	p = (unsigned char *)w;
	while (n--)
		*p++ = b;
	return d;
}

int LIB_STR(memcmp)(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
	}
	return 0;
}

void *LIB_STR(memchr)(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t LIB_STR(strlen)(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t LIB_STR(strnlen)(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int LIB_STR(strcmp)(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return (*x > *y) - (*x < *y);
}

int LIB_STR(strncmp)(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
		if (!*x)
			break;
	}
	return 0;
}

char *LIB_STR(strchr)(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *LIB_STR(strrchr)(const char *s, int c)
{
	char ch = (char)c;
	const char *last = NULL;

	for (;; s++) {
		if (*s == ch)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

size_t LIB_STR(strlcpy)(char *restrict d, const char *restrict src, size_t size)
{
	size_t len = LIB_STR(strlen)(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		LIB_STR(memcpy)(d, src, n);
		d[n] = '\0';
	}
	return len;
}

/* Value of digit character c, or 36 (bigger than any base) if it is none. */
static unsigned digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'z')
		return (unsigned)(c - 'a') + 10;
	if (c >= 'A' && c <= 'Z')
		return (unsigned)(c - 'A') + 10;
	return 36;
}

/* Skip a "0x" prefix only when a hex digit follows it, as strtoul does. */
static const char *skip_hex_prefix(const char *p)
{
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16)
		return p + 2;
	return p;
}

unsigned long lib_strtoul(const char *s, const char **end, int base)
{
	const char *p = s;
	unsigned long v = 0;
	bool any = false, over = false;

	if (base != 0 && (base < 2 || base > 36))
		goto out;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p == '+')
		p++;
	if (base == 0 || base == 16) {
		const char *q = skip_hex_prefix(p);
		if (q != p)
			base = 16;
		else if (base == 0)
			base = *p == '0' ? 8 : 10;
		p = q;
	}
	for (unsigned d; (d = digit_value(*p)) < (unsigned)base; p++) {
		any = true;
		if (v > (~0ul - d) / (unsigned)base)
			over = true;
		v = v * (unsigned)base + d;
	}
out:
	if (end)
		*end = any ? p : s;
	return over ? ~0ul : (any ? v : 0);
}
