/*
 * Host tests for CPU-time accounting (kernel/core/cputime.c): exact totals,
 * the split resolved by where ticks find a thread, pending time split like the
 * resolved time (all user when there is none), no overflow with large sums,
 * reported times that never go down, and an exit that hands everything to the
 * process's sum. The clock is this file's (now), and the per-CPU blocks say
 * which thread runs where.
 */
#include "ht.h"
#include <core/sched.h>
#include <stdint.h>
#include <stdlib.h>

struct cpu cpus[NCPU_MAX];
unsigned ncpu_online = 1;
static uint64_t now;

uint64_t hal_time_ns(void)
{
	return now;
}

static void run_on(struct thread *t, unsigned cpu, uint64_t at)
{
	now = at;
	t->cpu = cpu;
	t->on_cpu = 1;
	cpus[cpu].cur = t;
	cputime_switch_in(t, at);
}

static void leave(struct thread *t, uint64_t at)
{
	now = at;
	cputime_switch_out(t);
	cpus[t->cpu].cur = NULL;
	t->on_cpu = 0;
}

HT_TEST(test_ticks_resolve_the_split)
{
	struct thread t = {.kind = THREAD_USER};
	struct cputime c;

	run_on(&t, 0, 1000);
	cputime_tick(&t, 1010, true);		/* 10 user */
	leave(&t, 1015);			/* 5 pending */
	run_on(&t, 0, 2000);
	cputime_tick(&t, 2010, false);		/* 5 + 10 system */
	leave(&t, 2010);
	c = thread_cputime(&t);
	HT_CHECK_EQ(c.user_ns, 10);
	HT_CHECK_EQ(c.sys_ns, 15);
	HT_CHECK_EQ(thread_cpu_ns(&t), 25);
}

HT_TEST(test_running_stretch_and_pending_split)
{
	struct thread t = {.kind = THREAD_USER};
	struct cputime c;

	run_on(&t, 0, 0);
	cputime_tick(&t, 300, true);
	cputime_tick(&t, 400, false);		/* resolved: 300 user, 100 system */
	now = 800;				/* running 400 more, unresolved */
	c = thread_cputime(&t);
	HT_CHECK_EQ(c.user_ns, 600);
	HT_CHECK_EQ(c.sys_ns, 200);
	leave(&t, 800);
	now = 5000;				/* not running: nothing more */
	HT_CHECK_EQ(thread_cpu_ns(&t), 800);
}

HT_TEST(test_unresolved_is_user_time)
{
	struct thread t = {.kind = THREAD_USER};
	struct cputime sum = {0, 0};

	run_on(&t, 0, 100);
	leave(&t, 160);
	run_on(&t, 0, 200);
	now = 240;
	cputime_exit(&t, &sum);
	HT_CHECK_EQ(sum.user_ns, 100);
	HT_CHECK_EQ(sum.sys_ns, 0);
	HT_CHECK_EQ(t.acct_pending, 0);
}

HT_TEST(test_kernel_threads_are_system_time)
{
	struct thread k = {.kind = THREAD_KERNEL};
	struct cputime c;

	run_on(&k, 0, 0);
	cputime_tick(&k, 50, true);		/* "user" means nothing to it */
	leave(&k, 70);
	c = thread_cputime(&k);
	HT_CHECK_EQ(c.user_ns, 0);
	HT_CHECK_EQ(c.sys_ns, 70);
	HT_CHECK_EQ(k.acct_pending, 0);
}

HT_TEST(test_split_without_overflow)
{
	struct cputime c = {3000000000000000000ull, 1000000000000000000ull};
	struct cputime r = cputime_split(c, 4000000000ull);

	HT_CHECK(r.user_ns - c.user_ns >= 2999999000ull && r.user_ns - c.user_ns <= 3000001000ull);
	HT_CHECK_EQ(r.user_ns + r.sys_ns, c.user_ns + c.sys_ns + 4000000000ull);
	r = cputime_split((struct cputime){0, 7}, 10);
	HT_CHECK_EQ(r.user_ns, 0);
	HT_CHECK_EQ(r.sys_ns, 17);
}

HT_TEST(test_reported_never_goes_down)
{
	struct cputime prev = {0, 0}, last = {0, 0};
	uint64_t total = 0, seed = 12345;

	for (int i = 0; i < 100000; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		total += (seed >> 40) % 1000;
		uint64_t user = total ? (seed >> 20) % (total + 1) : 0;
		struct cputime r = cputime_monotonic(&prev, (struct cputime){user, total - user});
		HT_CHECK(r.user_ns >= last.user_ns && r.sys_ns >= last.sys_ns);
		HT_CHECK_EQ(r.user_ns + r.sys_ns, total);
		last = r;
	}
}

HT_MAIN(HT_CASE(test_ticks_resolve_the_split), HT_CASE(test_running_stretch_and_pending_split),
	HT_CASE(test_unresolved_is_user_time), HT_CASE(test_kernel_threads_are_system_time),
	HT_CASE(test_split_without_overflow), HT_CASE(test_reported_never_goes_down))
