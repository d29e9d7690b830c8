/*
 * librt (model in rt.h). Tokens are (generation << 16) | (slot + 1): slots
 * are taken lowest first, so the same program makes the same tokens, which
 * is what lets a replay check each submission against the log.
 */
#include <stdbool.h>
#include "rt.h"
#include <weft/errno.h>

enum { G_TIMEOUT = 1, G_RACE, G_ALL };

static uint64_t make_token(int idx, uint32_t gen)
{
	return ((uint64_t)gen << 16) | (uint64_t)(idx + 1);
}

static void log_rec(struct rt_loop *l, uint8_t kind, uint8_t op, uint64_t token, int64_t result,
		    uint32_t flags, uint32_t signals)
{
	if (l->mode != RT_RECORD)
		return;
	if (l->log_len >= l->log_cap) {
		l->error = -ENOSPC;
		return;
	}
	l->log[l->log_len++] = (struct rt_rec){kind, op, 0, flags, token, result, signals, 0};
}

/* The next record, if it is of this kind (replay). */
static const struct rt_rec *replay_next(struct rt_loop *l, uint8_t kind)
{
	if (l->log_pos >= l->log_len || l->log[l->log_pos].kind != kind)
		return NULL;
	return &l->log[l->log_pos];
}

static long diverged(struct rt_loop *l)
{
	l->error = -EPROTO;
	return -EPROTO;
}

long rt_init(struct rt_loop *l, uint32_t entries)
{
	long r;

	__builtin_memset(l, 0, sizeof(*l));
	r = weft_asyncq_create(entries, 0, &l->q, &l->info);
	if (r)
		return r;
	l->ring = (struct weft_aq_ring *)(uintptr_t)l->info.addr;
	l->sqes = (struct weft_aq_sqe *)(uintptr_t)(l->info.addr + l->info.sqes_off);
	l->cqes = (struct weft_aq_cqe *)(uintptr_t)(l->info.addr + l->info.cqes_off);
	return 0;
}

void rt_fini(struct rt_loop *l)
{
	if (l->mode != RT_REPLAY)
		weft_handle_close(l->q);
}

void rt_record(struct rt_loop *l, struct rt_rec *buf, size_t cap)
{
	l->mode = RT_RECORD;
	l->log = buf;
	l->log_cap = cap;
	l->log_len = 0;
}

void rt_replay_init(struct rt_loop *l, const struct rt_rec *log, size_t n)
{
	__builtin_memset(l, 0, sizeof(*l));
	l->mode = RT_REPLAY;
	l->log = (struct rt_rec *)log;
	l->log_len = n;
}

size_t rt_log_len(const struct rt_loop *l)
{
	return l->log_len;
}

void rt_stop(struct rt_loop *l)
{
	l->stop = 1;
}

/* ---- submitting ---- */

static long flush(struct rt_loop *l)
{
	long r;

	if (!l->unsubmitted || l->mode == RT_REPLAY)
		return 0;
	r = weft_asyncq_submit(l->q, l->unsubmitted);
	if (r < 0)
		return r;
	l->unsubmitted -= (uint32_t)r;
	return 0;
}

static long push_sqe(struct rt_loop *l, const struct weft_aq_sqe *proto, uint64_t token)
{
	uint32_t tail = l->ring->sq_tail;
	struct weft_aq_sqe *s;

	if (tail - __atomic_load_n(&l->ring->sq_head, __ATOMIC_ACQUIRE) >= l->ring->sq_entries) {
		long r = flush(l);
		if (r)
			return r;
		if (tail - __atomic_load_n(&l->ring->sq_head, __ATOMIC_ACQUIRE) >=
		    l->ring->sq_entries)
			return -EBUSY;
	}
	s = &l->sqes[tail & l->ring->sq_mask];
	*s = *proto;
	s->token = token;
	__atomic_store_n(&l->ring->sq_tail, tail + 1, __ATOMIC_RELEASE);
	l->unsubmitted++;
	return 0;
}

static int alloc_slot(struct rt_loop *l, rt_cb cb, void *arg, int group, int member)
{
	for (int i = 0; i < RT_MAX_OPS; i++) {
		struct rt_slot *s = &l->slots[i];
		if (s->used)
			continue;
		s->used = 1;
		s->gen++;
		s->cb = cb;
		s->arg = arg;
		s->group = (int16_t)group;
		s->member = (uint8_t)member;
		return i;
	}
	return -ENOSPC;
}

static long start(struct rt_loop *l, const struct rt_op *op, rt_cb cb, void *arg, int group,
		  int member)
{
	int idx = alloc_slot(l, cb, arg, group, member);
	uint64_t token;
	long r = 0;

	if (idx < 0)
		return idx;
	token = make_token(idx, l->slots[idx].gen);
	if (l->mode == RT_REPLAY) {
		const struct rt_rec *rec = replay_next(l, RT_REC_SUBMIT);
		if (!rec || rec->token != token || rec->op != op->sqe.op)
			r = diverged(l);
		else
			l->log_pos++;
	} else {
		r = push_sqe(l, &op->sqe, token);
		if (!r)
			log_rec(l, RT_REC_SUBMIT, op->sqe.op, token, 0, 0, 0);
	}
	if (r) {
		l->slots[idx].used = 0;
		return r;
	}
	l->pending++;
	return (long)token;
}

long rt_start(struct rt_loop *l, const struct rt_op *op, rt_cb cb, void *arg)
{
	return start(l, op, cb, arg, -1, 0);
}

long rt_cancel(struct rt_loop *l, uint64_t token)
{
	long r;

	if (l->mode == RT_REPLAY) {
		const struct rt_rec *rec = replay_next(l, RT_REC_CANCEL);
		if (!rec || rec->token != token)
			return diverged(l);
		l->log_pos++;
		return rec->result;
	}
	r = flush(l); /* the op may still sit in the SQ */
	if (!r)
		r = weft_asyncq_cancel(l->q, token);
	log_rec(l, RT_REC_CANCEL, 0, token, r, 0, 0);
	return r;
}

/* ---- combinators ---- */

static int alloc_group(struct rt_loop *l, int kind, rt_cb cb, rt_all_cb all_cb, void *arg, int n)
{
	for (int i = 0; i < RT_MAX_GROUPS; i++) {
		struct rt_group *g = &l->groups[i];
		if (g->used)
			continue;
		__builtin_memset(g, 0, sizeof(*g));
		g->used = 1;
		g->kind = (uint8_t)kind;
		g->n = g->left = (uint8_t)n;
		g->cb = cb;
		g->all_cb = all_cb;
		g->arg = arg;
		return i;
	}
	return -ENOSPC;
}

/* Start n members of group gi; on failure cancel those started. */
static long start_members(struct rt_loop *l, int gi, const struct rt_op *ops, int n)
{
	struct rt_group *g = &l->groups[gi];

	for (int i = 0; i < n; i++) {
		long t = start(l, &ops[i], NULL, NULL, gi, i);
		if (t < 0) {
			g->decided = 1; /* what the started ones bring is dropped */
			g->left -= (uint8_t)(n - i);
			for (int k = 0; k < i; k++)
				rt_cancel(l, g->tokens[k]);
			if (!g->left)
				g->used = 0;
			return t;
		}
		g->tokens[i] = (uint64_t)t;
	}
	return 0;
}

long rt_timeout(struct rt_loop *l, const struct rt_op *op, uint64_t ns, rt_cb cb, void *arg)
{
	struct rt_op ops[2] = {*op, rt_timer(ns)};
	int gi = alloc_group(l, G_TIMEOUT, cb, NULL, arg, 2);
	long r;

	if (gi < 0)
		return gi;
	r = start_members(l, gi, ops, 2);
	return r ? r : (long)l->groups[gi].tokens[0];
}

long rt_race(struct rt_loop *l, const struct rt_op *ops, int n, rt_cb cb, void *arg,
	     uint64_t *tokens)
{
	int gi;
	long r;

	if (n < 1 || n > RT_MAX_GROUP)
		return -EINVAL;
	gi = alloc_group(l, G_RACE, cb, NULL, arg, n);
	if (gi < 0)
		return gi;
	r = start_members(l, gi, ops, n);
	for (int i = 0; !r && tokens && i < n; i++)
		tokens[i] = l->groups[gi].tokens[i];
	return r;
}

long rt_all(struct rt_loop *l, const struct rt_op *ops, int n, rt_all_cb cb, void *arg)
{
	int gi;

	if (n < 1 || n > RT_MAX_GROUP)
		return -EINVAL;
	gi = alloc_group(l, G_ALL, NULL, cb, arg, n);
	return gi < 0 ? gi : start_members(l, gi, ops, n);
}

/* Cancel every member of g but `except` that has not completed yet. */
static void cancel_others(struct rt_loop *l, struct rt_group *g, int except)
{
	for (int i = 0; i < g->n; i++)
		if (i != except && !(g->cqes[i].reserved & 1))
			rt_cancel(l, g->tokens[i]);
}

/* A final completion c of member m of group gi. */
static void group_event(struct rt_loop *l, int gi, int m, const struct weft_aq_cqe *c)
{
	struct rt_group *g = &l->groups[gi];

	g->cqes[m] = *c;
	g->cqes[m].reserved |= 1; /* done (the kernel leaves reserved 0) */
	g->left--;
	if (g->kind == G_ALL) {
		if (!g->left) {
			for (int i = 0; i < g->n; i++)
				g->cqes[i].reserved = 0;
			g->all_cb(l, g->arg, g->cqes, g->n);
		}
	} else if (!g->decided) {
		struct weft_aq_cqe out = *c;

		if (g->kind == G_TIMEOUT && m == 1 && c->result < 0)
			goto out; /* the timer was cancelled or failed: the op decides */
		g->decided = 1;
		cancel_others(l, g, m);
		if (g->kind == G_TIMEOUT && m == 1)
			out = (struct weft_aq_cqe){.token = g->tokens[0], .result = -ETIMEDOUT};
		out.reserved = 0;
		g->cb(l, g->arg, &out);
	}
out:
	if (!g->left)
		g->used = 0;
}

/* ---- running ---- */

static void dispatch(struct rt_loop *l, const struct weft_aq_cqe *c)
{
	int idx = (int)(c->token & 0xffff) - 1;
	struct rt_slot *s;
	bool final = !(c->flags & WEFT_AQ_CQE_MORE);

	if (idx < 0 || idx >= RT_MAX_OPS)
		return;
	s = &l->slots[idx];
	if (!s->used || make_token(idx, s->gen) != c->token)
		return; /* not ours, or stale */
	if (final) {
		s->used = 0;
		l->pending--;
	}
	if (s->group >= 0) {
		if (final)
			group_event(l, s->group, s->member, c);
	} else if (s->cb) {
		s->cb(l, s->arg, c);
	}
}

static long replay_turn(struct rt_loop *l)
{
	const struct rt_rec *rec;
	long n = 0;

	while ((rec = replay_next(l, RT_REC_COMPLETE))) {
		struct weft_aq_cqe c = {rec->token, rec->result, rec->flags, rec->signals, 0};
		l->log_pos++;
		dispatch(l, &c);
		n++;
	}
	if (!n && l->pending)
		return diverged(l); /* the log says something else, or ended early */
	return n;
}

/* Dispatch every completion in the ring. */
static long reap(struct rt_loop *l)
{
	long n = 0;

	for (;;) {
		uint32_t head = l->ring->cq_head;
		struct weft_aq_cqe c;

		if (head == __atomic_load_n(&l->ring->cq_tail, __ATOMIC_ACQUIRE))
			return n;
		c = l->cqes[head & l->ring->cq_mask];
		__atomic_store_n(&l->ring->cq_head, head + 1, __ATOMIC_RELEASE);
		log_rec(l, RT_REC_COMPLETE, 0, c.token, c.result, c.flags, c.signals);
		dispatch(l, &c);
		n++;
	}
}

long rt_run_once(struct rt_loop *l, uint64_t deadline)
{
	long r, n;

	if (l->mode == RT_REPLAY)
		return replay_turn(l);
	r = flush(l);
	if (r)
		return r;
	n = reap(l);
	if (n)
		return n;
	r = weft_asyncq_poll(l->q, 1, deadline);
	if (r < 0)
		return r == -ETIMEDOUT ? 0 : r;
	return reap(l);
}

long rt_run(struct rt_loop *l)
{
	while (!l->stop && l->pending && !l->error) {
		long r = rt_run_once(l, WEFT_TIME_INFINITE);
		if (r < 0)
			return r;
	}
	return l->error;
}
