/*
 * Kernel objects: the common header every handle-named object embeds.
 *
 * A struct kobject sits inside its object (channel, vmo, lease, ...) and
 * carries the type, a kernel-wide unique id, a reference count and the type's
 * ops table. Whoever holds a pointer to an object holds a reference, counted
 * in refcount: a handle slot holds one, a decoded handle (handle_get) returns
 * a new one to the caller. The last kobject_put calls ops->destroy, which
 * frees the containing object. An object needing a lock keeps its own in its
 * containing struct; the header itself is only touched atomically.
 *
 * Signals: every object has 32 signal bits (WEFT_SIG_*, uapi/weft/handle.h)
 * describing its state (readable, writable, peer closed, terminated, user
 * bits). The object's code changes them with kobject_signal; two kinds of
 * observers see the changes:
 *  - threads parked in kobject_wait_park (object_wait_one): a change that
 *    asserts any bit of a waiter's mask wakes it with the signals as result;
 *  - kernel observers (struct kobject_observer, e.g. an AsyncQ wait op): a
 *    one-shot callback run when any bit of its mask is asserted.
 * A wait that came through a handle names it (struct kobject_via): when that
 * handle leaves its table (closed, replaced, moved into a channel message or
 * a spawn, or its process's table destroyed), the handle layer calls
 * kobject_cancel_via and the wait ends with -ECANCELED (Zircon's
 * ZX_ERR_CANCELED); waits through other handles to the object go on. A wait
 * checks, under o->sigq.lock, that its handle is still in place before it
 * links itself, so a close either finds the wait linked or the wait finds the
 * handle gone (-EBADF): none slips between the two.
 * o->sigq.lock guards signals, the waiter list and the observer list. It is
 * taken after the object's own lock (the object raises signals while holding
 * its lock) and before run-queue locks; observer callbacks run under it, so
 * they must be short, must not block, and must not signal the same object.
 */
#ifndef OBJ_OBJECT_H
#define OBJ_OBJECT_H

#include <stddef.h>
#include <stdint.h>
#include <weft/handle.h>
#include <core/list.h>
#include <core/waitq.h>

struct kobject;
struct kobject_observer;

/* One table per object type (static const). */
struct kobject_ops {
	uint32_t type; /* WEFT_OBJ_* */
	const char *name;
	/* The last reference is gone: release everything and free the object.
	 * Called with no locks held by the object layer. Required. */
	void (*destroy)(struct kobject *o);
	/* Fill info->protocol, version and features (the rest is filled by
	 * kobject_get_info). May take the object's own lock. Optional. */
	void (*get_info)(const struct kobject *o, struct weft_obj_info *info);
};

struct kobject {
	const struct kobject_ops *ops; /* fixed at init */
	uint32_t type;		       /* ops->type, copied for the decode fast path */
	uint32_t refcount;	       /* atomic */
	uint64_t id;		       /* fixed at init */
	uint32_t signals;	       /* sigq.lock (read racily by kobject_signals) */
	struct waitq sigq;	       /* object_wait_one waiters (key[0] = mask) */
	struct list observers;	       /* sigq.lock: struct kobject_observer */
};

/*
 * The handle a wait came through. live() tells whether table still holds
 * handle, naming o; it is called under o->sigq.lock and may take only leaf
 * locks (a handle table's). table NULL: the wait is not tied to a handle.
 */
struct kobject_via {
	void *table;
	uint32_t handle;
	bool (*live)(void *table, uint32_t handle, const struct kobject *o);
};

/*
 * A one-shot kernel observer of an object's signals. Registered with
 * kobject_observe; when a change asserts a bit of mask, it is unlinked and
 * fn(ob, signals) runs under o->sigq.lock (see the rules above). If
 * ob->via names a handle and that handle leaves its table first, ob is
 * unlinked and fn(ob, 0) runs instead (signals 0 means "cancelled"). The
 * owner keeps the object alive (holds a reference) while ob is registered.
 */
struct kobject_observer {
	struct list link; /* in obj->observers (obj->sigq.lock) */
	struct kobject *obj;
	uint32_t mask;
	bool armed; /* sigq.lock: linked and not yet fired */
	void (*fn)(struct kobject_observer *ob, uint32_t signals);
	void *arg;		    /* free for the owner */
	struct kobject_via via; /* set by the owner; via.table NULL: none */
};

/* Containing object of a kobject, like list_entry. */
#define kobject_entry(o, type, member) ((type *)((char *)(o)-offsetof(type, member)))

/* Set up o with one reference (the caller's) and a fresh id. */
void kobject_init(struct kobject *o, const struct kobject_ops *ops);

/* Take another reference; the caller must already hold one. */
void kobject_get(struct kobject *o);

/* Drop a reference; the last one destroys the object. Callers must not hold a
 * lock that the object's destroy may take. NULL is ignored. */
void kobject_put(struct kobject *o);

/* Current count, for tests and assertions only (racy by nature). */
uint32_t kobject_refs(const struct kobject *o);

/* Describe o as seen through a handle with `rights` (see struct weft_obj_info). */
void kobject_get_info(const struct kobject *o, rights_t rights, struct weft_obj_info *info);

/* Change o's signals: clear the bits in `clear`, then set those in `set`.
 * Wakes waiters and fires observers whose mask meets the new signals.
 * Any context; takes o->sigq.lock (so no observer callback may call it on o). */
void kobject_signal(struct kobject *o, uint32_t clear, uint32_t set);

/* Current signals of o (a snapshot). */
uint32_t kobject_signals(struct kobject *o);

/*
 * Register ob (ob->fn, ob->mask, ob->arg and ob->via set by the caller) on o.
 * If a bit of the mask is already asserted, ob is not registered and the
 * asserted signals are returned (> 0; the caller acts on them itself, fn is
 * not called). If ob->via's handle is no longer in its table, -EBADF.
 * Otherwise ob is armed and 0 is returned.
 */
long kobject_observe(struct kobject *o, struct kobject_observer *ob);

/* Disarm ob if it has not fired: true if it was disarmed (fn will never run);
 * false if it fired already (fn has returned by the time this returns). */
bool kobject_unobserve(struct kobject_observer *ob);

/*
 * The waiting half of object_wait_one for the current thread t: if a bit of
 * mask is asserted, store the signals in *observed and return 0. If
 * deadline_ns (hal_time_ns clock) has passed, store them and return
 * -ETIMEDOUT. Otherwise park t on o with continuation cont and deadline
 * (WEFT_TIME_INFINITE: none) and return -EPARKED; the park ends with
 * t->wake_result = the signals that satisfied it (> 0), -ETIMEDOUT, -EINTR,
 * or -ECANCELED (via's handle left its table). via (NULL: none) names the
 * handle the wait came through; if it is already gone, -EBADF. mask 0 is
 * -EINVAL. The caller keeps o alive until the continuation ran.
 */
long kobject_wait_park(struct kobject *o, struct thread *t, uint32_t mask, uint64_t deadline_ns,
		       const struct kobject_via *via, thread_cont_t cont, uint32_t *observed);

/*
 * Handle `handle` of `table` left the table (the handle layer calls this
 * after dropping the table lock, holding a reference to o): end every wait
 * on o that came through it, parked threads with -ECANCELED, observers with
 * fn(ob, 0). Takes o->sigq.lock.
 */
void kobject_cancel_via(struct kobject *o, const void *table, uint32_t handle);

#endif
