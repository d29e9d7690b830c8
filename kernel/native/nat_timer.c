/*
 * Native calls on timers: create, set, cancel (obj/timer.c). set and cancel
 * need WRITE; waiting for the timer is object_wait_one on WEFT_SIG_SIGNALED
 * (WAIT) or an AsyncQ wait op.
 */
#include <native/nat.h>
#include <obj/timer.h>
#include <weft/vmo.h>

/* timer_create(options, handle_t *out): options must be 0. */
NAT_HANDLER(timer_create)
{
	struct timer *tm;
	handle_t h;
	long err;

	if (a[0])
		return -EINVAL;
	if (!uaccess_ok(a[1], sizeof(handle_t)))
		return -EFAULT;
	err = timer_obj_create(&tm);
	if (err)
		return err;
	err = handle_alloc(&t->proc->handles, &tm->obj, WEFT_TIMER_RIGHTS, NULL, &h);
	kobject_put(&tm->obj);
	return err ? err : nat_out_handle(t, a[1], h);
}

static long get_timer(struct thread *t, unsigned long h, struct timer **tm)
{
	struct kobject *o;
	long err =
	    handle_get(&t->proc->handles, (handle_t)h, WEFT_OBJ_TIMER, WEFT_RIGHT_WRITE, &o, NULL);

	if (!err)
		*tm = timer_from_obj(o);
	return err;
}

/* timer_set(h, deadline_ns, period_ns): absolute monotonic deadline. A period
 * under 10 us is refused (-EINVAL): it would flood the timer interrupt. */
NAT_HANDLER(timer_set)
{
	struct timer *tm;
	long err;

	if (a[2] && a[2] < 10000)
		return -EINVAL;
	err = get_timer(t, a[0], &tm);
	if (err)
		return err;
	timer_obj_set(tm, a[1], a[2]);
	kobject_put(&tm->obj);
	return 0;
}

/* timer_cancel(h) */
NAT_HANDLER(timer_cancel)
{
	struct timer *tm;
	long err = get_timer(t, a[0], &tm);

	if (err)
		return err;
	timer_obj_cancel(tm);
	kobject_put(&tm->obj);
	return 0;
}
