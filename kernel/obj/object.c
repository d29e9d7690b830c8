/*
 * Kernel object reference counting (model in obj/object.h). The count is
 * changed with atomics only: taking a reference needs no ordering (the caller
 * already holds one); dropping one is acquire-release, so that every write
 * made through the object by any holder happens before its destroy. Ids come from one 64-bit
 * counter and are never reused.
 *
 * Signals (model in obj/object.h): o->sigq.lock guards the bits, the parked
 * waiters (each waiter's key[0] is its mask) and the one-shot observers. A
 * change wakes exactly the waiters and fires exactly the observers whose mask
 * meets the new bits; the waiter's park result is the new bits. A parked
 * waiter's key[1] and key[2] name the handle it came through (table, value;
 * key[1] 0: none), which kobject_cancel_via matches.
 */
#include <obj/object.h>
#include <core/klog.h>
#include <weft/errno.h>

BUILD_ASSERT(sizeof(struct weft_obj_info) == 32);

static uint64_t next_id = 1;

void kobject_init(struct kobject *o, const struct kobject_ops *ops)
{
	kassert(ops && ops->destroy);
	o->ops = ops;
	o->type = ops->type;
	o->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&o->refcount, 1, __ATOMIC_RELAXED);
	o->signals = 0;
	waitq_init(&o->sigq, "kobject-signals");
	list_init(&o->observers);
}

void kobject_get(struct kobject *o)
{
	uint32_t old = __atomic_fetch_add(&o->refcount, 1, __ATOMIC_RELAXED);

	if (old == 0 || old == UINT32_MAX)
		panic("kobject %s %lu: get with refcount %u", o->ops->name, (unsigned long)o->id,
		      old);
}

void kobject_put(struct kobject *o)
{
	if (!o)
		return;
	/* release: our writes precede destroy; acquire: the last put sees all */
	uint32_t old = __atomic_fetch_sub(&o->refcount, 1, __ATOMIC_ACQ_REL);

	if (old == 0)
		panic("kobject %s %lu: put with refcount 0", o->ops->name, (unsigned long)o->id);
	if (old == 1)
		o->ops->destroy(o);
}

uint32_t kobject_refs(const struct kobject *o)
{
	return __atomic_load_n(&o->refcount, __ATOMIC_RELAXED);
}

void kobject_get_info(const struct kobject *o, rights_t rights, struct weft_obj_info *info)
{
	*info = (struct weft_obj_info){
	    .type = o->type,
	    .rights = rights,
	    .id = o->id,
	};
	if (o->ops->get_info)
		o->ops->get_info(o, info);
	/* the type's hook describes its protocol only */
	info->type = o->type;
	info->rights = rights;
	info->id = o->id;
	info->reserved = 0;
}

/* Wake the waiters and fire the observers that `now` satisfies. */
static void notify_locked(struct kobject *o, uint32_t now)
{
	struct list *it, *tmp;

	list_for_each_safe(it, tmp, &o->sigq.waiters) {
		struct waiter *w = list_entry(it, struct waiter, link);
		if (!(w->key[0] & now))
			continue;
		list_del(&w->link);
		w->wq = NULL;
		thread_wake(w->t, w->gen, (long)now);
	}
	list_for_each_safe(it, tmp, &o->observers) {
		struct kobject_observer *ob = list_entry(it, struct kobject_observer, link);
		if (!(ob->mask & now))
			continue;
		list_del(&ob->link);
		ob->armed = false;
		ob->fn(ob, now);
	}
}

void kobject_signal(struct kobject *o, uint32_t clear, uint32_t set)
{
	uint32_t cur = __atomic_load_n(&o->signals, __ATOMIC_RELAXED);

	/* no change at the moment of this read: nothing to store or wake */
	if (((cur & ~clear) | set) == cur)
		return;
	spin_lock(&o->sigq.lock);
	uint32_t old = o->signals, now = (old & ~clear) | set;
	__atomic_store_n(&o->signals, now, __ATOMIC_RELAXED);
	/* only bits that became asserted can satisfy anyone */
	if (now & ~old)
		notify_locked(o, now);
	spin_unlock(&o->sigq.lock);
}

uint32_t kobject_signals(struct kobject *o)
{
	return __atomic_load_n(&o->signals, __ATOMIC_RELAXED);
}

/* Is the handle a wait comes through still in place? (sigq.lock held) */
static bool via_live(const struct kobject_via *via, const struct kobject *o)
{
	return !via || !via->table || via->live(via->table, via->handle, o);
}

long kobject_observe(struct kobject *o, struct kobject_observer *ob)
{
	long hit;

	ob->obj = o;
	spin_lock(&o->sigq.lock);
	hit = o->signals & ob->mask;
	if (hit) {
		hit = o->signals;
	} else if (!via_live(&ob->via, o)) {
		hit = -EBADF;
	} else {
		ob->armed = true;
		list_add_tail(&o->observers, &ob->link);
	}
	spin_unlock(&o->sigq.lock);
	return hit;
}

bool kobject_unobserve(struct kobject_observer *ob)
{
	struct kobject *o = ob->obj;
	bool was;

	spin_lock(&o->sigq.lock);
	was = ob->armed;
	if (was) {
		list_del(&ob->link);
		ob->armed = false;
	}
	spin_unlock(&o->sigq.lock);
	return was;
}

long kobject_wait_park(struct kobject *o, struct thread *t, uint32_t mask, uint64_t deadline_ns,
		       const struct kobject_via *via, thread_cont_t cont, uint32_t *observed)
{
	long r = -EPARKED;

	if (!mask)
		return -EINVAL;
	spin_lock(&o->sigq.lock);
	*observed = o->signals;
	if (o->signals & mask) {
		r = 0;
	} else if (deadline_ns != WEFT_TIME_INFINITE && deadline_ns <= hal_time_ns()) {
		r = -ETIMEDOUT;
	} else if (!via_live(via, o)) {
		r = -EBADF; /* closed since the caller decoded it */
	} else {
		t->wnode.key[0] = mask;
		t->wnode.key[1] = via ? (uint64_t)(uintptr_t)via->table : 0;
		t->wnode.key[2] = via ? via->handle : 0;
		/* waitq_park_locked's 0 means no deadline */
		waitq_park_locked(&o->sigq, t, cont,
				  deadline_ns == WEFT_TIME_INFINITE ? 0 : deadline_ns);
	}
	spin_unlock(&o->sigq.lock);
	return r;
}

void kobject_cancel_via(struct kobject *o, const void *table, uint32_t handle)
{
	struct list *it, *tmp;

	spin_lock(&o->sigq.lock);
	list_for_each_safe(it, tmp, &o->sigq.waiters) {
		struct waiter *w = list_entry(it, struct waiter, link);
		if (w->key[1] != (uint64_t)(uintptr_t)table || w->key[2] != handle)
			continue;
		list_del(&w->link);
		w->wq = NULL;
		thread_wake(w->t, w->gen, -ECANCELED);
	}
	list_for_each_safe(it, tmp, &o->observers) {
		struct kobject_observer *ob = list_entry(it, struct kobject_observer, link);
		if (ob->via.table != table || ob->via.handle != handle)
			continue;
		list_del(&ob->link);
		ob->armed = false;
		ob->fn(ob, 0);
	}
	spin_unlock(&o->sigq.lock);
}
