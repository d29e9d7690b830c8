/*
 * AsyncQ: rings, submit, poll, cancel and the op state machine (model and
 * locking in obj/asyncq.h; the built-in op kinds are in asyncq_ops.c, the
 * shared region's pages in asyncq_mem.c).
 *
 * The shared region is order-0 pages (so each can be mapped and counted
 * like any user page), reached by the kernel through the direct map: an
 * entry never straddles a page. The kernel trusts nothing user space writes
 * there: it reads sq_tail and cq_head once per use, clamps them, and copies
 * each SQE before looking at it.
 */
#include <obj/asyncq.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/uaccess.h>
#include <core/vm.h>
#include <hal/cpu.h>
#include <lib/string.h>
#include <weft/errno.h>

static struct weft_aq_sqe *sqe_at(struct asyncq *q, uint32_t i)
{
	return asyncq_kaddr(q,
		      PAGE_SIZE + (uint64_t)(i & (q->sq_entries - 1)) * sizeof(struct weft_aq_sqe));
}

static struct weft_aq_cqe *cqe_at(struct asyncq *q, uint32_t i)
{
	uint64_t sq_bytes = PAGE_ROUND_UP((uint64_t)q->sq_entries * sizeof(struct weft_aq_sqe));

	return asyncq_kaddr(q, PAGE_SIZE + sq_bytes +
			     (uint64_t)(i & (q->cq_entries - 1)) * sizeof(struct weft_aq_cqe));
}

/* ---- completions ---- */

/* Completions in the ring not yet consumed, as far as the user's head says
 * (a head that makes no sense counts as a full ring). */
static uint32_t cq_used_locked(struct asyncq *q)
{
	uint32_t head = __atomic_load_n(&q->ring->cq_head, __ATOMIC_ACQUIRE);
	uint32_t used = q->cq_tail - head;

	return used > q->cq_entries ? q->cq_entries : used;
}

/* Publish cq_tail: what was written before is visible to user space first. */
static void publish_locked(struct asyncq *q)
{
	__atomic_store_n(&q->ring->cq_tail, q->cq_tail, __ATOMIC_RELEASE);
}

/* cq_room is a lower bound of the free slots (user space only frees more),
 * so the user's head is read only when it runs out; during a batch
 * (q->batching) the tail is published once, at the end. */
static bool ring_put_locked(struct asyncq *q, const struct weft_aq_cqe *c)
{
	if (!q->cq_room) {
		q->cq_room = q->cq_entries - cq_used_locked(q);
		if (!q->cq_room)
			return false;
	}
	q->cq_room--;
	*cqe_at(q, q->cq_tail) = *c;
	q->cq_tail++;
	if (!q->batching)
		publish_locked(q);
	return true;
}

static void set_flag(uint32_t *flags, uint32_t bit, bool on)
{
	uint32_t old = __atomic_load_n(flags, __ATOMIC_RELAXED);

	if (!!(old & bit) != on)
		__atomic_store_n(flags, on ? old | bit : old & ~bit, __ATOMIC_RELEASE);
}

/* Wake every poller: each re-checks what it waits for. */
static void wake_locked(struct asyncq *q)
{
	struct list *it;

	while ((it = list_pop(&q->pollers.waiters))) {
		struct waiter *w = list_entry(it, struct waiter, link);
		w->wq = NULL;
		thread_wake(w->t, w->gen, 0);
	}
}

/* Post one completion of op: into the ring, or held on the overflow list
 * (after every completion already held, so none overtakes another of the
 * same op; a multishot count is added to a held one). */
static void post_locked(struct asyncq *q, struct aq_op *op, long result, uint32_t flags,
			uint32_t signals)
{
	struct weft_aq_cqe c = {op->sqe.token, result, flags, signals, 0};

	if (op->npend) {
		struct weft_aq_cqe *last = &op->pend[op->npend - 1];
		if ((last->flags & WEFT_AQ_CQE_MORE) && (flags & WEFT_AQ_CQE_MORE))
			last->result += result;
		else
			op->pend[op->npend++] = c;
		return;
	}
	if (list_empty(&q->overflow) && ring_put_locked(q, &c))
		return;
	op->pend[0] = c;
	op->npend = 1;
	list_add_tail(&q->overflow, &op->olink);
	q->ring->cq_overflowed++;
	set_flag(&q->ring->cq_flags, WEFT_AQ_CQ_OVERFLOW, true);
}

/* Move held completions into the ring while it has room. */
static void flush_locked(struct asyncq *q)
{
	struct list *it;

	while ((it = q->overflow.next) != &q->overflow) {
		struct aq_op *op = list_entry(it, struct aq_op, olink);
		if (!ring_put_locked(q, &op->pend[0]))
			break;
		op->pend[0] = op->pend[1];
		if (--op->npend)
			continue;
		list_del(&op->olink);
		if (op->state == AQ_DONE)
			list_add_tail(&q->reap, &op->link);
	}
	set_flag(&q->ring->cq_flags, WEFT_AQ_CQ_OVERFLOW, !list_empty(&q->overflow));
}

static void complete_locked(struct asyncq *q, struct aq_op *op, long result, uint32_t signals);

/* op and everything linked after it never start: -ECANCELED each. */
static void cancel_chain_locked(struct asyncq *q, struct aq_op *op)
{
	if (op->prev)
		op->prev->next = NULL;
	op->prev = NULL;
	complete_locked(q, op, -ECANCELED, 0);
}

/* op is over: post its last completion, start or cancel its successor. */
static void complete_locked(struct asyncq *q, struct aq_op *op, long result, uint32_t signals)
{
	struct aq_op *next = op->next;

	if (op->state == AQ_QUEUED)
		list_del(&op->rlink);
	op->next = NULL;
	post_locked(q, op, result, 0, signals);
	op->state = AQ_DONE;
	list_del(&op->link);
	if (!op->npend)
		list_add_tail(&q->reap, &op->link);
	if (next) {
		next->prev = NULL;
		if (result >= 0) {
			next->state = AQ_QUEUED;
			list_add_tail(&q->ready, &next->rlink);
		} else {
			cancel_chain_locked(q, next);
		}
	}
	wake_locked(q);
}

static void queue_locked(struct asyncq *q, struct aq_op *op)
{
	op->state = AQ_QUEUED;
	list_add_tail(&q->ready, &op->rlink);
	set_flag(&q->ring->sq_flags, WEFT_AQ_SQ_NEED_ENTER, true);
	wake_locked(q);
}

bool aq_op_event(struct aq_op *op, long result, bool final, uint32_t flags, uint32_t signals)
{
	struct asyncq *q = op->q;
	bool more = false;

	spin_lock(&q->pollers.lock);
	if (op->state == AQ_ARMED) {
		more = !final;
		if (final)
			complete_locked(q, op, result, signals);
		else if (flags & WEFT_AQ_CQE_MORE)
			post_locked(q, op, result, WEFT_AQ_CQE_MORE, signals), wake_locked(q);
		else
			queue_locked(q, op);
	} else if (op->state == AQ_BUSY && !op->stopping) {
		/* the running thread looks at it when it is done */
		more = !final;
		if (op->kicked && (flags & WEFT_AQ_CQE_MORE) && !final)
			op->kick_result += result;
		else
			op->kick_result = result;
		op->kicked = true;
		op->kick_final = final;
		op->kick_flags = flags;
		op->kick_signals = signals;
	}
	spin_unlock(&q->pollers.lock);
	return more;
}

void aq_op_progress(struct aq_op *op)
{
	spin_lock(&op->q->pollers.lock);
	op->progressed = true;
	spin_unlock(&op->q->pollers.lock);
}

bool aq_op_claim(struct aq_op *op)
{
	bool ok;

	spin_lock(&op->q->pollers.lock);
	ok = !op->stopping && op->state != AQ_DONE;
	if (ok)
		op->progressed = true;
	spin_unlock(&op->q->pollers.lock);
	return ok;
}

/* ---- running ops ---- */

/* A BUSY op's run returned r: settle it (q locked). */
static void settle_locked(struct asyncq *q, struct aq_op *op, long r)
{
	bool kicked = op->kicked;

	op->kicked = false;
	if (r != -EPARKED) {
		op->state = AQ_ARMED; /* not on the ready list */
		complete_locked(q, op, r, op->signals);
		return;
	}
	op->state = AQ_ARMED;
	if (!kicked)
		return;
	if (op->kick_final)
		complete_locked(q, op, op->kick_result, op->kick_signals);
	else if (op->kick_flags & WEFT_AQ_CQE_MORE)
		post_locked(q, op, op->kick_result, WEFT_AQ_CQE_MORE, op->kick_signals),
		    wake_locked(q);
	else
		queue_locked(q, op);
}

/* Move every node of from to to (to is overwritten). */
static void list_move_all(struct list *to, struct list *from)
{
	list_init(to);
	if (list_empty(from))
		return;
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	list_init(from);
}

static void free_op(struct aq_op *op)
{
	if (op->kind->release)
		op->kind->release(op);
	kfree(op);
}

/* Run the ready list on t (a thread of the owning space), flush held
 * completions, then free the ops that are done. */
static void run_ready(struct asyncq *q, struct thread *t)
{
	struct list reap, *it;
	unsigned n = 0;

	spin_lock(&q->pollers.lock);
	while ((it = list_pop(&q->ready))) {
		struct aq_op *op = list_entry(it, struct aq_op, rlink);
		long r;

		op->state = AQ_BUSY;
		if (op->kind->under_lock) {
			r = op->kind->run(t, op);
		} else {
			spin_unlock(&q->pollers.lock);
			r = op->kind->run(t, op);
			spin_lock(&q->pollers.lock);
		}
		settle_locked(q, op, r);
	}
	set_flag(&q->ring->sq_flags, WEFT_AQ_SQ_NEED_ENTER, false);
	flush_locked(q);
	list_move_all(&reap, &q->reap);
	spin_unlock(&q->pollers.lock);
	while ((it = list_pop(&reap))) {
		free_op(list_entry(it, struct aq_op, link));
		n++;
	}
	if (n) {
		spin_lock(&q->pollers.lock);
		q->nops -= n;
		spin_unlock(&q->pollers.lock);
	}
}

static bool same_space(struct asyncq *q, struct thread *t)
{
	return t->vm && t->vm->id == q->vm_id;
}

/* ---- submit ---- */

extern const struct aq_kind aq_kind_nop, aq_kind_timer, aq_kind_vmo_read, aq_kind_vmo_write,
    aq_kind_wait;

/* Completes at once with the error found when the SQE was decoded. */
static long error_run(struct thread *t, struct aq_op *op)
{
	(void)t;
	return op->error;
}

static const struct aq_kind aq_kind_error = {.run = error_run};

static const struct aq_kind *kind_of(const struct weft_aq_sqe *s, long *err)
{
	const struct aq_kind *k = NULL;

	*err = -EINVAL;
	if (s->reserved || (s->flags & ~WEFT_AQ_F_LINK))
		return &aq_kind_error;
	switch (s->op) {
	case WEFT_AQ_OP_NOP:
		k = &aq_kind_nop;
		break;
	case WEFT_AQ_OP_TIMER:
		k = &aq_kind_timer;
		break;
	case WEFT_AQ_OP_VMO_READ:
		k = &aq_kind_vmo_read;
		break;
	case WEFT_AQ_OP_VMO_WRITE:
		k = &aq_kind_vmo_write;
		break;
	case WEFT_AQ_OP_WAIT:
		k = &aq_kind_wait;
		break;
	case WEFT_AQ_OP_FD_READ:
		k = &aq_kind_fd_read;
		break;
	case WEFT_AQ_OP_FD_WRITE:
		k = &aq_kind_fd_write;
		break;
	case WEFT_AQ_OP_CHAN_SEND:
		k = &aq_kind_chan_send;
		break;
	case WEFT_AQ_OP_CHAN_RECV:
		k = &aq_kind_chan_recv;
		break;
	default:
		return &aq_kind_error;
	}
	if (!k) /* a weak kind that is not linked in */
		*err = -EOPNOTSUPP;
	return k ? k : &aq_kind_error;
}

/*
 * A batch in progress. Ops that finish without waiting or touching user
 * memory (a nop, an SQE found invalid, an op cancelled because the one it
 * was linked to failed) complete right there, under the lock, with no op
 * allocated unless their completion must wait on the overflow list: that
 * is what makes a batch of nops cost a few dozen instructions each.
 */
struct batch {
	struct thread *t;
	uint64_t now; /* when the submit began: relative timers of the batch count from it */
	struct aq_op *link_to; /* the last op queued, if it has WEFT_AQ_F_LINK */
	bool cancel_next;      /* the chain failed: the next linked SQE is cancelled */
};

static bool inline_kind(const struct aq_kind *k)
{
	return k == &aq_kind_nop || k == &aq_kind_error;
}

/* Post a completion of an op that has no struct (q locked): into the ring,
 * or held by a small op on the overflow list. false when out of memory. */
static bool post_inline_locked(struct asyncq *q, const struct weft_aq_sqe *s, long result)
{
	struct weft_aq_cqe c = {s->token, result, 0, 0, 0};
	struct aq_op *op;

	if (list_empty(&q->overflow) && ring_put_locked(q, &c))
		return true;
	op = kzalloc(sizeof(*op));
	if (!op)
		return false;
	op->q = q;
	op->kind = &aq_kind_error;
	op->sqe = *s;
	op->state = AQ_DONE;
	list_init(&op->link);
	list_init(&op->rlink);
	q->nops++;
	post_locked(q, op, result, 0, 0);
	return true;
}

/* Queue (or link) a new op for SQE s (q locked). */
static int queue_sqe_locked(struct asyncq *q, struct batch *b, const struct weft_aq_sqe *s,
			    const struct aq_kind *k, long error)
{
	struct aq_op *op;

	if (q->nops >= q->max_ops)
		return -EBUSY;
	op = kzalloc(sizeof(*op));
	if (!op)
		return -ENOMEM;
	op->sqe = *s;
	op->q = q;
	op->kind = k;
	op->error = error;
	op->prev = b->link_to;
	list_init(&op->rlink);
	list_init(&op->olink);
	list_add_tail(&q->live, &op->link);
	q->nops++;
	b->link_to = (s->flags & WEFT_AQ_F_LINK) ? op : NULL;
	if (op->prev) {
		op->state = AQ_LINKED;
		op->prev->next = op;
	} else if (k->under_lock && !b->link_to) {
		/* started right here (a timer): no trip through the ready list */
		op->state = AQ_BUSY;
		op->deadline = b->now; /* the base of a relative deadline */
		settle_locked(q, op, k->run(b->t, op));
	} else {
		op->state = AQ_QUEUED;
		list_add_tail(&q->ready, &op->rlink);
	}
	return 0;
}

/*
 * The common case of a batch, kept tight: consecutive plain nops (no flags,
 * not linked behind anything) while the ring has room and nothing is held
 * on the overflow list. Each is read once, field by field. How many it took.
 */
static uint32_t take_nops_locked(struct asyncq *q, const struct batch *b, uint32_t n)
{
	uint32_t i = 0;

	if (b->link_to || b->cancel_next || !list_empty(&q->overflow))
		return 0;
	for (; i < n; i++) {
		const struct weft_aq_sqe *u = sqe_at(q, q->sq_head);
		uint64_t w0 = __atomic_load_n((const uint64_t *)u, __ATOMIC_RELAXED);
		struct weft_aq_cqe *c;

		/* op (byte 0), flags (1) and reserved (2, 3) all zero: a plain nop */
		if ((w0 & 0xffffffffu) != WEFT_AQ_OP_NOP || !q->cq_room)
			break;
		c = cqe_at(q, q->cq_tail);
		c->token = __atomic_load_n(&u->token, __ATOMIC_RELAXED);
		c->result = 0;
		c->flags = 0;
		c->signals = 0;
		c->reserved = 0;
		q->cq_room--;
		q->cq_tail++;
		q->sq_head++;
	}
	return i;
}

/* Take one SQE (q locked): 0, or -EBUSY/-ENOMEM and it stays in the ring. */
static int take_sqe_locked(struct asyncq *q, struct batch *b)
{
	struct weft_aq_sqe s = *sqe_at(q, q->sq_head); /* one copy, never re-read */
	long error = 0;
	const struct aq_kind *k = kind_of(&s, &error);
	int err = 0;

	if (b->link_to || (!b->cancel_next && !inline_kind(k))) {
		err = queue_sqe_locked(q, b, &s, k, error);
	} else {
		long result = b->cancel_next ? -ECANCELED : k == &aq_kind_nop ? 0 : error;
		if (q->nops >= q->max_ops && !list_empty(&q->overflow))
			err = -EBUSY;
		else if (!post_inline_locked(q, &s, result))
			err = -ENOMEM;
		b->cancel_next = !err && result < 0 && (s.flags & WEFT_AQ_F_LINK);
	}
	if (!err)
		q->sq_head++;
	return err;
}

long asyncq_submit(struct asyncq *q, struct thread *t, uint32_t n)
{
	struct batch b = {t, hal_time_ns(), NULL, false};
	uint32_t done = 0, avail;
	int err = 0;

	if (!same_space(q, t))
		return -EXDEV;
	/* the whole batch is taken under the lock, so no op of it starts
	 * before its chain is complete */
	spin_lock(&q->pollers.lock);
	avail = __atomic_load_n(&q->ring->sq_tail, __ATOMIC_ACQUIRE) - q->sq_head;
	if (avail > q->sq_entries)
		avail = q->sq_entries;
	if (n > avail)
		n = avail;
	q->batching = true;
	while (done < n) {
		done += take_nops_locked(q, &b, n - done);
		if (done == n || (err = take_sqe_locked(q, &b)))
			break;
		done++;
	}
	q->batching = false;
	publish_locked(q);
	__atomic_store_n(&q->ring->sq_head, q->sq_head, __ATOMIC_RELEASE);
	if (done)
		wake_locked(q);
	spin_unlock(&q->pollers.lock);
	run_ready(q, t);
	return done ? (long)done : err;
}

/* ---- poll ---- */

/* One look for poll (q held by the caller): the count when at least min
 * completions are there, -ETIMEDOUT, or -EPARKED after parking t. */
static long poll_step(struct asyncq *q, struct thread *t, uint32_t min, uint64_t deadline,
		      bool timed_out);

/* t->wait: [0] q (a reference), [1] min, [2] deadline. */
static long poll_cont(struct thread *t)
{
	struct asyncq *q = (struct asyncq *)t->wait[0];
	long r = t->wake_result;

	waitq_remove(&t->wnode);
	if (r != -EINTR)
		r = poll_step(q, t, (uint32_t)t->wait[1], t->wait[2], r == -ETIMEDOUT);
	if (r == -EPARKED)
		return r;
	kobject_put(&q->obj);
	hal_tf_set_ret(&t->tf, r);
	return 0;
}

static long poll_step(struct asyncq *q, struct thread *t, uint32_t min, uint64_t deadline,
		      bool timed_out)
{
	uint32_t used;

	for (;;) {
		run_ready(q, t);
		spin_lock(&q->pollers.lock);
		if (list_empty(&q->ready))
			break;
		spin_unlock(&q->pollers.lock); /* an event came meanwhile */
	}
	used = cq_used_locked(q);
	if (used >= min) {
		spin_unlock(&q->pollers.lock);
		return used;
	}
	if (timed_out || (deadline != WEFT_TIME_INFINITE && deadline <= hal_time_ns())) {
		spin_unlock(&q->pollers.lock);
		return -ETIMEDOUT;
	}
	t->wait[0] = (uint64_t)q;
	t->wait[1] = min;
	t->wait[2] = deadline;
	waitq_park_locked(&q->pollers, t, poll_cont, deadline == WEFT_TIME_INFINITE ? 0 : deadline);
	spin_unlock(&q->pollers.lock);
	return -EPARKED;
}

long asyncq_poll(struct asyncq *q, struct thread *t, uint32_t min, uint64_t deadline_ns)
{
	long r;

	if (!same_space(q, t))
		return -EXDEV;
	if (min > q->cq_entries)
		return -EINVAL;
	kobject_get(&q->obj); /* for the park, if there is one */
	r = poll_step(q, t, min, deadline_ns, false);
	if (r != -EPARKED)
		kobject_put(&q->obj);
	return r;
}

/* ---- cancel ---- */

static struct aq_op *find_live_locked(struct asyncq *q, uint64_t token)
{
	struct list *it;

	list_for_each (it, &q->live) {
		struct aq_op *op = list_entry(it, struct aq_op, link);
		if (op->sqe.token == token)
			return op;
	}
	return NULL;
}

/* Is a completion of token posted and not yet consumed? */
static bool posted_locked(struct asyncq *q, uint64_t token)
{
	uint32_t used = cq_used_locked(q);
	struct list *it;

	list_for_each (it, &q->overflow)
		if (list_entry(it, struct aq_op, olink)->sqe.token == token)
			return true;
	for (uint32_t i = q->cq_tail - used; i != q->cq_tail; i++)
		if (cqe_at(q, i)->token == token)
			return true;
	return false;
}

long asyncq_cancel(struct asyncq *q, uint64_t token)
{
	struct aq_op *op;
	long r = 0;

	spin_lock(&q->pollers.lock);
	while ((op = find_live_locked(q, token)) && op->state == AQ_BUSY) {
		/* a run never parks: wait it out */
		spin_unlock(&q->pollers.lock);
		hal_cpu_relax();
		spin_lock(&q->pollers.lock);
	}
	if (!op) {
		r = posted_locked(q, token) ? -EALREADY : -ENOENT;
	} else if (op->progressed) {
		r = -EBUSY;
	} else if (op->state == AQ_LINKED) {
		cancel_chain_locked(q, op);
	} else if (op->state == AQ_QUEUED) {
		complete_locked(q, op, -ECANCELED, 0);
	} else { /* ARMED: claim it, stop its event, then end it */
		op->state = AQ_BUSY;
		op->stopping = true;
		spin_unlock(&q->pollers.lock);
		if (op->kind->disarm)
			op->kind->disarm(op);
		spin_lock(&q->pollers.lock);
		op->kicked = false;
		op->state = AQ_ARMED;
		complete_locked(q, op, -ECANCELED, 0);
	}
	spin_unlock(&q->pollers.lock);
	return r;
}

/* ---- the object ---- */

static void asyncq_destroy(struct kobject *o)
{
	struct asyncq *q = kobject_entry(o, struct asyncq, obj);
	struct list *it, *tmp;

	/* Nobody else holds q: claim every armed op, then stop its event
	 * (callbacks that still come in see BUSY and only note a kick). */
	spin_lock(&q->pollers.lock);
	list_for_each (it, &q->live) {
		struct aq_op *op = list_entry(it, struct aq_op, link);
		op->claimed_armed = op->state == AQ_ARMED;
		op->state = AQ_BUSY;
		op->stopping = true;
	}
	spin_unlock(&q->pollers.lock);
	list_for_each_safe (it, tmp, &q->live) {
		struct aq_op *op = list_entry(it, struct aq_op, link);
		if (op->claimed_armed && op->kind->disarm)
			op->kind->disarm(op);
		list_del(&op->olink);
		free_op(op);
	}
	list_for_each_safe (it, tmp, &q->overflow) /* done, held completions only */
		free_op(list_entry(it, struct aq_op, olink));
	list_for_each_safe (it, tmp, &q->reap)
		free_op(list_entry(it, struct aq_op, link));
	aq_mem_put(q->mem);
	kfree(q);
}

static const struct kobject_ops asyncq_ops = {
    .type = WEFT_OBJ_ASYNCQ,
    .name = "asyncq",
    .destroy = asyncq_destroy,
};

struct asyncq *asyncq_from_obj(struct kobject *o)
{
	if (!o || o->ops != &asyncq_ops)
		return NULL;
	return kobject_entry(o, struct asyncq, obj);
}

static void init_rings(struct asyncq *q, uint32_t entries)
{
	q->sq_entries = entries;
	q->cq_entries = 2 * entries;
	q->ring = asyncq_kaddr(q, 0);
	q->ring->sq_mask = entries - 1;
	q->ring->sq_entries = entries;
	q->ring->cq_mask = 2 * entries - 1;
	q->ring->cq_entries = 2 * entries;
	q->max_ops = 4 * q->cq_entries < 256 ? 256 : 4 * q->cq_entries;
	waitq_init(&q->pollers, "asyncq");
	list_init(&q->live);
	list_init(&q->ready);
	list_init(&q->overflow);
	list_init(&q->reap);
}

int asyncq_create(struct vm_space *vm, uint32_t entries, struct asyncq **out,
		  struct weft_aq_info *info)
{
	uint64_t sq_bytes, cq_bytes;
	struct asyncq *q;
	uaddr_t addr = 0;
	int err;

	if (!entries || entries > WEFT_AQ_MAX_ENTRIES || (entries & (entries - 1)))
		return -EINVAL;
	sq_bytes = PAGE_ROUND_UP((uint64_t)entries * sizeof(struct weft_aq_sqe));
	cq_bytes = PAGE_ROUND_UP((uint64_t)2 * entries * sizeof(struct weft_aq_cqe));
	q = kzalloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->mem = aq_mem_alloc((unsigned)(1 + (sq_bytes + cq_bytes) / PAGE_SIZE));
	if (!q->mem) {
		kfree(q);
		return -ENOMEM;
	}
	init_rings(q, entries);
	err = vm_map_pager(vm, &addr, PAGE_SIZE + sq_bytes + cq_bytes, VM_R | VM_W, VM_SHARED,
			   &aq_mem_pager, q->mem, 0);
	if (err) {
		aq_mem_put(q->mem);
		kfree(q);
		return err;
	}
	q->vm_id = vm->id;
	kobject_init(&q->obj, &asyncq_ops);
	*info = (struct weft_aq_info){addr,	 PAGE_SIZE + sq_bytes + cq_bytes,
				      PAGE_SIZE, PAGE_SIZE + sq_bytes,
				      entries,	 2 * entries};
	*out = q;
	return 0;
}
