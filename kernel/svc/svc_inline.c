/*
 * MODE=monolithic: the service's code runs in its client, the way a
 * monolithic kernel runs its file systems. A user thread in a syscall has no
 * stack of its own, so it borrows a guarded kernel stack from a small pool,
 * becomes a kernel-kind thread while it runs the request (it may block and be
 * preempted like one), then gives the stack back and returns to user mode.
 * Requests of one service run one at a time (its inline mutex), as with one
 * worker. Faults are not contained: that is what the comparison measures.
 *
 * Async requests (svc_submit_async: AsyncQ ops on disk files) have no client
 * to run them, and their submitter must go on: one kernel thread, "svc-async",
 * started with the first service, runs them in turn, in the submitter's
 * address space, each serialised with the other requests of its service by
 * the same inline mutex. That is what a monolithic kernel does with async I/O
 * that would block (Linux's io_uring hands it to io-wq threads). Running them
 * at submit time instead would need the whole submit on a borrowed stack
 * (the op runs in the middle of asyncq_submit or asyncq_poll, on the per-CPU
 * stack), and would make the submitter wait for the disk.
 */
#include <core/klog.h>
#include <core/kstack.h>
#include <core/kthread.h>
#include <core/vm.h>
#include <core/spinlock.h>
#include <hal/context.h>
#include <hal/cpu.h>
#include <hal/irq.h>
#include <weft/errno.h>
#include "svc_impl.h"

#define POOL_MAX 8

static struct spinlock pool_lock = SPINLOCK_INIT("svc-stacks");
static void *pool[POOL_MAX]; /* pool_lock */
static unsigned npool;	     /* pool_lock */

bool svc_monolithic(void)
{
#ifdef WEFT_MODE_MONOLITHIC
	return true;
#else
	return false;
#endif
}

static void *stack_get(void)
{
	void *stk = NULL;

	spin_lock(&pool_lock);
	if (npool)
		stk = pool[--npool];
	spin_unlock(&pool_lock);
	return stk ? stk : kstack_alloc();
}

static void stack_put(void *stk)
{
	spin_lock(&pool_lock);
	if (npool < POOL_MAX) {
		pool[npool++] = stk;
		stk = NULL;
	}
	spin_unlock(&pool_lock);
	if (stk)
		kstack_free(stk);
}

static long run_serialised(struct service *s, struct svc_req *r)
{
	long result;

	__atomic_add_fetch(&s->nr_requests, 1, __ATOMIC_RELAXED);
	kmutex_lock(&s->inline_mutex);
	result = r->fn(r);
	kmutex_unlock(&s->inline_mutex);
	__atomic_add_fetch(&s->nr_completed, 1, __ATOMIC_RELAXED);
	return result;
}

/* Back on the per-CPU stack: give the borrowed one back; t is a user thread
 * with no stack again. */
static struct thread *inline_unborrow(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->cur;

	stack_put(t->kstack);
	t->kstack = NULL;
	t->kind = THREAD_USER;
	hal_set_stack_limit(c->arch.kstack_top - KSTACK_SIZE);
	return t;
}

static void inline_exit(void)
{
	sched_return_to_user(inline_unborrow());
}

/* The request parked t itself (its syscall waits, say on a full pipe): leave
 * the CPU; its waker runs the continuation, stackless like any park. */
static void inline_exit_parked(void)
{
	inline_unborrow();
	sched_leave_user();
}

static void inline_entry(void *arg)
{
	struct thread *t = arg;
	struct svc_req r = {
	    .fn = (svc_fn_t)t->wait[3],
	    .arg = (void *)t->wait[4],
	    .client = t,
	    .proc = t->proc,
	    .vm = t->vm,
	};
	long result;

	hal_irq_enable();
	result = run_serialised((struct service *)t->wait[2], &r);
	hal_irq_save();
	if (result == -EPARKED)
		hal_run_on_cpu_stack(inline_exit_parked);
	if (result != -EJUSTRETURN)
		hal_tf_set_ret(&t->tf, result);
	hal_run_on_cpu_stack(inline_exit);
}

void svc_inline_user(struct service *s, struct thread *t, svc_fn_t fn, void *arg)
{
	void *stk = stack_get();

	if (!stk) {
		hal_tf_set_ret(&t->tf, -ENOMEM);
		sched_return_to_user(t);
	}
	t->wait[2] = (uint64_t)s;
	t->wait[3] = (uint64_t)fn;
	t->wait[4] = (uint64_t)arg;
	t->kstack = stk;
	t->kind = THREAD_KERNEL;
	hal_set_stack_limit((unsigned long)stk);
	hal_kctx_init(&t->kctx, (char *)stk + KSTACK_SIZE, inline_entry, t);
	hal_kctx_load(&t->kctx);
}

long svc_inline_call(struct service *s, svc_fn_t fn, void *arg)
{
	struct thread *me = current();
	struct svc_req r = {.fn = fn, .arg = arg, .proc = me->proc, .vm = me->vm};

	return run_serialised(s, &r);
}

/* ---- async requests ---- */

static struct waitq async_wait;	    /* its lock guards the three below */
static struct list async_queue = LIST_INIT(async_queue);
static unsigned async_queued;
static bool async_started;

static void async_adopt(struct thread *me, struct vm_space *vm);

static struct svc_req *async_take(struct thread *me)
{
	struct svc_req *r;

	spin_lock(&async_wait.lock);
	if (list_empty(&async_queue) && me->vm) {
		/* idle: keep no process's memory alive (it may have exited) */
		spin_unlock(&async_wait.lock);
		async_adopt(me, NULL);
		spin_lock(&async_wait.lock);
	}
	while (list_empty(&async_queue)) {
		waitq_park_locked(&async_wait, me, NULL, 0);
		spin_unlock(&async_wait.lock);
		sched_block_kthread();
		spin_lock(&async_wait.lock);
	}
	r = list_entry(list_pop(&async_queue), struct svc_req, link);
	async_queued--;
	spin_unlock(&async_wait.lock);
	return r;
}

/* Load vm (the request's, or NULL) as the thread's memory; the last one
 * stays loaded, with a reference of the thread's own, until the queue is
 * empty. */
static void async_adopt(struct thread *me, struct vm_space *vm)
{
	struct vm_space *old = me->vm;

	if (vm == old)
		return;
	if (vm)
		vm_get(vm);
	unsigned long flags = hal_irq_save();
	me->vm = vm;
	vm_activate(vm);
	hal_irq_restore(flags);
	if (old)
		vm_put(old);
}

static void async_main(void *arg)
{
	struct thread *me = current();

	(void)arg;
	for (;;) {
		struct svc_req *r = async_take(me);
		struct service *s = r->svc;
		async_adopt(me, r->vm);
		__atomic_add_fetch(&s->nr_requests, 1, __ATOMIC_RELAXED);
		/* finish too runs under the mutex: what it releases (the op's
		 * file) is released before the service's next request (an
		 * unmount, say), as with a worker */
		kmutex_lock(&s->inline_mutex);
		long result = r->fn(r);
		if (r->vm)
			vm_put(r->vm);
		r->vm = NULL;
		r->finish(r, result);
		kmutex_unlock(&s->inline_mutex);
		__atomic_add_fetch(&s->nr_completed, 1, __ATOMIC_RELAXED);
	}
}

int svc_inline_async(struct service *s, struct svc_req *r)
{
	(void)s;
	spin_lock(&async_wait.lock);
	if (async_queued >= SVC_QUEUE_MAX) {
		spin_unlock(&async_wait.lock);
		return -EAGAIN;
	}
	list_add_tail(&async_queue, &r->link);
	async_queued++;
	spin_unlock(&async_wait.lock);
	waitq_wake(&async_wait, 1, 0);
	return 0;
}

int svc_inline_init(struct service *s)
{
	if (!async_started) { /* svc_start runs at boot, one service at a time */
		async_started = true;
		waitq_init(&async_wait, "svc-async");
		if (!kthread_create("svc-async", async_main, NULL))
			return -ENOMEM;
	}
	return s->init ? s->init(s) : 0;
}
