/*
 * t_cputimer: per-process CPU time and the CPU-time interval timers.
 * A busy loop is charged user time (getrusage, times, clock_gettime's
 * CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID) and a sleep is not;
 * a loop of syscalls is mostly system time; a reaped child's time shows in
 * RUSAGE_CHILDREN. ITIMER_VIRTUAL does not run
 * while the process sleeps, then fires SIGVTALRM once its user time passes
 * the value; ITIMER_PROF with an interval fires SIGPROF again and again until
 * disarmed; a fork child starts with neither. Checked against Linux with
 * qemu-user.
 */
#include "t.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>

static volatile sig_atomic_t vtalrms, profs;

static void on_sig(int sig)
{
	if (sig == SIGVTALRM)
		vtalrms++;
	else
		profs++;
}

/* Spin in user mode for about ms of wall time, or until *stop is set;
 * the clock is read only now and then, so nearly all of it is user time. */
static void spin_ms(long ms, volatile sig_atomic_t *stop)
{
	long t0 = t_now_ms();
	volatile unsigned long n = 0;

	while (t_now_ms() - t0 < ms && !(stop && *stop))
		for (int i = 0; i < 100000; i++)
			n++;
}

static long usage_ms(int who, long *sys_ms)
{
	struct rusage ru;

	memset(&ru, 0, sizeof(ru));
	T_EQ(getrusage(who, &ru), 0);
	if (sys_ms)
		*sys_ms = ru.ru_stime.tv_sec * 1000L + ru.ru_stime.tv_usec / 1000;
	return ru.ru_utime.tv_sec * 1000L + ru.ru_utime.tv_usec / 1000;
}

static long clock_ms(clockid_t clk)
{
	struct timespec ts;

	T_EQ(clock_gettime(clk, &ts), 0);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void test_accounting(void)
{
	long u0 = usage_ms(RUSAGE_SELF, NULL), p0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	long th0 = clock_ms(CLOCK_THREAD_CPUTIME_ID), u1, u2, s2, p1, p2;
	struct tms tm;

	spin_ms(300, NULL);
	u1 = usage_ms(RUSAGE_SELF, NULL);
	p1 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	T_CHECK(u1 - u0 >= 150); /* most of 300 ms of spinning */
	T_CHECK(p1 - p0 >= 150);
	T_CHECK(clock_ms(CLOCK_THREAD_CPUTIME_ID) - th0 >= 150);
	T_CHECK(usage_ms(RUSAGE_THREAD, NULL) >= 100); /* Linux scales its split */
	t_sleep_ms(300);
	u2 = usage_ms(RUSAGE_SELF, &s2);
	p2 = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
	T_CHECK(u2 - u1 < 50); /* sleeping costs nothing */
	T_CHECK(p2 - p1 < 50);
	T_CHECK(s2 < u2);     /* the spin was user time */
	T_CHECK(times(&tm) != (clock_t)-1);
	T_CHECK(tm.tms_utime * 10 >= u1 - u0 - 20);
}

/* A loop of cheap syscalls spends most of its time in the kernel: the
 * sampled split must show system time (most of it on Linux). */
static void test_syscall_loop(void)
{
	long s0, s1, u0 = usage_ms(RUSAGE_SELF, &s0), u1;
	long t0 = t_now_ms();

	while (t_now_ms() - t0 < 400)
		for (int i = 0; i < 1000; i++)
			getppid();
	u1 = usage_ms(RUSAGE_SELF, &s1);
	printf("syscall loop: user %ld ms, system %ld ms\n", u1 - u0, s1 - s0);
	T_CHECK(u1 >= u0 && s1 >= s0); /* never goes down */
	T_CHECK(s1 - s0 >= 100);
	T_CHECK(s1 - s0 + u1 - u0 >= 200);
}

static void test_children(void)
{
	long before = usage_ms(RUSAGE_CHILDREN, NULL);
	pid_t pid = fork();

	if (pid == 0) {
		spin_ms(200, NULL);
		_exit(0);
	}
	T_EQ(t_reap(pid), 0);
	T_CHECK(usage_ms(RUSAGE_CHILDREN, NULL) - before >= 100);
}

static void test_virtual(void)
{
	struct itimerval v = {{0, 0}, {0, 100000}}, now, zero = {{0, 0}, {0, 0}};
	long u0;

	vtalrms = 0;
	T_EQ(setitimer(ITIMER_VIRTUAL, &v, NULL), 0);
	t_sleep_ms(300); /* asleep: the virtual clock stands still */
	T_EQ(vtalrms, 0);
	T_EQ(getitimer(ITIMER_VIRTUAL, &now), 0);
	T_CHECK(now.it_value.tv_sec == 0 && now.it_value.tv_usec > 50000);
	u0 = usage_ms(RUSAGE_SELF, NULL);
	spin_ms(5000, &vtalrms);
	T_EQ(vtalrms, 1);
	T_CHECK(usage_ms(RUSAGE_SELF, NULL) - u0 >= 60);
	T_EQ(getitimer(ITIMER_VIRTUAL, &now), 0);
	T_EQ(now.it_value.tv_sec + now.it_value.tv_usec, 0); /* one-shot: spent */
	spin_ms(200, NULL);
	T_EQ(vtalrms, 1);
	T_EQ(setitimer(ITIMER_VIRTUAL, &zero, NULL), 0);
}

static void test_prof_interval(void)
{
	struct itimerval v = {{0, 30000}, {0, 30000}}, old, zero = {{0, 0}, {0, 0}};
	int seen;

	profs = 0;
	T_EQ(setitimer(ITIMER_PROF, &v, NULL), 0);
	for (long t0 = t_now_ms(); profs < 4 && t_now_ms() - t0 < 10000;)
		spin_ms(10, NULL);
	T_CHECK(profs >= 4);
	T_EQ(setitimer(ITIMER_PROF, &zero, &old), 0);
	T_EQ(old.it_interval.tv_usec, 30000);
	T_CHECK(old.it_value.tv_sec == 0 && old.it_value.tv_usec <= 30000);
	seen = profs;
	spin_ms(150, NULL);
	T_EQ(profs, seen); /* disarmed */
}

static void test_fork_and_errors(void)
{
	struct itimerval v = {{0, 0}, {50, 0}}, bad = {{0, 0}, {0, 1000000}}, now;
	struct itimerval zero = {{0, 0}, {0, 0}};
	pid_t pid;

	T_EQ(setitimer(ITIMER_VIRTUAL, &v, NULL), 0);
	T_EQ(setitimer(ITIMER_PROF, &v, NULL), 0);
	pid = fork();
	if (pid == 0) {
		struct itimerval a, b;
		getitimer(ITIMER_VIRTUAL, &a);
		getitimer(ITIMER_PROF, &b);
		_exit(a.it_value.tv_sec || a.it_value.tv_usec || b.it_value.tv_sec ||
		      b.it_value.tv_usec);
	}
	T_EQ(t_reap(pid), 0);
	T_EQ(getitimer(ITIMER_PROF, &now), 0);
	T_CHECK(now.it_value.tv_sec >= 49 && now.it_value.tv_sec <= 50);
	T_EQ(setitimer(ITIMER_VIRTUAL, &zero, NULL), 0);
	T_EQ(setitimer(ITIMER_PROF, &zero, NULL), 0);
	errno = 0;
	T_EQ(setitimer(ITIMER_PROF, &bad, NULL), -1);
	T_EQ(errno, EINVAL);
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	T_EQ(sigaction(SIGVTALRM, &sa, NULL), 0);
	T_EQ(sigaction(SIGPROF, &sa, NULL), 0);
	test_accounting();
	test_syscall_loop();
	test_children();
	test_virtual();
	test_prof_interval();
	test_fork_and_errors();
	T_DONE();
}
