/*
 * Completions: one event that a thread which owns a stack (a kernel thread, a
 * service thread, or code running on a borrowed stack) waits for, and that any
 * context, an interrupt handler included, signals once with a result.
 *
 * User threads in a syscall never wait this way (they park with a
 * continuation); completion_wait asserts that the caller may block.
 */
#ifndef CORE_COMPLETION_H
#define CORE_COMPLETION_H

#include <core/waitq.h>

struct completion {
	struct waitq wq;
	int done;    /* wq.lock */
	long result; /* wq.lock: valid once done */
	int finished; /* atomic: the signaller no longer touches c */
};

void completion_init(struct completion *c);
/* Block until c is signalled; returns its result. Blocking contexts only. */
long completion_wait(struct completion *c);
/* Signal c with result and wake its waiter. Any context; once per init. */
void completion_signal(struct completion *c, long result);
/* Has c been signalled? */
bool completion_done(struct completion *c);

#endif
