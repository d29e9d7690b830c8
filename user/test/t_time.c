/*
 * t_time: clocks and sleeping. CLOCK_MONOTONIC never goes backwards and both
 * clocks move; nanosleep(50 ms) sleeps at least 50 ms and returns well before
 * 2 s; gettimeofday agrees with CLOCK_REALTIME; a bad pointer gives EFAULT.
 */
#include "t.h"

#include <sys/time.h>
#include <time.h>

static long long ns_of(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static long long now_ns(clockid_t clk)
{
	struct timespec ts = {0, 0};

	T_EQ(clock_gettime(clk, &ts), 0);
	T_CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L);
	return ns_of(&ts);
}

static void test_monotonic(void)
{
	long long prev = now_ns(CLOCK_MONOTONIC), first = prev;
	int backwards = 0;

	for (int i = 0; i < 20000; i++) {
		long long t = now_ns(CLOCK_MONOTONIC);
		backwards += t < prev;
		prev = t;
	}
	T_EQ(backwards, 0);
	T_CHECK(prev > first);
	/* REALTIME is after 2020 (QEMU's RTC follows the host's clock) */
	T_CHECK(now_ns(CLOCK_REALTIME) > 1577836800LL * 1000000000LL);
}

static void test_nanosleep(void)
{
	struct timespec req = {0, 50 * 1000000L}, rem = {9, 9};
	long long t0 = now_ns(CLOCK_MONOTONIC), dt;

	T_EQ(nanosleep(&req, &rem), 0);
	dt = now_ns(CLOCK_MONOTONIC) - t0;
	T_CHECK(dt >= 50 * 1000000LL);
	T_CHECK(dt < 2000 * 1000000LL);
	out_say("  nanosleep(50ms) took %lld us\n", dt / 1000);
	/* zero sleeps return at once */
	req.tv_nsec = 0;
	T_EQ(nanosleep(&req, NULL), 0);
	/* invalid nanoseconds */
	req.tv_nsec = 1000000000L;
	T_ERR(t_sys(SYS_nanosleep, (long)&req, 0), EINVAL);
	req.tv_sec = -1;
	req.tv_nsec = 0;
	T_ERR(t_sys(SYS_nanosleep, (long)&req, 0), EINVAL);
}

static void test_gettimeofday(void)
{
	struct timeval tv;
	long long a = now_ns(CLOCK_REALTIME), b, c;

	T_EQ(gettimeofday(&tv, NULL), 0);
	b = tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
	c = now_ns(CLOCK_REALTIME);
	T_CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	/* microsecond truncation: allow 1 us of slack at each end */
	T_CHECK(b >= a - 1000);
	T_CHECK(b <= c + 1000);
}

static void test_efault(void)
{
	struct timespec req = {0, 1000};

	T_ERR(t_sys(SYS_clock_gettime, CLOCK_MONOTONIC, 8), EFAULT);
	T_ERR(t_sys(SYS_clock_gettime, CLOCK_REALTIME, 0xffffffc000000000L), EFAULT);
	T_ERR(t_sys(SYS_gettimeofday, 16, 0), EFAULT);
	if (t_qemu_user())
		T_SKIP("qemu-user's nanosleep does not check its pointer (Linux: EFAULT)");
	else
		T_ERR(t_sys(SYS_nanosleep, 24, 0), EFAULT);
	/* the request is fine, the remainder is only written on interruption */
	T_EQ(t_sys(SYS_nanosleep, (long)&req, 0), 0);
	T_ERR(t_sys(SYS_clock_gettime, 12345, (long)&req), EINVAL);
}

int main(void)
{
	test_monotonic();
	test_nanosleep();
	test_gettimeofday();
	test_efault();
	T_DONE();
}
