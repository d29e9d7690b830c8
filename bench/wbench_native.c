/*
 * The Weft-only figures of make bench (issue 4): a channel message and the
 * channel round trip with the native echo server /native/nat_bench_srv, the
 * null native call, and 1,000 AsyncQ nop or timer ops in one batch against
 * 1,000 separate calls. On Linux their calls fail, and the figures say so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <weft/asyncq.h>
#include <weft/native.h>
#include <weft/sys.h>
#include "wbench.h"

/* Spawn the native echo server /native/nat_bench_srv with channel end ch. */
static long spawn_chan_server(handle_t ch, handle_t *proc)
{
	struct weft_handle_xfer x = {ch, WEFT_RIGHTS_SAME};
	handle_t fs = 0, root = 0, img = 0;
	long err = weft_name_resolve(0, "fs", WEFT_RIGHT_READ | WEFT_RIGHT_EXEC, &fs);

	if (!err)
		err = weft_fs_root(fs, WEFT_RIGHTS_SAME, &root);
	if (!err)
		err = weft_dir_lookup(root, "native/nat_bench_srv", WEFT_RIGHTS_SAME, &img);
	if (!err)
		err = weft_process_spawn(img, NULL, 0, &x, 1, proc);
	weft_handle_close(img);
	weft_handle_close(root);
	weft_handle_close(fs);
	return err;
}

/* chan_msg_ns: one 1-byte message written and read back on a channel by one
 * thread (no wake-up): the cost of the two calls (Weft only). */
double b_chan_msg(long n)
{
	handle_t c[2];
	long long t0;
	long err = weft_channel_create(c);
	char b = 'x';

	if (err)
		return (double)err;
	t0 = now_ns();
	for (long i = 0; i < n && !err; i++) {
		err = weft_channel_write(c[0], &b, 1, NULL, 0);
		if (!err)
			err = weft_channel_read(c[1], &b, 1, NULL, 0, NULL);
		if (err == 1)
			err = 0;
	}
	t0 = now_ns() - t0;
	weft_handle_close(c[0]);
	weft_handle_close(c[1]);
	return err ? (double)err : (double)t0 / n;
}

/* Round trips of a 1-byte message with /native/nat_bench_srv (which answers
 * with channel_call), the client using channel_call (one call per round trip)
 * or write + object_wait_one + read. */
static double chan_rtt(long n, int use_call)
{
	handle_t c[2], proc = 0;
	long long t0 = 0;
	long err = weft_channel_create(c);
	char b = 'x';

	if (err)
		return (double)err;
	err = spawn_chan_server(c[1], &proc);
	if (err) {
		weft_handle_close(c[0]);
		weft_handle_close(c[1]);
		return (double)err;
	}
	for (long i = -1; i < n && !err; i++) { /* one untimed round to warm up */
		if (i == 0)
			t0 = now_ns();
		if (use_call) {
			err = weft_channel_call(c[0], &b, 1, &b, 1, WEFT_TIME_INFINITE);
			err = err == 1 ? 0 : err < 0 ? err : -EPROTO;
			continue;
		}
		err = weft_channel_write(c[0], &b, 1, NULL, 0);
		if (!err)
			err = weft_object_wait_one(c[0], WEFT_SIG_READABLE | WEFT_SIG_PEER_CLOSED,
						   WEFT_TIME_INFINITE, NULL);
		if (!err && weft_channel_read(c[0], &b, 1, NULL, 0, NULL) != 1)
			err = -EPROTO;
	}
	t0 = now_ns() - t0;
	weft_handle_close(c[0]); /* the server sees PEER_CLOSED and exits */
	if (!err)
		err = weft_object_wait_one(proc, WEFT_SIG_TERMINATED, WEFT_TIME_INFINITE, NULL);
	weft_handle_close(proc);
	return err ? (double)err : (double)t0 / n / 1000.0;
}

/* chan_rtt_us: round trip of a 1-byte message between two processes over a
 * native channel, one channel_call on each side per round trip (Weft only:
 * Linux has no channels (ENOSYS); compare with its pipe_rtt_us). */
double b_chan_rtt(long n)
{
	return chan_rtt(n, 1);
}

/* chan_rtt_wait_us: the same with write, object_wait_one and read on the
 * client side (three calls per round trip there). */
double b_chan_rtt_wait(long n)
{
	return chan_rtt(n, 0);
}

/*
 * Native calls and AsyncQ (Weft only: Linux says ENOSYS and the figures are
 * n/a there). null_native_ns: the cheapest native call (weft_null). The batch
 * figures fill AQ_BATCH SQEs, submit them in one call and reap all of their
 * completions (a poll that waits for them all): per op. aq_nop_batch_ns uses
 * nops; aq_timer_batch_ns relative timers of 0 ns, which expire at once and
 * complete from the timer interrupt. The gain figures are one per-op cost
 * over the other in the same run: AQ_BATCH separate null calls against one
 * batch of AQ_BATCH ops (target >= 10x).
 */
#define AQ_BATCH 1000

struct bq {
	uint32_t h;
	struct weft_aq_info info;
	struct weft_aq_ring *r;
	struct weft_aq_sqe *sq;
	struct weft_aq_cqe *cq;
};

static long nat(long nr, long a, long b, long c, long d)
{
	long r = syscall(WEFT_SYS_BASE + nr, a, b, c, d);

	return r < 0 ? -errno : r;
}

static int bq_open(struct bq *q)
{
	long r = nat(WEFT_SYS_asyncq_create - WEFT_SYS_BASE, 1024, 0, (long)&q->h,
		     (long)&q->info);

	if (r)
		return (int)r;
	q->r = (struct weft_aq_ring *)q->info.addr;
	q->sq = (struct weft_aq_sqe *)(q->info.addr + q->info.sqes_off);
	q->cq = (struct weft_aq_cqe *)(q->info.addr + q->info.cqes_off);
	return 0;
}

/* One batch of n ops of op: submit, wait for all, reap. 0 or -errno. */
static int bq_batch(struct bq *q, uint8_t op, int n)
{
	uint32_t tail = q->r->sq_tail, head;
	long r;

	/* what a nop or a relative timer needs: the first word (op, no flags),
	 * the token, and the timer's deadline and period */
	for (int i = 0; i < n; i++) {
		struct weft_aq_sqe *s = &q->sq[(tail + i) & q->r->sq_mask];
		*(uint64_t *)s = op;
		s->token = (uint64_t)i;
		if (op == WEFT_AQ_OP_TIMER) {
			s->op_flags = 0;
			s->deadline = 0;
			s->arg = 0;
		}
	}
	__atomic_store_n(&q->r->sq_tail, tail + n, __ATOMIC_RELEASE);
	r = nat(WEFT_SYS_asyncq_submit - WEFT_SYS_BASE, q->h, n, 0, 0);
	if (r != n)
		return r < 0 ? (int)r : -EIO;
	r = nat(WEFT_SYS_asyncq_poll - WEFT_SYS_BASE, q->h, n, -1, 0);
	if (r < n)
		return r < 0 ? (int)r : -EIO;
	head = q->r->cq_head;
	for (int i = 0; i < n; i++)
		if (q->cq[(head + i) & q->r->cq_mask].result < 0)
			return -EIO;
	__atomic_store_n(&q->r->cq_head, head + n, __ATOMIC_RELEASE);
	return 0;
}

static double null_calls(long n)
{
	long long t0;

	if (nat(WEFT_SYS_null - WEFT_SYS_BASE, 0, 0, 0, 0) < 0)
		return -errno;
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(WEFT_SYS_null);
	return (double)(now_ns() - t0) / n;
}

/* Per-op cost of `batches` batches of AQ_BATCH ops of op. */
static double aq_batches(uint8_t op, long batches)
{
	static struct bq q;
	long long t0;
	int err;

	if (!q.r && (err = bq_open(&q)))
		return err;
	t0 = now_ns();
	for (long i = 0; i < batches; i++)
		if ((err = bq_batch(&q, op, AQ_BATCH)))
			return err;
	return (double)(now_ns() - t0) / ((double)batches * AQ_BATCH);
}

double b_null_native(long n)
{
	return null_calls(n);
}

double b_aq_nop_batch(long n)
{
	return aq_batches(WEFT_AQ_OP_NOP, n);
}

double b_aq_timer_batch(long n)
{
	return aq_batches(WEFT_AQ_OP_TIMER, n);
}

static double gain(uint8_t op, long n)
{
	double sep = null_calls(AQ_BATCH * n), batch;

	if (sep < 0)
		return sep;
	batch = aq_batches(op, n);
	return batch < 0 ? batch : sep / batch;
}

double b_aq_nop_gain(long n)
{
	return gain(WEFT_AQ_OP_NOP, n);
}

double b_aq_timer_gain(long n)
{
	return gain(WEFT_AQ_OP_TIMER, n);
}

