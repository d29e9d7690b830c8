/*
 * Host tests for object signals (kernel/obj/object.c): kobject_signal,
 * one-shot observers, and the parking half of object_wait_one over the real
 * wait queues with the scheduler stand-ins of pipe_shims.c (a parked thread
 * is a zeroed struct thread whose park word the code under test must end),
 * and the cancel of waits whose handle leaves its table (obj/handle.c).
 */
#include "ht.h"
#include <core/pmm.h>
#include <core/slab.h>
#include <obj/object.h>
#include <obj/handle.h>
#include <hal/cpu.h>
#include <weft/errno.h>
#include <stdlib.h>

#define RAM_BYTES (16UL << 20)

static void setup(void)
{
	ht_ram_setup();
}

static int destroyed;

static void sobj_destroy(struct kobject *o)
{
	destroyed++;
	kfree(o);
}

static const struct kobject_ops sobj_ops = {
    .type = WEFT_OBJ_CHANNEL,
    .name = "sig-test",
    .destroy = sobj_destroy,
};

static struct kobject *sobj_new(void)
{
	struct kobject *o = kzalloc(sizeof(*o));

	if (!o)
		abort();
	kobject_init(o, &sobj_ops);
	return o;
}

static long dummy_cont(struct thread *t)
{
	(void)t;
	return 0;
}

static bool parked(struct thread *t)
{
	return (t->park & 0xff) == PARK_PARKED;
}

HT_TEST(set_and_clear)
{
	setup();
	struct kobject *o = sobj_new();

	HT_CHECK_EQ(kobject_signals(o), 0);
	kobject_signal(o, 0, WEFT_SIG_READABLE | WEFT_SIG_USER(3));
	HT_CHECK_EQ(kobject_signals(o), WEFT_SIG_READABLE | WEFT_SIG_USER(3));
	kobject_signal(o, WEFT_SIG_READABLE, WEFT_SIG_PEER_CLOSED);
	HT_CHECK_EQ(kobject_signals(o), WEFT_SIG_USER(3) | WEFT_SIG_PEER_CLOSED);
	kobject_signal(o, ~0u, 0);
	HT_CHECK_EQ(kobject_signals(o), 0);
	kobject_put(o);
}

HT_TEST(wait_satisfied_at_once_or_timed_out)
{
	setup();
	struct kobject *o = sobj_new();
	struct thread t = {0};
	uint32_t seen = 0;

	kobject_signal(o, 0, WEFT_SIG_WRITABLE);
	HT_CHECK_EQ(kobject_wait_park(o, &t, WEFT_SIG_WRITABLE, WEFT_TIME_INFINITE, NULL, dummy_cont, &seen),
		    0);
	HT_CHECK_EQ(seen, WEFT_SIG_WRITABLE);
	HT_CHECK(!parked(&t));
	/* a deadline in the past (0) never parks */
	HT_CHECK_EQ(kobject_wait_park(o, &t, WEFT_SIG_READABLE, 0, NULL, dummy_cont, &seen), -ETIMEDOUT);
	HT_CHECK_EQ(seen, WEFT_SIG_WRITABLE);
	HT_CHECK(!parked(&t));
	HT_CHECK_EQ(kobject_wait_park(o, &t, 0, WEFT_TIME_INFINITE, NULL, dummy_cont, &seen), -EINVAL);
	kobject_put(o);
}

HT_TEST(wait_woken_only_by_its_bits)
{
	setup();
	struct kobject *o = sobj_new();
	struct thread a = {0}, b = {0};
	uint32_t seen;

	HT_CHECK_EQ(kobject_wait_park(o, &a, WEFT_SIG_READABLE | WEFT_SIG_PEER_CLOSED,
				      WEFT_TIME_INFINITE, NULL, dummy_cont, &seen),
		    -EPARKED);
	HT_CHECK_EQ(kobject_wait_park(o, &b, WEFT_SIG_USER(0), hal_time_ns() + 1000000000ull,
				      NULL, dummy_cont, &seen),
		    -EPARKED);
	HT_CHECK(parked(&a) && parked(&b));
	kobject_signal(o, 0, WEFT_SIG_WRITABLE); /* neither waits for it */
	HT_CHECK(parked(&a) && parked(&b));
	kobject_signal(o, 0, WEFT_SIG_PEER_CLOSED);
	HT_CHECK(!parked(&a) && parked(&b));
	HT_CHECK_EQ(a.wake_result, WEFT_SIG_WRITABLE | WEFT_SIG_PEER_CLOSED);
	HT_CHECK(a.wnode.wq == NULL);
	/* re-asserting a bit already set is not a change */
	kobject_signal(o, 0, WEFT_SIG_PEER_CLOSED);
	HT_CHECK(parked(&b));
	kobject_signal(o, 0, WEFT_SIG_USER(0));
	HT_CHECK(!parked(&b));
	HT_CHECK_EQ(b.wake_result, WEFT_SIG_WRITABLE | WEFT_SIG_PEER_CLOSED | WEFT_SIG_USER(0));
	HT_CHECK(list_empty(&o->sigq.waiters));
	kobject_put(o);
}

struct obs_rec {
	int calls;
	uint32_t got;
};

static void obs_fn(struct kobject_observer *ob, uint32_t signals)
{
	struct obs_rec *r = ob->arg;

	r->calls++;
	r->got = signals;
}

HT_TEST(observers_are_one_shot)
{
	setup();
	struct kobject *o = sobj_new();
	struct obs_rec r1 = {0}, r2 = {0};
	struct kobject_observer ob1 = {.mask = WEFT_SIG_READABLE, .fn = obs_fn, .arg = &r1};
	struct kobject_observer ob2 = {.mask = WEFT_SIG_USER(7), .fn = obs_fn, .arg = &r2};

	HT_CHECK_EQ(kobject_observe(o, &ob1), 0);
	HT_CHECK_EQ(kobject_observe(o, &ob2), 0);
	kobject_signal(o, 0, WEFT_SIG_WRITABLE);
	HT_CHECK_EQ(r1.calls + r2.calls, 0);
	kobject_signal(o, 0, WEFT_SIG_READABLE);
	HT_CHECK_EQ(r1.calls, 1);
	HT_CHECK_EQ(r1.got, WEFT_SIG_READABLE | WEFT_SIG_WRITABLE);
	kobject_signal(o, WEFT_SIG_READABLE, 0);
	kobject_signal(o, 0, WEFT_SIG_READABLE);
	HT_CHECK_EQ(r1.calls, 1); /* fired once, then gone */
	HT_CHECK(!kobject_unobserve(&ob1));
	HT_CHECK(kobject_unobserve(&ob2)); /* disarmed before firing */
	kobject_signal(o, 0, WEFT_SIG_USER(7));
	HT_CHECK_EQ(r2.calls, 0);
	/* already asserted: not registered, the signals come back */
	HT_CHECK_EQ(kobject_observe(o, &ob2), WEFT_SIG_READABLE | WEFT_SIG_WRITABLE | WEFT_SIG_USER(7));
	HT_CHECK(!ob2.armed);
	HT_CHECK(list_empty(&o->observers));
	int d = destroyed;
	kobject_put(o);
	HT_CHECK_EQ(destroyed, d + 1);
}

/* Closing, replacing or taking the handle a wait came through cancels that
 * wait (threads and observers) and no other; a wait through a handle closed
 * before it links itself gets -EBADF. */
HT_TEST(closing_the_handle_cancels_its_waits)
{
	setup();
	struct kobject *o = sobj_new();
	struct handle_table ht;
	struct thread a = {0}, b = {0}, c = {0};
	struct obs_rec r1 = {0}, r2 = {0};
	handle_t h1, h2, h3, h4;
	uint32_t seen;

	handle_table_init(&ht, 0);
	HT_CHECK_EQ(handle_alloc(&ht, o, WEFT_RIGHTS_ALL, NULL, &h1), 0);
	HT_CHECK_EQ(handle_alloc(&ht, o, WEFT_RIGHTS_ALL, NULL, &h2), 0);
	HT_CHECK_EQ(handle_alloc(&ht, o, WEFT_RIGHTS_ALL, NULL, &h3), 0);
	struct kobject_via v1 = handle_via(&ht, h1), v2 = handle_via(&ht, h2),
			   v3 = handle_via(&ht, h3);
	HT_CHECK_EQ(kobject_wait_park(o, &a, WEFT_SIG_READABLE, WEFT_TIME_INFINITE, &v1, dummy_cont,
				      &seen),
		    -EPARKED);
	HT_CHECK_EQ(kobject_wait_park(o, &b, WEFT_SIG_READABLE, WEFT_TIME_INFINITE, &v2, dummy_cont,
				      &seen),
		    -EPARKED);
	struct kobject_observer ob1 = {.mask = WEFT_SIG_READABLE, .fn = obs_fn, .arg = &r1, .via = v1};
	struct kobject_observer ob2 = {.mask = WEFT_SIG_READABLE, .fn = obs_fn, .arg = &r2, .via = v2};
	HT_CHECK_EQ(kobject_observe(o, &ob1), 0);
	HT_CHECK_EQ(kobject_observe(o, &ob2), 0);
	HT_CHECK_EQ(handle_close(&ht, h1), 0);
	HT_CHECK(!parked(&a) && parked(&b));
	HT_CHECK_EQ(a.wake_result, -ECANCELED);
	HT_CHECK_EQ(r1.calls, 1);
	HT_CHECK_EQ(r1.got, 0); /* 0: cancelled */
	HT_CHECK_EQ(r2.calls, 0);
	/* a wait starting after the close: the handle is gone */
	HT_CHECK_EQ(kobject_wait_park(o, &c, WEFT_SIG_READABLE, WEFT_TIME_INFINITE, &v1, dummy_cont,
				      &seen),
		    -EBADF);
	HT_CHECK(!parked(&c));
	HT_CHECK_EQ(kobject_observe(o, &ob1), -EBADF);
	/* replace ends the waits through the old value */
	HT_CHECK_EQ(handle_replace(&ht, h2, WEFT_RIGHTS_SAME, &h4), 0);
	HT_CHECK(!parked(&b));
	HT_CHECK_EQ(b.wake_result, -ECANCELED);
	HT_CHECK_EQ(r2.calls, 1);
	/* a handle taken for transfer, too; the others still wait */
	struct thread d = {0};
	struct kobject_via v4 = handle_via(&ht, h4);
	HT_CHECK_EQ(kobject_wait_park(o, &c, WEFT_SIG_READABLE, WEFT_TIME_INFINITE, &v3, dummy_cont,
				      &seen),
		    -EPARKED);
	HT_CHECK_EQ(kobject_wait_park(o, &d, WEFT_SIG_READABLE, WEFT_TIME_INFINITE, &v4, dummy_cont,
				      &seen),
		    -EPARKED);
	struct kobject *taken;
	struct lease *tl;
	rights_t tr;
	HT_CHECK_EQ(handle_take(&ht, h3, 0, &taken, &tr, &tl), 0);
	HT_CHECK(!parked(&c) && parked(&d));
	HT_CHECK_EQ(c.wake_result, -ECANCELED);
	kobject_put(taken);
	kobject_signal(o, 0, WEFT_SIG_READABLE);
	HT_CHECK(!parked(&d));
	HT_CHECK_EQ(d.wake_result, WEFT_SIG_READABLE);
	HT_CHECK(list_empty(&o->sigq.waiters) && list_empty(&o->observers));
	handle_table_destroy(&ht);
	kobject_put(o);
}

HT_MAIN(HT_CASE(set_and_clear), HT_CASE(wait_satisfied_at_once_or_timed_out),
	HT_CASE(wait_woken_only_by_its_bits), HT_CASE(observers_are_one_shot),
	HT_CASE(closing_the_handle_cancels_its_waits))
