/*
 * Timer objects: one-shot or periodic on the monotonic clock (hal_time_ns).
 *
 * timer_set arms the timer for an absolute deadline and an optional period;
 * when it fires it asserts WEFT_SIG_SIGNALED on the object (waking
 * object_wait_one waiters and AsyncQ wait ops), and a periodic timer re-arms
 * itself (deadline += period, skipping missed periods: they are counted in
 * `fired`, not replayed). timer_set and timer_cancel clear the signal. The
 * timer is cancelled when its last reference goes.
 *
 * Locking: tm->lock guards the fields marked so; it comes before the
 * object's signal lock (the callback signals under it) and before the timer
 * base lock (arming under it). The ktimer callback runs in the timer
 * interrupt and takes tm->lock; a stale callback (the timer was re-set or
 * cancelled meanwhile) finds its deadline not reached, or the timer
 * disarmed, and does nothing.
 */
#ifndef OBJ_TIMER_H
#define OBJ_TIMER_H

#include <stdbool.h>
#include <core/ktimer.h>
#include <core/spinlock.h>
#include <obj/object.h>

struct timer {
	struct kobject obj;
	struct spinlock lock;
	struct ktimer kt;
	uint64_t deadline; /* lock: next expiry */
	uint64_t period;   /* lock: 0 for one-shot */
	uint64_t fired;	   /* lock: expiries since creation */
	bool armed;	   /* lock */
};

/* A new disarmed timer: 0 and *out (one reference), or -ENOMEM. */
int timer_obj_create(struct timer **out);
struct timer *timer_from_obj(struct kobject *o);
/* Arm tm for deadline_ns (absolute; a past one fires at once) with period_ns
 * (0: one-shot); replaces any earlier setting and clears SIGNALED. */
void timer_obj_set(struct timer *tm, uint64_t deadline_ns, uint64_t period_ns);
/* Disarm tm and clear SIGNALED. */
void timer_obj_cancel(struct timer *tm);
/* Expiries since creation. */
uint64_t timer_obj_fired(struct timer *tm);

#endif
