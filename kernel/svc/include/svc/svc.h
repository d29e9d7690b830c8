/*
 * Service threads: non-core kernel services (the file systems, the block
 * driver) that run in their own kernel threads and contain their faults.
 *
 * A service is a bounded request queue served by one or more worker threads,
 * each with its own guarded stack, plus an `init` and a `recover` hook. A
 * request is a function to run where blocking is allowed (svc_fn_t) and its
 * argument; it completes with a result.
 *
 * Clients:
 *   - a user thread in a syscall (svc_submit_user): the request is queued and
 *     the thread parks with a continuation that stores the result in a0; it
 *     owns no kernel stack while it waits, and signals do not end the park
 *     (the worker may be using its memory), they are seen when it returns;
 *   - a kernel thread (svc_call): queues the request and blocks on a
 *     completion; the request runs in no process's memory (kernel buffers
 *     only), so that, say, the blk workers never load a user page table;
 *   - nobody waiting (svc_submit_async, for AsyncQ ops): the submitter goes
 *     on, and the request's finish hook gets the result on the worker.
 * The worker runs the request in the client's address space and process
 * (current()->vm and ->proc are the client's for the duration), so user
 * copies and /proc/self work as in the client's own syscall.
 *
 * Containment: a fault in a worker's own code (page fault, illegal
 * instruction, panic or failed kassert, or the request running past the
 * service's watchdog deadline) completes the request in flight with -EIO,
 * releases the spinlocks the worker held, abandons its stack, runs `recover`
 * and goes on with the next request. Counted per service; shown in
 * /proc/services. A fault outside service code is still a kernel panic.
 *
 * MODE=monolithic (WEFT_MODE_MONOLITHIC) builds the same interface without worker
 * threads: the client runs the request itself, a user thread on a kernel
 * stack borrowed from a pool for the duration, serialised per service by a
 * sleeping mutex, with no containment. That is the cost comparison.
 *
 * Fault injection for tests: the command line option
 * `svc.inject=<service>:<every|nth>:<N>:[change:]<panic|badptr|illegal|spin>`,
 * or the same words written to /proc/services, makes every Nth (or only the
 * Nth) request of that service fault in that way inside the worker: at the
 * request's start, or with "change:" half-way through its work, at its first
 * change to a cached disk block (bcache_change_hook; a request that changes
 * none is not faulted, and not counted as injected; not with spin).
 */
#ifndef SVC_SVC_H
#define SVC_SVC_H

#include <stdbool.h>
#include <stdint.h>
#include <core/completion.h>
#include <core/kmutex.h>
#include <core/ktimer.h>
#include <core/list.h>
#include <core/sched.h>
#include <core/waitq.h>

#define SVC_MAX_WORKERS 4
#define SVC_QUEUE_MAX	4096 /* queued requests before clients wait for room */

struct svc_req;
struct service;
typedef long (*svc_fn_t)(struct svc_req *r);

struct svc_req {
	struct list link; /* in the service's queue */
	svc_fn_t fn;
	void *arg;
	struct thread *client;	/* user client (NULL for a kernel client) */
	uint64_t gen;		/* the user client's park */
	struct completion *done; /* kernel client */
	struct vm_space *vm;	/* memory the request works in (a reference), or NULL */
	struct proc *proc;	/* the client's process, or NULL */
	uint64_t seq;		/* its number in the service, from 1 */
	/* Async requests (svc_submit_async): called with the result. */
	void (*finish)(struct svc_req *r, long result);
	struct service *svc;	/* async requests: their service */
};

enum svc_fault_kind { SVC_INJ_NONE, SVC_INJ_PANIC, SVC_INJ_BADPTR, SVC_INJ_ILLEGAL, SVC_INJ_SPIN };

struct svc_worker {
	struct service *svc;
	struct thread *thread;
	struct svc_req *cur; /* in flight, or NULL */
	struct ktimer watchdog;
	bool restarting;     /* came back from a fault: run recover first */
	bool in_work;	     /* the request's own function is running */
	bool detached;	     /* the request was given away (svc_req_detach) */
	int timing;	     /* atomic: the watchdog timer is armed (svc.c) */
	enum svc_fault_kind armed; /* fault at the request's first block change (":change") */
	uint64_t cpu_at_start; /* the worker's CPU time when the request began */
};

struct service {
	/* Set by the definer. */
	const char *name;
	unsigned nworkers;	/* 1 .. SVC_MAX_WORKERS */
	/* A request whose worker uses more CPU time than this faults (0: none).
	 * Time it spends blocked (on the disk, on a busy host) does not count. */
	uint64_t watchdog_ns;
	int (*init)(struct service *s);
	/* On the worker before each request, and after its own code returned
	 * (before its client learns the result); either may be NULL. */
	void (*begin)(struct service *s);
	void (*end)(struct service *s);
	/* After a fault; s->fault_in_work says whether the request's own code
	 * had started (else the service's state is what the requests before it
	 * left, and may be kept). */
	void (*recover)(struct service *s);
	bool fault_in_work;

	/* State. */
	struct spinlock lock;
	struct list queue;	/* lock: requests not yet taken */
	unsigned queued;	/* lock */
	uint64_t next_seq;	/* lock */
	struct waitq work;	/* idle workers wait here */
	struct waitq room;	/* clients wait here while the queue is full */
	struct svc_worker workers[SVC_MAX_WORKERS];
	struct kmutex inline_mutex; /* monolithic: one request at a time */
	struct list all;	/* in the list of services */

	/* Fault injection (lock). */
	enum svc_fault_kind inj_kind;
	bool inj_every;
	bool inj_at_change;
	uint64_t inj_n, inj_count;

	/* Counters (atomic). */
	uint64_t nr_requests, nr_completed, nr_failed, nr_faults, nr_restarts, nr_timeouts,
	    nr_injected;
};

/* Set up s (name, nworkers, hooks filled in) and start its workers; runs
 * s->init first in a worker. 0 or -ENOMEM. */
int svc_start(struct service *s);

/*
 * From a user thread's syscall (on the per-CPU stack): run fn(arg) for t in
 * the service and park t until it is done; the result goes to t's a0 (unless
 * it is -EJUSTRETURN). fn may itself park t and return -EPARKED (its syscall
 * waits: sendfile from a disk file into a full pipe, a FIFO open waiting for
 * the other end): that park replaces the request's, and its waker finishes
 * the call. Returns -EPARKED (the trap path must leave t), or a negative errno
 * if nothing was queued (-ENOMEM). In the monolithic build it
 * does not return: t runs fn on a borrowed stack and goes back to user mode.
 */
long svc_submit_user(struct service *s, struct thread *t, svc_fn_t fn, void *arg);

/* From a kernel thread (or a borrowed stack): run fn(arg) in the service and
 * wait for it; its result, or -EIO if the request faulted. */
long svc_call(struct service *s, svc_fn_t fn, void *arg);

/*
 * Queue r (fn, arg, finish and vm, a reference or NULL, filled in by the
 * caller; proc is NULL: the request belongs to no process, which may exit
 * meanwhile) and return at once: no thread waits for it. When it is done, or
 * failed with -EIO after a fault, r->vm's reference is dropped and
 * r->finish(r, result) runs on the worker (interrupts may be off: take only
 * spinlocks); r must stay allocated until then. May be called where nothing
 * may block. 0, or -EAGAIN when the queue is full (nothing queued). In the
 * monolithic build one kernel thread runs these requests (svc_inline.c),
 * serialised with the service's other requests like any inline request.
 */
int svc_submit_async(struct service *s, struct svc_req *r);

/*
 * From a request's function, for a kernel client's request: the request is
 * no longer the worker's. Someone else (a driver's interrupt handler) will
 * signal r->done with its result; the worker will not, whatever fn returns,
 * and a fault in the worker from here on no longer fails r. r may be gone as
 * soon as that signal is given. Call with interrupts off, just before handing
 * the request over, so that no fault comes between (blk_svc.c).
 */
void svc_req_detach(struct svc_req *r);

/* The thread a request was made for (its syscall's thread), NULL for kernel
 * clients. */
static inline struct thread *svc_req_thread(const struct svc_req *r)
{
	return r->client;
}

/* Parse and apply an injection spec "<svc>:<every|nth>:<N>:<kind>" or "off"
 * ("<svc>:off"). 0 or -EINVAL. */
int svc_inject_parse(const char *spec);

/* Remember svc.inject=<spec> from the command line until its service starts. */
void svc_inject_boot(const char *spec);

/* Register /proc/services (call after procfs is up). */
void svc_procfs_init(void);

/* Is the build monolithic? */
bool svc_monolithic(void);

#endif
