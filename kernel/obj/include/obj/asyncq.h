/*
 * AsyncQ objects: io_uring-style submission and completion rings shared with
 * one address space (the ABI is uapi/weft/asyncq.h, the contract
 * docs/native.md).
 *
 * Ops and their states (q->lock):
 *   LINKED  waits for the op before it in a WEFT_AQ_F_LINK chain (not started)
 *   QUEUED  on q->ready: to be started or retried by a thread of the owning
 *           address space (submit and poll run the ready list)
 *   BUSY    a thread runs it right now, unlocked (kind->run, or a cancel
 *           disarming it); nobody else touches it
 *   ARMED   waiting for its event (a timer, a wait-queue wake, an object
 *           signal); the event's callback calls aq_op_event from any context
 *   DONE    its last completion is posted; the op waits on q->reap (or on
 *           q->overflow while completions of it are still held there) until
 *           a thread of the owner frees it
 * Buffers are user addresses of the owning space, so data moves only in
 * kind->run, on a thread of that space; event callbacks (timer interrupt,
 * pipe writer, signal raiser) only post completions of ops that move no data
 * or mark the op QUEUED and wake the pollers.
 *
 * Cancel (exact): LINKED, QUEUED or ARMED and nothing moved yet -> the op
 * completes with -ECANCELED (with everything linked after it) and cancel
 * returns 0; an op that already moved data (a long fd write) or that its
 * event source claimed (aq_op_claim: an fs worker took it) -> -EBUSY, it
 * completes normally; an op whose last completion is posted but not yet
 * reaped (in the ring or on the overflow list) -> -EALREADY; unknown ->
 * -ENOENT. A BUSY op is waited out first (a run never parks).
 *
 * Locking: q->lock is q->pollers.lock (pollers park under it). It comes after
 * wait-queue locks of files and objects' signal locks (callbacks take it) and
 * before run-queue, timer-base and allocator locks. No kind hook is called
 * with it held. Ops never hold a reference to q: q's destroy disarms them all.
 */
#ifndef OBJ_ASYNCQ_H
#define OBJ_ASYNCQ_H

#include <stdbool.h>
#include <core/ktimer.h>
#include <core/sched.h>
#include <core/waitq.h>
#include <obj/object.h>
#include <weft/asyncq.h>

struct asyncq;
struct aq_op;

enum aq_state { AQ_LINKED, AQ_QUEUED, AQ_BUSY, AQ_ARMED, AQ_DONE };

/* What an op code does. All hooks run on a thread of the owning space with
 * q->lock not held (but see under_lock). */
struct aq_kind {
	/* Start or retry op: its result (>= 0 or -errno), or -EPARKED when it
	 * armed an event that will call aq_op_event. May set op->progressed (under
	 * q->lock, through aq_op_progress) once it moved data. */
	long (*run)(struct thread *t, struct aq_op *op);
	/* Stop the armed event: when it returns, the callback is not running and
	 * will not run. Optional (ops that never arm). */
	void (*disarm)(struct aq_op *op);
	/* Drop what the op holds (files, objects). Optional. */
	void (*release)(struct aq_op *op);
	/* run may be called with q->lock held (from the submit loop itself): it
	 * touches no user memory, takes only locks that come after q->lock and
	 * calls no aq_op_* helper (timers). */
	bool under_lock;
};

struct aq_op {
	struct list link;  /* q->lock: q->live, then q->reap */
	struct list rlink; /* q->lock: on q->ready while QUEUED */
	struct list olink; /* q->lock: on q->overflow while npend > 0 */
	struct asyncq *q;
	const struct aq_kind *kind;
	struct weft_aq_sqe sqe; /* the copy taken at submit; never re-read */
	enum aq_state state;	/* q->lock */
	bool progressed;	/* q->lock: moved data, cancel can no longer stop it */
	bool started;		/* kind-private: run was called once */
	bool claimed_armed;	/* destroy: it was ARMED when claimed */
	bool stopping;		/* q->lock: claimed by a cancel or destroy: no more events */
	uint32_t signals;	/* set by run: the signals its result reports */
	long error;		/* an SQE found invalid at submit: its result */
	bool kicked;		/* q->lock: an event came while BUSY */
	bool kick_final;
	long kick_result;
	uint32_t kick_flags, kick_signals;
	struct aq_op *next, *prev;  /* q->lock: the F_LINK chain */
	struct weft_aq_cqe pend[2]; /* q->lock: completions held on q->overflow */
	unsigned npend;
	/* kind state */
	struct ktimer kt; /* timer */
	uint64_t deadline, period;
	struct kobject *obj;	    /* wait, vmo: a reference */
	struct kobject_observer ob; /* wait */
	void *file;		    /* fd ops: a struct file reference */
	struct waitq *wq;	    /* fd ops: where w waits */
	struct waiter w;
	uint64_t done; /* fd write: bytes moved so far */
	void *svc;     /* fd ops on disk files: the fs-service request (lx_aq_svc.c) */
};

struct asyncq {
	struct kobject obj;
	struct waitq pollers;	   /* its lock is q->lock */
	uint64_t vm_id;		   /* the owning address space */
	struct aq_ringmem *mem;	   /* reference */
	struct weft_aq_ring *ring; /* kernel view of the shared header */
	uint32_t sq_entries, cq_entries;
	uint32_t sq_head, cq_tail; /* lock: the kernel's own copies */
	uint32_t cq_room;	   /* lock: free CQ slots known (a lower bound) */
	bool batching;		   /* lock: submit posts, cq_tail published at its end */
	struct list live;	   /* lock: ops LINKED..ARMED */
	struct list ready;	   /* lock: QUEUED ops, by rlink */
	struct list overflow;	   /* lock: ops with held completions, by olink */
	struct list reap;	   /* lock: DONE ops to free */
	unsigned nops;		   /* lock: ops allocated */
	unsigned max_ops;
};

/*
 * A new queue of `entries` submission slots (a power of two, 1..
 * WEFT_AQ_MAX_ENTRIES; the completion ring has twice as many) mapped
 * read-write into vm (the caller's space, which becomes the owner): 0,
 * *out (one reference) and *info; -EINVAL, -ENOMEM.
 */
int asyncq_create(struct vm_space *vm, uint32_t entries, struct asyncq **out,
		  struct weft_aq_info *info);
struct asyncq *asyncq_from_obj(struct kobject *o);

/* Consume up to n SQEs (t must run in the owning space: else -EXDEV): how many
 * were consumed, or -EBUSY when none could be because too many ops are in
 * flight. Runs ready ops and flushes the overflow list. */
long asyncq_submit(struct asyncq *q, struct thread *t, uint32_t n);

/* Wait until at least min completions are in the ring or deadline_ns passes
 * (WEFT_TIME_INFINITE: no deadline; a past one: just look). The count, or
 * -ETIMEDOUT, -EINTR, -EINVAL (min above the ring), -EXDEV, or -EPARKED (the
 * continuation sets the result; q is held by the park). */
long asyncq_poll(struct asyncq *q, struct thread *t, uint32_t min, uint64_t deadline_ns);

/* The kernel's view of byte off of the shared region (for tests). */
void *asyncq_kaddr(struct asyncq *q, uint64_t off);

/* The shared region (asyncq_mem.c): npages zeroed pages with one reference,
 * or NULL; dropping the last reference frees them; the pager that maps them. */
struct aq_ringmem *aq_mem_alloc(unsigned npages);
void aq_mem_put(void *mem);
extern const struct vm_pager_ops aq_mem_pager;

/* Cancel the op with this token: 0, -EBUSY, -EALREADY, -ENOENT (see above). */
long asyncq_cancel(struct asyncq *q, uint64_t token);

/* For kinds' event callbacks (any context, q->lock not held): an event for
 * op. final: the op is over with result; else flags has WEFT_AQ_CQE_MORE
 * (post result and go on) or is 0 (mark the op QUEUED to run again). Returns
 * false if the op no longer wants events (cancelled or over). */
bool aq_op_event(struct aq_op *op, long result, bool final, uint32_t flags, uint32_t signals);
/* From kind->run: the op moved data and can no longer be cancelled. */
void aq_op_progress(struct aq_op *op);
/* For an armed op's event source that is about to move data (a service
 * worker taking a request; any context, q->lock not held): true, and from
 * now on cancel answers -EBUSY and the op must complete normally; false if a
 * cancel or the queue's destroy claimed the op first (it must not start: the
 * claimer disarms it and posts what it posts). */
bool aq_op_claim(struct aq_op *op);

/* Kinds defined above this layer, weak (an op whose kind is not linked in
 * fails with -EOPNOTSUPP): the Linux personality's fd ops
 * (kernel/linux/lx_aq.c) and the channel ops (kernel/native/nat_aq_chan.c). */
extern const struct aq_kind aq_kind_fd_read __attribute__((weak));
extern const struct aq_kind aq_kind_fd_write __attribute__((weak));
extern const struct aq_kind aq_kind_chan_send __attribute__((weak));
extern const struct aq_kind aq_kind_chan_recv __attribute__((weak));

#endif
