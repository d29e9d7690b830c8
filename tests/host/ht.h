/*
 * Minimal host unit-test framework. A test file defines test functions with
 * HT_TEST(name) and lists them in HT_MAIN(...); each HT_CHECK failure is reported
 * with file and line, and main prints "N passed, N failed" for its tests and exits
 * non-zero on any failure.
 */
#ifndef HT_H
#define HT_H

#include <stdio.h>
#include <string.h>

extern int ht_failures;

#define HT_CHECK(cond)                                                                             \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
			ht_failures++;                                                             \
		}                                                                                  \
	} while (0)

#define HT_CHECK_EQ(a, b)                                                                          \
	do {                                                                                       \
		long long ht_a = (long long)(a), ht_b = (long long)(b);                            \
		if (ht_a != ht_b) {                                                                \
			fprintf(stderr, "  FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__,       \
				__LINE__, #a, #b, ht_a, ht_b);                                     \
			ht_failures++;                                                             \
		}                                                                                  \
	} while (0)

#define HT_TEST(name) static void name(void)

struct ht_case {
	const char *name;
	void (*fn)(void);
};

#define HT_CASE(fn) { #fn, fn }

int ht_run(const char *suite, const struct ht_case *cases, int n);

/* Give the real page allocator a 64 MiB arena, once (tests/host/ht_ram.c). */
void ht_ram_setup(void);

#define HT_MAIN(...)                                                                               \
	int ht_failures;                                                                           \
	int main(void)                                                                             \
	{                                                                                          \
		static const struct ht_case ht_cases[] = { __VA_ARGS__ };                          \
		return ht_run(__FILE__, ht_cases, (int)(sizeof(ht_cases) / sizeof(ht_cases[0])));  \
	}

#endif
