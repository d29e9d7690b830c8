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

void waitq_park_locked(struct waitq *wq, struct thread *t, thread_cont_t cont,
		       uint64_t deadline_ns)
{
	uint64_t gen;

	kassert(spin_held(&wq->lock));
	gen = thread_park_begin(t, cont);
	t->wq = wq;
	list_add_tail(&wq->waiters, &t->wq_link);
	if (deadline_ns)
		thread_park_timeout(t, gen, deadline_ns);
}

int waitq_wake(struct waitq *wq, int n, long result)
{
	int woken = 0;
	struct list *it;

	spin_lock(&wq->lock);
	while ((n < 0 || woken < n) && (it = list_pop(&wq->waiters))) {
		struct thread *t = list_entry(it, struct thread, wq_link);
		t->wq = NULL;
		if (thread_wake(t, thread_park_gen(t), result))
			woken++;
	}
	spin_unlock(&wq->lock);
	return woken;
}

void waitq_unlink(struct thread *t)
{
	struct waitq *wq;

	/* A futex requeue may move t to another queue (under the old queue's lock)
	 * between our read and our lock: then follow it. */
	while ((wq = __atomic_load_n(&t->wq, __ATOMIC_ACQUIRE))) {
		spin_lock(&wq->lock);
		if (t->wq == wq) {
			list_del(&t->wq_link);
			t->wq = NULL;
		}
		spin_unlock(&wq->lock);
	}
}
