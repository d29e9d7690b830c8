/*
 * Host tests of the AsyncQ core: the ring protocol (batches, order, hostile
 * indices from user space), the overflow list (nothing lost, order kept,
 * multishot counts coalesced), the cancel state machine (not started,
 * armed, posted, unknown), F_LINK chains, poll parking and its wake, object
 * waits, destroy with armed ops (ASan checks nothing leaks), and a
 * two-thread race of timers firing against cancels: every op ends with
 * exactly one final completion.
 */
#include "ht.h"
#include <core/pmm.h>
#include <core/slab.h>
#include <obj/asyncq.h>
#include <obj/proc.h>
#include <obj/timer.h>
#include <hal/cpu.h>
#include <weft/errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RAM_BYTES (32UL << 20)

int aq_shim_fire(uint64_t now);
int aq_shim_armed(void);
unsigned aq_shim_round(void);
extern unsigned long pipe_shim_wakes;

static struct vm_space vm = {.id = 7};
static struct proc proc;
static struct thread th;

static void setup(void)
{
	static int done;

	if (done)
		return;
	ht_ram_setup();
	handle_table_init(&proc.handles, 0);
	th.vm = &vm;
	th.proc = &proc;
	done = 1;
}

struct q {
	struct asyncq *q;
	struct weft_aq_info info;
	struct weft_aq_ring *r;
};

static void q_open(struct q *q, uint32_t entries)
{
	setup();
	HT_CHECK(asyncq_create(&vm, entries, &q->q, &q->info) == 0);
	q->r = q->q->ring;
}

static struct weft_aq_sqe *sqe(struct q *q, uint8_t op, uint64_t token)
{
	uint32_t tail = q->r->sq_tail;
	struct weft_aq_sqe *s =
	    asyncq_kaddr(q->q, q->info.sqes_off + (tail & q->r->sq_mask) * sizeof(*s));

	memset(s, 0, sizeof(*s));
	s->op = op;
	s->token = token;
	q->r->sq_tail = tail + 1;
	return s;
}

static int reap(struct q *q, struct weft_aq_cqe *out)
{
	uint32_t head = q->r->cq_head;

	if (head == __atomic_load_n(&q->r->cq_tail, __ATOMIC_ACQUIRE))
		return 0;
	*out = *(struct weft_aq_cqe *)asyncq_kaddr(q->q, q->info.cqes_off +
							     (head & q->r->cq_mask) * sizeof(*out));
	__atomic_store_n(&q->r->cq_head, head + 1, __ATOMIC_RELEASE);
	return 1;
}

static long submit(struct q *q, uint32_t n)
{
	return asyncq_submit(q->q, &th, n);
}

/* Flush held completions (what any poll does). */
static long look(struct q *q)
{
	return asyncq_poll(q->q, &th, 0, 0);
}

HT_TEST(nops_in_order)
{
	struct q q;
	struct weft_aq_cqe c;

	q_open(&q, 4);
	HT_CHECK(q.info.sq_entries == 4 && q.info.cq_entries == 8);
	for (int i = 0; i < 4; i++)
		sqe(&q, WEFT_AQ_OP_NOP, 10 + i);
	HT_CHECK(submit(&q, 9) == 4);
	for (int i = 0; i < 4; i++) {
		HT_CHECK(reap(&q, &c));
		HT_CHECK(c.token == (uint64_t)(10 + i) && c.result == 0 && c.flags == 0);
	}
	HT_CHECK(!reap(&q, &c));
	sqe(&q, 99, 1);				  /* unknown op */
	sqe(&q, WEFT_AQ_OP_NOP, 2)->reserved = 1; /* reserved field set */
	sqe(&q, WEFT_AQ_OP_FD_READ, 3);		  /* kind not linked in here */
	HT_CHECK(submit(&q, 3) == 3);
	HT_CHECK(reap(&q, &c) && c.result == -EINVAL);
	HT_CHECK(reap(&q, &c) && c.result == -EINVAL);
	HT_CHECK(reap(&q, &c) && c.result == -EOPNOTSUPP);
	HT_CHECK(asyncq_submit(q.q, &(struct thread){.vm = &(struct vm_space){.id = 8}}, 1) ==
		 -EXDEV);
	kobject_put(&q.q->obj);
}

HT_TEST(overflow_keeps_all_in_order)
{
	struct q q;
	struct weft_aq_cqe c;
	int n = 0;

	q_open(&q, 4);
	for (int round = 0; round < 25; round++) {
		for (int i = 0; i < 4; i++)
			sqe(&q, WEFT_AQ_OP_NOP, round * 4 + i);
		HT_CHECK(submit(&q, 4) == 4);
	}
	HT_CHECK(q.r->cq_flags & WEFT_AQ_CQ_OVERFLOW);
	HT_CHECK(q.r->cq_overflowed == 92);
	while (n < 100) {
		int got = 0;
		while (reap(&q, &c)) {
			HT_CHECK(c.token == (uint64_t)n && c.result == 0);
			n++;
			got++;
		}
		HT_CHECK(got || n == 100);
		look(&q);
	}
	HT_CHECK(!(q.r->cq_flags & WEFT_AQ_CQ_OVERFLOW));
	kobject_put(&q.q->obj);
}

HT_TEST(hostile_indices)
{
	struct q q;
	struct weft_aq_cqe c;
	int n = 0;

	q_open(&q, 4);
	q.r->cq_head = q.r->cq_tail + 12345; /* nonsense: the ring counts as full */
	for (int i = 0; i < 4; i++)
		sqe(&q, WEFT_AQ_OP_NOP, i);
	HT_CHECK(submit(&q, 4) == 4);
	HT_CHECK(q.r->cq_tail == 0 && q.r->cq_overflowed == 4);
	q.r->cq_head = 0;
	q.r->sq_tail = q.r->sq_head + 1000000; /* claims a million SQEs: at most 4 taken */
	HT_CHECK(submit(&q, 1000000) == 4);
	q.r->sq_tail = q.r->sq_head;
	look(&q);
	while (reap(&q, &c) || (look(&q), reap(&q, &c)))
		n++;
	HT_CHECK(n == 8);
	kobject_put(&q.q->obj);
}

HT_TEST(timers_in_deadline_order)
{
	static const int order[] = {5, 1, 7, 3, 0, 6, 2, 4};
	struct q q;
	struct weft_aq_cqe c;
	uint64_t now = hal_time_ns();

	q_open(&q, 8);
	for (int i = 0; i < 8; i++) {
		struct weft_aq_sqe *s = sqe(&q, WEFT_AQ_OP_TIMER, order[i]);
		s->op_flags = WEFT_AQ_TIMER_ABS;
		s->deadline = now + 1000000000ull + order[i] * 1000;
	}
	HT_CHECK(submit(&q, 8) == 8);
	HT_CHECK(aq_shim_armed() == 8);
	HT_CHECK(!reap(&q, &c));
	HT_CHECK(aq_shim_fire(now + 2000000000ull) == 8);
	for (int i = 0; i < 8; i++)
		HT_CHECK(reap(&q, &c) && c.token == (uint64_t)i && c.result == 1);
	kobject_put(&q.q->obj);
}

HT_TEST(cancel_states)
{
	struct q q;
	struct weft_aq_cqe c;
	struct weft_aq_sqe *s;

	q_open(&q, 8);
	s = sqe(&q, WEFT_AQ_OP_TIMER, 1);
	s->deadline = 1000000000000ull;
	s->flags = WEFT_AQ_F_LINK;
	sqe(&q, WEFT_AQ_OP_NOP, 2)->flags = WEFT_AQ_F_LINK;
	sqe(&q, WEFT_AQ_OP_NOP, 3);
	HT_CHECK(submit(&q, 3) == 3);
	/* not started: 2, and 3 linked behind it */
	HT_CHECK(asyncq_cancel(q.q, 2) == 0);
	HT_CHECK(reap(&q, &c) && c.token == 2 && c.result == -ECANCELED);
	HT_CHECK(reap(&q, &c) && c.token == 3 && c.result == -ECANCELED);
	/* armed: stopped, its timer gone */
	HT_CHECK(aq_shim_armed() == 1);
	HT_CHECK(asyncq_cancel(q.q, 1) == 0);
	HT_CHECK(aq_shim_armed() == 0);
	/* posted, not reaped: too late; reaped: unknown */
	HT_CHECK(asyncq_cancel(q.q, 1) == -EALREADY);
	HT_CHECK(reap(&q, &c) && c.token == 1 && c.result == -ECANCELED);
	HT_CHECK(asyncq_cancel(q.q, 1) == -ENOENT);
	HT_CHECK(asyncq_cancel(q.q, 12345) == -ENOENT);
	/* a chain whose head succeeds runs through */
	sqe(&q, WEFT_AQ_OP_NOP, 4)->flags = WEFT_AQ_F_LINK;
	s = sqe(&q, WEFT_AQ_OP_TIMER, 5);
	s->flags = WEFT_AQ_F_LINK;
	sqe(&q, WEFT_AQ_OP_NOP, 6);
	HT_CHECK(submit(&q, 3) == 3);
	HT_CHECK(reap(&q, &c) && c.token == 4);
	HT_CHECK(!reap(&q, &c));
	aq_shim_fire(UINT64_MAX);
	HT_CHECK(reap(&q, &c) && c.token == 5 && c.result == 1);
	look(&q); /* 6 became ready when 5 completed: a thread of the owner runs it */
	HT_CHECK(reap(&q, &c) && c.token == 6 && c.result == 0);
	kobject_put(&q.q->obj);
}

HT_TEST(multishot_coalesced_in_overflow)
{
	struct q q;
	struct weft_aq_cqe c;
	struct weft_aq_sqe *s;
	uint64_t now = hal_time_ns();
	int nops = 0;

	q_open(&q, 4); /* 8 CQ slots */
	/* a period of 1 s: each hand-fired expiry counts one (the callback reads
	 * the real clock) */
	s = sqe(&q, WEFT_AQ_OP_TIMER, 50);
	s->op_flags = WEFT_AQ_TIMER_ABS;
	s->deadline = now;
	s->arg = 1000000000;
	HT_CHECK(submit(&q, 1) == 1);
	for (int r = 0; r < 2; r++) {
		for (int i = 0; i < 4; i++)
			sqe(&q, WEFT_AQ_OP_NOP, i);
		HT_CHECK(submit(&q, 4) == 4);
	}
	/* the ring is full: five expiries wait as one held completion */
	for (int k = 1; k <= 5; k++)
		HT_CHECK(aq_shim_fire(UINT64_MAX) == 1);
	HT_CHECK(q.r->cq_overflowed == 1);
	HT_CHECK(asyncq_cancel(q.q, 50) == 0);
	while (nops < 8 && reap(&q, &c))
		nops++;
	HT_CHECK(nops == 8);
	look(&q);
	HT_CHECK(reap(&q, &c) && c.token == 50 && c.result == 5 && (c.flags & WEFT_AQ_CQE_MORE));
	HT_CHECK(reap(&q, &c) && c.token == 50 && c.result == -ECANCELED && !c.flags);
	HT_CHECK(!reap(&q, &c));
	kobject_put(&q.q->obj);
}

HT_TEST(poll_parks_and_wakes)
{
	struct q q;
	struct weft_aq_sqe *s;
	unsigned long wakes = pipe_shim_wakes;

	q_open(&q, 4);
	s = sqe(&q, WEFT_AQ_OP_TIMER, 1);
	s->deadline = 1000000000;
	HT_CHECK(submit(&q, 1) == 1);
	HT_CHECK(asyncq_poll(q.q, &th, 9, 0) == -EINVAL);
	HT_CHECK(asyncq_poll(q.q, &th, 1, 0) == -ETIMEDOUT); /* a past deadline: a look */
	HT_CHECK(asyncq_poll(q.q, &th, 1, WEFT_TIME_INFINITE) == -EPARKED);
	HT_CHECK(pipe_shim_wakes == wakes);
	aq_shim_fire(UINT64_MAX);
	HT_CHECK(pipe_shim_wakes == wakes + 1);
	HT_CHECK(th.cont(&th) == 0); /* the continuation finds the completion */
	HT_CHECK((long)hal_tf_arg(&th.tf, 0) == 1);
	kobject_put(&q.q->obj);
}

HT_TEST(wait_on_timer_object_and_destroy_armed)
{
	struct q q;
	struct weft_aq_cqe c;
	struct weft_aq_sqe *s;
	struct timer *tm;
	handle_t h;

	q_open(&q, 4);
	HT_CHECK(timer_obj_create(&tm) == 0);
	HT_CHECK(handle_alloc(&proc.handles, &tm->obj, WEFT_RIGHT_WAIT | WEFT_RIGHT_WRITE, NULL,
			      &h) == 0);
	s = sqe(&q, WEFT_AQ_OP_WAIT, 1);
	s->handle = h;
	s->arg = WEFT_SIG_SIGNALED;
	HT_CHECK(submit(&q, 1) == 1);
	HT_CHECK(!reap(&q, &c));
	timer_obj_set(tm, 5, 0);
	aq_shim_fire(10);
	HT_CHECK(reap(&q, &c) && c.token == 1 && (c.signals & WEFT_SIG_SIGNALED));
	/* ops armed when the queue dies: a wait, a timer, a periodic timer */
	timer_obj_cancel(tm);
	s = sqe(&q, WEFT_AQ_OP_WAIT, 2);
	s->handle = h;
	s->arg = WEFT_SIG_SIGNALED;
	sqe(&q, WEFT_AQ_OP_TIMER, 3)->deadline = 1000000000;
	s = sqe(&q, WEFT_AQ_OP_TIMER, 4);
	s->deadline = 1000000000;
	s->arg = 1000000;
	HT_CHECK(submit(&q, 3) == 3);
	HT_CHECK(aq_shim_armed() == 2);
	look(&q);
	kobject_put(&q.q->obj);
	HT_CHECK(aq_shim_armed() == 0);
	timer_obj_set(tm, 1, 0); /* nobody observes it any more */
	aq_shim_fire(10);
	kobject_put(&tm->obj);
	HT_CHECK(handle_close(&proc.handles, h) == 0);
}

/* Timers fire on one thread while another cancels them: each op must end
 * with exactly one final completion, whoever wins. */
static volatile int stop_firing;

void host_set_cpu(unsigned id);

static void *firer(void *arg)
{
	(void)arg;
	host_set_cpu(1);
	while (!__atomic_load_n(&stop_firing, __ATOMIC_ACQUIRE))
		aq_shim_fire(UINT64_MAX);
	return NULL;
}

HT_TEST(fire_against_cancel)
{
	enum { N = 3000 };
	static unsigned char finals[N];
	struct q q;
	struct weft_aq_cqe c;
	pthread_t f;
	int done = 0, cancelled = 0;

	q_open(&q, 64);
	memset(finals, 0, sizeof(finals));
	stop_firing = 0;
	HT_CHECK(pthread_create(&f, NULL, firer, NULL) == 0);
	for (int i = 0; i < N; i++) {
		struct weft_aq_sqe *s = sqe(&q, WEFT_AQ_OP_TIMER, i);
		s->deadline = 0;
		if (i % 3 == 0)
			s->arg = 10000; /* periodic: only a cancel ends it */
		/* -EBUSY is the back-pressure of too many ops or held completions:
		 * consume, then try again */
		long sr;
		while ((sr = submit(&q, 1)) == -EBUSY)
			while (reap(&q, &c))
				if (!(c.flags & WEFT_AQ_CQE_MORE))
					finals[c.token]++;
		HT_CHECK(sr == 1);
		long r = asyncq_cancel(q.q, i - (i % 2)); /* this one or the one before */
		HT_CHECK(r == 0 || r == -EALREADY || r == -ENOENT);
		cancelled += r == 0;
		while (reap(&q, &c))
			if (!(c.flags & WEFT_AQ_CQE_MORE))
				finals[c.token]++;
		if (i % 3 == 2) /* end the periodic timers that escaped */
			for (int k = i - 2; k <= i; k++)
				if (k % 3 == 0 && !finals[k])
					asyncq_cancel(q.q, k);
	}
	__atomic_store_n(&stop_firing, 1, __ATOMIC_RELEASE);
	pthread_join(f, NULL);
	for (int k = 0; k < N; k += 3)
		asyncq_cancel(q.q, k);
	for (int spin = 0; spin < 100; spin++) {
		aq_shim_fire(UINT64_MAX); /* the one-shots still armed */
		look(&q);
		while (reap(&q, &c))
			if (!(c.flags & WEFT_AQ_CQE_MORE))
				finals[c.token]++;
	}
	for (int i = 0; i < N; i++) {
		if (finals[i] != 1)
			fprintf(stderr, "  op %d: %d final completions\n", i, finals[i]);
		done += finals[i] == 1;
	}
	HT_CHECK(done == N && cancelled > 0);
	kobject_put(&q.q->obj);
}

HT_MAIN(HT_CASE(nops_in_order), HT_CASE(overflow_keeps_all_in_order), HT_CASE(hostile_indices),
	HT_CASE(timers_in_deadline_order), HT_CASE(cancel_states),
	HT_CASE(multishot_coalesced_in_overflow), HT_CASE(poll_parks_and_wakes),
	HT_CASE(wait_on_timer_object_and_destroy_armed), HT_CASE(fire_against_cancel))
