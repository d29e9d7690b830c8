/*
 * Native calls on AsyncQs: create, submit, poll, cancel (obj/asyncq.c).
 * Rights: submit and cancel need WRITE, poll needs READ. submit and poll run
 * ops, so they must come from a thread of the address space the queue was
 * created in (-EXDEV otherwise). poll parks without a stack; its
 * continuation (in asyncq.c) holds the queue until it returns.
 */
#include <native/nat.h>
#include <obj/asyncq.h>

static long get_q(struct thread *t, unsigned long h, rights_t need, struct asyncq **q)
{
	struct kobject *o;
	long err = handle_get(&t->proc->handles, (handle_t)h, WEFT_OBJ_ASYNCQ, need, &o, NULL);

	if (!err)
		*q = asyncq_from_obj(o);
	return err;
}

/* asyncq_create(entries, flags, handle_t *out, struct weft_aq_info *info):
 * flags must be 0. On a failed copy-out the queue is closed and unmapped. */
NAT_HANDLER(asyncq_create)
{
	struct weft_aq_info info;
	struct asyncq *q;
	handle_t h;
	long err;

	if (a[1] || a[0] > WEFT_AQ_MAX_ENTRIES)
		return -EINVAL;
	if (!uaccess_ok(a[2], sizeof(handle_t)) || !uaccess_ok(a[3], sizeof(info)))
		return -EFAULT;
	err = asyncq_create(t->vm, (uint32_t)a[0], &q, &info);
	if (err)
		return err;
	err = handle_alloc(&t->proc->handles, &q->obj, WEFT_AQ_RIGHTS, NULL, &h);
	kobject_put(&q->obj);
	if (!err && copy_to_user(a[3], &info, sizeof(info))) {
		handle_close(&t->proc->handles, h);
		err = -EFAULT;
	}
	if (!err)
		err = nat_out_handle(t, a[2], h);
	if (err)
		vm_unmap(t->vm, info.addr, info.size);
	return err;
}

/* asyncq_submit(h, n): SQEs consumed. */
NAT_HANDLER(asyncq_submit)
{
	struct asyncq *q;
	long err = get_q(t, a[0], WEFT_RIGHT_WRITE, &q);

	if (err)
		return err;
	err = asyncq_submit(q, t, a[1] > UINT32_MAX ? UINT32_MAX : (uint32_t)a[1]);
	kobject_put(&q->obj);
	return err;
}

/* asyncq_poll(h, min_complete, deadline_ns): completions ready. */
NAT_HANDLER(asyncq_poll)
{
	struct asyncq *q;
	long err = get_q(t, a[0], WEFT_RIGHT_READ, &q);

	if (err)
		return err;
	err = a[1] > UINT32_MAX ? -EINVAL : asyncq_poll(q, t, (uint32_t)a[1], a[2]);
	kobject_put(&q->obj); /* a park holds its own reference */
	return err;
}

/* asyncq_cancel(h, token) */
NAT_HANDLER(asyncq_cancel)
{
	struct asyncq *q;
	long err = get_q(t, a[0], WEFT_RIGHT_WRITE, &q);

	if (err)
		return err;
	err = asyncq_cancel(q, a[1]);
	kobject_put(&q->obj);
	return err;
}
