/*
 * AsyncQ ops on channels (WEFT_AQ_OP_CHAN_SEND/RECV; the op state machine is
 * kernel/obj/asyncq.c). Each run is exactly the channel_write or
 * channel_read call with the SQE's fields as arguments, made on the owner's
 * thread, so rights, limits and the all-or-nothing move of handles are those
 * of the calls. When the call says -EAGAIN (the peer's queue is full, or
 * nothing is queued) the op observes the endpoint's WRITABLE or READABLE
 * signal (and PEER_CLOSED) and runs again once one is asserted; until then
 * nothing was moved, so a cancel stops it cleanly. Closing the endpoint's
 * handle meanwhile runs the op again, which then fails with -EBADF.
 *
 * SQE fields: handle = the endpoint; addr, len = the bytes (send) or the
 * buffer (recv); offset = a struct weft_handle_xfer array (send) or a
 * handle_t array (recv), arg = its length; recv only: deadline = an optional
 * uint32_t[2] for the message's byte and handle counts. The result is 0
 * (send) or the byte count (recv), or the call's error.
 */
#include <native/nat.h>
#include <obj/asyncq.h>
#include <obj/channel.h>

long nat_sys_channel_write(struct thread *t, const unsigned long *a);
long nat_sys_channel_read(struct thread *t, const unsigned long *a);

static void chan_ready(struct kobject_observer *ob, uint32_t signals)
{
	(void)signals;
	aq_op_event(ob->arg, 0, false, 0, 0);
}

/* The call said -EAGAIN: observe the endpoint. 1 when armed, 0 when the
 * signal is already up (call again), or an error. */
static long observe(struct thread *t, struct aq_op *op, uint32_t sig)
{
	long err;

	if (!op->obj) {
		err = handle_get(&t->proc->handles, op->sqe.handle, WEFT_OBJ_CHANNEL, 0, &op->obj,
				 NULL);
		if (err)
			return err;
	}
	op->ob.fn = chan_ready;
	op->ob.mask = sig | WEFT_SIG_PEER_CLOSED;
	op->ob.arg = op;
	op->ob.via = handle_via(&t->proc->handles, op->sqe.handle);
	err = kobject_observe(op->obj, &op->ob);
	return err < 0 ? err : err ? 0 : 1;
}

static long chan_run(struct thread *t, struct aq_op *op, bool send)
{
	const struct weft_aq_sqe *s = &op->sqe;
	unsigned long a[6] = {s->handle, s->addr, s->len,
			      s->offset, s->arg,  send ? 0 : s->deadline};
	long r;

	if (s->op_flags || (s->len | s->arg) >> 32)
		return -EINVAL;
	for (;;) {
		r = send ? nat_sys_channel_write(t, a) : nat_sys_channel_read(t, a);
		if (r != -EAGAIN)
			return r;
		r = observe(t, op, send ? WEFT_SIG_WRITABLE : WEFT_SIG_READABLE);
		if (r)
			return r == 1 ? -EPARKED : r;
	}
}

static long send_run(struct thread *t, struct aq_op *op)
{
	return chan_run(t, op, true);
}

static long recv_run(struct thread *t, struct aq_op *op)
{
	return chan_run(t, op, false);
}

static void chan_disarm(struct aq_op *op)
{
	kobject_unobserve(&op->ob);
}

static void chan_release(struct aq_op *op)
{
	kobject_put(op->obj);
}

const struct aq_kind aq_kind_chan_send = {
    .run = send_run, .disarm = chan_disarm, .release = chan_release};
const struct aq_kind aq_kind_chan_recv = {
    .run = recv_run, .disarm = chan_disarm, .release = chan_release};
