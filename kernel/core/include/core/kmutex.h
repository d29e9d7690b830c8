/*
 * Sleeping mutexes for code that may block (kernel threads, borrowed stacks):
 * a waiter parks on the mutex's wait queue and blocks its stack instead of
 * spinning. Not for user threads in a syscall on the per-CPU stack.
 */
#ifndef CORE_KMUTEX_H
#define CORE_KMUTEX_H

#include <core/waitq.h>

struct kmutex {
	struct waitq wq;      /* wq.lock guards owner */
	struct thread *owner; /* NULL when free */
};

void kmutex_init(struct kmutex *m, const char *name);
void kmutex_lock(struct kmutex *m);
void kmutex_unlock(struct kmutex *m);

#endif
