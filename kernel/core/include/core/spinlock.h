/*
 * Spinlocks that save and restore the interrupt state.
 *
 * spin_lock() disables interrupts on this CPU for as long as the lock is held
 * (nesting is fine: the saved state is kept in the lock). Debug checks are always
 * on: taking a lock this CPU already holds panics (self-deadlock), and releasing a
 * lock held by another CPU panics. Lock order is documented in docs/locking.md.
 */
#ifndef CORE_SPINLOCK_H
#define CORE_SPINLOCK_H

#include <stdbool.h>
#include <hal/cpu.h>

struct spinlock {
	int locked;		/* 0 free, 1 held */
	int owner;		/* CPU index holding it, -1 when free */
	unsigned long flags;	/* interrupt state of the holder before it locked */
	const char *name;
};

#define SPINLOCK_INIT(n) { 0, -1, 0, n }

static inline void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->owner = -1;
	l->flags = 0;
	l->name = name;
}

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
bool spin_trylock(struct spinlock *l);
/* Take two locks of the same class in address order (one lock if a == b), and
 * release them in the reverse order: each lock keeps the interrupt state of its
 * taking, so the order of release matters. */
void spin_lock_pair(struct spinlock *a, struct spinlock *b);
void spin_unlock_pair(struct spinlock *a, struct spinlock *b);
/* Locks this CPU holds now. */
unsigned spin_held_depth(void);
/* Release, newest first, the locks this CPU took beyond the first `keep`,
 * without restoring interrupts: for a service thread's fault recovery, which
 * runs with interrupts off and abandons the code that held them. Returns how
 * many were released. */
unsigned spin_release_held(unsigned keep);
/* True if this CPU holds l (for asserts in *_locked functions). */
bool spin_held(const struct spinlock *l);

#endif
