/*
 * Single-producer single-consumer byte ring over a caller's buffer whose size is
 * a power of two. Lock-free: exactly one thread (or hart) may call ring_put and
 * exactly one may call ring_get, concurrently, with no lock. head and tail are
 * free-running counters (their difference is the fill level, wrap-around of the
 * counters is harmless); the producer owns head, the consumer owns tail, and
 * each publishes its counter with a release store after moving the bytes, read
 * by the other side with an acquire load. The two counters sit on separate
 * cache lines so the sides do not slow each other down.
 */
#ifndef LIB_RING_H
#define LIB_RING_H

#include <stddef.h>
#include <stdint.h>

#define RING_CACHELINE 64

struct ring {
	uint8_t *buf;
	size_t mask; /* size - 1 */
	char pad0[RING_CACHELINE - sizeof(uint8_t *) - sizeof(size_t)];
	size_t head; /* bytes ever put: written by the producer only */
	char pad1[RING_CACHELINE - sizeof(size_t)];
	size_t tail; /* bytes ever got: written by the consumer only */
	char pad2[RING_CACHELINE - sizeof(size_t)];
};

/* Set up r over buf (size bytes, a power of two). Returns 0 or -EINVAL. */
int ring_init(struct ring *r, void *buf, size_t size);

/* Producer: store up to n bytes from src; returns how many were stored. */
size_t ring_put(struct ring *r, const void *src, size_t n);

/* Consumer: take up to n bytes into dst; returns how many were taken. */
size_t ring_get(struct ring *r, void *dst, size_t n);

/* Bytes waiting: exact when called by either side, a snapshot from elsewhere. */
size_t ring_used(const struct ring *r);

/* Free bytes: size - ring_used(r). */
size_t ring_space(const struct ring *r);

#endif
