/*
 * Per-CPU timer lists, kept sorted by deadline (arming is O(n) in the number of
 * timers on that CPU, firing and peeking are O(1)). The timer interrupt calls
 * ktimer_run with interrupts off; callbacks run with the base unlocked so that
 * they may arm or cancel timers themselves.
 */
#include <core/ktimer.h>
#include <core/sched.h>

void ktimer_base_init(struct ktimer_base *b)
{
	spin_init(&b->lock, "ktimer");
	list_init(&b->list);
	b->running = NULL;
}

void ktimer_init(struct ktimer *t, ktimer_fn_t fn, void *arg)
{
	t->fn = fn;
	t->arg = arg;
	t->deadline = 0;
	t->gen = 0;
	t->base = NULL;
	list_init(&t->link);
}

bool ktimer_cancel(struct ktimer *t)
{
	struct ktimer_base *b = __atomic_load_n(&t->base, __ATOMIC_ACQUIRE);
	bool was = false;

	if (!b)
		return false;
	spin_lock(&b->lock);
	if (t->base == b) {
		list_del(&t->link);
		t->base = NULL;
		was = true;
	}
	spin_unlock(&b->lock);
	return was;
}

/* Wait until no CPU runs t's callback. Each base is looked at under its lock,
 * so a callback dequeued just before is seen as running. */
static void wait_not_running(struct ktimer *t)
{
	for (unsigned i = 0; i < ncpu_online; i++) {
		struct ktimer_base *b = &cpus[i].timers;
		struct ktimer *r;

		spin_lock(&b->lock);
		r = b->running;
		spin_unlock(&b->lock);
		while (r == t) {
			hal_cpu_relax();
			r = __atomic_load_n(&b->running, __ATOMIC_ACQUIRE);
		}
	}
}

bool ktimer_cancel_sync(struct ktimer *t)
{
	bool was = false;

	/* a callback that re-armed t while we waited is cancelled again */
	do {
		was |= ktimer_cancel(t);
		wait_not_running(t);
	} while (__atomic_load_n(&t->base, __ATOMIC_ACQUIRE));
	return was;
}

void ktimer_arm(struct ktimer *t, uint64_t deadline_ns)
{
	struct ktimer_base *b = &this_cpu()->timers;
	struct list *it;
	bool first;

	ktimer_cancel(t);
	spin_lock(&b->lock);
	t->deadline = deadline_ns;
	for (it = b->list.prev; it != &b->list; it = it->prev)
		if (list_entry(it, struct ktimer, link)->deadline <= deadline_ns)
			break;
	list__insert(&t->link, it, it->next);
	__atomic_store_n(&t->base, b, __ATOMIC_RELEASE);
	first = b->list.next == &t->link;
	spin_unlock(&b->lock);
	/* a new earliest deadline: the timer may be programmed for later */
	if (first)
		sched_timer_rearm();
}

uint64_t ktimer_next(struct ktimer_base *b)
{
	uint64_t d = UINT64_MAX;

	spin_lock(&b->lock);
	if (!list_empty(&b->list))
		d = list_entry(b->list.next, struct ktimer, link)->deadline;
	spin_unlock(&b->lock);
	return d;
}

uint64_t ktimer_run(struct ktimer_base *b, uint64_t now)
{
	for (;;) {
		struct ktimer *t;

		spin_lock(&b->lock);
		if (list_empty(&b->list) ||
		    (t = list_entry(b->list.next, struct ktimer, link))->deadline > now) {
			spin_unlock(&b->lock);
			break;
		}
		list_del(&t->link);
		t->base = NULL;
		b->running = t;
		spin_unlock(&b->lock);
		t->fn(t);
		__atomic_store_n(&b->running, NULL, __ATOMIC_RELEASE);
	}
	return ktimer_next(b);
}
