/*
 * Host tests for channels (kernel/obj/channel.c) and the all-or-nothing
 * handle moves they use (handle_take_many / handle_install_many): FIFO order,
 * the queue bound, sizes reported for a too-small read, peer-closed, signals,
 * handles moved with rights kept or reduced, a failed move leaving the
 * sender's table untouched, and handles of undelivered messages closed when
 * the receiving endpoint dies.
 */
#include "ht.h"
#include <core/pmm.h>
#include <core/slab.h>
#include <obj/channel.h>
#include <obj/lease.h>
#include <weft/errno.h>
#include <stdlib.h>

static void setup(void)
{
	ht_ram_setup();
}

static int destroyed;

static void tobj_destroy(struct kobject *o)
{
	destroyed++;
	kfree(o);
}

static const struct kobject_ops tobj_ops = {.type = WEFT_OBJ_TIMER, .name = "t", .destroy = tobj_destroy};

static struct kobject *tobj_new(void)
{
	struct kobject *o = kzalloc(sizeof(*o));

	kobject_init(o, &tobj_ops);
	return o;
}

static int write_bytes(struct channel *ch, const char *s, uint32_t n)
{
	struct chan_msg *m = chan_msg_alloc(n, 0);
	memcpy(m->data, s, n);
	int err = chan_write(ch, m, NULL, NULL);
	if (err)
		chan_msg_free(m);
	return err;
}

HT_TEST(fifo_bound_and_sizes)
{
	setup();
	struct channel *a, *b;
	struct chan_msg *m;
	uint32_t nb, nh;
	char buf[8];

	HT_CHECK_EQ(chan_create(&a, &b), 0);
	HT_CHECK_EQ(kobject_signals(&a->obj), WEFT_SIG_WRITABLE);
	HT_CHECK_EQ(chan_read(b, 100, 0, &m, &nb, &nh), -EAGAIN);
	for (unsigned i = 0; i < CHAN_MAX_MSGS; i++) {
		snprintf(buf, sizeof(buf), "m%u", i);
		HT_CHECK_EQ(write_bytes(a, buf, (uint32_t)strlen(buf) + 1), 0);
	}
	HT_CHECK_EQ(write_bytes(a, "x", 1), -EAGAIN);
	HT_CHECK(!(kobject_signals(&a->obj) & WEFT_SIG_WRITABLE));
	HT_CHECK(kobject_signals(&b->obj) & WEFT_SIG_READABLE);
	HT_CHECK_EQ(chan_read(b, 2, 0, &m, &nb, &nh), -EMSGSIZE);
	HT_CHECK_EQ(nb, 3);
	HT_CHECK_EQ(nh, 0);
	for (unsigned i = 0; i < CHAN_MAX_MSGS; i++) {
		HT_CHECK_EQ(chan_read(b, 100, 0, &m, &nb, &nh), 0);
		snprintf(buf, sizeof(buf), "m%u", i);
		HT_CHECK(!strcmp((char *)m->data, buf));
		chan_msg_free(m);
		HT_CHECK(kobject_signals(&a->obj) & WEFT_SIG_WRITABLE);
	}
	HT_CHECK(!(kobject_signals(&b->obj) & WEFT_SIG_READABLE));
	HT_CHECK(chan_msg_alloc(CHAN_MAX_BYTES + 1, 0) == NULL);
	kobject_put(&a->obj);
	HT_CHECK(kobject_signals(&b->obj) & WEFT_SIG_PEER_CLOSED);
	HT_CHECK_EQ(write_bytes(b, "x", 1), -EPIPE);
	HT_CHECK_EQ(chan_read(b, 100, 0, &m, &nb, &nh), -EPIPE);
	kobject_put(&b->obj);
}

struct take_ctx {
	struct handle_table *t;
	handle_t hs[4];
	rights_t r[4];
	uint32_t n;
};

static int take(void *arg, struct chan_msg *m, const struct kobject *const ends[2])
{
	struct take_ctx *c = arg;
	int err = handle_take_many(c->t, c->hs, c->r, c->n, ends, m->handles);
	if (!err)
		m->nhandles = c->n;
	return err;
}

HT_TEST(handles_move_all_or_nothing)
{
	setup();
	struct handle_table ta, tb;
	struct channel *a, *b;
	struct chan_msg *m;
	struct kobject *o1 = tobj_new(), *o2 = tobj_new(), *got;
	rights_t r;
	uint32_t nb, nh;
	int d0 = destroyed;

	handle_table_init(&ta, 0);
	handle_table_init(&tb, 0);
	HT_CHECK_EQ(chan_create(&a, &b), 0);
	struct take_ctx c = {.t = &ta, .n = 2};
	HT_CHECK_EQ(handle_alloc(&ta, o1, WEFT_RIGHT_TRANSFER | WEFT_RIGHT_READ | WEFT_RIGHT_WRITE,
				 NULL, &c.hs[0]), 0);
	HT_CHECK_EQ(handle_alloc(&ta, o2, WEFT_RIGHT_READ, NULL, &c.hs[1]), 0);
	c.r[0] = WEFT_RIGHT_READ | WEFT_RIGHT_TRANSFER;
	c.r[1] = WEFT_RIGHTS_SAME;
	kobject_put(o1);
	kobject_put(o2);
	/* the second handle lacks TRANSFER: nothing moves */
	m = chan_msg_alloc(0, 2);
	HT_CHECK_EQ(chan_write(a, m, take, &c), -EACCES);
	chan_msg_free(m);
	HT_CHECK_EQ(handle_count(&ta), 2);
	/* the same handle twice is refused; so is either endpoint of the channel */
	c.hs[1] = c.hs[0];
	m = chan_msg_alloc(0, 2);
	HT_CHECK_EQ(chan_write(a, m, take, &c), -EINVAL);
	handle_t hb, ha;
	HT_CHECK_EQ(handle_alloc(&ta, &b->obj, WEFT_RIGHT_TRANSFER, NULL, &hb), 0);
	HT_CHECK_EQ(handle_alloc(&ta, &a->obj, WEFT_RIGHT_TRANSFER, NULL, &ha), 0);
	c.hs[1] = hb;
	HT_CHECK_EQ(chan_write(a, m, take, &c), -ENOTSUP);
	c.hs[1] = ha;
	HT_CHECK_EQ(chan_write(a, m, take, &c), -ENOTSUP);
	HT_CHECK_EQ(handle_count(&ta), 4);
	HT_CHECK_EQ(handle_close(&ta, ha), 0);
	/* rights reduced on the way */
	c.n = 1;
	HT_CHECK_EQ(chan_write(a, m, take, &c), 0);
	HT_CHECK_EQ(handle_count(&ta), 2);
	HT_CHECK_EQ(chan_read(b, 0, 0, &m, &nb, &nh), -EMSGSIZE);
	HT_CHECK_EQ(nh, 1);
	HT_CHECK_EQ(chan_read(b, 0, 4, &m, &nb, &nh), 0);
	handle_t got_h[1];
	HT_CHECK_EQ(handle_install_many(&tb, m->handles, m->nhandles, got_h), 0);
	chan_msg_free(m);
	HT_CHECK_EQ(handle_get(&tb, got_h[0], WEFT_OBJ_TIMER, 0, &got, &r), 0);
	HT_CHECK(got == o1);
	HT_CHECK_EQ(r, WEFT_RIGHT_READ | WEFT_RIGHT_TRANSFER);
	kobject_put(got);
	/* a message left queued on b closes its handles when b dies */
	c.hs[0] = got_h[0];
	c.t = &tb;
	c.r[0] = WEFT_RIGHTS_SAME;
	handle_close(&ta, hb);
	m = chan_msg_alloc(0, 1);
	HT_CHECK_EQ(chan_write(a, m, take, &c), 0);
	HT_CHECK_EQ(destroyed, d0);
	kobject_put(&b->obj);
	HT_CHECK_EQ(destroyed, d0 + 1); /* o1 went with the undelivered message */
	kobject_put(&a->obj);
	handle_table_destroy(&ta);
	handle_table_destroy(&tb);
	HT_CHECK_EQ(destroyed, d0 + 2);
}

HT_TEST(revoked_handle_cannot_travel)
{
	setup();
	struct handle_table ta;
	struct lease *l;
	struct kobject *o = tobj_new();
	struct handle_xfer x[1];
	handle_t h;
	rights_t same = WEFT_RIGHTS_SAME;

	handle_table_init(&ta, 0);
	HT_CHECK_EQ(lease_create(&l), 0);
	HT_CHECK_EQ(handle_alloc(&ta, o, WEFT_RIGHT_TRANSFER, l, &h), 0);
	lease_revoke(l);
	HT_CHECK_EQ(handle_take_many(&ta, &h, &same, 1, NULL, x), -WEFT_EREVOKED);
	kobject_put(&l->obj);
	kobject_put(o);
	handle_table_destroy(&ta);
}

HT_MAIN(HT_CASE(fifo_bound_and_sizes), HT_CASE(handles_move_all_or_nothing),
	HT_CASE(revoked_handle_cannot_travel))
