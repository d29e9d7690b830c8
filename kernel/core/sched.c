/*
 * The per-CPU scheduler loop and the park/wake protocol (model in sched.h).
 *
 * Each CPU runs sched_loop() on its own stack, entered fresh (from the stack
 * top) every time a thread leaves the CPU. The loop first finishes the thread
 * that just left (clears on_cpu, frees it if dead), then picks a thread: its
 * own queue first, then one stolen from the busiest other queue, else it idles
 * in wfi. Running a user thread means: switch address space, run its
 * continuation if it has one, and return to user mode. Running a kernel thread
 * means loading its saved context. Woken threads go to their last CPU unless it
 * is busy and another CPU idles (wake-up balancing); new threads go to the
 * least loaded CPU.
 */
#include <core/sched.h>
#include <core/waitq.h>
#include <core/klog.h>
#include <core/vm.h>
#include <core/upcall.h>
#include <core/kstack.h>
#include <weft/errno.h>

struct cpu cpus[NCPU_MAX];
unsigned ncpu_online;
static unsigned long nr_parked;

static void sched_loop(void) __attribute__((noreturn));

static void sched_loop_entry(void *arg)
{
	(void)arg;
	sched_loop();
}

void sched_init_cpu(struct cpu *c, unsigned id)
{
	c->id = id;
	spin_init(&c->rq.lock, "runq");
	list_init(&c->rq.queue);
	ktimer_base_init(&c->timers);
	hal_kctx_init(&c->loop_ctx, (void *)c->arch.kstack_top, sched_loop_entry, NULL);
}

/*
 * Program the timer for the earliest of the CPU's kernel timers and the
 * running thread's slice end. Programming it is an SBI call (and, under QEMU,
 * a wake-up of its I/O thread), so a deadline later than the one already
 * pending is left alone: the interrupt then comes early, and sched_timer_irq
 * finds nothing due and programs the right one. Every thread switch moves the
 * slice end, so this saves a call per switch.
 */
static void rearm_timer(struct cpu *c, uint64_t now)
{
	uint64_t next = ktimer_next(&c->timers);

	if (c->cur && c->cur->slice_end < next)
		next = c->cur->slice_end;
	if (next == UINT64_MAX)
		next = now + 1000000000ull;	/* a slow tick keeps balancing going */
	if (c->timer_armed > now && c->timer_armed <= next)
		return;
	c->timer_armed = next;
	hal_timer_arm(next);
}

void sched_timer_rearm(void)
{
	unsigned long flags = hal_irq_save();

	rearm_timer(this_cpu(), hal_time_ns());
	hal_irq_restore(flags);
}

static void runq_push(struct cpu *c, struct thread *t)
{
	spin_lock(&c->rq.lock);
	t->cpu = c->id;
	list_add_tail(&c->rq.queue, &t->rq_link);
	c->rq.nr++;
	spin_unlock(&c->rq.lock);
}

static struct thread *runq_pop(struct cpu *c)
{
	struct list *n;

	if (!__atomic_load_n(&c->rq.nr, __ATOMIC_ACQUIRE))
		return NULL;
	spin_lock(&c->rq.lock);
	n = list_pop(&c->rq.queue);
	if (n)
		c->rq.nr--;
	spin_unlock(&c->rq.lock);
	return n ? list_entry(n, struct thread, rq_link) : NULL;
}

static unsigned long cpu_load(const struct cpu *c)
{
	return __atomic_load_n(&c->rq.nr, __ATOMIC_RELAXED) + (c->cur != NULL);
}

/* The first thread of the busiest other queue that may run on self. */
static struct thread *steal(struct cpu *self)
{
	struct cpu *busiest = NULL;
	struct thread *t = NULL;
	struct list *n;

	for (unsigned i = 0; i < ncpu_online; i++) {
		struct cpu *o = &cpus[i];
		if (o != self && o->rq.nr > 0 && (!busiest || o->rq.nr > busiest->rq.nr))
			busiest = o;
	}
	if (busiest && spin_trylock(&busiest->rq.lock)) {
		list_for_each(n, &busiest->rq.queue) {
			struct thread *c = list_entry(n, struct thread, rq_link);
			if (sched_allowed(c, self)) {
				list_del(n);
				busiest->rq.nr--;
				t = c;
				break;
			}
		}
		spin_unlock(&busiest->rq.lock);
	}
	return t;
}

/* Put t on a run queue and kick that CPU if it idles. */
static void enqueue(struct thread *t, struct cpu *target)
{
	runq_push(target, t);
	/* Order the queue store before reading idle (the idler does the reverse). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (target != this_cpu() && __atomic_load_n(&target->idle, __ATOMIC_ACQUIRE))
		hal_send_ipi(target->id);
}

static struct cpu *pick_idle_cpu(const struct thread *t)
{
	for (unsigned i = 0; i < ncpu_online; i++)
		if (cpus[i].online && cpus[i].idle && !cpus[i].rq.nr && sched_allowed(t, &cpus[i]))
			return &cpus[i];
	return NULL;
}

/* The least loaded CPU t may run on, this one if it is among the least. */
static struct cpu *least_loaded(const struct thread *t)
{
	struct cpu *best = sched_allowed(t, this_cpu()) ? this_cpu() : NULL;

	for (unsigned i = 0; i < ncpu_online; i++) {
		struct cpu *o = &cpus[i];
		if (o->online && sched_allowed(t, o) && (!best || cpu_load(o) < cpu_load(best)))
			best = o;
	}
	return best ? best : this_cpu(); /* a mask names online CPUs only */
}

static void wake_enqueue(struct thread *t)
{
	struct cpu *target = &cpus[t->cpu];

	if (!sched_allowed(t, target)) {
		target = least_loaded(t);
	} else if (cpu_load(target) > 0) {
		struct cpu *idle = pick_idle_cpu(t);
		if (idle)
			target = idle;
	}
	enqueue(t, target);
}

void sched_add_new(struct thread *t)
{
	t->on_cpu = 0;
	enqueue(t, least_loaded(t));
}

/* Finish the thread that just left this CPU. */
static void finish_prev(struct cpu *c)
{
	struct thread *t = c->prev;

	if (!t)
		return;
	c->prev = NULL;
	if (c->fp_owner == t && t->dead)
		c->fp_owner = NULL;
	__atomic_store_n(&t->on_cpu, 0, __ATOMIC_RELEASE);
	if (t->dead && t->release)
		t->release(t);
}

void sched_return_to_user(struct thread *t)
{
	struct cpu *c = this_cpu();

	upcall_before_user(t);
	if (c->fp_owner != t || t->fp_cpu != (int)c->id) {
		hal_fp_restore(&t->fp, &t->tf);
		c->fp_owner = t;
		t->fp_cpu = (int)c->id;
	}
	hal_return_to_user(&t->tf);
}

static void run_thread(struct cpu *c, struct thread *t)
{
	uint64_t now = hal_time_ns(), park;

	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		hal_cpu_relax();
	t->on_cpu = 1;
	/* Picked after a wake: no longer queued (see PARK_WOKEN). */
	park = __atomic_load_n(&t->park, __ATOMIC_ACQUIRE);
	if ((park & 0xff) == PARK_WOKEN)
		__atomic_compare_exchange_n(&t->park, &park, park & ~0xffull, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	t->cpu = c->id;
	c->cur = t;
	c->nr_switches++;
	t->slice_end = now + TIME_SLICE_NS;
	cputime_switch_in(t, now);
	rearm_timer(c, now);
	/* A service thread works in its client's memory; a thread without a
	 * space keeps whatever table is loaded (lazy switching, <core/vm.h>). */
	if (t->vm)
		vm_activate(t->vm);
	if (t->kind == THREAD_KERNEL) {
		hal_set_stack_limit((unsigned long)t->kstack);
		hal_kctx_load(&t->kctx);
	}
	if (t->cont) {
		thread_cont_t cont = t->cont;
		t->cont = NULL;
		ktimer_cancel(&t->timer);
		/* An interrupted restartable call ends with -EINTR instead of running
		 * again (the personality may turn that into a restart later). */
		if (cont == sched_cont_restart && t->wake_result == -EINTR)
			upcall_interrupted(t);
		else if (cont(t) == -EPARKED) {
			c->cur = NULL;
			c->prev = t;
			finish_prev(c);
			return;
		}
		t->acct_ret_pc = hal_tf_pc(&t->tf); /* a tick due meanwhile is system time */
	}
	sched_return_to_user(t);
}

static void idle(struct cpu *c)
{
	uint64_t t0 = hal_time_ns();

	/* Idle on whatever table is loaded: a dead space's table is kept until
	 * no CPU has it (lazy switching, <core/vm.h>). */
	__atomic_store_n(&c->idle, true, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&c->rq.nr, __ATOMIC_SEQ_CST)) {
		rearm_timer(c, t0);
		hal_wait_for_interrupt();
	}
	__atomic_store_n(&c->idle, false, __ATOMIC_SEQ_CST);
	c->idle_ns += hal_time_ns() - t0;
}

static void sched_loop(void)
{
	struct cpu *c = this_cpu();

	hal_set_stack_limit(c->arch.kstack_top - KSTACK_SIZE);
	c->cur = NULL;
	finish_prev(c);
	for (;;) {
		struct thread *t = runq_pop(c);
		if (!t)
			t = steal(c);
		if (t && !sched_allowed(t, c))
			wake_enqueue(t);	/* its mask changed while it was queued */
		else if (t)
			run_thread(c, t);
		else
			idle(c);
	}
}

void sched_start(void)
{
	hal_run_on_cpu_stack(sched_loop);
}

void sched_leave_user(void)
{
	struct cpu *c = this_cpu();

	/* A dead thread's time went to its process at its exit (cputime_exit). */
	if (c->cur && !c->cur->dead)
		cputime_switch_out(c->cur);
	c->need_resched = false;	/* asked of the thread that is leaving anyway */
	c->prev = c->cur;
	c->cur = NULL;
	hal_run_on_cpu_stack(sched_loop);
}

void sched_preempt_user(void)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->cur;

	c->need_resched = false;
	wake_enqueue(t);	/* to an idle CPU if there is one, else back here */
	sched_leave_user();
}

void sched_yield_kthread(void)
{
	struct cpu *c;
	struct thread *t;
	unsigned long flags = hal_irq_save();

	c = this_cpu();
	t = c->cur;
	c->need_resched = false;
	cputime_switch_out(t);
	c->prev = t;
	c->cur = NULL;
	runq_push(c, t);
	hal_kctx_switch(&t->kctx, &c->loop_ctx);
	hal_irq_restore(flags);
}

void sched_block_kthread(void)
{
	unsigned long flags = hal_irq_save();
	struct cpu *c = this_cpu();
	struct thread *t = c->cur;

	cputime_switch_out(t);
	c->need_resched = false;
	c->prev = t;
	c->cur = NULL;
	hal_kctx_switch(&t->kctx, &c->loop_ctx);
	hal_irq_restore(flags);
}

uint64_t thread_park_gen(const struct thread *t)
{
	return __atomic_load_n(&t->park, __ATOMIC_ACQUIRE) >> 8;
}

static uint64_t park_begin(struct thread *t, thread_cont_t cont, enum park_state st)
{
	uint64_t gen = thread_park_gen(t) + 1;

	t->cont = cont;
	t->wake_result = 0;
	__atomic_add_fetch(&nr_parked, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&t->park, (gen << 8) | st, __ATOMIC_RELEASE);
	return gen;
}

uint64_t thread_park_begin(struct thread *t, thread_cont_t cont)
{
	return park_begin(t, cont, PARK_PARKED);
}

uint64_t thread_park_begin_unintr(struct thread *t, thread_cont_t cont)
{
	return park_begin(t, cont, PARK_UNINTR);
}

static bool wake_state(struct thread *t, uint64_t gen, enum park_state st, long result)
{
	uint64_t expect = (gen << 8) | st;

	if (!__atomic_compare_exchange_n(&t->park, &expect, gen << 8 | PARK_WOKEN, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return false;
	__atomic_sub_fetch(&nr_parked, 1, __ATOMIC_RELAXED);
	t->wake_result = result;
	ktimer_cancel(&t->timer);
	wake_enqueue(t);
	return true;
}

bool thread_wake_unintr(struct thread *t, uint64_t gen, long result)
{
	return wake_state(t, gen, PARK_UNINTR, result);
}

void sched_park_dropped(void)
{
	__atomic_sub_fetch(&nr_parked, 1, __ATOMIC_RELAXED);
}

bool sched_may_block(void)
{
	struct thread *t = current();

	return t && t->kind == THREAD_KERNEL;
}

bool thread_wake(struct thread *t, uint64_t gen, long result)
{
	return wake_state(t, gen, PARK_PARKED, result);
}

bool thread_interrupt(struct thread *t, long result)
{
	uint64_t gen = thread_park_gen(t), expect = (gen << 8) | PARK_PARKED;

	/* Claim the park first, then unlink, then enqueue (as the park timeout
	 * does): t cannot run its continuation, which may free the queue's
	 * object, before we are done with the queue. */
	if (!__atomic_compare_exchange_n(&t->park, &expect, gen << 8 | PARK_WOKEN, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return false;
	__atomic_sub_fetch(&nr_parked, 1, __ATOMIC_RELAXED);
	waitq_unlink(t);
	t->wake_result = result;
	ktimer_cancel(&t->timer);
	wake_enqueue(t);
	return true;
}

bool thread_cancel_park(struct thread *t, uint64_t gen)
{
	uint64_t expect = (gen << 8) | PARK_PARKED;

	if (!__atomic_compare_exchange_n(&t->park, &expect, gen << 8, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return false;
	__atomic_sub_fetch(&nr_parked, 1, __ATOMIC_RELAXED);
	t->cont = NULL;
	ktimer_cancel(&t->timer);
	return true;
}

unsigned long sched_nr_parked(void)
{
	return __atomic_load_n(&nr_parked, __ATOMIC_RELAXED);
}

static void park_timeout_fired(struct ktimer *tm)
{
	struct thread *t = tm->arg;
	uint64_t expect = (tm->gen << 8) | PARK_PARKED;

	/* Claim the park first, so no waker can also enqueue it; then unlink. */
	if (!__atomic_compare_exchange_n(&t->park, &expect, tm->gen << 8 | PARK_WOKEN, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	__atomic_sub_fetch(&nr_parked, 1, __ATOMIC_RELAXED);
	waitq_unlink(t);
	t->wake_result = -ETIMEDOUT;
	wake_enqueue(t);
}

void thread_park_timeout(struct thread *t, uint64_t gen, uint64_t deadline_ns)
{
	ktimer_init(&t->timer, park_timeout_fired, t);
	t->timer.gen = gen;
	ktimer_arm(&t->timer, deadline_ns);
}

void sched_timer_irq(void)
{
	struct cpu *c = this_cpu();
	uint64_t now = hal_time_ns();

	ktimer_run(&c->timers, now);
	if (c->cur) {
		cputime_tick(c->cur, now, c->tick_user);
		if (!sched_allowed(c->cur, c))
			c->need_resched = true;	/* move it where its mask allows */
	}
	if (c->cur && now >= c->cur->slice_end) {
		if (c->rq.nr)
			c->need_resched = true;
		/* Move the slice end on even when a switch is asked for: the
		 * thread may not be preemptible yet (a kernel thread between its
		 * park and its block), and a slice end left in the past would
		 * re-fire the timer on every instruction it tries to run. */
		c->cur->slice_end = now + TIME_SLICE_NS;
	}
	rearm_timer(c, now);
}

static void tlb_serve(struct cpu *c)
{
	if (__atomic_exchange_n(&c->tlb_req, 0, __ATOMIC_ACQ_REL))
		hal_tlb_flush_all();
}

void sched_ipi(void)
{
	/* Beyond ending an idle wait, an IPI may carry a TLB flush request. */
	tlb_serve(this_cpu());
}

void sched_tlb_shootdown(uint64_t vm_id)
{
	struct cpu *me = this_cpu();
	bool asked[NCPU_MAX] = { false };

	/* Pairs with vm_activate, which publishes vm_id before it flushes. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < ncpu_online; i++) {
		struct cpu *c = &cpus[i];
		if (c == me || __atomic_load_n(&c->vm_id, __ATOMIC_SEQ_CST) != vm_id)
			continue;
		__atomic_store_n(&c->tlb_req, 1, __ATOMIC_RELEASE);
		hal_send_ipi(c->id);
		asked[i] = true;
	}
	for (unsigned i = 0; i < ncpu_online; i++)
		while (asked[i] && __atomic_load_n(&cpus[i].tlb_req, __ATOMIC_ACQUIRE)) {
			tlb_serve(me);
			hal_cpu_relax();
		}
}

long sched_cont_restart(struct thread *t)
{
	return upcall_syscall(t);
}
