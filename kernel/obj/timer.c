/*
 * Timer objects (model and locking in obj/timer.h).
 */
#include <obj/timer.h>
#include <core/slab.h>
#include <hal/cpu.h>
#include <weft/errno.h>

static void timer_fire(struct ktimer *kt)
{
	struct timer *tm = kt->arg;
	uint64_t now = hal_time_ns();

	spin_lock(&tm->lock);
	if (!tm->armed || now < tm->deadline) {
		spin_unlock(&tm->lock);
		return; /* cancelled or re-set after this expiry was queued */
	}
	tm->fired++;
	if (tm->period) {
		/* the next period boundary after now */
		tm->deadline += ((now - tm->deadline) / tm->period + 1) * tm->period;
		ktimer_arm(&tm->kt, tm->deadline);
	} else {
		tm->armed = false;
	}
	kobject_signal(&tm->obj, 0, WEFT_SIG_SIGNALED);
	spin_unlock(&tm->lock);
}

static void timer_destroy(struct kobject *o)
{
	struct timer *tm = kobject_entry(o, struct timer, obj);

	spin_lock(&tm->lock);
	tm->armed = false; /* a running callback will not re-arm */
	spin_unlock(&tm->lock);
	ktimer_cancel_sync(&tm->kt);
	kfree(tm);
}

static const struct kobject_ops timer_ops = {
    .type = WEFT_OBJ_TIMER,
    .name = "timer",
    .destroy = timer_destroy,
};

int timer_obj_create(struct timer **out)
{
	struct timer *tm = kzalloc(sizeof(*tm));

	if (!tm)
		return -ENOMEM;
	spin_init(&tm->lock, "timer");
	ktimer_init(&tm->kt, timer_fire, tm);
	kobject_init(&tm->obj, &timer_ops);
	*out = tm;
	return 0;
}

struct timer *timer_from_obj(struct kobject *o)
{
	if (!o || o->ops != &timer_ops)
		return NULL;
	return kobject_entry(o, struct timer, obj);
}

void timer_obj_set(struct timer *tm, uint64_t deadline_ns, uint64_t period_ns)
{
	spin_lock(&tm->lock);
	tm->deadline = deadline_ns;
	tm->period = period_ns;
	tm->armed = true;
	kobject_signal(&tm->obj, WEFT_SIG_SIGNALED, 0);
	ktimer_arm(&tm->kt, deadline_ns);
	spin_unlock(&tm->lock);
}

void timer_obj_cancel(struct timer *tm)
{
	spin_lock(&tm->lock);
	tm->armed = false;
	ktimer_cancel(&tm->kt);
	kobject_signal(&tm->obj, WEFT_SIG_SIGNALED, 0);
	spin_unlock(&tm->lock);
}

uint64_t timer_obj_fired(struct timer *tm)
{
	uint64_t n;

	spin_lock(&tm->lock);
	n = tm->fired;
	spin_unlock(&tm->lock);
	return n;
}
