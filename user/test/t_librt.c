/*
 * librt in QEMU: the event loop, the token -> callback map, the combinators
 * (rt_timeout both ways, rt_race, rt_all), rt_cancel from a callback, a
 * periodic timer, and record/replay: a scenario is run live while recording,
 * then replayed from the log with no kernel queue; the callbacks must run in
 * the same order with the same results, and much faster (no timer really
 * waits). A replay of a program that deviates from the log fails with
 * -EPROTO.
 */
#include "t.h"
#include <time.h>
#include <unistd.h>
#include <weft/sys.h>
#include "rt/rt.h"

#define MS	   1000000ull
#define MAX_EVENTS 64

struct trace {
	int n;
	int id[MAX_EVENTS];
	long result[MAX_EVENTS];
};

static struct trace tr;
static int pipefd[2];
static char pbuf[16];
static uint64_t periodic_token;
static int periodic_shots;

static void note(int id, long result)
{
	if (tr.n < MAX_EVENTS) {
		tr.id[tr.n] = id;
		tr.result[tr.n] = result;
		tr.n++;
	}
}

static void on_done(struct rt_loop *l, void *arg, const struct weft_aq_cqe *c)
{
	(void)l;
	note((int)(intptr_t)arg, c->result);
}

static void on_all(struct rt_loop *l, void *arg, const struct weft_aq_cqe *cs, int n)
{
	(void)l;
	long sum = 0;

	for (int i = 0; i < n; i++)
		sum = sum * 10 + (cs[i].result >= 0 ? cs[i].result % 10 : 9);
	note((int)(intptr_t)arg, sum);
}

static void on_periodic(struct rt_loop *l, void *arg, const struct weft_aq_cqe *c)
{
	note((int)(intptr_t)arg, c->result);
	if (++periodic_shots == 3)
		note(99, rt_cancel(l, periodic_token)); /* from inside a callback */
}

/* A chained start: when the first timer fires, start another op. */
static void on_chain(struct rt_loop *l, void *arg, const struct weft_aq_cqe *c)
{
	struct rt_op n = rt_nop();

	note((int)(intptr_t)arg, c->result);
	rt_start(l, &n, on_done, (void *)(intptr_t)31);
}

/* The program under test: the same calls live and in replay. */
static long scenario(struct rt_loop *l, int deviate)
{
	static const int ms[] = {9, 3, 12, 6};
	struct rt_op ops[3];
	struct rt_op op;
	uint64_t race[2];

	for (int i = 0; i < 4; i++) {
		op = rt_timer(ms[i] * MS);
		if (rt_start(l, &op, on_done, (void *)(intptr_t)(10 + i)) < 0)
			return -1;
	}
	op = rt_nop();
	rt_start(l, &op, on_done, (void *)(intptr_t)1);
	/* race: the 2 ms timer beats the 40 ms one */
	ops[0] = rt_timer(40 * MS);
	ops[1] = rt_timer(2 * MS);
	rt_race(l, ops, 2, on_done, (void *)(intptr_t)20, race);
	/* timeout that fires: a read of an empty pipe for 15 ms */
	op = rt_read(pipefd[0], pbuf, sizeof(pbuf));
	rt_timeout(l, &op, 15 * MS, on_done, (void *)(intptr_t)21);
	/* timeout that does not: a 1 ms timer within 500 ms */
	op = rt_timer(1 * MS);
	rt_timeout(l, &op, 500 * MS, on_done, (void *)(intptr_t)22);
	/* all: a nop, a 4 ms timer, a 1 ms timer */
	ops[0] = rt_nop();
	ops[1] = rt_timer(4 * MS);
	ops[2] = rt_timer(1 * MS);
	rt_all(l, ops, 3, on_all, (void *)(intptr_t)23);
	/* periodic, cancelled from its third callback */
	op = rt_periodic(5 * MS, 5 * MS);
	periodic_shots = 0;
	periodic_token = (uint64_t)rt_start(l, &op, on_periodic, (void *)(intptr_t)30);
	op = rt_timer(7 * MS);
	rt_start(l, &op, on_chain, (void *)(intptr_t)32);
	if (deviate) {
		op = rt_nop();
		rt_start(l, &op, on_done, (void *)(intptr_t)2);
	}
	return rt_run(l);
}

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int index_of(const struct trace *t, int id)
{
	for (int i = 0; i < t->n; i++)
		if (t->id[i] == id)
			return i;
	return -1;
}

int main(void)
{
	static struct rt_rec log[256];
	static struct rt_loop live, replay;
	struct trace first;
	uint64_t t0, t_live, t_replay;

	if (!t_is_weft()) {
		T_SKIP("native calls are Weft's");
		T_DONE();
	}
	T_EQ(pipe(pipefd), 0);
	T_EQ(rt_init(&live, 64), 0);
	rt_record(&live, log, 256);
	t0 = now();
	T_EQ(scenario(&live, 0), 0);
	t_live = now() - t0;
	first = tr;

	/* what the live run must have done */
	/* 4 timers, nop, race, 2 timeouts, all, the periodic's shots and its
	 * -ECANCELED end, the cancel's result, the chain's 2. The periodic shoots
	 * 3 times before its third callback cancels it, or more if the loop ran
	 * late (a loaded host): count them. */
	int shots = 0;
	for (int i = 0; i < first.n; i++)
		shots += first.id[i] == 30;
	T_CHECK(shots >= 4);
	T_EQ(first.n, 4 + 1 + 1 + 2 + 1 + shots + 1 + 2);
	for (int i = first.n - 1; i >= 0; i--)
		if (first.id[i] == 30) { /* the periodic's last callback */
			T_EQ(first.result[i], -ECANCELED);
			break;
		}
	T_CHECK(index_of(&first, 1) < index_of(&first, 11)); /* nop before any timer */
	T_CHECK(index_of(&first, 11) < index_of(&first, 13) &&
		index_of(&first, 13) < index_of(&first, 10) &&
		index_of(&first, 10) < index_of(&first, 12)); /* 3, 6, 9, 12 ms */
	T_EQ(first.result[index_of(&first, 20)], 1);	      /* the race's winner: a timer */
	T_EQ(first.result[index_of(&first, 21)], -ETIMEDOUT); /* the pipe stayed empty */
	T_EQ(first.result[index_of(&first, 22)], 1);	      /* the timer beat its timeout */
	T_EQ(first.result[index_of(&first, 23)], 11);	      /* nop 0, timers 1 and 1 */
	T_EQ(first.result[index_of(&first, 99)], 0);	      /* the periodic cancel */
	T_CHECK(index_of(&first, 32) < index_of(&first, 31)); /* chained start */
	T_CHECK(t_live >= 15 * MS);
	T_CHECK(rt_log_len(&live) > 20);

	/* replay: same callbacks, same order, same results, no waiting */
	tr.n = 0;
	rt_replay_init(&replay, log, rt_log_len(&live));
	t0 = now();
	T_EQ(scenario(&replay, 0), 0);
	t_replay = now() - t0;
	T_EQ(tr.n, first.n);
	for (int i = 0; i < first.n && i < tr.n; i++) {
		T_EQ(tr.id[i], first.id[i]);
		T_EQ(tr.result[i], first.result[i]);
	}
	T_CHECK(t_replay < t_live); /* the live run waited >= 15 ms; replay waits for nothing */
	/* a program that deviates from the log is caught */
	tr.n = 0;
	rt_replay_init(&replay, log, rt_log_len(&live));
	T_EQ(scenario(&replay, 1), -EPROTO);
	rt_fini(&live);
	T_DONE();
}
