/*
 * MODE=monolithic: the service's code runs in its client, the way a
 * monolithic kernel runs its file systems. A user thread in a syscall has no
 * stack of its own, so it borrows a guarded kernel stack from a small pool,
 * becomes a kernel-kind thread while it runs the request (it may block and be
 * preempted like one), then gives the stack back and returns to user mode.
 * Requests of one service run one at a time (its inline mutex), as with one
 * worker. Faults are not contained: that is what the comparison measures.
 */
#include <core/klog.h>
#include <core/kstack.h>
#include <core/spinlock.h>
#include <hal/context.h>
#include <hal/cpu.h>
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

int svc_inline_init(struct service *s)
{
	return s->init(s);
}
