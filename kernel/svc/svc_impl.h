/*
 * Private interfaces between the files of kernel/svc: svc.c (queues, workers,
 * containment), svc_inline.c (the monolithic build's inline path) and
 * svc_stats.c (fault injection, /proc/services).
 */
#ifndef SVC_IMPL_H
#define SVC_IMPL_H

#include <svc/svc.h>

extern struct spinlock svc_list_lock;
extern struct list svc_list; /* every started service (svc_list_lock) */

/* Monolithic build: run fn for user thread t on a borrowed stack and return
 * to user mode (does not return); for a kernel client, run it in place. */
void svc_inline_user(struct service *s, struct thread *t, svc_fn_t fn, void *arg)
    __attribute__((noreturn));
long svc_inline_call(struct service *s, svc_fn_t fn, void *arg);
/* Monolithic svc_start: start the async runner (once) and run s->init. */
int svc_inline_init(struct service *s);
/* Monolithic svc_submit_async: queue r for the async runner thread. */
int svc_inline_async(struct service *s, struct svc_req *r);

/* Called by a worker at the start of each request: fault now if the
 * injection settings say this request must (or arm w to fault at its first
 * block change). */
void svc_inject_maybe(struct service *s, struct svc_worker *w);
/* Fault the calling worker in the way kind says (counted as injected). */
void svc_inject_fault(struct service *s, enum svc_fault_kind kind);
/* bcache_change_hook while a ":change" injection is set: fault the calling
 * worker if its request is armed. */
void svc_change_point(void);
/* A service started: apply the boot-time injection spec if it names it. */
void svc_inject_started(struct service *s);

#endif
