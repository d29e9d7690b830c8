/*
 * Service threads: queues, workers, client parks and fault containment (the
 * model is in <svc/svc.h>). The monolithic build's inline path is
 * svc_inline.c; injection and /proc/services are svc_stats.c.
 *
 * Locking: the queue is guarded by the lock of the wait queue idle workers
 * park on (s->work.lock), so a worker tests for work and parks atomically;
 * s->queued is also read without it by clients deciding to wait for room
 * (they test it again under s->room.lock before parking, and a taker that
 * brings a full queue below the limit wakes s->room after the decrement, so
 * no wake-up is lost). s->lock guards the injection settings.
 * A worker's `cur` is written only by the worker itself (and by its fault
 * handler, which runs on the worker with interrupts off); the watchdog timer
 * only tests whether it is NULL.
 */
#include <svc/svc.h>
#include <core/klog.h>
#include <core/kthread.h>
#include <core/slab.h>
#include <core/spinlock.h>
#include <core/vm.h>
#include <hal/cpu.h>
#include <hal/context.h>
#include <hal/irq.h>
#include <weft/errno.h>
#include "svc_impl.h"

struct spinlock svc_list_lock = SPINLOCK_INIT("svc-list");
struct list svc_list = LIST_INIT(svc_list);

/* ---- completing a request ---- */

/* The client learns the result: a parked user thread is woken (its
 * continuation stores the result and frees the request), a kernel client's
 * completion is signalled, an async request's finish hook is called. */
static void complete(struct service *s, struct svc_req *r, long result)
{
	if (result == -EIO)
		__atomic_add_fetch(&s->nr_failed, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->nr_completed, 1, __ATOMIC_RELAXED);
	if (r->vm)
		vm_put(r->vm);
	r->vm = NULL;
	if (r->client && result == -EPARKED) {
		/* The request parked its client anew (see svc_submit_user): the
		 * request's own park will never be woken. */
		sched_park_dropped();
		kfree(r);
	} else if (r->client) {
		thread_wake_unintr(r->client, r->gen, result);
	} else if (r->finish) {
		r->finish(r, result);
	} else {
		completion_signal(r->done, result);
	}
}

/* The continuation of a user client: the request's result is its a0. */
static long client_cont(struct thread *t)
{
	long r = t->wake_result;

	kfree((void *)t->wait[5]);
	if (r != -EJUSTRETURN)
		hal_tf_set_ret(&t->tf, r);
	return 0;
}

/* ---- the queue ---- */

static bool full(struct service *s)
{
	return __atomic_load_n(&s->queued, __ATOMIC_ACQUIRE) >= SVC_QUEUE_MAX;
}

/* Queue r and wake a worker. */
static void enqueue(struct service *s, struct svc_req *r)
{
	spin_lock(&s->work.lock);
	r->seq = ++s->next_seq;
	list_add_tail(&s->queue, &r->link);
	__atomic_store_n(&s->queued, s->queued + 1, __ATOMIC_RELEASE);
	spin_unlock(&s->work.lock);
	__atomic_add_fetch(&s->nr_requests, 1, __ATOMIC_RELAXED);
	waitq_wake(&s->work, 1, 0);
}

static struct svc_req *take(struct service *s)
{
	struct thread *me = current();
	struct svc_req *r;

	spin_lock(&s->work.lock);
	while (list_empty(&s->queue)) {
		waitq_park_locked(&s->work, me, NULL, 0);
		spin_unlock(&s->work.lock);
		sched_block_kthread();
		spin_lock(&s->work.lock);
	}
	r = list_entry(list_pop(&s->queue), struct svc_req, link);
	bool was_full = s->queued >= SVC_QUEUE_MAX;
	__atomic_store_n(&s->queued, s->queued - 1, __ATOMIC_RELEASE);
	spin_unlock(&s->work.lock);
	if (was_full)
		waitq_wake(&s->room, -1, 0); /* clients wait only while it is full */
	return r;
}

/*
 * The queue looked full (tested without the lock: the limit is soft, a few
 * requests more may get in): park t on s->room with cont, or return false if
 * there is room after all. Tested again under room.lock, and a taker that
 * makes room in a full queue wakes every waiter under the same lock, so no
 * wake-up is lost.
 */
static bool park_for_room(struct service *s, struct thread *t, thread_cont_t cont)
{
	spin_lock(&s->room.lock);
	bool park = full(s);
	if (park)
		waitq_park_locked(&s->room, t, cont, 0);
	spin_unlock(&s->room.lock);
	return park;
}

long svc_submit_user(struct service *s, struct thread *t, svc_fn_t fn, void *arg)
{
	if (svc_monolithic())
		svc_inline_user(s, t, fn, arg);
	struct svc_req *r = kzalloc(sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fn = fn;
	r->arg = arg;
	r->client = t;
	r->proc = t->proc;
	r->vm = t->vm;
	if (r->vm)
		vm_get(r->vm);
	if (full(s) && park_for_room(s, t, sched_cont_restart)) {
		/* Full: wait for room, then run the syscall again from the start. */
		if (r->vm)
			vm_put(r->vm);
		kfree(r);
		return -EPARKED;
	}
	t->wait[5] = (uint64_t)r;
	r->gen = thread_park_begin_unintr(t, client_cont);
	enqueue(s, r);
	return -EPARKED;
}

int svc_submit_async(struct service *s, struct svc_req *r)
{
	r->client = NULL;
	r->proc = NULL;
	r->svc = s;
	if (svc_monolithic())
		return svc_inline_async(s, r);
	if (full(s))
		return -EAGAIN;
	enqueue(s, r);
	return 0;
}

long svc_call(struct service *s, svc_fn_t fn, void *arg)
{
	struct completion done;
	struct svc_req r = {.fn = fn, .arg = arg, .done = &done};
	struct thread *me = current();

	if (svc_monolithic())
		return svc_inline_call(s, fn, arg);
	kassert(me && me->kind == THREAD_KERNEL);
	completion_init(&done);
	while (full(s) && park_for_room(s, me, NULL))
		sched_block_kthread();
	enqueue(s, &r);
	return completion_wait(&done);
}

/* ---- workers ---- */

static void worker_fault(struct thread *t, const char *why);

/*
 * The watchdog: one timer per worker, armed by the first request of a busy
 * stretch and re-armed by itself while requests keep coming, so a request
 * costs no timer operation. When it fires it checks the request in flight,
 * if any: only once that request has used its CPU budget does it fault the
 * worker; until then it looks again when the request could have (a request
 * waiting for the disk, or a worker the host starved, is not stuck). With no
 * request in flight it stops, and the next request arms it again (w->timing
 * says whether it is armed; the request and the timer each test the other's
 * flag after setting their own, so one of them re-arms).
 */
static void watchdog_fired(struct ktimer *tm)
{
	struct svc_worker *w = tm->arg;
	struct thread *t = w->thread;
	uint64_t budget = w->svc->watchdog_ns;

	if (!__atomic_load_n(&w->cur, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&w->timing, 0, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&w->cur, __ATOMIC_SEQ_CST) ||
		    __atomic_exchange_n(&w->timing, 1, __ATOMIC_SEQ_CST))
			return;
		ktimer_arm(tm, hal_time_ns() + budget); /* a request began meanwhile */
		return;
	}
	uint64_t start = __atomic_load_n(&w->cpu_at_start, __ATOMIC_ACQUIRE);
	uint64_t now_cpu = thread_cpu_ns(t);
	uint64_t used = now_cpu > start ? now_cpu - start : 0;
	if (used < budget) {
		ktimer_arm(tm, hal_time_ns() + budget - used);
		return;
	}
	ktimer_arm(tm, hal_time_ns() + budget); /* for the requests after it */
	__atomic_store_n(&t->abort_pending, 1, __ATOMIC_RELEASE);
	if (t->cpu != hal_cpu_id())
		hal_send_ipi(t->cpu);
}

/*
 * Enter the client's world: its memory and process are current's. A worker
 * keeps the last client's address space loaded, with a reference of its own,
 * after the request: the next request of the same process, and the client's
 * own return to user mode, then switch no page table (a switch flushes the
 * TLB, which QEMU does whole).
 */
static void adopt(struct thread *me, struct svc_req *r)
{
	struct vm_space *old = me->vm;

	me->proc = r->proc;
	if (r->vm == old)
		return;
	if (r->vm)
		vm_get(r->vm);
	unsigned long flags = hal_irq_save();
	me->vm = r->vm;
	vm_activate(r->vm);
	hal_irq_restore(flags);
	if (old)
		vm_put(old);
}

static void leave(struct thread *me)
{
	me->proc = NULL;
}

static void run(struct svc_worker *w, struct svc_req *r)
{
	struct service *s = w->svc;
	struct thread *me = w->thread;
	long result;

	adopt(me, r);
	if (s->watchdog_ns)
		__atomic_store_n(&w->cpu_at_start, thread_cpu_ns(me), __ATOMIC_RELEASE);
	__atomic_store_n(&w->cur, r, __ATOMIC_SEQ_CST);
	if (s->watchdog_ns && !__atomic_exchange_n(&w->timing, 1, __ATOMIC_SEQ_CST))
		ktimer_arm(&w->watchdog, hal_time_ns() + s->watchdog_ns);
	if (s->begin)
		s->begin(s);
	svc_inject_maybe(s, w);
	w->in_work = true;
	result = r->fn(r);
	w->in_work = false;
	w->armed = SVC_INJ_NONE;
	if (s->end)
		s->end(s);
	__atomic_store_n(&w->cur, NULL, __ATOMIC_SEQ_CST);
	leave(me);
	if (w->detached)
		w->detached = false; /* r is not ours any more */
	else
		complete(s, r, result);
}

void svc_req_detach(struct svc_req *r)
{
	struct thread *me = current();
	struct svc_worker *w = me->on_fault == worker_fault ? (struct svc_worker *)me->wait[2] : NULL;

	kassert(w && w->cur == r && !r->client && !r->vm);
	__atomic_store_n(&w->cur, NULL, __ATOMIC_SEQ_CST); /* the watchdog never reads *r */
	w->detached = true;
	__atomic_add_fetch(&w->svc->nr_completed, 1, __ATOMIC_RELAXED);
}

static void worker_main(void *arg)
{
	struct svc_worker *w = arg;
	struct service *s = w->svc;

	if (w->restarting) {
		w->restarting = false;
		__atomic_add_fetch(&s->nr_restarts, 1, __ATOMIC_RELAXED);
		if (s->recover)
			s->recover(s);
		pr_info("svc %s: restarted", s->name);
	} else if (w == &s->workers[0] && s->init) {
		int err = s->init(s);
		if (err)
			pr_warn("svc %s: init failed (%d)", s->name, err);
	}
	for (;;)
		run(w, take(s));
}

void svc_change_point(void)
{
	struct thread *me = current();

	if (!me || me->on_fault != worker_fault)
		return;
	struct svc_worker *w = (struct svc_worker *)me->wait[2];
	enum svc_fault_kind kind = w->armed;
	if (kind == SVC_INJ_NONE || !w->in_work)
		return;
	w->armed = SVC_INJ_NONE;
	svc_inject_fault(w->svc, kind);
}

/*
 * A fault in a worker's code (t->on_fault; interrupts are off, we are on the
 * worker's stack somewhere inside the request). Release what it held, fail
 * the request, and start the worker afresh on an empty stack.
 */
static void worker_fault(struct thread *t, const char *why)
{
	struct svc_worker *w = (struct svc_worker *)t->wait[2];
	struct service *s = w->svc;
	struct svc_req *r = w->cur;
	unsigned released = spin_release_held(0);

	if (__atomic_exchange_n(&t->abort_pending, 0, __ATOMIC_ACQ_REL))
		__atomic_add_fetch(&s->nr_timeouts, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->nr_faults, 1, __ATOMIC_RELAXED);
	pr_warn("svc %s: %s in request %lu; %u lock(s) released, request fails with EIO",
		s->name, why, r ? (unsigned long)r->seq : 0UL, released);
	w->cur = NULL;
	w->detached = false;
	w->armed = SVC_INJ_NONE;
	s->fault_in_work = w->in_work;
	w->in_work = false;
	t->proc = NULL; /* t->vm stays loaded and referenced, as after any request */
	if (r)
		complete(s, r, -EIO);
	w->restarting = true;
	kthread_restart_current();
}

int svc_start(struct service *s)
{
	spin_init(&s->lock, s->name);
	list_init(&s->queue);
	waitq_init(&s->work, s->name);
	waitq_init(&s->room, s->name);
	kmutex_init(&s->inline_mutex, s->name);
	if (!s->nworkers || s->nworkers > SVC_MAX_WORKERS)
		s->nworkers = 1;
	spin_lock(&svc_list_lock);
	list_add_tail(&svc_list, &s->all);
	spin_unlock(&svc_list_lock);
	svc_inject_started(s);
	if (svc_monolithic())
		return svc_inline_init(s);
	for (unsigned i = 0; i < s->nworkers; i++) {
		struct svc_worker *w = &s->workers[i];
		w->svc = s;
		ktimer_init(&w->watchdog, watchdog_fired, w);
		w->thread = kthread_create(s->name, worker_main, w);
		if (!w->thread)
			return -ENOMEM;
		w->thread->wait[2] = (uint64_t)w;
		w->thread->on_fault = worker_fault;
	}
	return 0;
}
