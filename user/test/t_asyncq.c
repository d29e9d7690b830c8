/*
 * AsyncQ in QEMU: batches of nops, overflow (more completions than ring
 * slots, none lost, order kept), timer ordering (shuffled deadlines complete
 * in deadline order), periodic timers (multishot), linked chains, cancel in
 * every state (not started, running and stoppable, running and not
 * stoppable, done, unknown), pipe reads and writes that wait for the other
 * side, object waits, VMO ops, timer objects, and the rights of each call.
 * "t_asyncq DEV FSTYPE DIR" (the @disk suite) mounts DEV on DIR and runs the
 * fd ops on a disk file system's files instead (t_asyncq_file.h).
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include "t_nat.h"
#include "t_asyncq_file.h"

#define MS 1000000ull

static void test_nops(void)
{
	struct tq q;
	struct weft_aq_cqe c;

	T_EQ(tq_open(&q, 8), 0);
	T_EQ(q.info.sq_entries, 8);
	T_EQ(q.info.cq_entries, 16);
	T_EQ(q.r->sq_entries, 8);
	for (int i = 0; i < 8; i++) {
		T_CHECK(tq_sqe(&q, WEFT_AQ_OP_NOP, 100 + i) != NULL);
		tq_push(&q);
	}
	T_CHECK(tq_sqe(&q, WEFT_AQ_OP_NOP, 0) == NULL); /* the SQ is full */
	T_EQ(tq_submit(&q, 100), 8);
	T_EQ(tq_poll(&q, 8, 0), 8);
	for (int i = 0; i < 8; i++) {
		T_EQ(tq_reap(&q, &c), 1);
		T_EQ(c.token, 100 + i);
		T_EQ(c.result, 0);
		T_EQ(c.flags, 0);
	}
	T_EQ(tq_reap(&q, &c), 0);
	/* bad SQEs complete with their error */
	tq_sqe(&q, 200, 1);
	tq_push(&q);
	tq_sqe(&q, WEFT_AQ_OP_NOP, 2)->flags = 0x80;
	tq_push(&q);
	tq_sqe(&q, WEFT_AQ_OP_CHAN_SEND, 3);
	tq_push(&q);
	T_EQ(tq_submit(&q, 3), 3);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, -EINVAL);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, -EINVAL);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, -EBADF);		   /* a channel op with no channel */
	T_ERR(tq_poll(&q, 17, 0), EINVAL); /* more than the ring holds */
	T_ERR(tq_poll(&q, 1, n_now() + 5 * MS), ETIMEDOUT);
	T_ERR(t_sys(N(asyncq_create), 3, 0, (long)&q.h, (long)&q.info), EINVAL);
	tq_close(&q);
}

static void test_overflow(void)
{
	struct tq q;
	struct weft_aq_cqe c;
	int n = 0, bad = 0;

	T_EQ(tq_open(&q, 4), 0); /* 8 completion slots */
	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < 4; i++) {
			tq_sqe(&q, WEFT_AQ_OP_NOP, round * 4 + i);
			tq_push(&q);
		}
		T_EQ(tq_submit(&q, 4), 4);
	}
	T_CHECK(q.r->cq_flags & WEFT_AQ_CQ_OVERFLOW);
	T_EQ(q.r->cq_overflowed, 32);
	/* drain: each poll moves held completions into the freed slots */
	while (n < 40) {
		while (tq_reap(&q, &c)) {
			bad += c.token != (uint64_t)n || c.result != 0;
			n++;
		}
		if (n < 40 && tq_poll(&q, 1, n_now() + 100 * MS) < 1)
			break;
	}
	T_EQ(n, 40);
	T_EQ(bad, 0);
	T_CHECK(!(q.r->cq_flags & WEFT_AQ_CQ_OVERFLOW));
	tq_close(&q);
}

static void test_timer_order(void)
{
	static const int order[] = {7, 2, 9, 0, 5, 3, 8, 1, 6, 4, 11, 10};
	const int n = sizeof(order) / sizeof(order[0]);
	struct tq q;
	struct weft_aq_cqe c;
	uint64_t t0 = n_now();
	int got = 0, bad = 0;

	T_EQ(tq_open(&q, 16), 0);
	for (int i = 0; i < n; i++) {
		struct weft_aq_sqe *s = tq_sqe(&q, WEFT_AQ_OP_TIMER, order[i]);
		s->deadline = (uint64_t)(order[i] + 1) * 4 * MS;
		if (i % 2) { /* half of them absolute */
			s->op_flags = WEFT_AQ_TIMER_ABS;
			s->deadline += t0;
		}
		tq_push(&q);
	}
	T_EQ(tq_submit(&q, n), n);
	while (got < n && tq_next(&q, &c)) {
		bad += c.token != (uint64_t)got || c.result != 1;
		got++;
	}
	T_EQ(got, n);
	T_EQ(bad, 0);
	T_CHECK(n_now() - t0 >= (uint64_t)n * 4 * MS);
	tq_close(&q);
}

static void test_periodic_and_cancel_running(void)
{
	struct tq q;
	struct weft_aq_cqe c;
	long shots = 0;
	int more = 0;
	struct weft_aq_sqe *s;

	T_EQ(tq_open(&q, 4), 0);
	s = tq_sqe(&q, WEFT_AQ_OP_TIMER, 77);
	s->deadline = 3 * MS;
	s->arg = 3 * MS;
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	while (shots < 4 && tq_next(&q, &c)) {
		T_EQ(c.token, 77);
		more += !!(c.flags & WEFT_AQ_CQE_MORE);
		shots += c.result;
	}
	T_CHECK(shots >= 4);
	T_EQ(more, shots > 0 ? more : 1); /* every one so far had MORE */
	/* running and stoppable: cancelled, its last completion says so */
	T_EQ(tq_cancel(&q, 77), 0);
	for (;;) {
		if (!tq_next(&q, &c)) {
			T_CHECK(!"no final completion");
			break;
		}
		if (!(c.flags & WEFT_AQ_CQE_MORE)) {
			T_EQ(c.result, -ECANCELED);
			break;
		}
	}
	T_ERR(tq_cancel(&q, 77), ENOENT); /* reaped: gone */
	tq_close(&q);
}

static void test_links_and_cancel_states(void)
{
	struct tq q;
	struct weft_aq_cqe c;
	struct weft_aq_sqe *s;

	T_EQ(tq_open(&q, 8), 0);
	/* a chain that succeeds runs in order */
	tq_sqe(&q, WEFT_AQ_OP_NOP, 1)->flags = WEFT_AQ_F_LINK;
	tq_push(&q);
	s = tq_sqe(&q, WEFT_AQ_OP_TIMER, 2);
	s->deadline = 2 * MS;
	s->flags = WEFT_AQ_F_LINK;
	tq_push(&q);
	tq_sqe(&q, WEFT_AQ_OP_NOP, 3);
	tq_push(&q);
	T_EQ(tq_submit(&q, 3), 3);
	for (int i = 1; i <= 3; i++) {
		T_EQ(tq_next(&q, &c), 1);
		T_EQ(c.token, i);
		T_CHECK(c.result >= 0);
	}
	/* a failing head cancels what is linked after it */
	tq_sqe(&q, WEFT_AQ_OP_VMO_READ, 4)->flags = WEFT_AQ_F_LINK; /* handle 0: -EBADF */
	tq_push(&q);
	tq_sqe(&q, WEFT_AQ_OP_NOP, 5);
	tq_push(&q);
	T_EQ(tq_submit(&q, 2), 2);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 4);
	T_EQ(c.result, -EBADF);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 5);
	T_EQ(c.result, -ECANCELED);

	/* not started: a nop linked behind a long timer */
	s = tq_sqe(&q, WEFT_AQ_OP_TIMER, 10);
	s->deadline = 10000 * MS;
	s->flags = WEFT_AQ_F_LINK;
	tq_push(&q);
	tq_sqe(&q, WEFT_AQ_OP_NOP, 11);
	tq_push(&q);
	T_EQ(tq_submit(&q, 2), 2);
	T_EQ(tq_cancel(&q, 11), 0);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 11);
	T_EQ(c.result, -ECANCELED);
	/* done but not reaped: too late */
	T_EQ(tq_cancel(&q, 10), 0); /* armed timer: stopped */
	T_ERR(tq_cancel(&q, 10), EALREADY);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 10);
	T_EQ(c.result, -ECANCELED);
	T_ERR(tq_cancel(&q, 10), ENOENT);
	T_ERR(tq_cancel(&q, 999), ENOENT);
	tq_close(&q);
}

static void test_pipe_ops(void)
{
	static char big[100 * 1024], back[100 * 1024];
	struct tq q;
	struct weft_aq_cqe c;
	struct weft_aq_sqe *s;
	char buf[32] = {0};
	int p[2];
	long got = 0;

	T_EQ(pipe(p), 0);
	T_EQ(tq_open(&q, 8), 0);
	/* a read of an empty pipe completes when data comes */
	s = tq_sqe(&q, WEFT_AQ_OP_FD_READ, 1);
	s->fd = p[0];
	s->addr = (uintptr_t)buf;
	s->len = sizeof(buf);
	s->offset = UINT64_MAX;
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	T_ERR(tq_poll(&q, 1, n_now() + 20 * MS), ETIMEDOUT);
	T_EQ(write(p[1], "hello", 5), 5);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 1);
	T_EQ(c.result, 5);
	T_CHECK(!memcmp(buf, "hello", 5));
	/* a waiting read cancelled consumes nothing */
	s = tq_sqe(&q, WEFT_AQ_OP_FD_READ, 2);
	s->fd = p[0];
	s->addr = (uintptr_t)buf;
	s->len = sizeof(buf);
	s->offset = UINT64_MAX;
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	T_EQ(tq_cancel(&q, 2), 0);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, -ECANCELED);
	T_EQ(write(p[1], "xyz", 3), 3);
	T_EQ(read(p[0], buf, sizeof(buf)), 3);
	/* running and not stoppable: a write larger than the pipe moved part */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 13 + 1);
	s = tq_sqe(&q, WEFT_AQ_OP_FD_WRITE, 3);
	s->fd = p[1];
	s->addr = (uintptr_t)big;
	s->len = sizeof(big);
	s->offset = UINT64_MAX;
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	T_ERR(tq_cancel(&q, 3), EBUSY);
	while (got < (long)sizeof(big)) {
		long r = read(p[0], back + got, sizeof(big) - got);
		if (r <= 0)
			break;
		got += r;
		tq_poll(&q, 0, 0); /* let the write go on into the freed space */
	}
	T_EQ(got, sizeof(big));
	T_CHECK(!memcmp(big, back, sizeof(big)));
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 3);
	T_EQ(c.result, sizeof(big));
	/* a bad fd, and end of file */
	s = tq_sqe(&q, WEFT_AQ_OP_FD_READ, 4);
	s->fd = 999;
	s->addr = (uintptr_t)buf;
	s->len = 4;
	tq_push(&q);
	close(p[1]);
	s = tq_sqe(&q, WEFT_AQ_OP_FD_READ, 5);
	s->fd = p[0];
	s->addr = (uintptr_t)buf;
	s->len = 4;
	s->offset = UINT64_MAX;
	tq_push(&q);
	T_EQ(tq_submit(&q, 2), 2);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, -EBADF);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, 0);
	close(p[0]);
	tq_close(&q);
}

static void test_file_ops(void)
{
	struct tq q;
	struct weft_aq_cqe c;
	struct weft_aq_sqe *s;
	char buf[16] = {0};
	int fd = open("/tmp/aq_file", O_RDWR | O_CREAT | O_TRUNC, 0600);

	T_CHECK(fd >= 0);
	T_EQ(tq_open(&q, 4), 0);
	s = tq_sqe(&q, WEFT_AQ_OP_FD_WRITE, 1);
	s->fd = fd;
	s->addr = (uintptr_t) "0123456789";
	s->len = 10;
	s->offset = 100;
	s->flags = WEFT_AQ_F_LINK;
	tq_push(&q);
	s = tq_sqe(&q, WEFT_AQ_OP_FD_READ, 2);
	s->fd = fd;
	s->addr = (uintptr_t)buf;
	s->len = 4;
	s->offset = 103;
	tq_push(&q);
	T_EQ(tq_submit(&q, 2), 2);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, 10);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, 4);
	T_CHECK(!memcmp(buf, "3456", 4));
	T_EQ(lseek(fd, 0, SEEK_END), 110);
	close(fd);
	unlink("/tmp/aq_file");
	tq_close(&q);
}

static void test_objects(void)
{
	struct tq q;
	struct weft_aq_cqe c;
	struct weft_aq_sqe *s;
	uint32_t tm, v, seen = 0;
	char buf[8] = {0};

	T_EQ(tq_open(&q, 4), 0);
	T_EQ(n_timer_create(0, &tm), 0);
	/* wait for a timer object's signal */
	s = tq_sqe(&q, WEFT_AQ_OP_WAIT, 1);
	s->handle = tm;
	s->arg = WEFT_SIG_SIGNALED;
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	T_ERR(tq_poll(&q, 1, n_now() + 10 * MS), ETIMEDOUT);
	T_EQ(n_timer_set(tm, n_now() + 5 * MS, 0), 0);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 1);
	T_CHECK(c.signals & WEFT_SIG_SIGNALED);
	/* an asserted signal completes at once */
	s = tq_sqe(&q, WEFT_AQ_OP_WAIT, 2);
	s->handle = tm;
	s->arg = WEFT_SIG_SIGNALED;
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	T_EQ(tq_reap(&q, &c), 1);
	T_EQ(c.token, 2);
	/* object_wait_one on a periodic timer; cancel clears the signal */
	T_EQ(n_timer_set(tm, n_now() + 2 * MS, 2 * MS), 0);
	T_EQ(n_wait_one(tm, WEFT_SIG_SIGNALED, n_now() + 1000 * MS, &seen), 0);
	T_CHECK(seen & WEFT_SIG_SIGNALED);
	T_EQ(n_timer_cancel(tm), 0);
	T_ERR(n_wait_one(tm, WEFT_SIG_SIGNALED, n_now() + 10 * MS, &seen), ETIMEDOUT);
	T_ERR(n_timer_set(tm, 0, 5), EINVAL); /* a period too short */
	/* vmo ops */
	T_EQ(n_vmo_create(4096, 0, &v), 0);
	s = tq_sqe(&q, WEFT_AQ_OP_VMO_WRITE, 3);
	s->handle = v;
	s->addr = (uintptr_t) "async";
	s->len = 5;
	s->offset = 10;
	s->flags = WEFT_AQ_F_LINK;
	tq_push(&q);
	s = tq_sqe(&q, WEFT_AQ_OP_VMO_READ, 4);
	s->handle = v;
	s->addr = (uintptr_t)buf;
	s->len = 5;
	s->offset = 10;
	tq_push(&q);
	T_EQ(tq_submit(&q, 2), 2);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, 5);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, 5);
	T_CHECK(!memcmp(buf, "async", 5));
	/* an op's handle lacking the right: the op's completion says so */
	uint32_t ro = n_restrict(v, WEFT_RIGHT_READ);
	s = tq_sqe(&q, WEFT_AQ_OP_VMO_WRITE, 5);
	s->handle = ro;
	s->addr = (uintptr_t)buf;
	s->len = 1;
	tq_push(&q);
	uint32_t nowait = n_restrict(tm, WEFT_TIMER_RIGHTS & ~WEFT_RIGHT_WAIT);
	s = tq_sqe(&q, WEFT_AQ_OP_WAIT, 6);
	s->handle = nowait;
	s->arg = WEFT_SIG_SIGNALED;
	tq_push(&q);
	T_EQ(tq_submit(&q, 2), 2);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, -EACCES);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, -EACCES);
	/* a timer handle without WRITE cannot be set or cancelled */
	uint32_t tro = n_restrict(tm, WEFT_TIMER_RIGHTS & ~WEFT_RIGHT_WRITE);
	T_ERR(n_timer_set(tro, n_now(), 0), EACCES);
	T_ERR(n_timer_cancel(tro), EACCES);
	/* the queue's own rights */
	uint32_t h = q.h;
	q.h = n_restrict(h, WEFT_AQ_RIGHTS & ~WEFT_RIGHT_WRITE);
	T_ERR(tq_submit(&q, 1), EACCES);
	T_ERR(tq_cancel(&q, 1), EACCES);
	n_close(q.h);
	q.h = n_restrict(h, WEFT_AQ_RIGHTS & ~WEFT_RIGHT_READ);
	T_ERR(tq_poll(&q, 0, 0), EACCES);
	n_close(q.h);
	q.h = h;
	T_ERR(tq_submit((struct tq *)&(struct tq){.h = tm}, 1), EPROTOTYPE);
	n_close(tro);
	n_close(nowait);
	n_close(ro);
	n_close(v);
	n_close(tm);
	tq_close(&q);
}

/* Channel send and receive as ops: a receive waits for a message. */
static void test_channel_ops(void)
{
	struct tq q;
	struct weft_aq_cqe c;
	struct weft_aq_sqe *s;
	uint32_t ch[2], sizes[2] = {9, 9};
	char buf[32] = {0};

	T_EQ(tq_open(&q, 4), 0);
	T_EQ(t_sys(N(channel_create), (long)ch), 0);
	s = tq_sqe(&q, WEFT_AQ_OP_CHAN_RECV, 1);
	s->handle = ch[1];
	s->addr = (uintptr_t)buf;
	s->len = sizeof(buf);
	s->deadline = (uintptr_t)sizes;
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	T_ERR(tq_poll(&q, 1, n_now() + 10 * MS), ETIMEDOUT);
	T_EQ(t_sys(N(channel_write), ch[0], (long)"ping", 4, 0, 0), 0);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.token, 1);
	T_EQ(c.result, 4);
	T_CHECK(!memcmp(buf, "ping", 4));
	T_EQ(sizes[0], 4);
	T_EQ(sizes[1], 0);
	s = tq_sqe(&q, WEFT_AQ_OP_CHAN_SEND, 2);
	s->handle = ch[1];
	s->addr = (uintptr_t) "pong!";
	s->len = 5;
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, 0);
	T_EQ(t_sys(N(channel_read), ch[0], (long)buf, sizeof(buf), 0, 0, 0), 5);
	T_CHECK(!memcmp(buf, "pong!", 5));
	/* a waiting receive cancelled takes nothing */
	s = tq_sqe(&q, WEFT_AQ_OP_CHAN_RECV, 3);
	s->handle = ch[1];
	s->addr = (uintptr_t)buf;
	s->len = sizeof(buf);
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	T_EQ(tq_cancel(&q, 3), 0);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, -ECANCELED);
	T_EQ(t_sys(N(channel_write), ch[0], (long)"kept", 4, 0, 0), 0);
	T_EQ(t_sys(N(channel_read), ch[1], (long)buf, sizeof(buf), 0, 0, 0), 4);
	/* the peer goes away: a waiting receive ends with -EPIPE */
	s = tq_sqe(&q, WEFT_AQ_OP_CHAN_RECV, 4);
	s->handle = ch[1];
	s->addr = (uintptr_t)buf;
	s->len = sizeof(buf);
	tq_push(&q);
	T_EQ(tq_submit(&q, 1), 1);
	n_close(ch[0]);
	T_EQ(tq_next(&q, &c), 1);
	T_EQ(c.result, -EPIPE);
	n_close(ch[1]);
	tq_close(&q);
}

/* Closing a queue with ops armed (timers, a pipe read, a wait) frees them. */
static void test_close_armed(void)
{
	struct tq q;
	struct weft_aq_sqe *s;
	uint32_t tm;
	int p[2];
	char buf[4];
	long slab0 = n_kstat(WEFT_KSTAT_SLAB_BYTES);

	for (int round = 0; round < 20; round++) {
		T_EQ(pipe(p), 0);
		T_EQ(tq_open(&q, 4), 0);
		T_EQ(n_timer_create(0, &tm), 0);
		s = tq_sqe(&q, WEFT_AQ_OP_TIMER, 1);
		s->deadline = 1000 * MS;
		tq_push(&q);
		s = tq_sqe(&q, WEFT_AQ_OP_TIMER, 2);
		s->deadline = 1 * MS;
		s->arg = 1 * MS;
		tq_push(&q);
		s = tq_sqe(&q, WEFT_AQ_OP_FD_READ, 3);
		s->fd = p[0];
		s->addr = (uintptr_t)buf;
		s->len = 4;
		s->offset = UINT64_MAX;
		tq_push(&q);
		s = tq_sqe(&q, WEFT_AQ_OP_WAIT, 4);
		s->handle = tm;
		s->arg = WEFT_SIG_SIGNALED;
		tq_push(&q);
		T_EQ(tq_submit(&q, 4), 4);
		n_close(tm);
		tq_close(&q);
		close(p[0]); /* the op's file reference went with the queue */
		close(p[1]);
	}
	T_CHECK(n_kstat(WEFT_KSTAT_SLAB_BYTES) - slab0 < 64 * 1024);
}

static long free_bytes(const char *dir)
{
	struct statfs sf;

	if (statfs(dir, &sf))
		return -1;
	return (long)sf.f_bfree * (long)sf.f_bsize;
}

/*
 * t_asyncq DEV FSTYPE DIR: the file ops on a disk file system. Every file
 * they make is removed again, and requests left in the service by closed
 * queues and dead processes hold no file open: after an unmount and a fresh
 * mount, the free space is what it was (an open unlinked file's blocks would
 * be lost at the unmount).
 */
static void disk_main(char **a)
{
	long before, after;

	mkdir("/mnt", 0755);
	mkdir(a[2], 0755);
	if (mount(a[0], a[2], a[1], 0, NULL)) {
		T_CHECK(!"mount");
		out_say("  mount %s on %s (%s): errno %d\n", a[0], a[2], a[1], errno);
		return;
	}
	before = free_bytes(a[2]);
	test_disk_file_ops(a[2]);
	T_EQ(umount(a[2]), 0);
	T_EQ(mount(a[0], a[2], a[1], 0, NULL), 0);
	after = free_bytes(a[2]);
	if (before != after)
		out_say("  free space %ld before, %ld after\n", before, after);
	T_CHECK(before > 0 && after >= before - 4096); /* a directory may have grown */
	T_EQ(umount(a[2]), 0);
}

int main(int argc, char **argv)
{
	if (!t_is_weft()) {
		T_SKIP("native calls are Weft's");
		T_DONE();
	}
	if (argc == 4) {
		disk_main(argv + 1);
		T_DONE();
	}
	test_nops();
	test_overflow();
	test_timer_order();
	test_periodic_and_cancel_running();
	test_links_and_cancel_states();
	test_pipe_ops();
	test_file_ops();
	test_objects();
	test_channel_ops();
	test_close_armed();
	T_DONE();
}
