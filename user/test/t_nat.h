/*
 * Native calls for the in-guest tests of VMOs, VMARs, timers and AsyncQs:
 * raw syscalls (t_sys: -errno on failure) numbered from <weft/native.h>, so
 * a test checks exactly what the kernel returned.
 */
#ifndef WEFT_USER_TEST_T_NAT_H
#define WEFT_USER_TEST_T_NAT_H

#include <stdint.h>
#include <time.h>
#include <sys/mman.h>
#include <weft/native.h>
#include <weft/vmo.h>
#include <weft/asyncq.h>
#include "t.h"

#define N(name) (long)WEFT_SYS_##name

static inline long n_close(uint32_t h)
{
	return t_sys(N(handle_close), h);
}
static inline long n_dup(uint32_t h, uint32_t rights, uint32_t *out)
{
	return t_sys(N(handle_dup), h, rights, 0, (long)out);
}
/* A copy of h with only `rights` (h itself stays). */
static inline uint32_t n_restrict(uint32_t h, uint32_t rights)
{
	uint32_t out = 0;
	long r = n_dup(h, rights, &out);

	return r ? 0 : out;
}
static inline long n_vmo_create(uint64_t size, unsigned opts, uint32_t *out)
{
	return t_sys(N(vmo_create), (long)size, opts, (long)out);
}
static inline long n_vmo_read(uint32_t h, void *buf, size_t len, uint64_t off)
{
	return t_sys(N(vmo_read), h, (long)buf, (long)len, (long)off);
}
static inline long n_vmo_write(uint32_t h, const void *buf, size_t len, uint64_t off)
{
	return t_sys(N(vmo_write), h, (long)buf, (long)len, (long)off);
}
static inline long n_vmo_get_size(uint32_t h, uint64_t *out)
{
	return t_sys(N(vmo_get_size), h, (long)out);
}
static inline long n_vmo_set_size(uint32_t h, uint64_t size)
{
	return t_sys(N(vmo_set_size), h, (long)size);
}
static inline long n_vmo_clone(uint32_t h, uint64_t off, uint64_t size, uint32_t *out)
{
	return t_sys(N(vmo_clone), h, (long)off, (long)size, (long)out);
}
static inline long n_vmar_root(uint32_t *out)
{
	return t_sys(N(vmar_root), (long)out);
}
static inline long n_vmar_map(uint32_t vmar, unsigned flags, uintptr_t addr, uint32_t vmo,
			      uint64_t off, size_t len)
{
	return t_sys(N(vmar_map), vmar, flags, (long)addr, vmo, (long)off, (long)len);
}
static inline long n_vmar_unmap(uint32_t vmar, uintptr_t addr, size_t len)
{
	return t_sys(N(vmar_unmap), vmar, (long)addr, (long)len);
}
static inline long n_vmar_protect(uint32_t vmar, uintptr_t addr, size_t len, unsigned prot)
{
	return t_sys(N(vmar_protect), vmar, (long)addr, (long)len, prot);
}
static inline long n_timer_create(unsigned opts, uint32_t *out)
{
	return t_sys(N(timer_create), opts, (long)out);
}
static inline long n_timer_set(uint32_t h, uint64_t deadline, uint64_t period)
{
	return t_sys(N(timer_set), h, (long)deadline, (long)period);
}
static inline long n_timer_cancel(uint32_t h)
{
	return t_sys(N(timer_cancel), h);
}
static inline long n_wait_one(uint32_t h, uint32_t sig, uint64_t deadline, uint32_t *seen)
{
	return t_sys(N(object_wait_one), h, sig, (long)deadline, (long)seen);
}
static inline long n_kstat(int what)
{
	return t_sys(N(kstat), what);
}

/* A queue as the tests see it. */
struct tq {
	uint32_t h;
	struct weft_aq_info info;
	struct weft_aq_ring *r;
	struct weft_aq_sqe *sq;
	struct weft_aq_cqe *cq;
};

static inline long tq_open(struct tq *q, uint32_t entries)
{
	long r = t_sys(N(asyncq_create), entries, 0, (long)&q->h, (long)&q->info);

	if (r)
		return r;
	q->r = (struct weft_aq_ring *)q->info.addr;
	q->sq = (struct weft_aq_sqe *)(q->info.addr + q->info.sqes_off);
	q->cq = (struct weft_aq_cqe *)(q->info.addr + q->info.cqes_off);
	return 0;
}

/* The next free SQE, zeroed, or NULL when the ring is full. */
static inline struct weft_aq_sqe *tq_sqe(struct tq *q, uint8_t op, uint64_t token)
{
	uint32_t tail = q->r->sq_tail;
	struct weft_aq_sqe *s;

	if (tail - __atomic_load_n(&q->r->sq_head, __ATOMIC_ACQUIRE) >= q->r->sq_entries)
		return NULL;
	s = &q->sq[tail & q->r->sq_mask];
	memset(s, 0, sizeof(*s));
	s->op = op;
	s->token = token;
	return s;
}

/* Publish the SQE tq_sqe gave. */
static inline void tq_push(struct tq *q)
{
	__atomic_store_n(&q->r->sq_tail, q->r->sq_tail + 1, __ATOMIC_RELEASE);
}

static inline long tq_submit(struct tq *q, uint32_t n)
{
	return t_sys(N(asyncq_submit), q->h, n);
}
static inline long tq_poll(struct tq *q, uint32_t min, uint64_t deadline)
{
	return t_sys(N(asyncq_poll), q->h, min, (long)deadline);
}
static inline long tq_cancel(struct tq *q, uint64_t token)
{
	return t_sys(N(asyncq_cancel), q->h, (long)token);
}

/* Take one completion: 1, or 0 when the ring is empty. */
static inline int tq_reap(struct tq *q, struct weft_aq_cqe *out)
{
	uint32_t head = q->r->cq_head;

	if (head == __atomic_load_n(&q->r->cq_tail, __ATOMIC_ACQUIRE))
		return 0;
	*out = q->cq[head & q->r->cq_mask];
	__atomic_store_n(&q->r->cq_head, head + 1, __ATOMIC_RELEASE);
	return 1;
}

/* Wait (up to 2 s) for one completion and take it: 1, or 0 on timeout. */
static inline int tq_next(struct tq *q, struct weft_aq_cqe *out);

/* Monotonic time in ns (the clock of native deadlines). */
static inline uint64_t n_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline int tq_next(struct tq *q, struct weft_aq_cqe *out)
{
	if (tq_reap(q, out))
		return 1;
	if (tq_poll(q, 1, n_now() + 2000000000ull) < 1)
		return 0;
	return tq_reap(q, out);
}

static inline void tq_close(struct tq *q)
{
	n_close(q->h);
	munmap((void *)q->info.addr, q->info.size);
}

#endif
