/*
 * Host tests for lib/fmt.c: every case is formatted by fmt_snprintf and by the
 * host's snprintf, and the two results (text and return value) must agree, for
 * a large buffer and for buffers too small to hold the result. A generated sweep
 * covers every flag/width/precision/length/conversion combination on edge values.
 */
#include "ht.h"
#include <lib/fmt.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stddef.h>

/* The cases use flag combinations C defines but gcc flags as redundant. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"

static int mismatches;

/* Compare one format at buffer sizes 0, 1, 4 and 256. */
#define SAME(...)                                                                                  \
	do {                                                                                       \
		static const size_t sizes[] = {0, 1, 4, 256};                                      \
		for (size_t i_ = 0; i_ < 4; i_++) {                                                \
			char a_[256], b_[256];                                                     \
			memset(a_, 'A', sizeof(a_));                                               \
			memset(b_, 'A', sizeof(b_));                                               \
			int ra_ = fmt_snprintf(a_, sizes[i_], __VA_ARGS__);                        \
			int rb_ = snprintf(b_, sizes[i_], __VA_ARGS__);                            \
			if (ra_ != rb_ || memcmp(a_, b_, sizeof(a_)) != 0) {                       \
				fprintf(                                                           \
				    stderr,                                                        \
				    "  mismatch size %zu for %s: '%.*s' (%d) vs '%.*s' (%d)\n",    \
				    sizes[i_], #__VA_ARGS__, sizes[i_] ? 255 : 0, a_, ra_,         \
				    sizes[i_] ? 255 : 0, b_, rb_);                                 \
				mismatches++;                                                      \
			}                                                                          \
		}                                                                                  \
	} while (0)

HT_TEST(literals_and_percent)
{
	mismatches = 0;
	SAME("");
	SAME("plain text");
	SAME("100%% sure %%d");
	SAME("a%cb", 'x');
	SAME("[%5c|%-5c]", 'y', 'z');
	HT_CHECK_EQ(mismatches, 0);
}

HT_TEST(signed_ints)
{
	mismatches = 0;
	SAME("%d %i %d", 0, -1, 42);
	SAME("%d %d", INT_MAX, INT_MIN);
	SAME("%ld %ld", LONG_MAX, LONG_MIN);
	SAME("%lld %lld", LLONG_MAX, LLONG_MIN);
	SAME("%hhd %hhd", 300, -129);
	SAME("%hd %hd", 70000, -40000);
	SAME("%zd %td %jd", (ssize_t)-5, (ptrdiff_t)-77, (intmax_t)INTMAX_MIN);
	SAME("[%+d|% d|%+d|% d]", 5, 5, -5, -5);
	SAME("[%+ d|% +d]", 7, 7);
	SAME("[%8d|%-8d|%08d|%-08d]", -123, -123, -123, -123);
	SAME("[%.5d|%8.5d|%-8.5d|%08.5d]", -42, -42, -42, -42);
	SAME("[%.0d|%5.0d|%.0d]", 0, 0, 1);
	SAME("[%+.0d|% .0d]", 0, 0);
	SAME("[%0+8d|%0 8d]", 12, 12);
	HT_CHECK_EQ(mismatches, 0);
}

HT_TEST(unsigned_ints)
{
	mismatches = 0;
	SAME("%u %x %X %o", 0u, 0u, 0u, 0u);
	SAME("%u %x %X %o", UINT_MAX, UINT_MAX, UINT_MAX, UINT_MAX);
	SAME("%lu %lx %llo", ULONG_MAX, 0xdeadbeefcafeul, 01234567ull);
	SAME("%hhu %hhx %hu %hx", 0x1ff, 0x1ff, 0x1ffff, 0x1ffff);
	SAME("%zu %zx %ju %tx", (size_t)123456789, (size_t)0xabc, (uintmax_t)UINTMAX_MAX,
	     (ptrdiff_t)0x7f);
	SAME("[%#x|%#X|%#o|%#x|%#o]", 255u, 255u, 8u, 0u, 0u);
	SAME("[%#10x|%#-10x|%#010x|%#.6x]", 0xabu, 0xabu, 0xabu, 0xabu);
	SAME("[%#.0o|%#.0x|%#5o|%#.3o|%#.3o]", 0u, 0u, 9u, 8u, 0777u);
	SAME("[%+u|% u|%+x]", 3u, 3u, 3u); /* sign flags do nothing for unsigned */
	SAME("[%08.3x|%-#8o]", 0x1fu, 64u);
	HT_CHECK_EQ(mismatches, 0);
}

HT_TEST(strings_and_chars)
{
	const char *volatile null_str = NULL;
	char out[32];
	mismatches = 0;
	SAME("[%s|%10s|%-10s|%.3s|%10.2s|%-6.1s]", "hello", "hello", "hello", "hello", "hello",
	     "hello");
	SAME("[%s%s]", "", "x");
	SAME("[%.0s]", "gone");
	HT_CHECK_EQ(mismatches, 0);
	HT_CHECK_EQ(fmt_snprintf(out, sizeof(out), "%s", null_str), 6);
	HT_CHECK(strcmp(out, "(null)") == 0);
	HT_CHECK_EQ(fmt_snprintf(out, sizeof(out), "[%8s]", null_str), 10);
	HT_CHECK(strcmp(out, "[  (null)]") == 0);
	/* Precision bounds the read: an unterminated array is fine. */
	char raw[3] = {'a', 'b', 'c'};
	HT_CHECK_EQ(fmt_snprintf(out, sizeof(out), "%.3s", raw), 3);
	HT_CHECK(strcmp(out, "abc") == 0);
}

HT_TEST(pointers)
{
	int x;
	void *volatile null_ptr = NULL;
	mismatches = 0;
	SAME("%p", (void *)&x);
	SAME("[%20p|%-20p]", (void *)&x, (void *)&x);
	SAME("%p", (void *)0x1000);
	SAME("%p", null_ptr);
	SAME("[%10p]", null_ptr);
	HT_CHECK_EQ(mismatches, 0);
}

HT_TEST(star_width_precision)
{
	mismatches = 0;
	SAME("[%*d|%-*d|%*d]", 6, 42, 6, 42, -6, 42);
	SAME("[%.*d|%.*d|%*.*x]", 4, 7, -1, 7, 8, 3, 0xfu);
	SAME("[%*s|%.*s]", 7, "ab", 1, "ab");
	SAME("[%0*d]", 5, -3);
	HT_CHECK_EQ(mismatches, 0);
}

HT_TEST(truncation_and_return)
{
	char buf[8];
	memset(buf, 'Z', sizeof(buf));
	HT_CHECK_EQ(fmt_snprintf(buf, 5, "%d-%s", 12345, "abc"), 9);
	HT_CHECK(strcmp(buf, "1234") == 0);
	HT_CHECK_EQ(buf[5], 'Z'); /* nothing written past size */
	HT_CHECK_EQ(fmt_snprintf(NULL, 0, "%08x", 1u), 8);
	memset(buf, 'Z', sizeof(buf));
	HT_CHECK_EQ(fmt_snprintf(buf, 1, "abc"), 3);
	HT_CHECK_EQ(buf[0], '\0');
	HT_CHECK_EQ(buf[1], 'Z');
}

/* Every flag set, several widths and precisions, every conversion and length. */
HT_TEST(generated_sweep)
{
	static const char *flagsets[] = {"", "-", "0", "+", " ", "#", "-+", "0#", "0 ", "-#0+ "};
	static const char *widths[] = {"", "1", "7", "25"};
	static const char *precs[] = {"", ".", ".0", ".1", ".5", ".22"};
	static const char *lens[] = {"hh", "h", "", "l", "ll", "z", "t", "j"};
	static const char convs[] = "diuxXo";
	static const long long vals[] = {0,	    1,	       -1,
					 7,	    8,	       255,
					 -128,	    32768,     -2147483648LL,
					 LLONG_MIN, LLONG_MAX, 0x123456789abcLL};
	int bad = 0, cases = 0;
	for (size_t f = 0; f < sizeof(flagsets) / sizeof(*flagsets); f++)
		for (size_t w = 0; w < sizeof(widths) / sizeof(*widths); w++)
			for (size_t p = 0; p < sizeof(precs) / sizeof(*precs); p++)
				for (size_t l = 0; l < sizeof(lens) / sizeof(*lens); l++)
					for (size_t c = 0; convs[c]; c++)
						for (size_t v = 0; v < sizeof(vals) / sizeof(*vals);
						     v++) {
							char spec[32], a[128], b[128];
							snprintf(spec, sizeof(spec),
								 "<%%%s%s%s%s%c>", flagsets[f],
								 widths[w], precs[p], lens[l],
								 convs[c]);
							long long x = vals[v];
							int ra, rb;
							/* pass the type each length reads */
							if (!strcmp(lens[l], "") ||
							    lens[l][0] == 'h') {
								ra = fmt_snprintf(a, sizeof(a),
										  spec, (int)x);
								rb = snprintf(b, sizeof(b), spec,
									      (int)x);
							} else {
								ra = fmt_snprintf(a, sizeof(a),
										  spec, x);
								rb =
								    snprintf(b, sizeof(b), spec, x);
							}
							cases++;
							if (ra != rb || strcmp(a, b) != 0) {
								if (bad++ < 10)
									fprintf(
									    stderr,
									    "  %s: '%s' vs '%s'\n",
									    spec, a, b);
							}
						}
	HT_CHECK_EQ(bad, 0);
	HT_CHECK(cases > 100000);
}

HT_MAIN(HT_CASE(literals_and_percent), HT_CASE(signed_ints), HT_CASE(unsigned_ints),
	HT_CASE(strings_and_chars), HT_CASE(pointers), HT_CASE(star_width_precision),
	HT_CASE(truncation_and_return), HT_CASE(generated_sweep))
