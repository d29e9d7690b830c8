/*
 * Host tests for libmsg (user/lib/msg over lib/tlv.c): a request built and
 * parsed back, protocol and version checks, unknown tags skipped, typed
 * lookups refusing wrong sizes, and 200,000 hostile inputs (valid messages
 * with random bytes flipped, truncated, or pure noise) parsed and walked
 * under ASan/UBSan: every call must return an error or stay inside the
 * buffer, never read past it.
 */
#include "ht.h"
#include "msg.h"
#include <weft/errno.h>
#include <stdint.h>
#include <stdlib.h>

#define P 0x50524f54u

static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static long build(uint8_t *buf, size_t cap)
{
	struct msg m;

	msg_begin(&m, buf, cap, P, 3, 7, 0);
	msg_put_u32(&m, 1, 0xdeadbeef);
	msg_put_bytes(&m, 99, "future field", 12); /* a tag this reader does not know */
	msg_put_str(&m, 2, "hello");
	msg_put_u64(&m, 3, 0x0123456789abcdefull);
	return msg_end(&m);
}

HT_TEST(round_trip_and_checks)
{
	uint8_t buf[256];
	struct msg_in in;
	uint32_t v32;
	uint64_t v64;
	char s[16];
	long n = build(buf, sizeof(buf));

	HT_CHECK(n > 0);
	HT_CHECK_EQ(msg_parse(&in, buf, (size_t)n, P, 3), 0);
	HT_CHECK_EQ(in.hdr.method, 7);
	HT_CHECK_EQ(msg_get_u32(&in, 1, &v32), 0);
	HT_CHECK_EQ(v32, 0xdeadbeef);
	HT_CHECK_EQ(msg_get_u64(&in, 3, &v64), 0);
	HT_CHECK(v64 == 0x0123456789abcdefull);
	HT_CHECK_EQ(msg_get_str(&in, 2, s, sizeof(s)), 0);
	HT_CHECK(!strcmp(s, "hello"));
	HT_CHECK_EQ(msg_get_u32(&in, 3, &v32), -EINVAL); /* wrong size */
	HT_CHECK_EQ(msg_get_u32(&in, 42, &v32), -ENOENT);
	HT_CHECK_EQ(msg_get_str(&in, 2, s, 5), -ENAMETOOLONG);
	HT_CHECK_EQ(msg_parse(&in, buf, (size_t)n, P + 1, 1), -EPROTO);
	HT_CHECK_EQ(msg_parse(&in, buf, (size_t)n, P, 4), -EPROTONOSUPPORT);
	HT_CHECK_EQ(msg_parse(&in, buf, (size_t)n - 4, P, 3), -EINVAL);
	/* walking skips the unknown tag and sees every record once */
	HT_CHECK_EQ(msg_parse(&in, buf, (size_t)n, P, 1), 0);
	uint16_t tag, len;
	const void *val;
	int seen = 0, r;
	while ((r = msg_next(&in, &tag, &val, &len)) == 1)
		seen++;
	HT_CHECK_EQ(r, 0);
	HT_CHECK_EQ(seen, 4);
	/* a builder too small fails whole, never sends a partial message */
	struct msg m;
	msg_begin(&m, buf, 24, P, 1, 1, 0);
	msg_put_str(&m, 2, "too long for the buffer");
	HT_CHECK(msg_end(&m) < 0);
}

/* Parse and walk one input; true if nothing was read out of bounds (ASan
 * would abort otherwise) and the results are consistent. */
static void hostile(const uint8_t *buf, size_t n)
{
	struct msg_in in;
	uint16_t tag, len;
	const void *val;
	uint32_t v32;
	char s[32];

	if (msg_parse(&in, buf, n, P, 1))
		return;
	HT_CHECK(in.hdr.length <= n);
	msg_get_u32(&in, 1, &v32);
	msg_get_str(&in, 2, s, sizeof(s));
	int r, k = 0;
	while ((r = msg_next(&in, &tag, &val, &len)) == 1 && k++ < 100000) {
		const uint8_t *p = val;
		HT_CHECK(p >= buf && p + len <= buf + n);
	}
	HT_CHECK(r == 0 || r == -EINVAL);
}

HT_TEST(fuzzed_input)
{
	static uint8_t good[256], buf[300];
	long n = build(good, sizeof(good));

	for (int i = 0; i < 200000; i++) {
		size_t len;
		switch (i % 3) {
		case 0: /* flip a few bytes of a valid message */
			memcpy(buf, good, (size_t)n);
			for (int k = 1 + (int)(rnd() % 4); k; k--)
				buf[rnd() % (uint32_t)n] = (uint8_t)rnd();
			len = (size_t)n;
			break;
		case 1: /* truncated anywhere */
			memcpy(buf, good, (size_t)n);
			len = rnd() % (uint32_t)n;
			break;
		default: /* noise with a plausible header */
			len = rnd() % sizeof(buf);
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)rnd();
			if (len >= 16) {
				memcpy(buf, good, 12);
				buf[12] = (uint8_t)(rnd() % 64 * 4);
				buf[13] = buf[14] = buf[15] = 0;
			}
			break;
		}
		/* exact-size copies, so ASan catches a read past the end */
		uint8_t *exact = malloc(len ? len : 1);
		memcpy(exact, buf, len);
		hostile(exact, len);
		free(exact);
	}
}

HT_MAIN(HT_CASE(round_trip_and_checks), HT_CASE(fuzzed_input))
