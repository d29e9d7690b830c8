/*
 * librt: an event loop over one AsyncQ, on libsys. Works in Linux programs
 * (musl, glibc) and in freestanding native programs alike: no malloc, no
 * libc; a loop is one struct with fixed tables (RT_MAX_OPS ops in flight).
 *
 * An op is described by a struct rt_op (rt_nop(), rt_timer(ns), rt_read(fd,
 * ...), rt_wait(h, signals), rt_chan_recv(...), ...) and started with a
 * callback: rt_start returns its token, which names it for rt_cancel. The
 * loop keeps a token -> callback map; rt_run submits what was started (one
 * batch per turn), polls the queue and calls each op's callback with its
 * completion, until nothing is in flight or rt_stop is called. A callback
 * may start and cancel ops. A multishot op (a periodic timer) calls its
 * callback once per completion; WEFT_AQ_CQE_MORE says more will come.
 *
 * Combinators (each takes op descriptions and starts them itself):
 *   rt_timeout(op, ns)  the op's completion, or one with -ETIMEDOUT if ns
 *                       passed first (the op is then cancelled)
 *   rt_race(ops)        the first op to complete wins; the others are
 *                       cancelled; one callback with the winner's completion
 *   rt_all(ops)         one callback once every op completed, with all
 *                       completions in the order of ops
 * Completions a combinator no longer wants (the loser's -ECANCELED, a late
 * result after a timeout) are consumed silently.
 *
 * Record and replay: rt_record(l, buf, cap) logs every submission, cancel and
 * completion in order; rt_replay_init(l, log, n) makes a loop that talks to
 * no kernel: it checks each rt_start and rt_cancel against the log (same op,
 * same token: tokens are deterministic) and feeds the logged completions
 * back in the logged order, so callbacks run in the same order as in the
 * recorded run. Only results are logged, not the bytes an op read: a
 * replayed read leaves its buffer as it is. A program that does something
 * else than the log says makes rt_run return -EPROTO.
 */
#ifndef WEFT_RT_H
#define WEFT_RT_H

#include <weft/sys.h>

#define RT_MAX_OPS    256 /* ops in flight per loop */
#define RT_MAX_GROUP  8	  /* ops per combinator */
#define RT_MAX_GROUPS 64  /* combinators in flight */

struct rt_loop;
typedef void (*rt_cb)(struct rt_loop *l, void *arg, const struct weft_aq_cqe *c);
typedef void (*rt_all_cb)(struct rt_loop *l, void *arg, const struct weft_aq_cqe *cs, int n);

struct rt_op {
	struct weft_aq_sqe sqe; /* token and flags are the loop's */
};

/* One log record. */
#define RT_REC_SUBMIT	1
#define RT_REC_COMPLETE 2
#define RT_REC_CANCEL	3
struct rt_rec {
	uint8_t kind; /* RT_REC_* */
	uint8_t op;   /* submit: the op code */
	uint16_t pad;
	uint32_t flags; /* complete: the CQE flags */
	uint64_t token;
	int64_t result;	  /* complete: the result; cancel: what rt_cancel returned */
	uint32_t signals; /* complete */
	uint32_t pad2;
};

enum rt_mode { RT_LIVE, RT_RECORD, RT_REPLAY };

struct rt_slot {
	rt_cb cb;
	void *arg;
	uint32_t gen;  /* bumped at each use: a stale token never matches */
	int16_t group; /* combinator index, -1 for none */
	uint8_t used;
	uint8_t member; /* index in the group */
};

struct rt_group {
	uint8_t kind, used, decided;
	uint8_t n, left; /* members, members not yet final */
	uint64_t tokens[RT_MAX_GROUP];
	struct weft_aq_cqe cqes[RT_MAX_GROUP];
	rt_cb cb;
	rt_all_cb all_cb;
	void *arg;
};

struct rt_loop {
	enum rt_mode mode;
	handle_t q;
	struct weft_aq_info info;
	struct weft_aq_ring *ring;
	struct weft_aq_sqe *sqes;
	struct weft_aq_cqe *cqes;
	uint32_t unsubmitted; /* SQEs filled since the last submit */
	unsigned pending;     /* ops started and not yet final */
	int stop, error;
	struct rt_slot slots[RT_MAX_OPS];
	struct rt_group groups[RT_MAX_GROUPS];
	struct rt_rec *log; /* record: where records go; replay: what is replayed */
	size_t log_len, log_cap, log_pos;
};

/* A live loop over a new AsyncQ of `entries` SQ slots: 0 or an error. */
long rt_init(struct rt_loop *l, uint32_t entries);
/* Close the queue (ops still in flight are cancelled by the kernel). */
void rt_fini(struct rt_loop *l);
/* From now on, log into buf (cap records; past it, recording stops and
 * rt_run returns -ENOSPC). */
void rt_record(struct rt_loop *l, struct rt_rec *buf, size_t cap);
/* A replaying loop over n records of log (no kernel queue). */
void rt_replay_init(struct rt_loop *l, const struct rt_rec *log, size_t n);
/* Records logged so far. */
size_t rt_log_len(const struct rt_loop *l);

/* Start op; cb(l, arg, cqe) at each of its completions. Its token, or a
 * negative error (-ENOSPC: RT_MAX_OPS in flight; -EPROTO in replay). */
long rt_start(struct rt_loop *l, const struct rt_op *op, rt_cb cb, void *arg);
/* Cancel an op by token: what asyncq_cancel says (0, -EBUSY, -EALREADY,
 * -ENOENT). */
long rt_cancel(struct rt_loop *l, uint64_t token);
long rt_timeout(struct rt_loop *l, const struct rt_op *op, uint64_t ns, rt_cb cb, void *arg);
/* tokens (may be NULL) gets the members' tokens, to tell the winner. */
long rt_race(struct rt_loop *l, const struct rt_op *ops, int n, rt_cb cb, void *arg,
	     uint64_t *tokens);
long rt_all(struct rt_loop *l, const struct rt_op *ops, int n, rt_all_cb cb, void *arg);

/* Run until nothing is in flight or rt_stop: 0 or the first error. */
long rt_run(struct rt_loop *l);
/* One turn: submit, wait until a completion or the deadline, dispatch what
 * came. How many completions were dispatched, or an error. */
long rt_run_once(struct rt_loop *l, uint64_t deadline);
void rt_stop(struct rt_loop *l);

/* Op descriptions. */
static inline struct rt_op rt_nop(void)
{
	struct rt_op o = {{.op = WEFT_AQ_OP_NOP}};
	return o;
}
static inline struct rt_op rt_timer(uint64_t ns)
{
	struct rt_op o = {{.op = WEFT_AQ_OP_TIMER, .deadline = ns}};
	return o;
}
static inline struct rt_op rt_timer_at(uint64_t deadline)
{
	struct rt_op o = {
	    {.op = WEFT_AQ_OP_TIMER, .op_flags = WEFT_AQ_TIMER_ABS, .deadline = deadline}};
	return o;
}
static inline struct rt_op rt_periodic(uint64_t first_ns, uint64_t period_ns)
{
	struct rt_op o = {{.op = WEFT_AQ_OP_TIMER, .deadline = first_ns, .arg = period_ns}};
	return o;
}
/* Linux fd read/write at the file position (pipes, ttys, files). */
static inline struct rt_op rt_read(int fd, void *buf, uint64_t len)
{
	struct rt_op o = {{.op = WEFT_AQ_OP_FD_READ,
			   .fd = fd,
			   .addr = (uintptr_t)buf,
			   .len = len,
			   .offset = UINT64_MAX}};
	return o;
}
static inline struct rt_op rt_write(int fd, const void *buf, uint64_t len)
{
	struct rt_op o = {{.op = WEFT_AQ_OP_FD_WRITE,
			   .fd = fd,
			   .addr = (uintptr_t)buf,
			   .len = len,
			   .offset = UINT64_MAX}};
	return o;
}
static inline struct rt_op rt_wait(handle_t h, uint32_t signals)
{
	struct rt_op o = {{.op = WEFT_AQ_OP_WAIT, .handle = h, .arg = signals}};
	return o;
}
static inline struct rt_op rt_chan_send(handle_t ch, const void *buf, uint32_t len)
{
	struct rt_op o = {
	    {.op = WEFT_AQ_OP_CHAN_SEND, .handle = ch, .addr = (uintptr_t)buf, .len = len}};
	return o;
}
static inline struct rt_op rt_chan_recv(handle_t ch, void *buf, uint32_t cap)
{
	struct rt_op o = {
	    {.op = WEFT_AQ_OP_CHAN_RECV, .handle = ch, .addr = (uintptr_t)buf, .len = cap}};
	return o;
}
static inline struct rt_op rt_vmo_read(handle_t v, void *buf, uint64_t len, uint64_t off)
{
	struct rt_op o = {{.op = WEFT_AQ_OP_VMO_READ,
			   .handle = v,
			   .addr = (uintptr_t)buf,
			   .len = len,
			   .offset = off}};
	return o;
}
static inline struct rt_op rt_vmo_write(handle_t v, const void *buf, uint64_t len, uint64_t off)
{
	struct rt_op o = {{.op = WEFT_AQ_OP_VMO_WRITE,
			   .handle = v,
			   .addr = (uintptr_t)buf,
			   .len = len,
			   .offset = off}};
	return o;
}

#endif
