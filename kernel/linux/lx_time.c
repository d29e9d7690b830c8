/*
 * Clocks and sleeping. CLOCK_MONOTONIC counts from boot; CLOCK_REALTIME is the
 * core wall clock (set from the RTC at boot). nanosleep parks the thread
 * with a deadline kept in its wait record: the continuation runs when the park
 * timer fires and finishes the call; no kernel stack is held meanwhile.
 */
#include <linux/lx.h>
#include <core/clock.h>

#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1

uint64_t lx_realtime_offset_ns(void)
{
	return clock_realtime_ns() - hal_time_ns();
}

struct lx_timespec {
	int64_t sec, nsec;
};

static int clock_now(struct thread *t, int clk, uint64_t *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = clock_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = hal_time_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = lx_cputime_ns(proc_cputime(t->proc), true);
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = thread_cpu_ns(t);
		return 0;
	default:
		return -EINVAL;
	}
}

static int put_ts(uaddr_t u, uint64_t ns)
{
	struct lx_timespec ts = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000) };

	return copy_to_user(u, &ts, sizeof(ts));
}

long lx_sys_clock_gettime(struct thread *t, const unsigned long *a)
{
	uint64_t ns;
	int err = clock_now(t, (int)a[0], &ns);

	return err ? err : put_ts(a[1], ns);
}

long lx_sys_clock_getres(struct thread *t, const unsigned long *a)
{
	uint64_t ns;
	int err = clock_now(t, (int)a[0], &ns);

	if (err || !a[1])
		return err;
	return put_ts(a[1], 100);
}

long lx_sys_gettimeofday(struct thread *t, const unsigned long *a)
{
	uint64_t ns = clock_realtime_ns();
	int64_t tv[2] = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000 / 1000) };

	if (a[0] && copy_to_user(a[0], tv, sizeof(tv)))
		return -EFAULT;
	return 0;
}

/* The continuation: the deadline passed (or a spurious wake: park again). */
static long sleep_cont(struct thread *t)
{
	uint64_t deadline = t->wait[0];

	if (t->wake_result == -EINTR) {
		hal_tf_set_ret(&t->tf, -EINTR);
		return 0;
	}
	if (hal_time_ns() < deadline) {
		uint64_t gen = thread_park_begin(t, sleep_cont);
		thread_park_timeout(t, gen, deadline);
		return -EPARKED;
	}
	hal_tf_set_ret(&t->tf, 0);
	return 0;
}

static long sleep_until(struct thread *t, uint64_t deadline)
{
	uint64_t gen;

	if (hal_time_ns() >= deadline)
		return 0;
	t->wait[0] = deadline;
	gen = thread_park_begin(t, sleep_cont);
	thread_park_timeout(t, gen, deadline);
	return -EPARKED;
}

static int get_ts(uaddr_t u, uint64_t *ns)
{
	struct lx_timespec ts;

	if (copy_from_user(&ts, u, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
		return -EINVAL;
	*ns = (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
	return 0;
}

long lx_sys_nanosleep(struct thread *t, const unsigned long *a)
{
	uint64_t ns;
	int err = get_ts(a[0], &ns);

	if (err)
		return err;
	return sleep_until(t, hal_time_ns() + ns);
}

long lx_sys_clock_nanosleep(struct thread *t, const unsigned long *a)
{
	uint64_t ns, now;
	int err = (int)a[0] == CLOCK_THREAD_CPUTIME_ID ? -EINVAL : clock_now(t, (int)a[0], &now);

	if (!err)
		err = get_ts(a[2], &ns);
	if (err)
		return err;
	if (a[1] & TIMER_ABSTIME)
		return sleep_until(t, ns <= now ? 0 : hal_time_ns() + (ns - now));
	return sleep_until(t, hal_time_ns() + ns);
}
