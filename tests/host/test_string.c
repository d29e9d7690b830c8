/*
 * Host tests for lib/string.c. Built with WEFT_HOST, so the library's routines
 * are named lib_memcpy, lib_strlen, ... and are checked against glibc's on every
 * alignment and length pair that matters for the word-at-a-time paths, with
 * guard bytes around each destination to catch overruns.
 */
#include "ht.h"
#include <lib/string.h>
#include <stdint.h>
#include <stdlib.h>
#include <limits.h>

#define AREA 640

static unsigned char src_area[AREA], dst_lib[AREA], dst_ref[AREA];

static void fill_random(unsigned char *p, size_t n, unsigned seed)
{
	srand(seed);
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rand();
}

HT_TEST(memcpy_all_alignments)
{
	int bad = 0;
	fill_random(src_area, AREA, 1);
	for (size_t so = 0; so < 16; so++)
		for (size_t dof = 0; dof < 16; dof++)
			for (size_t n = 0; n < 300; n += (n < 80 ? 1 : 37)) {
				memset(dst_lib, 0xa5, AREA);
				memset(dst_ref, 0xa5, AREA);
				void *r = lib_memcpy(dst_lib + dof, src_area + so, n);
				memcpy(dst_ref + dof, src_area + so, n);
				bad += r != dst_lib + dof;
				bad += memcmp(dst_lib, dst_ref, AREA) != 0;
			}
	HT_CHECK_EQ(bad, 0);
}

HT_TEST(memmove_overlaps)
{
	int bad = 0;
	for (size_t a = 0; a < 24; a++)
		for (size_t b = 0; b < 24; b++)
			for (size_t n = 0; n < 200; n += (n < 40 ? 1 : 29)) {
				fill_random(dst_lib, AREA, (unsigned)(a * 1000 + b));
				memcpy(dst_ref, dst_lib, AREA);
				void *r = lib_memmove(dst_lib + 100 + a, dst_lib + 100 + b, n);
				memmove(dst_ref + 100 + a, dst_ref + 100 + b, n);
				bad += r != dst_lib + 100 + a;
				bad += memcmp(dst_lib, dst_ref, AREA) != 0;
			}
	HT_CHECK_EQ(bad, 0);
}

HT_TEST(memset_all_alignments)
{
	int bad = 0;
	for (size_t off = 0; off < 16; off++)
		for (size_t n = 0; n < 400; n += (n < 90 ? 1 : 31)) {
			memset(dst_lib, 0x11, AREA);
			memset(dst_ref, 0x11, AREA);
			lib_memset(dst_lib + off, 0x1ee, n); /* only the low byte counts */
			memset(dst_ref + off, 0xee, n);
			bad += memcmp(dst_lib, dst_ref, AREA) != 0;
		}
	HT_CHECK_EQ(bad, 0);
}

HT_TEST(memset_page)
{
	static unsigned char page[4096] __attribute__((aligned(4096)));
	lib_memset(page, 0, sizeof(page));
	for (size_t i = 0; i < sizeof(page); i++)
		if (page[i] != 0)
			HT_CHECK(0);
	lib_memset(page, 0xff, sizeof(page));
	HT_CHECK_EQ(page[0], 0xff);
	HT_CHECK_EQ(page[4095], 0xff);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

HT_TEST(memcmp_sign)
{
	unsigned char a[64], b[64];
	int bad = 0;
	for (int i = 0; i < 64; i++) {
		memset(a, 7, sizeof(a));
		memset(b, 7, sizeof(b));
		b[i] = 0x80; /* greater as unsigned, less as signed char */
		bad += sign(lib_memcmp(a, b, 64)) != sign(memcmp(a, b, 64));
		bad += sign(lib_memcmp(b, a, 64)) != sign(memcmp(b, a, 64));
		bad += lib_memcmp(a, b, (size_t)i) != 0;
	}
	HT_CHECK_EQ(bad, 0);
	HT_CHECK_EQ(lib_memcmp(a, b, 0), 0);
}

HT_TEST(memchr_finds_first)
{
	const unsigned char buf[] = {1, 2, 0xff, 2, 0};
	HT_CHECK(lib_memchr(buf, 2, sizeof(buf)) == buf + 1);
	HT_CHECK(lib_memchr(buf, 0xff, sizeof(buf)) == buf + 2);
	HT_CHECK(lib_memchr(buf, -1, sizeof(buf)) == buf + 2);
	HT_CHECK(lib_memchr(buf, 0, sizeof(buf)) == buf + 4);
	HT_CHECK(lib_memchr(buf, 0, 4) == NULL);
	HT_CHECK(lib_memchr(buf, 7, 0) == NULL);
}

HT_TEST(strlen_strnlen)
{
	HT_CHECK_EQ(lib_strlen(""), 0);
	HT_CHECK_EQ(lib_strlen("hello"), 5);
	HT_CHECK_EQ(lib_strnlen("hello", 3), 3);
	HT_CHECK_EQ(lib_strnlen("hello", 9), 5);
	HT_CHECK_EQ(lib_strnlen("hello", 0), 0);
	char unterminated[4] = {'a', 'b', 'c', 'd'};
	HT_CHECK_EQ(lib_strnlen(unterminated, 4), 4); /* must not read beyond */
}

HT_TEST(strcmp_strncmp)
{
	static const char *words[] = {"", "a", "ab", "abc", "abd", "b", "\x80", "\x7f", "ab\x80"};
	int n = (int)(sizeof(words) / sizeof(words[0])), bad = 0;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			bad += sign(lib_strcmp(words[i], words[j])) !=
			       sign(strcmp(words[i], words[j]));
			for (size_t k = 0; k < 5; k++)
				bad += sign(lib_strncmp(words[i], words[j], k)) !=
				       sign(strncmp(words[i], words[j], k));
		}
	HT_CHECK_EQ(bad, 0);
}

HT_TEST(strchr_strrchr)
{
	const char *s = "a/b/c";
	HT_CHECK(lib_strchr(s, '/') == s + 1);
	HT_CHECK(lib_strrchr(s, '/') == s + 3);
	HT_CHECK(lib_strchr(s, 'x') == NULL);
	HT_CHECK(lib_strrchr(s, 'x') == NULL);
	HT_CHECK(lib_strchr(s, '\0') == s + 5);
	HT_CHECK(lib_strrchr(s, '\0') == s + 5);
	HT_CHECK(lib_strchr(s, 'a' + 256) == s); /* converted to char */
}

HT_TEST(strlcpy_truncates)
{
	char buf[8];
	memset(buf, 'x', sizeof(buf));
	HT_CHECK_EQ(lib_strlcpy(buf, "hello world", sizeof(buf)), 11);
	HT_CHECK(strcmp(buf, "hello w") == 0);
	HT_CHECK_EQ(lib_strlcpy(buf, "hi", sizeof(buf)), 2);
	HT_CHECK(strcmp(buf, "hi") == 0);
	buf[0] = 'q';
	HT_CHECK_EQ(lib_strlcpy(buf, "abc", 0), 3);
	HT_CHECK_EQ(buf[0], 'q');
	HT_CHECK_EQ(lib_strlcpy(buf, "abc", 1), 3);
	HT_CHECK_EQ(buf[0], '\0');
	HT_CHECK_EQ(strlcpy(buf, "mapped", sizeof(buf)), 6); /* host macro -> lib_strlcpy */
}

HT_TEST(strtoul_bases)
{
	const char *end;
	HT_CHECK_EQ(lib_strtoul("1234", &end, 10), 1234);
	HT_CHECK_EQ(*end, '\0');
	HT_CHECK_EQ(lib_strtoul("  +42xyz", &end, 0), 42);
	HT_CHECK_EQ(*end, 'x');
	HT_CHECK_EQ(lib_strtoul("0x1fG", &end, 0), 0x1f);
	HT_CHECK_EQ(*end, 'G');
	HT_CHECK_EQ(lib_strtoul("0X80000000", NULL, 16), 0x80000000ul);
	HT_CHECK_EQ(lib_strtoul("0755", NULL, 0), 0755);
	HT_CHECK_EQ(lib_strtoul("101", NULL, 2), 5);
	HT_CHECK_EQ(lib_strtoul("zz", NULL, 36), 35 * 36 + 35);
	const char *s = "0xg";
	HT_CHECK_EQ(lib_strtoul(s, &end, 0), 0); /* "0" parsed, "x" is not a prefix */
	HT_CHECK(end == s + 1);
	s = "hello";
	HT_CHECK_EQ(lib_strtoul(s, &end, 10), 0);
	HT_CHECK(end == s);
	HT_CHECK_EQ(lib_strtoul("18446744073709551615", NULL, 10), ULONG_MAX);
	HT_CHECK_EQ(lib_strtoul("99999999999999999999999", &end, 10), ULONG_MAX);
	HT_CHECK_EQ(*end, '\0');
	HT_CHECK_EQ(lib_strtoul("12", &end, 1), 0);
}

HT_TEST(strtoul_matches_libc)
{
	static const char *inputs[] = {"0",	"7",	      "010",  "0x10",	"  99",
				       "+5",	"0x",	      "ffff", "777777", "123abc",
				       "0b101", "4294967296", ""};
	int bad = 0;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		static const int bases[] = {0, 8, 10, 16};
		for (int b = 0; b < 4; b++) {
			const char *e1;
			char *e2;
			unsigned long v1 = lib_strtoul(inputs[i], &e1, bases[b]);
			unsigned long v2 = strtoul(inputs[i], &e2, bases[b]);
			bad += v1 != v2 || e1 != e2;
		}
	}
	HT_CHECK_EQ(bad, 0);
}

HT_MAIN(HT_CASE(memcpy_all_alignments), HT_CASE(memmove_overlaps), HT_CASE(memset_all_alignments),
	HT_CASE(memset_page), HT_CASE(memcmp_sign), HT_CASE(memchr_finds_first),
	HT_CASE(strlen_strnlen), HT_CASE(strcmp_strncmp), HT_CASE(strchr_strrchr),
	HT_CASE(strlcpy_truncates), HT_CASE(strtoul_bases), HT_CASE(strtoul_matches_libc))
