/*
 * Kernel threads (service threads, reapers): see kthread.c.
 */
#ifndef CORE_KTHREAD_H
#define CORE_KTHREAD_H

#include <core/sched.h>

/* Create and start a kernel thread running fn(arg); NULL when out of memory. */
struct thread *kthread_create(const char *name, void (*fn)(void *), void *arg);
void kthread_exit_current(void) __attribute__((noreturn));
/* Abandon everything on the current kernel thread's stack and run its
 * function again from the top of the stack (fault recovery). */
void kthread_restart_current(void) __attribute__((noreturn));

#endif
