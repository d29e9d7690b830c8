/*
 * Host tests for the TLV codec (lib/tlv.c): round trips of every value type,
 * the exact wire bytes of a small message, skipping unknown tags, builder
 * overflow at every capacity, rejection of truncated, oversized and odd
 * lengths, typed getters, nested record lists, and a fuzzer.
 *
 * The fuzzer parses 1,000,000 buffers, half random and half mutations of
 * valid messages, each in a heap block of exactly its length so that
 * AddressSanitizer catches a read one byte past the end. Every outcome is
 * compared with a reference parser written here independently: both must
 * accept the same messages and yield the same records.
 */
#include "ht.h"
#include <lib/tlv.h>
#include <weft/errno.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

HT_TEST(wire_layout)
{
	static const uint8_t want[] = {
	    0x44, 0x33, 0x22, 0x11, 0x66, 0x55, 0x88, 0x77, /* proto, version, method */
	    0xcc, 0xbb, 0xaa, 0x99, 0x24, 0x00, 0x00, 0x00, /* flags, length 36 */
	    0x02, 0x01, 0x04, 0x00, 0xef, 0xbe, 0xad, 0xde, /* tag 0x102, u32 */
	    0x03, 0x00, 0x03, 0x00, 'a',  'b',	'c',  0x00, /* tag 3, "abc" + pad */
	    0x07, 0x00, 0x00, 0x00,			    /* tag 7, empty */
	};
	uint8_t buf[64];
	struct tlv_builder b;

	memset(buf, 0xee, sizeof(buf));
	HT_CHECK_EQ(tlv_init(&b, buf, sizeof(buf), 0x11223344, 0x5566, 0x7788, 0x99aabbcc), 0);
	HT_CHECK_EQ(tlv_put_u32(&b, 0x102, 0xdeadbeef), 0);
	HT_CHECK_EQ(tlv_put_str(&b, 3, "abc"), 0);
	HT_CHECK_EQ(tlv_put_bytes(&b, 7, NULL, 0), 0);
	HT_CHECK_EQ(tlv_finish(&b), sizeof(want));
	HT_CHECK(memcmp(buf, want, sizeof(want)) == 0);
	HT_CHECK_EQ(buf[sizeof(want)], 0xee);
}

HT_TEST(round_trip_every_type)
{
	uint8_t buf[512], blob[9];
	char s[32];
	struct tlv_builder b;
	struct tlv_hdr h;
	struct tlv_iter it;
	const void *v;
	uint16_t tag, len;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	for (int i = 0; i < 9; i++)
		blob[i] = (uint8_t)(0xa0 + i);
	HT_CHECK_EQ(tlv_init(&b, buf, sizeof(buf), 7, 2, 5, TLV_F_REPLY), 0);
	HT_CHECK_EQ(tlv_put_u8(&b, 1, 0xfe), 0);
	HT_CHECK_EQ(tlv_put_u16(&b, 2, 0xbeef), 0);
	HT_CHECK_EQ(tlv_put_u32(&b, 3, 0x89abcdef), 0);
	HT_CHECK_EQ(tlv_put_u64(&b, 4, 0x0123456789abcdefull), 0);
	HT_CHECK_EQ(tlv_put_str(&b, 5, "hello, weft"), 0);
	HT_CHECK_EQ(tlv_put_str(&b, 6, ""), 0);
	for (int n = 0; n <= 9; n++)
		HT_CHECK_EQ(tlv_put_bytes(&b, (uint16_t)(100 + n), blob, (size_t)n), 0);
	HT_CHECK_EQ(tlv_put_u32(&b, 0xffff, 0), 0);
	long total = tlv_finish(&b);
	HT_CHECK(total > 0 && total % 4 == 0);

	HT_CHECK_EQ(tlv_parse(buf, (size_t)total, &h, &it), 0);
	HT_CHECK_EQ(h.proto, 7);
	HT_CHECK_EQ(h.version, 2);
	HT_CHECK_EQ(h.method, 5);
	HT_CHECK_EQ(h.flags, TLV_F_REPLY);
	HT_CHECK_EQ(h.length, total);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 1);
	HT_CHECK(tag == 1 && tlv_get_u8(v, len, &u8) == 0 && u8 == 0xfe);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 1);
	HT_CHECK(tag == 2 && tlv_get_u16(v, len, &u16) == 0 && u16 == 0xbeef);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 1);
	HT_CHECK(tag == 3 && tlv_get_u32(v, len, &u32) == 0 && u32 == 0x89abcdef);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 1);
	HT_CHECK(tag == 4 && tlv_get_u64(v, len, &u64) == 0 && u64 == 0x0123456789abcdefull);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 1);
	HT_CHECK(tag == 5 && tlv_get_str(v, len, s, sizeof(s)) == 0);
	HT_CHECK(strcmp(s, "hello, weft") == 0);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 1);
	HT_CHECK(tag == 6 && len == 0 && tlv_get_str(v, len, s, 1) == 0 && s[0] == 0);
	for (int n = 0; n <= 9; n++) {
		HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 1);
		HT_CHECK(tag == 100 + n && len == n && memcmp(v, blob, (size_t)n) == 0);
	}
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 1);
	HT_CHECK_EQ(tag, 0xffff);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 0);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 0);
	/* an empty message is just a header */
	HT_CHECK_EQ(tlv_init(&b, buf, 16, 1, 1, 1, 0), 0);
	HT_CHECK_EQ(tlv_finish(&b), 16);
	HT_CHECK_EQ(tlv_parse(buf, 16, &h, &it), 0);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 0);
	/* a buffer longer than the message: the rest is not read as records */
	HT_CHECK_EQ(tlv_parse(buf, sizeof(buf), &h, &it), 0);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 0);
}

/* A reader that knows tags 1 and 2 of version 1 meets a version-2 message. */
HT_TEST(unknown_tags_skipped)
{
	uint8_t buf[256];
	struct tlv_builder b;
	struct tlv_hdr h;
	struct tlv_iter it;
	const void *v;
	uint16_t tag, len;
	uint32_t x = 0, y = 0;
	int unknown = 0, r;

	tlv_init(&b, buf, sizeof(buf), 1, 2, 1, 0);
	tlv_put_str(&b, 900, "new in v2");
	tlv_put_u32(&b, 1, 11);
	tlv_put_u64(&b, 901, 5);
	tlv_put_bytes(&b, 902, NULL, 0);
	tlv_put_u32(&b, 2, 22);
	tlv_put_bytes(&b, 903, buf, 37);
	long n = tlv_finish(&b);
	HT_CHECK(n > 0);
	HT_CHECK_EQ(tlv_parse(buf, (size_t)n, &h, &it), 0);
	while ((r = tlv_next(&it, &tag, &v, &len)) == 1) {
		if (tag == 1)
			HT_CHECK_EQ(tlv_get_u32(v, len, &x), 0);
		else if (tag == 2)
			HT_CHECK_EQ(tlv_get_u32(v, len, &y), 0);
		else
			unknown++;
	}
	HT_CHECK_EQ(r, 0);
	HT_CHECK_EQ(x, 11);
	HT_CHECK_EQ(y, 22);
	HT_CHECK_EQ(unknown, 4);
	HT_CHECK_EQ(tlv_parse(buf, (size_t)n, &h, &it), 0);
	HT_CHECK_EQ(tlv_find(&it, 2, &v, &len), 1);
	HT_CHECK(tlv_get_u32(v, len, &y) == 0 && y == 22);
	HT_CHECK_EQ(tlv_find(&it, 3, &v, &len), 0);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 1); /* find did not move it */
	HT_CHECK_EQ(tag, 900);
}

/* The same message built into every capacity up to and past its size. */
static long build_sample(uint8_t *buf, size_t cap, int *first_err)
{
	struct tlv_builder b;
	static const uint8_t blob[300] = {1, 2, 3};
	int e[7];

	e[0] = tlv_init(&b, buf, cap, 3, 1, 9, 0);
	e[1] = tlv_put_u32(&b, 1, 1);
	e[2] = tlv_put_str(&b, 2, "a string");
	e[3] = tlv_put_bytes(&b, 3, blob, sizeof(blob));
	e[4] = tlv_put_u64(&b, 4, 4);
	e[5] = tlv_put_u8(&b, 5, 5);
	e[6] = tlv_put_bytes(&b, 6, blob, 1);
	*first_err = 0;
	for (int i = 0; i < 7; i++)
		if (e[i]) {
			*first_err = i + 1;
			for (int j = i; j < 7; j++)
				if (e[j] != -ENOSPC) /* sticky: every later put fails too */
					*first_err = -1;
			break;
		}
	return tlv_finish(&b);
}

HT_TEST(builder_full_at_every_capacity)
{
	uint8_t ref[512];
	int fe;
	long full = build_sample(ref, sizeof(ref), &fe);
	int bad = 0;

	HT_CHECK_EQ(fe, 0);
	HT_CHECK_EQ(full, 16 + 8 + 12 + 304 + 12 + 8 + 8);
	for (size_t cap = 0; cap <= (size_t)full + 8; cap++) {
		uint8_t *buf = malloc(cap ? cap : 1); /* exact size: ASan sees overruns */
		long n = build_sample(buf, cap, &fe);
		if (cap >= (size_t)full)
			bad += n != full || fe != 0 || memcmp(buf, ref, (size_t)full) != 0;
		else
			bad += n != -ENOSPC || fe <= 0;
		free(buf);
	}
	HT_CHECK_EQ(bad, 0);

	struct tlv_builder b;
	static uint8_t big[70000], src[65536];
	HT_CHECK_EQ(tlv_init(&b, big, sizeof(big), 1, 1, 1, 0), 0);
	HT_CHECK_EQ(tlv_put_bytes(&b, 1, src, 65535), 0);
	HT_CHECK_EQ(tlv_put_bytes(&b, 1, src, 65536), -EINVAL);
	HT_CHECK_EQ(tlv_put_u32(&b, 2, 0), -EINVAL);
	HT_CHECK_EQ(tlv_finish(&b), -EINVAL);
	HT_CHECK_EQ(tlv_init(&b, big, 15, 1, 1, 1, 0), -ENOSPC);
	HT_CHECK_EQ(tlv_put_u32(&b, 2, 0), -ENOSPC);
}

HT_TEST(bad_lengths_rejected)
{
	uint8_t buf[64], *p;
	struct tlv_builder b;
	struct tlv_hdr h;
	struct tlv_iter it;
	const void *v;
	uint16_t tag, len;

	tlv_init(&b, buf, sizeof(buf), 1, 1, 1, 0);
	tlv_put_u32(&b, 1, 7);
	tlv_put_str(&b, 2, "hello");
	tlv_put_u8(&b, 3, 1);
	long n = tlv_finish(&b);
	HT_CHECK_EQ(n, 16 + 8 + 12 + 8);
	/* truncated: fewer bytes than the length field says */
	for (long k = 0; k < n; k++) {
		p = malloc(k ? (size_t)k : 1);
		memcpy(p, buf, (size_t)k);
		HT_CHECK_EQ(tlv_parse(p, (size_t)k, &h, &it), -EINVAL);
		HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), -EINVAL); /* unusable iterator */
		free(p);
	}
	/* the length field itself: too small, odd, larger than the buffer */
	uint32_t lens[] = {0, 4, 15, 17, 18, 19, 21, 45, 46, 47, 48, 1u << 31, 0xffffffffu};
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t c[64];
		memcpy(c, buf, sizeof(c));
		memcpy(c + 12, &lens[i], 4);
		HT_CHECK_EQ(tlv_parse(c, (size_t)n, &h, &it), -EINVAL);
	}
	/* a shorter length field cutting records: valid only at a record edge */
	int edges = 0;
	for (uint32_t k = 16; k <= (uint32_t)n; k += 4) {
		uint8_t c[64];
		int r;
		memcpy(c, buf, sizeof(c));
		memcpy(c + 12, &k, 4);
		HT_CHECK_EQ(tlv_parse(c, (size_t)n, &h, &it), 0);
		while ((r = tlv_next(&it, &tag, &v, &len)) == 1)
			HT_CHECK((const uint8_t *)v + len <= c + k);
		bool edge = k == 16 || k == 24 || k == 36 || k == 44;
		HT_CHECK_EQ(r, edge ? 0 : -EINVAL);
		edges += r == 0;
		if (r)
			HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), -EINVAL); /* sticky */
	}
	HT_CHECK_EQ(edges, 4);
	/* a record whose len runs past the end, by one byte and by a lot */
	uint16_t rl[] = {6, 16, 17, 0xffff};
	for (int i = 0; i < 4; i++) {
		uint8_t c[64];
		memcpy(c, buf, sizeof(c));
		memcpy(c + 16 + 8 + 2, &rl[i], 2); /* the string record's len */
		HT_CHECK_EQ(tlv_parse(c, (size_t)n, &h, &it), 0);
		HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 1);
		int r = tlv_next(&it, &tag, &v, &len);
		/* up to 16 bytes (padded) still end inside the message; 17 does not */
		HT_CHECK_EQ(r, rl[i] <= 16 ? 1 : -EINVAL);
	}
	/* a bare record list must be a multiple of 4 */
	HT_CHECK_EQ(tlv_iter_init(&it, buf + 16, 7), -EINVAL);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), -EINVAL);
}

HT_TEST(typed_getters_check_lengths)
{
	static const uint8_t v[16] = {'a', 'b', 0, 'c'};
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	char s[4];
	int bad = 0;

	for (uint16_t n = 0; n < 16; n++) {
		bad += tlv_get_u8(v, n, &u8) != (n == 1 ? 0 : -EINVAL);
		bad += tlv_get_u16(v, n, &u16) != (n == 2 ? 0 : -EINVAL);
		bad += tlv_get_u32(v, n, &u32) != (n == 4 ? 0 : -EINVAL);
		bad += tlv_get_u64(v, n, &u64) != (n == 8 ? 0 : -EINVAL);
	}
	HT_CHECK_EQ(bad, 0);
	HT_CHECK_EQ(tlv_get_str(v, 2, s, sizeof(s)), 0);
	HT_CHECK(strcmp(s, "ab") == 0);
	HT_CHECK_EQ(tlv_get_str(v, 3, s, sizeof(s)), -EINVAL); /* embedded NUL */
	HT_CHECK_EQ(tlv_get_str("abcd", 4, s, sizeof(s)), -ENAMETOOLONG);
	HT_CHECK_EQ(tlv_get_str("abc", 3, s, sizeof(s)), 0);
	HT_CHECK_EQ(tlv_get_str("abc", 3, s, 0), -ENAMETOOLONG);
}

HT_TEST(nested_records)
{
	uint8_t inner[64], outer[128];
	struct tlv_builder b;
	struct tlv_hdr h;
	struct tlv_iter it, sub;
	const void *v;
	uint16_t tag, len;
	uint32_t x;

	/* the records of a builder, without its header, form a nested value */
	tlv_init(&b, inner, sizeof(inner), 0, 0, 0, 0);
	tlv_put_u32(&b, 1, 41);
	tlv_put_u32(&b, 2, 42);
	long ni = tlv_finish(&b);
	tlv_init(&b, outer, sizeof(outer), 5, 1, 2, 0);
	tlv_put_bytes(&b, 10, inner + TLV_HDR_SIZE, (size_t)ni - TLV_HDR_SIZE);
	long no = tlv_finish(&b);
	HT_CHECK_EQ(tlv_parse(outer, (size_t)no, &h, &it), 0);
	HT_CHECK_EQ(tlv_next(&it, &tag, &v, &len), 1);
	HT_CHECK_EQ(tlv_iter_init(&sub, v, len), 0);
	HT_CHECK_EQ(tlv_find(&sub, 2, &v, &len), 1);
	HT_CHECK(tlv_get_u32(v, len, &x) == 0 && x == 42);
}

/* Reference parser: accept/reject and the records, computed independently. */
struct ref_rec {
	uint32_t off; /* of the value, from the message start */
	uint16_t tag, len;
};

static int ref_parse(const uint8_t *p, size_t n, struct ref_rec *out, int max)
{
	if (n < 16)
		return -1;
	uint64_t total = p[12] | p[13] << 8 | p[14] << 16 | (uint64_t)p[15] << 24;
	if (total < 16 || total > n || (total & 3))
		return -1;
	int k = 0;
	for (uint64_t at = 16; at < total; k++) {
		if (at + 4 > total || k == max)
			return -1;
		uint64_t len = p[at + 2] | p[at + 3] << 8;
		if (at + 4 + ((len + 3) / 4) * 4 > total)
			return -1;
		out[k] = (struct ref_rec){(uint32_t)(at + 4), (uint16_t)(p[at] | p[at + 1] << 8),
					  (uint16_t)len};
		at += 4 + ((len + 3) / 4) * 4;
	}
	return k;
}

/* A valid message with a random mix of records, in buf (returns its length). */
static size_t fuzz_valid(uint8_t *buf, size_t cap)
{
	struct tlv_builder b;
	uint8_t junk[40];

	tlv_init(&b, buf, cap, rnd(), (uint16_t)rnd(), (uint16_t)rnd(), rnd());
	for (int i = (int)(rnd() % 12); i > 0; i--) {
		uint16_t tag = (uint16_t)(rnd() % 8);
		switch (rnd() % 5) {
		case 0:
			tlv_put_u32(&b, tag, rnd());
			break;
		case 1:
			tlv_put_u64(&b, tag, (uint64_t)rnd() << 32 | rnd());
			break;
		case 2:
			tlv_put_u8(&b, tag, (uint8_t)rnd());
			break;
		case 3:
			tlv_put_str(&b, tag, "fuzz");
			break;
		default:
			for (unsigned j = 0; j < sizeof(junk); j++)
				junk[j] = (uint8_t)rnd();
			tlv_put_bytes(&b, tag, junk, rnd() % sizeof(junk));
		}
	}
	long n = tlv_finish(&b);
	return n > 0 ? (size_t)n : 0;
}

static void fuzz_mutate(uint8_t *buf, size_t *n)
{
	for (int m = (int)(rnd() % 4) + 1; m > 0; m--) {
		uint32_t at = *n ? rnd() % (uint32_t)*n : 0;
		switch (rnd() % 6) {
		case 0: /* flip a bit */
			if (*n)
				buf[at] ^= (uint8_t)(1u << (rnd() % 8));
			break;
		case 1: /* a random byte */
			if (*n)
				buf[at] = (uint8_t)rnd();
			break;
		case 2: /* truncate */
			*n = at;
			break;
		case 3: /* a record length (or anything 4-aligned) gets a hostile value */
			if (*n >= 20) {
				static const uint16_t hostile[] = {0xffff, 0xfffe, 0xfffd, 0x8000,
								   1,	   2,	   3,	   5};
				uint16_t v = hostile[rnd() % 8];
				at = 16 + ((rnd() % (uint32_t)(*n - 16)) & ~3u);
				if (at + 4 <= *n)
					memcpy(buf + at + 2, &v, 2);
			}
			break;
		case 4: /* the header length field */
			if (*n >= 16) {
				uint32_t v = rnd() % 2 ? rnd() % 400 : rnd();
				memcpy(buf + 12, &v, 4);
			}
			break;
		default: /* grow with junk */
			for (int k = (int)(rnd() % 8); k > 0 && *n < 512; k--)
				buf[(*n)++] = (uint8_t)rnd();
		}
	}
}

#define FUZZ_RUNS 1000000

HT_TEST(fuzz_parse)
{
	static uint8_t work[1024];
	struct ref_rec rec[160];
	long bad = 0, accepted = 0, records = 0;

	for (long run = 0; run < FUZZ_RUNS; run++) {
		size_t n;
		if (run % 2) {
			n = fuzz_valid(work, 512);
			fuzz_mutate(work, &n);
		} else {
			n = rnd() % 200;
			for (size_t i = 0; i < n; i++)
				work[i] = (uint8_t)rnd();
			if (n >= 16 && rnd() % 2) {
				uint32_t len = (uint32_t)(n - rnd() % 8) & ~3u;
				memcpy(work + 12, &len, 4);
			}
		}
		uint8_t *p = malloc(n ? n : 1);
		memcpy(p, work, n);
		int want = ref_parse(p, n, rec, 160);

		struct tlv_hdr h;
		struct tlv_iter it;
		const void *v;
		uint16_t tag, len;
		int got = 0, r = tlv_parse(p, n, &h, &it);
		if (r == 0) {
			while ((r = tlv_next(&it, &tag, &v, &len)) == 1) {
				const uint8_t *val = v;
				if (got >= 160 || val < p + 16 || val + len > p + h.length) {
					bad++;
					break;
				}
				bad += rec[got].tag != tag || rec[got].len != len ||
				       rec[got].off != (uint32_t)(val - p);
				uint64_t u64;
				uint32_t u32;
				char s[8];
				(void)tlv_get_u64(v, len, &u64);
				(void)tlv_get_u32(v, len, &u32);
				(void)tlv_get_str(v, len, s, sizeof(s));
				got++;
			}
		}
		if (want < 0)
			bad += r != -EINVAL;
		else
			bad += r != 0 || got != want;
		accepted += want >= 0;
		records += want > 0 ? want : 0;
		free(p);
	}
	HT_CHECK_EQ(bad, 0);
	/* the fuzzer reached deep into valid messages, not just the header check */
	HT_CHECK(accepted > FUZZ_RUNS / 10);
	HT_CHECK(records > FUZZ_RUNS / 2);
	printf("  fuzz: %d buffers, %ld accepted, %ld records\n", FUZZ_RUNS, accepted, records);
}

HT_MAIN(HT_CASE(wire_layout), HT_CASE(round_trip_every_type), HT_CASE(unknown_tags_skipped),
	HT_CASE(builder_full_at_every_capacity), HT_CASE(bad_lengths_rejected),
	HT_CASE(typed_getters_check_lengths), HT_CASE(nested_records), HT_CASE(fuzz_parse))
