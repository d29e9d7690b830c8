/*
 * Spinlock implementation: a test-and-test-and-set lock with the owner's CPU
 * index recorded for the debug checks described in spinlock.h.
 */
#include <core/spinlock.h>
#include <core/klog.h>

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
	__atomic_store_n(&l->owner, me, __ATOMIC_RELAXED);
	l->flags = flags;
}

bool spin_trylock(struct spinlock *l)
{
	unsigned long flags = hal_irq_save();

	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		hal_irq_restore(flags);
		return false;
	}
	__atomic_store_n(&l->owner, (int)hal_cpu_id(), __ATOMIC_RELAXED);
	l->flags = flags;
	return true;
}

void spin_unlock(struct spinlock *l)
{
	unsigned long flags = l->flags;

	int owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);

	if (owner != (int)hal_cpu_id())
		panic("spinlock %s: released by cpu %u, held by %d", l->name, hal_cpu_id(), owner);
	__atomic_store_n(&l->owner, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
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
