/*
 * Spinlock implementation: a test-and-test-and-set lock with the owner's CPU
 * index recorded for the debug checks described in spinlock.h.
 *
 * Each CPU also keeps the stack of locks it holds (a lock is held by a CPU,
 * with interrupts off, so the stack needs no lock), so that a service thread
 * that faults while holding some can have them released (spin_release_held).
 */
#include <core/spinlock.h>
#include <core/klog.h>
#include <lib/store.h>

#define HELD_MAX 16

static struct held_locks {
	struct spinlock *l[HELD_MAX];
	unsigned n; /* may exceed HELD_MAX: the excess is not recorded */
} held[NCPU_MAX];

static void held_push(int me, struct spinlock *l)
{
	struct held_locks *h = &held[me];

	if (h->n < HELD_MAX)
		h->l[h->n] = l;
	h->n++;
}

static void held_pop(int me, struct spinlock *l)
{
	struct held_locks *h = &held[me];
	unsigned top = h->n < HELD_MAX ? h->n : HELD_MAX;

	for (unsigned i = top; i-- > 0;)
		if (h->l[i] == l) {
			for (; i + 1 < top; i++)
				h->l[i] = h->l[i + 1];
			break;
		}
	h->n--;
}

unsigned spin_held_depth(void)
{
	return held[hal_cpu_id()].n;
}

unsigned spin_release_held(unsigned keep)
{
	struct held_locks *h = &held[hal_cpu_id()];
	unsigned released = 0;

	while (h->n > keep) {
		h->n--;
		if (h->n >= HELD_MAX)
			continue;
		struct spinlock *l = h->l[h->n];
		__atomic_store_n(&l->owner, -1, __ATOMIC_RELAXED);
		__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
		released++;
	}
	return released;
}

void spin_lock(struct spinlock *l)
{
	unsigned long flags = hal_irq_save();
	int me = (int)hal_cpu_id();

	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == me)
		panic("spinlock %s: self-deadlock on cpu %d", l->name, me);
	for (;;) {
		if (!__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			break;
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			hal_cpu_relax();
	}
	STORE_ONCE(&l->owner, me);
	l->flags = flags;
	held_push(me, l);
}

bool spin_trylock(struct spinlock *l)
{
	unsigned long flags = hal_irq_save();

	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		hal_irq_restore(flags);
		return false;
	}
	STORE_ONCE(&l->owner, (int)hal_cpu_id());
	l->flags = flags;
	held_push((int)hal_cpu_id(), l);
	return true;
}

void spin_unlock(struct spinlock *l)
{
	unsigned long flags = l->flags;

	int owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);

	if (owner != (int)hal_cpu_id())
		panic("spinlock %s: released by cpu %u, held by %d", l->name, hal_cpu_id(), owner);
	held_pop(owner, l);
	STORE_ONCE(&l->owner, -1);
	STORE_RELEASE(&l->locked, 0);
	hal_irq_restore(flags);
}

bool spin_held(const struct spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
	       __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == (int)hal_cpu_id();
}

void spin_lock_pair(struct spinlock *a, struct spinlock *b)
{
	if (a == b) {
		spin_lock(a);
	} else if (a < b) {
		spin_lock(a);
		spin_lock(b);
	} else {
		spin_lock(b);
		spin_lock(a);
	}
}

void spin_unlock_pair(struct spinlock *a, struct spinlock *b)
{
	if (a == b) {
		spin_unlock(a);
	} else if (a < b) {
		spin_unlock(b);
		spin_unlock(a);
	} else {
		spin_unlock(a);
		spin_unlock(b);
	}
}
