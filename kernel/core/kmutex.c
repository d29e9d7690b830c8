/*
 * Sleeping mutexes (see <core/kmutex.h>). Unlock wakes one waiter, which
 * takes the mutex if it is still free when it runs, else parks again.
 */
#include <core/kmutex.h>
#include <core/klog.h>

void kmutex_init(struct kmutex *m, const char *name)
{
	waitq_init(&m->wq, name);
	m->owner = NULL;
}

void kmutex_lock(struct kmutex *m)
{
	struct thread *t = current();

	kassert(t && t->kind == THREAD_KERNEL);
	spin_lock(&m->wq.lock);
	kassert(m->owner != t);
	while (m->owner) {
		waitq_park_locked(&m->wq, t, NULL, 0);
		spin_unlock(&m->wq.lock);
		sched_block_kthread();
		spin_lock(&m->wq.lock);
	}
	m->owner = t;
	spin_unlock(&m->wq.lock);
}

void kmutex_unlock(struct kmutex *m)
{
	spin_lock(&m->wq.lock);
	kassert(m->owner == current());
	m->owner = NULL;
	spin_unlock(&m->wq.lock);
	waitq_wake(&m->wq, 1, 0);
}
