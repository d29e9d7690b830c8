/*
 * Wait queues: a lock and a FIFO of parked threads (protocol in waitq.h).
 */
#include <core/waitq.h>
#include <core/klog.h>

void waitq_init(struct waitq *wq, const char *name)
{
	spin_init(&wq->lock, name);
	list_init(&wq->waiters);
}

void waitq_add_locked(struct waitq *wq, struct waiter *w, struct thread *t, uint64_t gen)
{
	kassert(spin_held(&wq->lock));
	w->t = t;
	w->gen = gen;
	w->wq = wq;
	w->fn = NULL;
	list_add_tail(&wq->waiters, &w->link);
}

void waitq_add_fn_locked(struct waitq *wq, struct waiter *w,
			 void (*fn)(struct waiter *w, long result))
{
	kassert(spin_held(&wq->lock));
	w->t = NULL;
	w->gen = 0;
	w->wq = wq;
	w->fn = fn;
	list_add_tail(&wq->waiters, &w->link);
}

void waitq_park_locked(struct waitq *wq, struct thread *t, thread_cont_t cont,
		       uint64_t deadline_ns)
{
	uint64_t gen = thread_park_begin(t, cont);

	waitq_add_locked(wq, &t->wnode, t, gen);
	if (deadline_ns)
		thread_park_timeout(t, gen, deadline_ns);
}

int waitq_wake(struct waitq *wq, int n, long result)
{
	int woken = 0;
	struct list *it;

	spin_lock(&wq->lock);
	while ((n < 0 || woken < n) && (it = list_pop(&wq->waiters))) {
		struct waiter *w = list_entry(it, struct waiter, link);
		w->wq = NULL;
		if (w->fn) {
			w->fn(w, result);
			woken++;
		} else if (thread_wake(w->t, w->gen, result)) {
			woken++;
		}
	}
	spin_unlock(&wq->lock);
	return woken;
}

void waitq_remove(struct waiter *w)
{
	struct waitq *wq;

	/* A futex requeue may move w to another queue (under the old queue's lock)
	 * between our read and our lock: then follow it. */
	while ((wq = __atomic_load_n(&w->wq, __ATOMIC_ACQUIRE))) {
		spin_lock(&wq->lock);
		if (w->wq == wq) {
			list_del(&w->link);
			w->wq = NULL;
		}
		spin_unlock(&wq->lock);
	}
}

void waitq_unlink(struct thread *t)
{
	waitq_remove(&t->wnode);
}
