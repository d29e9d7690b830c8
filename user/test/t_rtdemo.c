/*
 * The librt demo: one thread waits on a timer, a channel and a pipe at once,
 * through one AsyncQ event loop, and reacts to whichever comes first.
 *
 * How the pipe joins: this is a Linux-personality process (musl), which
 * holds Linux fds and native handles side by side, so the pipe's read end is
 * simply one of its fds, given to an FD_READ op. (A process of the native
 * personality has no fd table: it would need the pipe wrapped in a handle,
 * which Weft does not do yet.) The channel and the timer are native
 * handles. A helper thread plays the outside world: after a while it writes
 * a message on the channel's other end, later a line into the pipe.
 *
 * The loop: a periodic 3 ms timer ticks; a channel receive and a pipe read
 * wait (each under rt_timeout, 2 s); when both have arrived the periodic
 * timer is cancelled and the loop runs dry. The program checks what it saw
 * and prints the order of events.
 */
#include "t.h"
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <weft/sys.h>
#include "rt/rt.h"

#define MS 1000000ull

static handle_t ch[2];
static int pfd[2];
static char msg[64], line[64];
static int ticks, got_msg, got_line, order_msg, order_line, events;
static uint64_t tick_token;

static void *outside(void *arg)
{
	(void)arg;
	usleep(12000);
	weft_channel_write(ch[0], "over the channel", 16, NULL, 0);
	usleep(12000);
	T_EQ(write(pfd[1], "down the pipe\n", 14), 14);
	return NULL;
}

static void maybe_done(struct rt_loop *l)
{
	if (got_msg && got_line)
		rt_cancel(l, tick_token);
}

static void on_tick(struct rt_loop *l, void *arg, const struct weft_aq_cqe *c)
{
	(void)l;
	(void)arg;
	if (c->result > 0)
		ticks += (int)c->result;
	events++;
}

static void on_msg(struct rt_loop *l, void *arg, const struct weft_aq_cqe *c)
{
	(void)arg;
	T_EQ(c->result, 16);
	got_msg = c->result == 16;
	order_msg = ++events;
	out_say("  rtdemo: channel message \"%.16s\" after %d ticks\n", msg, ticks);
	maybe_done(l);
}

static void on_line(struct rt_loop *l, void *arg, const struct weft_aq_cqe *c)
{
	(void)arg;
	T_EQ(c->result, 14);
	got_line = c->result == 14;
	order_line = ++events;
	out_say("  rtdemo: pipe line \"%.13s\" after %d ticks\n", line, ticks);
	maybe_done(l);
}

int main(void)
{
	static struct rt_loop l;
	struct rt_op op;
	pthread_t th;

	if (!t_is_weft()) {
		T_SKIP("native calls are Weft's");
		T_DONE();
	}
	T_EQ(pipe(pfd), 0);
	T_EQ(weft_channel_create(ch), 0);
	T_EQ(rt_init(&l, 16), 0);
	op = rt_periodic(3 * MS, 3 * MS);
	tick_token = (uint64_t)rt_start(&l, &op, on_tick, NULL);
	op = rt_chan_recv(ch[1], msg, sizeof(msg));
	T_CHECK(rt_timeout(&l, &op, 2000 * MS, on_msg, NULL) > 0);
	op = rt_read(pfd[0], line, sizeof(line));
	T_CHECK(rt_timeout(&l, &op, 2000 * MS, on_line, NULL) > 0);
	T_EQ(pthread_create(&th, NULL, outside, NULL), 0);
	T_EQ(rt_run(&l), 0);
	pthread_join(th, NULL);
	T_CHECK(got_msg && got_line);
	T_CHECK(order_msg < order_line); /* the channel came 12 ms before the pipe */
	T_CHECK(ticks >= 4);		 /* the timer ticked meanwhile */
	T_CHECK(!memcmp(msg, "over the channel", 16) && !memcmp(line, "down the pipe\n", 14));
	rt_fini(&l);
	T_DONE();
}
