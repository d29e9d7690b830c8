/*
 * Host tests for lib/ring.c: single-threaded behaviour at the edges (full,
 * empty, wrap-around, partial transfers), then a producer and a consumer
 * pthread moving a pseudo-random stream of tens of megabytes in chunks of
 * random sizes through a small ring; the consumer regenerates the stream and
 * checks every byte, and both sides keep a checksum that must agree.
 */
#include "ht.h"
#include <lib/ring.h>
#include <weft/errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

HT_TEST(init_rejects_bad_sizes)
{
	static uint8_t buf[64];
	struct ring r;
	HT_CHECK_EQ(ring_init(&r, buf, 0), -EINVAL);
	HT_CHECK_EQ(ring_init(&r, buf, 48), -EINVAL);
	HT_CHECK_EQ(ring_init(&r, NULL, 64), -EINVAL);
	HT_CHECK_EQ(ring_init(&r, buf, 64), 0);
	HT_CHECK_EQ(ring_init(&r, buf, 1), 0);
	HT_CHECK_EQ(ring_space(&r), 1);
	HT_CHECK_EQ(offsetof(struct ring, tail) - offsetof(struct ring, head), RING_CACHELINE);
}

HT_TEST(fill_drain_wrap)
{
	static uint8_t buf[16];
	uint8_t in[40], out[40];
	struct ring r;
	for (int i = 0; i < 40; i++)
		in[i] = (uint8_t)(i * 7 + 1);
	HT_CHECK_EQ(ring_init(&r, buf, sizeof(buf)), 0);
	HT_CHECK_EQ(ring_used(&r), 0);
	HT_CHECK_EQ(ring_space(&r), 16);
	HT_CHECK_EQ(ring_get(&r, out, 5), 0); /* empty */
	HT_CHECK_EQ(ring_put(&r, in, 10), 10);
	HT_CHECK_EQ(ring_put(&r, in + 10, 10), 6); /* only 6 fit */
	HT_CHECK_EQ(ring_put(&r, in, 1), 0);	   /* full */
	HT_CHECK_EQ(ring_used(&r), 16);
	HT_CHECK_EQ(ring_get(&r, out, 12), 12);
	HT_CHECK(memcmp(out, in, 12) == 0);
	/* this put wraps around the end of the buffer */
	HT_CHECK_EQ(ring_put(&r, in + 16, 12), 12);
	HT_CHECK_EQ(ring_used(&r), 16);
	HT_CHECK_EQ(ring_get(&r, out, 40), 16);
	HT_CHECK(memcmp(out, in + 12, 16) == 0);
	HT_CHECK_EQ(ring_used(&r), 0);
	/* many small laps keep the counters and the data consistent */
	int bad = 0;
	for (int lap = 0; lap < 1000; lap++) {
		size_t n = (size_t)(lap % 13) + 1;
		bad += ring_put(&r, in + lap % 20, n) != n;
		bad += ring_get(&r, out, n) != n;
		bad += memcmp(out, in + lap % 20, n) != 0;
	}
	HT_CHECK_EQ(bad, 0);
}

/* ---- two threads ---- */

#define STREAM_BYTES (8u << 20)

struct stream {
	struct ring ring;
	uint64_t sum_in, sum_out;
	int errors;
};

static uint8_t gen_byte(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return (uint8_t)(x >> 7);
}

static void *producer(void *arg)
{
	struct stream *s = arg;
	uint32_t data = 12345, sizes = 999;
	uint8_t chunk[700];
	size_t sent = 0;
	while (sent < STREAM_BYTES) {
		size_t n = 1 + gen_byte(&sizes) * 2 + gen_byte(&sizes) % 2;
		if (n > STREAM_BYTES - sent)
			n = STREAM_BYTES - sent;
		for (size_t i = 0; i < n; i++) {
			chunk[i] = gen_byte(&data);
			s->sum_in = s->sum_in * 31 + chunk[i];
		}
		for (size_t done = 0, k; done < n; done += k)
			if ((k = ring_put(&s->ring, chunk + done, n - done)) == 0)
				sched_yield(); /* full: let the consumer run on a busy machine */
		sent += n;
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct stream *s = arg;
	uint32_t data = 12345, sizes = 4242;
	uint8_t chunk[600];
	size_t got = 0;
	while (got < STREAM_BYTES) {
		size_t want = 1 + gen_byte(&sizes) * 2;
		size_t n = ring_get(&s->ring, chunk, want);
		if (n == 0)
			sched_yield();
		for (size_t i = 0; i < n; i++) {
			s->errors += chunk[i] != gen_byte(&data);
			s->sum_out = s->sum_out * 31 + chunk[i];
		}
		got += n;
	}
	return NULL;
}

HT_TEST(two_threads_stream)
{
	static uint8_t buf[1024];
	static struct stream s;
	pthread_t p, c;
	HT_CHECK_EQ(ring_init(&s.ring, buf, sizeof(buf)), 0);
	HT_CHECK_EQ(pthread_create(&c, NULL, consumer, &s), 0);
	HT_CHECK_EQ(pthread_create(&p, NULL, producer, &s), 0);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	HT_CHECK_EQ(s.errors, 0);
	HT_CHECK(s.sum_in == s.sum_out);
	HT_CHECK(s.sum_in != 0);
	HT_CHECK_EQ(ring_used(&s.ring), 0);
	HT_CHECK_EQ(s.ring.head, STREAM_BYTES);
}

HT_MAIN(HT_CASE(init_rejects_bad_sizes), HT_CASE(fill_drain_wrap), HT_CASE(two_threads_stream))
