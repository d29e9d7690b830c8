/*
 * Host tests for lib/cpio.c: archives written by the real cpio(1) (made by
 * tests/host/lib.mk in build/host/fixtures) must list exactly the files put in
 * them, with their contents and modes; hand-built broken archives must fail
 * with the right reason; and thousands of corrupted copies, each in an
 * exact-size heap block, must never make the reader step outside its buffer.
 */
#include "ht.h"
#include <lib/cpio.h>
#include <weft/errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* Fixtures live in fixtures/ beside the test binary. */
static uint8_t *load(const char *name, size_t *len)
{
	char path[512];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	*strrchr(path, '/') = '\0';
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/fixtures/%s", name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	*len = (size_t)ftell(fp);
	fseek(fp, 0, SEEK_SET);
	uint8_t *buf = malloc(*len ? *len : 1);
	if (fread(buf, 1, *len, fp) != *len) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static const struct {
	const char *name;
	uint32_t type; /* mode & 0170000 */
	const char *data;
	size_t size;
} expect[] = {
    {"dir", 0040000, NULL, 0},	       {"dir/big", 0100000, NULL, 3000},
    {"empty", 0100000, "", 0},	       {"hello.txt", 0100000, "hello\n", 6},
    {"link", 0120000, "hello.txt", 9}, {"n1", 0100000, "a", 1},
    {"n2", 0100000, "ab", 2},	       {"n3", 0100000, "abc", 3},
    {"n4", 0100000, "abcd", 4},	       {"n5", 0100000, "abcde", 5},
};
#define NEXPECT (sizeof(expect) / sizeof(expect[0]))

static void check_real_archive(const char *file)
{
	size_t len;
	uint8_t *a = load(file, &len);
	struct cpio_iter it;
	struct cpio_entry e;
	const char *why = NULL;
	size_t i = 0;
	int r;

	HT_CHECK(a != NULL);
	if (!a)
		return;
	cpio_iter_init(&it, a, len);
	while ((r = cpio_next(&it, &e, &why)) == 1 && i < NEXPECT) {
		HT_CHECK(strcmp(e.name, expect[i].name) == 0);
		HT_CHECK_EQ(e.namelen, strlen(expect[i].name));
		HT_CHECK_EQ(e.mode & 0170000, expect[i].type);
		HT_CHECK_EQ(e.mtime, 1000000000);
		HT_CHECK_EQ(e.size, expect[i].size);
		HT_CHECK(e.nlink >= 1);
		HT_CHECK(((const uint8_t *)e.data - a) % 4 == 0);
		if (expect[i].data && e.size == expect[i].size)
			HT_CHECK(memcmp(e.data, expect[i].data, e.size) == 0);
		if (i == 1) { /* dir/big: the alphabet repeated */
			const char *d = e.data;
			int bad = 0;
			for (size_t k = 0; k < e.size; k++)
				bad += d[k] != (char)('A' + k % 26);
			HT_CHECK_EQ(bad, 0);
		}
		i++;
	}
	HT_CHECK_EQ(r, 0);
	HT_CHECK_EQ(i, NEXPECT);
	HT_CHECK_EQ(cpio_next(&it, &e, &why), 0); /* stays at the end */
	free(a);
}

HT_TEST(real_newc_archive)
{
	check_real_archive("test.cpio");
}

HT_TEST(real_crc_archive)
{
	check_real_archive("test-crc.cpio");
}

/* ---- hand-built archives ---- */

struct arc {
	char buf[2048];
	size_t len;
};

static void pad(struct arc *a)
{
	while (a->len & 3)
		a->buf[a->len++] = 0;
}

/* Append an entry; namesize is given so it can lie. */
static void add(struct arc *a, const char *magic, const char *name, uint32_t namesize,
		const char *data, uint32_t size)
{
	a->len += (size_t)sprintf(a->buf + a->len,
				  "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic,
				  1u, 0100644u, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u, namesize, 0u);
	memcpy(a->buf + a->len, name, strlen(name) + 1);
	a->len += strlen(name) + 1;
	pad(a);
	memcpy(a->buf + a->len, data, size);
	a->len += size;
	pad(a);
}

static void add_file(struct arc *a, const char *name, const char *data)
{
	add(a, "070701", name, (uint32_t)strlen(name) + 1, data, (uint32_t)strlen(data));
}

/* Run the archive to its end: the last result and its reason. */
static int run(const struct arc *a, size_t len, const char **why, int *entries)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int r;
	char *copy = malloc(len ? len : 1);
	memcpy(copy, a->buf, len);
	cpio_iter_init(&it, copy, len);
	*entries = 0;
	*why = "";
	while ((r = cpio_next(&it, &e, why)) == 1)
		(*entries)++;
	free(copy);
	return r;
}

HT_TEST(hand_made_good)
{
	struct arc a = {.len = 0};
	const char *why;
	int n;
	add_file(&a, "x", "data");
	add_file(&a, "yy", "");
	add_file(&a, "TRAILER!!!", "");
	HT_CHECK_EQ(run(&a, a.len, &why, &n), 0);
	HT_CHECK_EQ(n, 2);
	/* the trailer's padding may be cut off at the very end */
	HT_CHECK_EQ(run(&a, a.len - 1, &why, &n), 0);
	HT_CHECK_EQ(n, 2);
}

static void expect_error(const struct arc *a, size_t len, const char *reason)
{
	const char *why;
	int n;
	HT_CHECK_EQ(run(a, len, &why, &n), -EINVAL);
	if (strcmp(why, reason) != 0) {
		fprintf(stderr, "  expected '%s', got '%s'\n", reason, why);
		HT_CHECK(0);
	}
}

HT_TEST(hand_made_errors)
{
	struct arc a = {.len = 0};

	add_file(&a, "x", "data");
	size_t first = a.len;
	add_file(&a, "TRAILER!!!", "");
	size_t full = a.len;

	a.buf[3] = '8';
	expect_error(&a, full, "bad magic");
	a.buf[3] = '7';
	a.buf[20] = 'g'; /* inside the mode field */
	expect_error(&a, full, "bad hex field");
	a.buf[20] = '0';
	expect_error(&a, first, "missing trailer"); /* the first entry only */
	expect_error(&a, 50, "truncated header");
	expect_error(&a, 111, "truncated name");
	expect_error(&a, 113, "truncated data");

	struct arc b = {.len = 0};
	add(&b, "070701", "abc", 3, "", 0); /* namesize excludes the NUL */
	expect_error(&b, b.len, "name not terminated");
	struct arc c = {.len = 0};
	add(&c, "070701", "abc", 0, "", 0);
	expect_error(&c, c.len, "empty name");
	struct arc d = {.len = 0};
	add(&d, "070701", "big", 4, "xy", 2);
	memcpy(d.buf + 6 + 6 * 8, "FFFFFFFF", 8); /* filesize 4 GiB */
	expect_error(&d, d.len, "truncated data");
	struct arc e = {.len = 0};
	expect_error(&e, 0, "missing trailer");
}

/* ---- fuzzing ---- */

HT_TEST(fuzz_corrupted_archives)
{
	size_t len;
	uint8_t *orig = load("test.cpio", &len);
	HT_CHECK(orig != NULL);
	if (!orig)
		return;
	srand(4242);
	int outside = 0, errors = 0;
	for (int iter = 0; iter < 8000; iter++) {
		size_t n = iter % 3 == 0 ? (size_t)rand() % (len + 1) : len;
		uint8_t *b = malloc(n ? n : 1);
		memcpy(b, orig, n);
		for (int k = 0, flips = 1 + rand() % 6; k < flips && n; k++) {
			size_t at = (size_t)rand() % n;
			/* hex digits keep headers parseable, so lengths get corrupted too */
			b[at] = (uint8_t)(rand() % 2 ? "0123456789abcdefF"[rand() % 17] : rand());
		}
		struct cpio_iter it;
		struct cpio_entry e;
		const char *why;
		int r, guard = 0;
		cpio_iter_init(&it, b, n);
		while ((r = cpio_next(&it, &e, &why)) == 1 && guard++ < 1000) {
			const uint8_t *d = e.data, *nm = (const uint8_t *)e.name;
			outside += d < b || d + e.size > b + n || nm < b || nm + e.namelen >= b + n;
			outside += nm[e.namelen] != '\0';
		}
		errors += r < 0;
		HT_CHECK(guard < 1000);
		free(b);
	}
	HT_CHECK_EQ(outside, 0);
	HT_CHECK(errors > 0);
	free(orig);
}

HT_MAIN(HT_CASE(real_newc_archive), HT_CASE(real_crc_archive), HT_CASE(hand_made_good),
	HT_CASE(hand_made_errors), HT_CASE(fuzz_corrupted_archives))
