/*
 * Native calls on any object: close, dup, replace, get_info, object_wait_one,
 * object_signal. Each is decode (handle_get on the caller's table, which
 * checks presence, lease, type and rights), then the object call, then the
 * copy-out. A copy-out that fails after a new handle was made closes it again,
 * so a bad out-pointer leaves nothing behind.
 *
 * object_wait_one parks without a kernel stack: kobject_wait_park links the
 * thread on the object's signal queue with wait_cont as continuation; the
 * object reference and the user pointer ride in t->wait[] until the
 * continuation drops and uses them. The wait names its handle
 * (handle_via): another thread closing or replacing that handle ends it with
 * -ECANCELED; a wait that starts after the close gets -EBADF.
 */
#include <native/nat.h>
#include <obj/lease.h>

long nat_out_handle(struct thread *t, uaddr_t uout, handle_t h)
{
	if (copy_to_user(uout, &h, sizeof(h))) {
		handle_close(&t->proc->handles, h);
		return -EFAULT;
	}
	return 0;
}

long nat_sys_handle_close(struct thread *t, const unsigned long *a)
{
	return handle_close(&t->proc->handles, (handle_t)a[0]);
}

/* handle_dup(h, rights, lease or 0, handle_t *out): the lease handle, if
 * given, needs WEFT_RIGHT_WRITE (it decides what the lease governs). */
long nat_sys_handle_dup(struct thread *t, const unsigned long *a)
{
	struct handle_table *ht = &t->proc->handles;
	struct kobject *lo = NULL;
	handle_t h;
	long err = 0;

	if (a[2])
		err = handle_get(ht, (handle_t)a[2], WEFT_OBJ_LEASE, WEFT_RIGHT_WRITE, &lo, NULL);
	if (!err)
		err = handle_dup(ht, (handle_t)a[0], (rights_t)a[1], lease_from_obj(lo), &h);
	kobject_put(lo);
	return err ? err : nat_out_handle(t, a[3], h);
}

long nat_sys_handle_replace(struct thread *t, const unsigned long *a)
{
	handle_t h, old = (handle_t)a[0];
	uint32_t probe;
	long err;

	/* probe the out-pointer first: replace closes the old handle */
	if (copy_from_user(&probe, a[2], sizeof(probe)) ||
	    copy_to_user(a[2], &probe, sizeof(probe)))
		return -EFAULT;
	err = handle_replace(&t->proc->handles, old, (rights_t)a[1], &h);
	if (err)
		return err;
	return copy_to_user(a[2], &h, sizeof(h)) ? -EFAULT : 0;
}

long nat_sys_object_get_info(struct thread *t, const unsigned long *a)
{
	struct weft_obj_info info;
	struct kobject *o;
	rights_t r;
	long err =
	    handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_ANY, WEFT_RIGHT_INSPECT, &o, &r);

	if (err)
		return err;
	kobject_get_info(o, r, &info);
	kobject_put(o);
	return copy_to_user(a[1], &info, sizeof(info)) ? -EFAULT : 0;
}

/* t->wait[0]: the object (a reference), [1]: user address for the signals. */
static long wait_cont(struct thread *t)
{
	struct kobject *o = (struct kobject *)t->wait[0];
	long r = t->wake_result;
	uint32_t seen = r > 0 ? (uint32_t)r : kobject_signals(o);

	waitq_remove(&t->wnode);
	kobject_put(o);
	if (r > 0)
		r = 0;
	if (t->wait[1] && copy_to_user(t->wait[1], &seen, sizeof(seen)) && !r)
		r = -EFAULT;
	hal_tf_set_ret(&t->tf, r);
	return 0;
}

/* object_wait_one(h, signals, deadline_ns, uint32_t *observed or NULL):
 * 0 when a signal of the set is asserted, -ETIMEDOUT, -EINTR, -ECANCELED (h
 * was closed meanwhile). Needs WAIT. */
long nat_sys_object_wait_one(struct thread *t, const unsigned long *a)
{
	struct kobject *o;
	uint32_t seen = 0;
	long err =
	    handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_ANY, WEFT_RIGHT_WAIT, &o, NULL);

	if (err)
		return err;
	if (a[3] && !uaccess_ok(a[3], sizeof(uint32_t))) {
		kobject_put(o);
		return -EFAULT;
	}
	struct kobject_via via = handle_via(&t->proc->handles, (handle_t)a[0]);
	t->wait[0] = (uint64_t)o;
	t->wait[1] = a[3];
	err = kobject_wait_park(o, t, (uint32_t)a[1], a[2], &via, wait_cont, &seen);
	if (err == -EPARKED)
		return err; /* wait_cont owns the reference now */
	kobject_put(o);
	if ((err == 0 || err == -ETIMEDOUT) && a[3] && copy_to_user(a[3], &seen, sizeof(seen)))
		return -EFAULT;
	return err;
}

/* object_signal(h, clear, set): only the user bits; needs SIGNAL. */
long nat_sys_object_signal(struct thread *t, const unsigned long *a)
{
	uint32_t clear = (uint32_t)a[1], set = (uint32_t)a[2];
	struct kobject *o;
	long err;

	if ((clear | set) & ~WEFT_SIG_USER_ALL || a[1] >> 32 || a[2] >> 32)
		return -EINVAL;
	err = handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_ANY, WEFT_RIGHT_SIGNAL, &o,
			 NULL);
	if (err)
		return err;
	kobject_signal(o, clear, set);
	kobject_put(o);
	return 0;
}
