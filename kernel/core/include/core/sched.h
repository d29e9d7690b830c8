/*
 * Threads and the per-CPU scheduler (the execution model of DESIGN.md).
 *
 * A user thread owns no kernel stack. Its registers live in t->tf; when a
 * syscall must wait, the handler parks the thread with a continuation (t->cont)
 * on some wait object and returns -EPARKED; the trap path then re-enters this
 * CPU's scheduler loop on a fresh per-CPU stack. A waker makes the thread
 * runnable on some CPU's queue; that CPU's loop calls t->cont(t) on its own stack,
 * which finishes the call (or parks again), then returns to user mode.
 * Kernel threads own a guarded stack and switch classically (hal_kctx_switch).
 *
 * Parking and waking race between CPUs, so a park is a generation number plus a
 * state in one word (t->park): a wake names the generation it saw, and only one
 * waker (or the timeout) of a given park can win. t->on_cpu is 1 until the CPU
 * that last ran t has stopped touching it; a CPU that picks t waits for 0.
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include <stdint.h>
#include <stdbool.h>
#include <hal/context.h>
#include <hal/mmu.h>
#include <core/list.h>
#include <core/spinlock.h>
#include <core/ktimer.h>

struct thread;
struct proc;
struct waitq;

/*
 * One link of a parked thread on one wait queue. A thread embeds one (t->wnode)
 * for ordinary waits; a poll links several. gen is the park generation the node
 * belongs to, so a wake through a stale node cannot end a later park.
 */
struct waiter {
	struct list link;		/* in wq->waiters (wq->lock) */
	struct waitq *wq;		/* queue it is on, NULL when off (wq->lock) */
	struct thread *t;
	uint64_t gen;
	uint64_t key[3];		/* for the queue's owner (futex key, bitset) */
	/* A kernel observer instead of a thread (waitq_add_fn_locked): the wake
	 * calls fn(w, result) under wq->lock, after taking w off the queue. */
	void (*fn)(struct waiter *w, long result);
};
struct vm_space;
struct lx_thread;
typedef long (*thread_cont_t)(struct thread *t);

enum thread_kind { THREAD_USER, THREAD_KERNEL };

enum park_state {
	PARK_NONE = 0,	/* running or runnable */
	PARK_PARKED = 1,	/* waiting; a wake of this generation may claim it */
	/* Woken and queued, but not yet picked by a CPU: a kernel thread in this
	 * state may still be running on its way to block, and must not be
	 * preempted (that would queue it a second time). */
	PARK_WOKEN = 2,
	PARK_UNINTR = 3,	/* waiting for a service; only thread_wake_unintr ends it */
};

#define TIME_SLICE_NS 10000000ull

/*
 * CPU time (ns) of a thread, or the sum over a process's threads: exact in
 * total, split between user and system time by sampling at timer ticks
 * (core/cputime.c says how).
 */
struct cputime {
	uint64_t user_ns, sys_ns;
};

struct thread {
	struct hal_trapframe tf;	/* user registers (user threads) */
	struct hal_kcontext kctx;	/* callee-saved state (kernel threads, switched out) */
	enum thread_kind kind;
	int tid;
	const char *name;		/* kernel threads */
	void *kstack;			/* kernel threads: stack base (NULL for user threads) */

	/* The park: owned by the thread while running; by its waker once woken. */
	thread_cont_t cont;		/* continuation run when resumed; NULL: return to user */
	uint64_t park;			/* (generation << 8) | enum park_state, atomic */
	long wake_result;		/* 0, -EINTR, -ETIMEDOUT: why the park ended */
	struct waiter wnode;		/* its link for ordinary waits */
	struct ktimer timer;		/* park timeout, nanosleep */
	uint64_t wait[6];		/* small per-call wait record for continuations */

	/* Scheduling (guarded by the run queue lock of t->cpu while queued). */
	struct list rq_link;
	unsigned cpu;			/* CPU it last ran on or is queued on */
	unsigned cpu_mask;		/* CPUs it may run on, a bit per index; 0: any */
	int on_cpu;			/* 1 while a CPU still uses its state */
	uint64_t slice_end;
	bool dead;			/* exiting: free after it stops running */

	/* FP state of user threads (saved at trap entry when dirty). */
	struct hal_fpstate fp;
	int fp_cpu;			/* CPU whose FP registers hold fp, -1 if none */

	struct proc *proc;		/* owner process (user threads) */
	struct vm_space *vm;		/* address space it runs in (user threads) */
	struct list proc_link;		/* in proc's thread list (proc lock) */
	struct list tid_link;		/* in the tid table (obj/proc.c) */
	bool own_tid;			/* tid is not the pid: freed with the thread */
	struct lx_thread *lx;		/* personality per-thread state (signals...) */
	/* CPU time (core/cputime.c): resolved, and run but not yet resolved. */
	struct cputime cputime;
	uint64_t acct_pending;
	uint64_t acct_since;		/* running CPU only: charged up to this time */
	unsigned acct_seq;		/* odd while the CPU running it writes them */
	unsigned long acct_ret_pc;	/* trap code: pc a syscall or fault returned to */
	struct cputime acct_reported;	/* by itself: what RUSAGE_THREAD last said */
	/* Kernel threads that contain their faults (service threads): called
	 * by the trap code for an exception in this thread's own code (not an
	 * interrupt handler), by panic(), and for a watchdog abort. Does not
	 * return. NULL: such a fault is a kernel oops. */
	void (*on_fault)(struct thread *t, const char *why);
	int abort_pending;		/* atomic: watchdog asks on_fault at the next interrupt */
	void (*release)(struct thread *t); /* frees the thread block once it stopped */
};

struct runq {
	struct spinlock lock;
	struct list queue;		/* runnable threads, FIFO */
	unsigned long nr;		/* threads queued */
};

struct cpu {
	struct hal_cpu_arch arch;	/* must be first: trap entry reaches it through tp */
	unsigned id;
	bool online;
	bool idle;			/* in the idle wait (IPI to wake) */
	struct thread *cur;		/* thread running, NULL in the loop */
	struct thread *prev;		/* thread just switched away from, to be finished */
	struct hal_kcontext loop_ctx;	/* re-enters sched_loop from the stack top */
	struct runq rq;
	struct ktimer_base timers;
	uint64_t timer_armed;		/* deadline programmed into the timer (ns) */
	struct thread *fp_owner;	/* user thread whose FP state is in the registers */
	uint64_t vm_id;			/* address space loaded in satp (vm_activate) */
	int tlb_req;			/* another CPU asks this one to flush its TLB */
	bool need_resched;
	bool tick_user;			/* trap code: this interrupt came from user code */
	unsigned irq_depth;		/* interrupt handlers running (nested traps) */
	uint64_t nr_switches, nr_syscalls, nr_irqs, idle_ns;
};

extern struct cpu cpus[NCPU_MAX];
extern unsigned ncpu_online;

static inline struct cpu *this_cpu(void)
{
	return hal_this_cpu();
}

/* Whether t may run on c (sched_setaffinity). */
static inline bool sched_allowed(const struct thread *t, const struct cpu *c)
{
	unsigned m = __atomic_load_n(&t->cpu_mask, __ATOMIC_RELAXED);

	return !m || (m >> c->id & 1);
}

static inline struct thread *current(void)
{
	return this_cpu()->cur;
}

void sched_init_cpu(struct cpu *c, unsigned id);
/* Enter the scheduler loop on this CPU's stack; never returns. */
void sched_start(void) __attribute__((noreturn));
/* The trap path's exits. All are entered with interrupts off, on the per-CPU stack. */
void sched_leave_user(void) __attribute__((noreturn));	/* current parked or died */
void sched_preempt_user(void) __attribute__((noreturn));	/* current goes back on a queue */
void sched_return_to_user(struct thread *t) __attribute__((noreturn));

/* Make a new thread runnable (on the least loaded CPU). */
void sched_add_new(struct thread *t);
/* Kernel threads: give up the CPU (stay runnable), or block after parking. */
void sched_yield_kthread(void);
void sched_block_kthread(void);

/*
 * Parking. thread_park_begin returns the generation of the new park; the
 * caller, holding the lock of the object it waits on, links t there and then
 * returns -EPARKED from the syscall. thread_wake ends park gen of t with result;
 * it returns false if that park already ended (someone else woke it).
 */
uint64_t thread_park_begin(struct thread *t, thread_cont_t cont);
bool thread_wake(struct thread *t, uint64_t gen, long result);
uint64_t thread_park_gen(const struct thread *t);
/* A park that signals cannot end (waiting for a service that uses the
 * thread's memory): only thread_wake_unintr with its generation ends it. */
uint64_t thread_park_begin_unintr(struct thread *t, thread_cont_t cont);
bool thread_wake_unintr(struct thread *t, uint64_t gen, long result);
/* A park that a newer park of the same thread replaced will never be woken:
 * stop counting it (sched_nr_parked). */
void sched_park_dropped(void);
/* May the running code block its stack (a kernel thread, or a user thread on
 * a borrowed stack)? False in a user thread's syscall on the per-CPU stack. */
bool sched_may_block(void);
/* End whatever park t is in with result (-EINTR: a kill, a signal) and take it
 * off its wait queue: true if it was parked. Unlike thread_wake followed by
 * waitq_unlink, t cannot run (and free the object it waited on) before the
 * unlink is done. */
bool thread_interrupt(struct thread *t, long result);
/* End t's own park gen before anyone woke it (t is still running): true if it
 * did; false if a waker got there first (t is then queued to run its cont). */
bool thread_cancel_park(struct thread *t, uint64_t gen);
/* Arm a timeout on the current park: at deadline_ns the park ends with -ETIMEDOUT. */
void thread_park_timeout(struct thread *t, uint64_t gen, uint64_t deadline_ns);

/* Program this CPU's timer for its earliest kernel timer (or the running
 * thread's slice end): after arming a timer that became the first one. */
void sched_timer_rearm(void);
/* Timer tick and IPI handlers (called by the trap code with interrupts off). */
void sched_timer_irq(void);
void sched_ipi(void);
unsigned long sched_nr_parked(void);

/* Flush the TLB of every other CPU that has address space vm_id loaded, and wait
 * until they have. Call with no spinlock held (the others may need one to get to
 * the flush); while waiting, this CPU serves flush requests aimed at itself. */
void sched_tlb_shootdown(uint64_t vm_id);

/* CPU-time accounting (core/cputime.c). The scheduler charges a thread from
 * switch_in to switch_out and at each tick (user: where the tick found a user
 * thread); cputime_exit resolves an exiting thread's time and adds it to *sum
 * (its process's, under the process lock). */
void cputime_switch_in(struct thread *t, uint64_t now);
void cputime_switch_out(struct thread *t);
void cputime_tick(struct thread *t, uint64_t now, bool user);
void cputime_exit(struct thread *t, struct cputime *sum);
/* c with `pending` ns added, split as c is (all user time if c is empty). */
struct cputime cputime_split(struct cputime c, uint64_t pending);
/* c, or its closest split that keeps neither part below what was last
 * reported (*prev, updated; the caller serialises). */
struct cputime cputime_monotonic(struct cputime *prev, struct cputime c);
/* t's CPU time so far, the stretch it is running now included: an estimate
 * when t runs on another CPU. thread_cpu_ns is its total. */
struct cputime thread_cputime(const struct thread *t);
uint64_t thread_cpu_ns(const struct thread *t);
/* Add d to *sum (atomic adds). */
void cputime_add(struct cputime *sum, const struct cputime *d);

/* Continuation that re-runs the syscall from the saved registers. */
long sched_cont_restart(struct thread *t);

#endif
