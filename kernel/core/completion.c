/*
 * Completions (see <core/completion.h>): a flag and a result under a wait
 * queue's lock; the waiter parks on the queue and blocks its stack.
 */
#include <core/completion.h>
#include <core/klog.h>

void completion_init(struct completion *c)
{
	waitq_init(&c->wq, "completion");
	c->done = 0;
	c->result = 0;
	c->finished = 0;
}

long completion_wait(struct completion *c)
{
	struct thread *t = current();
	long r;

	kassert(t && t->kind == THREAD_KERNEL);
	spin_lock(&c->wq.lock);
	while (!c->done) {
		waitq_park_locked(&c->wq, t, NULL, 0);
		spin_unlock(&c->wq.lock);
		sched_block_kthread();
		spin_lock(&c->wq.lock);
	}
	r = c->result;
	spin_unlock(&c->wq.lock);
	/* The waiter may free c on return: wait out the signaller's wake. */
	while (!__atomic_load_n(&c->finished, __ATOMIC_ACQUIRE))
		hal_cpu_relax();
	return r;
}

void completion_signal(struct completion *c, long result)
{
	spin_lock(&c->wq.lock);
	c->result = result;
	c->done = 1;
	spin_unlock(&c->wq.lock);
	waitq_wake(&c->wq, -1, 0);
	__atomic_store_n(&c->finished, 1, __ATOMIC_RELEASE);
}

bool completion_done(struct completion *c)
{
	return __atomic_load_n(&c->finished, __ATOMIC_ACQUIRE);
}
