/*
 * SPSC byte ring (model in lib/include/lib/ring.h).
 *
 * Ordering: the producer copies bytes in, then release-stores head; the
 * consumer acquire-loads head, so it sees those bytes. Symmetrically the
 * consumer copies bytes out, then release-stores tail; the producer
 * acquire-loads tail before reusing that space, so it never overwrites bytes
 * still being read. A side reads its own counter relaxed: nobody else writes it.
 */
#include <lib/ring.h>
#include <lib/string.h>
#include <weft/errno.h>

int ring_init(struct ring *r, void *buf, size_t size)
{
	if (!buf || size == 0 || (size & (size - 1)))
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->mask = size - 1;
	return 0;
}

/* Copy n bytes into the ring at counter position pos, wrapping at the end. */
static void copy_in(struct ring *r, size_t pos, const uint8_t *src, size_t n)
{
	size_t at = pos & r->mask, first = r->mask + 1 - at;

	if (first > n)
		first = n;
	memcpy(r->buf + at, src, first);
	memcpy(r->buf, src + first, n - first);
}

static void copy_out(const struct ring *r, size_t pos, uint8_t *dst, size_t n)
{
	size_t at = pos & r->mask, first = r->mask + 1 - at;

	if (first > n)
		first = n;
	memcpy(dst, r->buf + at, first);
	memcpy(dst + first, r->buf, n - first);
}

size_t ring_put(struct ring *r, const void *src, size_t n)
{
	size_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	size_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	size_t space = r->mask + 1 - (head - tail);

	if (n > space)
		n = space;
	if (n) {
		copy_in(r, head, src, n);
		__atomic_store_n(&r->head, head + n, __ATOMIC_RELEASE);
	}
	return n;
}

size_t ring_get(struct ring *r, void *dst, size_t n)
{
	size_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	size_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	size_t used = head - tail;

	if (n > used)
		n = used;
	if (n) {
		copy_out(r, tail, dst, n);
		__atomic_store_n(&r->tail, tail + n, __ATOMIC_RELEASE);
	}
	return n;
}

size_t ring_used(const struct ring *r)
{
	size_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	size_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	size_t used = head - tail;

	/* A third thread may see head run ahead of an old tail. */
	return used > r->mask + 1 ? r->mask + 1 : used;
}

size_t ring_space(const struct ring *r)
{
	return r->mask + 1 - ring_used(r);
}
