/*
 * Wait queues for parked threads (user or kernel).
 *
 * To wait for a condition: lock wq, test the condition, and if it does not hold,
 * waitq_park_locked() (which begins a park of the current thread and links it),
 * unlock, and return -EPARKED from the syscall. A waker changes the condition,
 * then calls waitq_wake_*; taking wq->lock there orders it after the waiter's
 * test, so no wake-up is lost.
 */
#ifndef CORE_WAITQ_H
#define CORE_WAITQ_H

#include <core/sched.h>

struct waitq {
	struct spinlock lock;
	struct list waiters;	/* struct waiter nodes, FIFO (lock) */
};

void waitq_init(struct waitq *wq, const char *name);
/* Park current thread t on wq with continuation cont; wq->lock must be held.
 * If deadline_ns is non-zero, the park ends with -ETIMEDOUT at that time. */
void waitq_park_locked(struct waitq *wq, struct thread *t, thread_cont_t cont,
		       uint64_t deadline_ns);
/* Link node w (owned by the current thread, for its park gen) on wq; lock held. */
void waitq_add_locked(struct waitq *wq, struct waiter *w, struct thread *t, uint64_t gen);
/*
 * Link a kernel observer w on wq (lock held): the next waitq_wake that
 * reaches it takes it off and calls fn(w, result) under wq->lock (so fn must
 * be short, must not block and must not take wq->lock). Unlink it with
 * waitq_remove, then lock and unlock wq->lock to wait out a running fn.
 */
void waitq_add_fn_locked(struct waitq *wq, struct waiter *w,
			 void (*fn)(struct waiter *w, long result));
/* Take node w off its queue, if it is on one. */
void waitq_remove(struct waiter *w);
/* Wake up to n waiters (n < 0: all) with result; returns how many were woken
 * (observers count: their fn runs). */
int waitq_wake(struct waitq *wq, int n, long result);
/* Remove t from whatever queue it waits on (timeouts, signals). */
void waitq_unlink(struct thread *t);

#endif
