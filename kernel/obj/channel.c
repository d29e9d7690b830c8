/*
 * Channels (model, limits, signals and locking in obj/channel.h). The pair
 * block is freed by whichever endpoint is destroyed last; an endpoint's
 * destroy unlinks it under the pair lock, raises PEER_CLOSED on the other, and
 * closes the handles of its undelivered messages after unlocking (closing
 * them may destroy further objects, channels included).
 */
#include <obj/channel.h>
#include <core/klog.h>
#include <core/slab.h>
#include <core/spinlock.h>
#include <weft/errno.h>

struct chan_pair {
	struct spinlock lock;
	struct channel *ep[2]; /* lock: NULL once that endpoint is destroyed */
};

static void chan_destroy(struct kobject *o);

static const struct kobject_ops chan_ops = {
    .type = WEFT_OBJ_CHANNEL,
    .name = "channel",
    .destroy = chan_destroy,
};

struct channel *chan_from_obj(struct kobject *o)
{
	if (!o || o->ops != &chan_ops)
		return NULL;
	return kobject_entry(o, struct channel, obj);
}

/* Recompute the signals of ep from the queues (pair lock held). */
static void signals_locked(struct chan_pair *p, int side)
{
	struct channel *ep = p->ep[side], *peer = p->ep[!side];
	uint32_t set = 0;

	if (!ep)
		return;
	if (ep->nmsgs)
		set |= WEFT_SIG_READABLE;
	if (peer && peer->nmsgs < CHAN_MAX_MSGS)
		set |= WEFT_SIG_WRITABLE;
	if (!peer)
		set |= WEFT_SIG_PEER_CLOSED;
	kobject_signal(&ep->obj, WEFT_SIG_READABLE | WEFT_SIG_WRITABLE | WEFT_SIG_PEER_CLOSED, set);
}

static void signals_both_locked(struct chan_pair *p)
{
	signals_locked(p, 0);
	signals_locked(p, 1);
}

int chan_create(struct channel **e0, struct channel **e1)
{
	struct chan_pair *p = kzalloc(sizeof(*p));
	struct channel *a = kzalloc(sizeof(*a)), *b = kzalloc(sizeof(*b));

	if (!p || !a || !b) {
		kfree(p);
		kfree(a);
		kfree(b);
		return -ENOMEM;
	}
	spin_init(&p->lock, "channel");
	struct channel *eps[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		kobject_init(&eps[i]->obj, &chan_ops);
		eps[i]->pair = p;
		eps[i]->side = i;
		list_init(&eps[i]->queue);
		p->ep[i] = eps[i];
	}
	spin_lock(&p->lock);
	signals_both_locked(p);
	spin_unlock(&p->lock);
	*e0 = a;
	*e1 = b;
	return 0;
}

struct chan_msg *chan_msg_alloc(uint32_t nbytes, uint32_t nhandles)
{
	if (nbytes > CHAN_MAX_BYTES || nhandles > CHAN_MAX_HANDLES)
		return NULL;
	size_t hsz = (size_t)nhandles * sizeof(struct handle_xfer);
	struct chan_msg *m = kmalloc(sizeof(*m) + hsz + nbytes);

	if (!m)
		return NULL;
	list_init(&m->link);
	m->nbytes = nbytes;
	m->nhandles = 0;
	m->handles = (struct handle_xfer *)(m + 1);
	m->data = (uint8_t *)m->handles + hsz;
	return m;
}

void chan_msg_free(struct chan_msg *m)
{
	if (!m)
		return;
	handle_xfer_put(m->handles, m->nhandles);
	kfree(m);
}

int chan_write(struct channel *ch, struct chan_msg *m, chan_take_fn take, void *arg)
{
	struct chan_pair *p = ch->pair;
	int err = 0;

	spin_lock(&p->lock);
	struct channel *peer = p->ep[!ch->side];
	if (!peer)
		err = -EPIPE;
	else if (peer->nmsgs >= CHAN_MAX_MSGS)
		err = -EAGAIN;
	else if (take)
		err = take(arg, m, (const struct kobject *const[2]){&ch->obj, &peer->obj});
	if (!err) {
		list_add_tail(&peer->queue, &m->link);
		peer->nmsgs++;
		signals_both_locked(p);
	}
	spin_unlock(&p->lock);
	return err;
}

int chan_read(struct channel *ch, uint32_t bytes_cap, uint32_t handles_cap, struct chan_msg **out,
	      uint32_t *need_bytes, uint32_t *need_handles)
{
	struct chan_pair *p = ch->pair;
	int err = 0;

	spin_lock(&p->lock);
	if (list_empty(&ch->queue)) {
		err = p->ep[!ch->side] ? -EAGAIN : -EPIPE;
		goto out_unlock;
	}
	struct chan_msg *m = list_entry(ch->queue.next, struct chan_msg, link);
	*need_bytes = m->nbytes;
	*need_handles = m->nhandles;
	if (m->nbytes > bytes_cap || m->nhandles > handles_cap) {
		err = -EMSGSIZE;
		goto out_unlock;
	}
	list_del(&m->link);
	ch->nmsgs--;
	signals_both_locked(p);
	*out = m;
out_unlock:
	spin_unlock(&p->lock);
	return err;
}

void chan_unread(struct channel *ch, struct chan_msg *m)
{
	struct chan_pair *p = ch->pair;

	spin_lock(&p->lock);
	list_add(&ch->queue, &m->link);
	ch->nmsgs++;
	signals_both_locked(p);
	spin_unlock(&p->lock);
}

static void chan_destroy(struct kobject *o)
{
	struct channel *ch = kobject_entry(o, struct channel, obj);
	struct chan_pair *p = ch->pair;
	struct list dead;
	bool last;

	list_init(&dead);
	spin_lock(&p->lock);
	p->ep[ch->side] = NULL;
	/* move the undelivered messages out, to close their handles unlocked */
	while (!list_empty(&ch->queue)) {
		struct list *it = list_pop(&ch->queue);
		list_add_tail(&dead, it);
	}
	ch->nmsgs = 0;
	signals_locked(p, !ch->side);
	last = !p->ep[!ch->side];
	spin_unlock(&p->lock);
	while (!list_empty(&dead))
		chan_msg_free(list_entry(list_pop(&dead), struct chan_msg, link));
	kfree(ch);
	if (last)
		kfree(p);
}
