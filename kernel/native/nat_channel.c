/*
 * Native channel calls (the object is kernel/obj/channel.c).
 *
 * channel_write copies the bytes and the transfer list in first, then queues
 * the message; the handles leave the caller's table only inside chan_write,
 * under the channel lock, once the peer's queue is known to have room, and
 * all together (handle_take_many), so a failed write moves no handle.
 * channel_read dequeues the first message if it fits, installs its handles,
 * and copies bytes, handles and sizes out; if any of that fails the new
 * handles are closed and the message is put back at the head of the queue.
 * (Each user copy costs a TLB flush under QEMU, since it toggles
 * sstatus.SUM: the calls copy only what the caller asked for.)
 * Blocking is object_wait_one on READABLE / WRITABLE / PEER_CLOSED, or
 * channel_call: write a request, then park until a message can be read and
 * read it in the continuation (the round trip of a client, or a server's
 * "reply, then wait for the next request"), in one call.
 */
#include <native/nat.h>
#include <obj/channel.h>
#include <core/slab.h>

/* Rights of a new endpoint: Zircon's, plus DUPLICATE, so that a service can
 * publish a write-only copy of its connector end in the name service. */
#define CHAN_RIGHTS                                                                                \
	(WEFT_RIGHT_READ | WEFT_RIGHT_WRITE | WEFT_RIGHT_TRANSFER | WEFT_RIGHT_INSPECT |           \
	 WEFT_RIGHT_WAIT | WEFT_RIGHT_SIGNAL | WEFT_RIGHT_DUPLICATE)

/* channel_create(handle_t out[2]) */
NAT_HANDLER(channel_create)
{
	struct handle_table *ht = &t->proc->handles;
	struct channel *e0, *e1;
	handle_t h[2] = {0, 0};
	long err = chan_create(&e0, &e1);

	if (err)
		return err;
	err = handle_alloc(ht, &e0->obj, CHAN_RIGHTS, NULL, &h[0]);
	if (!err) {
		err = handle_alloc(ht, &e1->obj, CHAN_RIGHTS, NULL, &h[1]);
		if (err)
			handle_close(ht, h[0]);
	}
	kobject_put(&e0->obj);
	kobject_put(&e1->obj);
	if (!err && copy_to_user(a[0], h, sizeof(h))) {
		handle_close(ht, h[0]);
		handle_close(ht, h[1]);
		err = -EFAULT;
	}
	return err;
}

struct take_args {
	struct handle_table *ht;
	handle_t hs[CHAN_MAX_HANDLES];
	rights_t rights[CHAN_MAX_HANDLES];
	uint32_t n;
};

static int take_handles(void *arg, struct chan_msg *m, const struct kobject *const ends[2])
{
	struct take_args *ta = arg;
	int err = handle_take_many(ta->ht, ta->hs, ta->rights, ta->n, ends, m->handles);

	if (!err)
		m->nhandles = ta->n;
	return err;
}

/* Copy the transfer list in. */
static long xfers_in(struct take_args *ta, uaddr_t ux, uint32_t n)
{
	struct weft_handle_xfer x[16];

	for (uint32_t i = 0; i < n; i += 16) {
		uint32_t k = n - i < 16 ? n - i : 16;
		if (copy_from_user(x, ux + i * sizeof(x[0]), k * sizeof(x[0])))
			return -EFAULT;
		for (uint32_t j = 0; j < k; j++) {
			ta->hs[i + j] = x[j].handle;
			ta->rights[i + j] = x[j].rights;
		}
	}
	ta->n = n;
	return 0;
}

/* channel_write(ch, const void *bytes, nbytes, const struct weft_handle_xfer
 * *handles, nhandles): needs WRITE on ch. */
NAT_HANDLER(channel_write)
{
	struct take_args *ta = NULL;
	struct chan_msg *m = NULL;
	struct kobject *o;
	long err;

	if (a[2] > CHAN_MAX_BYTES || a[4] > CHAN_MAX_HANDLES)
		return -EINVAL;
	err = handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_CHANNEL, WEFT_RIGHT_WRITE, &o,
			 NULL);
	if (err)
		return err;
	err = -ENOMEM;
	m = chan_msg_alloc((uint32_t)a[2], (uint32_t)a[4]);
	if (!m || (a[4] && !(ta = kmalloc(sizeof(*ta)))))
		goto out;
	err = -EFAULT;
	if (copy_from_user(m->data, a[1], a[2]))
		goto out;
	if (ta) {
		ta->ht = &t->proc->handles;
		err = xfers_in(ta, a[3], (uint32_t)a[4]);
		if (err)
			goto out;
	}
	err = chan_write(chan_from_obj(o), m, ta ? take_handles : NULL, ta);
	if (!err)
		m = NULL; /* queued */
out:
	chan_msg_free(m);
	kfree(ta);
	kobject_put(o);
	return err;
}

/* Deliver m to the caller's buffers and sizes: 0, or an error with nothing
 * installed (the message still holds its references, so closing the new
 * handles loses nothing). */
static long deliver(struct thread *t, struct chan_msg *m, const unsigned long *a)
{
	struct handle_table *ht = &t->proc->handles;
	uint32_t sizes[2] = {m->nbytes, m->nhandles};
	handle_t hs[CHAN_MAX_HANDLES];
	long err = handle_install_many(ht, m->handles, m->nhandles, hs);

	if (err)
		return err;
	if (copy_to_user(a[1], m->data, m->nbytes) ||
	    copy_to_user(a[3], hs, m->nhandles * sizeof(handle_t)) ||
	    (a[5] && copy_to_user(a[5], sizes, sizeof(sizes)))) {
		for (uint32_t i = 0; i < m->nhandles; i++)
			handle_close(ht, hs[i]);
		return -EFAULT;
	}
	return 0;
}

/* channel_read(ch, void *bytes, bytes_cap, handle_t *handles, handles_cap,
 * uint32_t sizes[2] or NULL): the message's byte count; needs READ. sizes
 * gets its byte and handle counts, also with -EMSGSIZE (then the message
 * stays queued). A fault leaves the message queued and nothing installed. */
NAT_HANDLER(channel_read)
{
	uint32_t need[2] = {0, 0};
	struct chan_msg *m;
	struct kobject *o;
	long err = handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_CHANNEL, WEFT_RIGHT_READ,
			      &o, NULL);

	if (err)
		return err;
	struct channel *ch = chan_from_obj(o);
	err = chan_read(ch, (uint32_t)(a[2] > CHAN_MAX_BYTES ? CHAN_MAX_BYTES : a[2]),
			(uint32_t)(a[4] > CHAN_MAX_HANDLES ? CHAN_MAX_HANDLES : a[4]), &m, &need[0],
			&need[1]);
	if (!err) {
		err = deliver(t, m, a);
		if (err) {
			chan_unread(ch, m);
		} else {
			err = m->nbytes;
			chan_msg_free(m);
		}
	} else if (err == -EMSGSIZE && a[5] && copy_to_user(a[5], need, sizeof(need))) {
		err = -EFAULT;
	}
	kobject_put(o);
	return err;
}

/* Read the first message for channel_call (bytes only): its length, or
 * -EAGAIN (empty), -EPIPE, -EMSGSIZE (it stays queued), -EFAULT (it stays). */
static long call_read(struct thread *t, struct channel *ch, uaddr_t ubuf, uint32_t cap)
{
	struct chan_msg *m;
	uint32_t nb, nh;
	long err = chan_read(ch, cap, 0, &m, &nb, &nh);

	if (err)
		return err;
	if (copy_to_user(ubuf, m->data, m->nbytes)) {
		chan_unread(ch, m);
		return -EFAULT;
	}
	err = m->nbytes;
	chan_msg_free(m);
	return err;
}

/* Try to read; if nothing is there, park until READABLE or PEER_CLOSED (or the
 * deadline). t->wait: [0] the endpoint's object (a reference, dropped when the
 * call ends), [1] buffer, [2] capacity, [3] deadline, [4] the handle (closing
 * it ends the wait with -ECANCELED). */
static long call_cont(struct thread *t);

static long call_step(struct thread *t)
{
	struct kobject *o = (struct kobject *)t->wait[0];
	struct kobject_via via = handle_via(&t->proc->handles, (handle_t)t->wait[4]);
	uint32_t seen;
	long r;

	for (;;) {
		r = call_read(t, chan_from_obj(o), t->wait[1], (uint32_t)t->wait[2]);
		if (r != -EAGAIN)
			break;
		r = kobject_wait_park(o, t, WEFT_SIG_READABLE | WEFT_SIG_PEER_CLOSED, t->wait[3],
				      &via, call_cont, &seen);
		if (r == -EPARKED)
			return r; /* call_cont owns the reference */
		if (r)
			break; /* -ETIMEDOUT, -EBADF (closed meanwhile) */
	}
	kobject_put(o);
	return r;
}

static long call_cont(struct thread *t)
{
	long r = t->wake_result;

	waitq_remove(&t->wnode);
	if (r < 0) { /* -ETIMEDOUT, -EINTR, -ECANCELED */
		kobject_put((struct kobject *)t->wait[0]);
	} else {
		r = call_step(t);
		if (r == -EPARKED)
			return r;
	}
	hal_tf_set_ret(&t->tf, r);
	return 0;
}

/* channel_call(ch, const void *req or NULL, req_len, void *reply, reply_cap,
 * deadline): write req (if not NULL; no handles), then wait until a message
 * can be read (or the deadline) and read it (bytes only): its length. Needs
 * READ, and WRITE to send. Errors of the write (nothing was sent), then
 * -ETIMEDOUT, -EINTR, -ECANCELED (ch closed by another thread; the request
 * was sent), -EPIPE, -EMSGSIZE (the message,
 * too big or carrying handles, stays queued for channel_read). */
NAT_HANDLER(channel_call)
{
	rights_t need = WEFT_RIGHT_READ | (a[1] ? WEFT_RIGHT_WRITE : 0);
	struct kobject *o;
	long err;

	if (a[2] > CHAN_MAX_BYTES || !uaccess_ok(a[3], a[4]))
		return a[2] > CHAN_MAX_BYTES ? -EINVAL : -EFAULT;
	err = handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_CHANNEL, need, &o, NULL);
	if (err)
		return err;
	if (a[1]) {
		struct chan_msg *m = chan_msg_alloc((uint32_t)a[2], 0);
		err = !m ? -ENOMEM : copy_from_user(m->data, a[1], a[2]);
		if (!err)
			err = chan_write(chan_from_obj(o), m, NULL, NULL);
		if (err) {
			chan_msg_free(m);
			kobject_put(o);
			return err;
		}
	}
	t->wait[0] = (uint64_t)o;
	t->wait[1] = a[3];
	t->wait[2] = a[4] > CHAN_MAX_BYTES ? CHAN_MAX_BYTES : a[4];
	t->wait[3] = a[5];
	t->wait[4] = (handle_t)a[0];
	return call_step(t);
}
