/*
 * FAT names and times: VFS names (UTF-8 bytes) to and from the UTF-16 of
 * long names, short 8.3 names (plain ones kept with their case in NTRes, and
 * the basis~N names made for long ones), the long-name checksum, and the
 * conversion between nanoseconds and FAT's local date and time (taken as UTC,
 * 2-second resolution, years 1980..2107).
 *
 * Pure functions: no locks, no I/O. Long names compare with ASCII letters
 * folded, as vfat does with a UTF-8 character set.
 */
#include <lib/string.h>
#include <weft/errno.h>
#include "fat_impl.h"

/* Code page 437, bytes 0x80..0xff, for short names written by DOS tools. */
static const uint16_t cp437_high[128] = {
    0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef,
    0x00ee, 0x00ec, 0x00c4, 0x00c5, 0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
    0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192, 0x00e1, 0x00ed, 0x00f3, 0x00fa,
    0x00f1, 0x00d1, 0x00aa, 0x00ba, 0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255d, 0x255c, 0x255b, 0x2510, 0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
    0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256b, 0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
    0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4, 0x03a6, 0x0398, 0x03a9, 0x03b4,
    0x221e, 0x03c6, 0x03b5, 0x2229, 0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
    0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
};

static bool long_char_bad(uint32_t c)
{
	return c < 0x20 || c == '"' || c == '*' || c == '/' || c == ':' || c == '<' || c == '>' ||
	       c == '?' || c == '\\' || c == '|';
}

/* Characters a short name may hold besides upper-case letters and digits. */
static bool short_char_ok(uint16_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return c < 0x80 && c && strchr("$%'-_@~`!(){}^#&", c);
}

static uint16_t upper(uint16_t c)
{
	return (c >= 'a' && c <= 'z') ? (uint16_t)(c - 32) : c;
}

/* One code point from UTF-8 at s (n bytes left): its length, or 0 if bad. */
static unsigned utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned len, i;
	uint32_t c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0)
		len = 2, c &= 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		len = 3, c &= 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		len = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int fat_name_decode(const char *name, uint16_t *u, unsigned *len)
{
	size_t n = strlen(name);
	unsigned k = 0;

	while (n && name[n - 1] == '.')
		n--; /* vfat drops trailing dots */
	if (!n)
		return -EINVAL;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		unsigned l = utf8_next((const unsigned char *)name + i, n - i, &c);
		if (!l || long_char_bad(c))
			return -EINVAL;
		i += l;
		if (k + (c >= 0x10000) >= FAT_LFN_MAX)
			return -ENAMETOOLONG;
		if (c >= 0x10000) {
			c -= 0x10000;
			u[k++] = (uint16_t)(0xd800 | c >> 10);
			u[k++] = (uint16_t)(0xdc00 | (c & 0x3ff));
		} else {
			u[k++] = (uint16_t)c;
		}
	}
	*len = k;
	return 0;
}

int fat_name_encode(const uint16_t *u, unsigned len, char *out, size_t cap)
{
	size_t k = 0;

	for (unsigned i = 0; i < len; i++) {
		uint32_t c = u[i];
		if (c >= 0xd800 && c <= 0xdbff && i + 1 < len && u[i + 1] >= 0xdc00 &&
		    u[i + 1] <= 0xdfff)
			c = 0x10000 + ((c - 0xd800) << 10) + (u[++i] - 0xdc00);
		else if (c >= 0xd800 && c <= 0xdfff)
			return -1;
		if (long_char_bad(c))
			return -1;
		unsigned l = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
		if (k + l >= cap)
			return -1;
		if (l == 1) {
			out[k++] = (char)c;
			continue;
		}
		static const uint8_t lead[5] = {0, 0, 0xc0, 0xe0, 0xf0};
		out[k++] = (char)(lead[l] | c >> (6 * (l - 1)));
		for (unsigned j = l - 1; j > 0; j--)
			out[k++] = (char)(0x80 | ((c >> (6 * (j - 1))) & 0x3f));
	}
	out[k] = 0;
	return (int)k;
}

bool fat_name_eq(const uint16_t *a, unsigned alen, const uint16_t *b, unsigned blen)
{
	if (alen != blen)
		return false;
	for (unsigned i = 0; i < alen; i++)
		if (upper(a[i]) != upper(b[i]))
			return false;
	return true;
}

static uint16_t short_byte_show(uint8_t c, bool lower)
{
	if (c >= 0x80)
		return cp437_high[c - 0x80];
	if (c < 0x20 || c == '/')
		return '_'; /* never let a broken entry make a bad VFS name */
	if (lower && c >= 'A' && c <= 'Z')
		return (uint16_t)(c + 32);
	return c;
}

unsigned fat_short_show(const uint8_t *raw, uint16_t *u)
{
	unsigned blen = 8, elen = 3, k = 0;

	while (blen && raw[blen - 1] == ' ')
		blen--;
	while (elen && raw[8 + elen - 1] == ' ')
		elen--;
	for (unsigned i = 0; i < blen; i++) {
		uint8_t c = (i == 0 && raw[0] == 0x05) ? 0xe5 : raw[i];
		u[k++] = short_byte_show(c, raw[12] & FAT_CASE_BASE);
	}
	if (elen) {
		u[k++] = '.';
		for (unsigned i = 0; i < elen; i++)
			u[k++] = short_byte_show(raw[8 + i], raw[12] & FAT_CASE_EXT);
	}
	if (!k)
		u[k++] = '_';
	return k;
}

/* Check one part of a plain short name; *lower is set if it is in lower case. */
static bool plain_part(const uint16_t *u, unsigned n, bool *lower)
{
	bool lo = false, up = false;

	for (unsigned i = 0; i < n; i++) {
		if (!short_char_ok(u[i]))
			return false;
		lo |= u[i] >= 'a' && u[i] <= 'z';
		up |= u[i] >= 'A' && u[i] <= 'Z';
	}
	*lower = lo;
	return !(lo && up);
}

bool fat_short_plain(const uint16_t *u, unsigned len, uint8_t *raw, uint8_t *ntres)
{
	unsigned dot = len, i;
	bool blo, elo;

	for (i = 0; i < len; i++) {
		if (u[i] != '.')
			continue;
		if (dot != len)
			return false;
		dot = i;
	}
	unsigned elen = dot == len ? 0 : len - dot - 1;
	if (dot < 1 || dot > 8 || elen > 3 || (dot != len && !elen))
		return false;
	if (!plain_part(u, dot, &blo) || !plain_part(u + dot + 1, elen, &elo))
		return false;
	memset(raw, ' ', 11);
	for (i = 0; i < dot; i++)
		raw[i] = (uint8_t)upper(u[i]);
	for (i = 0; i < elen; i++)
		raw[8 + i] = (uint8_t)upper(u[dot + 1 + i]);
	*ntres = (uint8_t)((blo ? FAT_CASE_BASE : 0) | (elo ? FAT_CASE_EXT : 0));
	return true;
}

/* Append the short form of u[from..to) to out (at most max chars). */
static bool basis_part(const uint16_t *u, unsigned from, unsigned to, uint8_t *out, unsigned *n,
		       unsigned max)
{
	bool lossy = false;

	*n = 0;
	for (unsigned i = from; i < to; i++) {
		uint16_t c = u[i];
		if (c == '.' || c == ' ') {
			lossy = true;
			continue;
		}
		if (!short_char_ok(c)) {
			c = '_';
			lossy = true;
		}
		if (*n == max) {
			lossy = true;
			break;
		}
		out[(*n)++] = (uint8_t)upper(c);
	}
	return lossy;
}

bool fat_short_basis(const uint16_t *u, unsigned len, uint8_t *base, unsigned *blen, uint8_t *ext,
		     unsigned *elen)
{
	unsigned dot = len;
	bool lossy;

	for (unsigned i = len; i > 1; i--)
		if (u[i - 1] == '.') {
			dot = i - 1;
			break;
		}
	lossy = basis_part(u, 0, dot, base, blen, 8);
	if (dot < len)
		lossy |= basis_part(u, dot + 1, len, ext, elen, 3);
	else
		*elen = 0;
	if (!*blen) {
		base[0] = '_';
		*blen = 1;
		lossy = true;
	}
	return lossy;
}

void fat_short_tail(const uint8_t *base, unsigned blen, const uint8_t *ext, unsigned elen,
		    unsigned n, uint8_t *raw)
{
	char digits[12];
	unsigned nd = 0, p;

	for (unsigned v = n; v; v /= 10)
		digits[nd++] = (char)('0' + v % 10);
	p = blen < 7 - nd ? blen : 7 - nd;
	memset(raw, ' ', 11);
	memcpy(raw, base, p);
	raw[p++] = '~';
	while (nd)
		raw[p++] = (uint8_t)digits[--nd];
	memcpy(raw + 8, ext, elen);
}

unsigned fat_short_tail_of(const uint8_t *raw, const uint8_t *base, unsigned blen,
			   const uint8_t *ext, unsigned elen)
{
	unsigned p, i, n = 0, nd = 0;

	for (i = 0; i < 3; i++)
		if (raw[8 + i] != (i < elen ? ext[i] : ' '))
			return 0;
	for (p = 0; p < 8 && raw[p] != '~'; p++)
		;
	if (p == 8)
		return 0;
	for (i = p + 1; i < 8 && raw[i] >= '0' && raw[i] <= '9'; i++, nd++)
		n = n * 10 + (raw[i] - '0');
	for (; i < 8; i++)
		if (raw[i] != ' ')
			return 0;
	if (!nd || nd > 6 || raw[p + 1] == '0')
		return 0;
	if (p != (blen < 7 - nd ? blen : 7 - nd) || memcmp(raw, base, p))
		return 0;
	return n;
}

uint8_t fat_lfn_sum(const uint8_t *raw)
{
	uint8_t s = 0;

	for (int i = 0; i < 11; i++)
		s = (uint8_t)(((s & 1) << 7) + (s >> 1) + raw[i]);
	return s;
}

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, unsigned *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

#define FAT_EPOCH_S 315532800ull  /* 1980-01-01 */
#define FAT_END_S   4354819199ull /* 2107-12-31 23:59:59 */

void fat_time_to(uint64_t ns, uint16_t *date, uint16_t *time, uint8_t *tenth)
{
	uint64_t s = ns / 1000000000ull;
	unsigned y, m, d;

	if (s < FAT_EPOCH_S)
		s = FAT_EPOCH_S, ns = s * 1000000000ull;
	if (s > FAT_END_S)
		s = FAT_END_S, ns = s * 1000000000ull;
	civil_from_days((int64_t)(s / 86400), &y, &m, &d);
	unsigned r = (unsigned)(s % 86400);
	*date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
	*time = (uint16_t)((r / 3600) << 11 | (r / 60 % 60) << 5 | (r % 60) / 2);
	if (tenth)
		*tenth = (uint8_t)((s % 2) * 100 + (ns / 10000000ull) % 100);
}

uint64_t fat_time_from(uint16_t date, uint16_t time, uint8_t tenth)
{
	unsigned y = 1980 + (date >> 9), m = (date >> 5) & 15, d = date & 31;
	unsigned hh = time >> 11, mm = (time >> 5) & 63, ss = (time & 31) * 2;

	if (m < 1 || m > 12)
		m = 1;
	if (d < 1)
		d = 1;
	if (hh > 23 || mm > 59 || ss > 59)
		hh = mm = ss = 0;
	if (tenth > 199)
		tenth = 0;
	uint64_t s = (uint64_t)days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
	return s * 1000000000ull + (uint64_t)tenth * 10000000ull;
}
