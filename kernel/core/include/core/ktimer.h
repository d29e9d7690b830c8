/*
 * Per-CPU one-shot kernel timers. A timer is armed on the CPU that arms it and
 * fires there, from the timer interrupt, with interrupts off: the callback must
 * be short and must not block. ktimer_cancel may be called from any CPU; once it
 * returns the timer will not fire again unless re-armed, but a callback already
 * running on another CPU may still be finishing: ktimer_cancel_sync also waits
 * for that, so the timer's memory may be freed after it.
 */
#ifndef CORE_KTIMER_H
#define CORE_KTIMER_H

#include <stdint.h>
#include <stdbool.h>
#include <core/list.h>
#include <core/spinlock.h>

struct ktimer;
typedef void (*ktimer_fn_t)(struct ktimer *t);

struct ktimer {
	uint64_t deadline;	/* ns, hal_time_ns() clock */
	ktimer_fn_t fn;
	void *arg;
	uint64_t gen;		/* free for the owner (e.g. the park generation) */
	struct list link;	/* in base->list, sorted by deadline (base->lock) */
	struct ktimer_base *base; /* where it is armed, NULL when idle (base->lock) */
};

struct ktimer_base {
	struct spinlock lock;
	struct list list;
	struct ktimer *running;	/* callback in progress (base->lock) */
};

void ktimer_base_init(struct ktimer_base *b);
void ktimer_init(struct ktimer *t, ktimer_fn_t fn, void *arg);
/* Arm (or re-arm) t on this CPU's base. */
void ktimer_arm(struct ktimer *t, uint64_t deadline_ns);
/* Disarm; true if it was armed and had not fired. */
bool ktimer_cancel(struct ktimer *t);
/* ktimer_cancel, then wait until no CPU runs t's callback (cancelling again if
 * the callback re-armed t meanwhile: it must stop doing so once its owner
 * decided to cancel). Call with no lock the callback takes. */
bool ktimer_cancel_sync(struct ktimer *t);
/* Run expired timers of b; return the next deadline (UINT64_MAX if none). */
uint64_t ktimer_run(struct ktimer_base *b, uint64_t now);
uint64_t ktimer_next(struct ktimer_base *b);

#endif
