/*
 * Interval timers (setitimer/getitimer, ITIMER_REAL) and alarm(): a one-shot
 * timer interrupts pause() with SIGALRM no earlier than asked; getitimer
 * counts down and a zero value disarms (and reports the old setting); a
 * periodic timer delivers repeatedly; alarm() returns the seconds left; a fork
 * child starts with no timer; a process exiting with a fast timer armed stops
 * it; bad arguments are EINVAL. Checked against Linux
 * with qemu-user.
 */
#include "t.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void test_one_shot(void)
{
	struct itimerval v = {{0, 0}, {0, 50000}};
	long long t0 = ms_now();

	alarms = 0;
	T_EQ(setitimer(ITIMER_REAL, &v, NULL), 0);
	while (!alarms)
		pause();
	T_CHECK(ms_now() - t0 >= 49);
	T_EQ(alarms, 1);
	struct itimerval now;
	T_EQ(getitimer(ITIMER_REAL, &now), 0);
	T_EQ(now.it_value.tv_sec, 0);
	T_EQ(now.it_value.tv_usec, 0);
}

static void test_countdown_and_disarm(void)
{
	struct itimerval v = {{0, 0}, {10, 0}}, now, old, zero = {{0, 0}, {0, 0}};

	T_EQ(setitimer(ITIMER_REAL, &v, NULL), 0);
	T_EQ(getitimer(ITIMER_REAL, &now), 0);
	T_CHECK(now.it_value.tv_sec >= 9 && now.it_value.tv_sec <= 10);
	T_EQ(setitimer(ITIMER_REAL, &zero, &old), 0);
	T_CHECK(old.it_value.tv_sec >= 9 && old.it_value.tv_sec <= 10);
	T_EQ(getitimer(ITIMER_REAL, &now), 0);
	T_EQ(now.it_value.tv_sec + now.it_value.tv_usec, 0);
}

static void test_periodic(void)
{
	struct itimerval v = {{0, 20000}, {0, 20000}}, zero = {{0, 0}, {0, 0}}, now;
	long long t0 = ms_now();

	alarms = 0;
	T_EQ(setitimer(ITIMER_REAL, &v, NULL), 0);
	T_EQ(getitimer(ITIMER_REAL, &now), 0);
	T_EQ(now.it_interval.tv_usec, 20000);
	while (alarms < 5)
		pause();
	T_EQ(setitimer(ITIMER_REAL, &zero, NULL), 0);
	T_CHECK(ms_now() - t0 >= 99);
	int seen = alarms;
	usleep(60000);
	T_EQ(alarms, seen); /* disarmed: no more */
}

static void test_alarm_and_fork(void)
{
	T_EQ(alarm(100), 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct itimerval now;
		getitimer(ITIMER_REAL, &now);
		_exit(now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0 ? 0 : 1);
	}
	int st;
	T_EQ(waitpid(pid, &st, 0), pid);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0); /* not inherited */
	unsigned left = alarm(0);
	T_CHECK(left >= 99 && left <= 100);
	/* A process that exits with a fast periodic timer armed: the timer must
	 * stop with it (the kernel would fire into a freed process otherwise). */
	for (int i = 0; i < 20; i++) {
		pid = fork();
		if (pid == 0) {
			struct itimerval fast = {{0, 1000}, {0, 1000}};
			signal(SIGALRM, SIG_IGN);
			setitimer(ITIMER_REAL, &fast, NULL);
			usleep(3000);
			_exit(0);
		}
		T_EQ(waitpid(pid, &st, 0), pid);
	}
	usleep(20000);
}

static void test_errors(void)
{
	struct itimerval bad = {{0, 0}, {0, 1000000}}, v;

	T_EQ(setitimer(ITIMER_REAL, &bad, NULL), -1);
	T_EQ(errno, EINVAL);
	T_EQ(getitimer(7, &v), -1);
	T_EQ(errno, EINVAL);
}

int main(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	T_EQ(sigaction(SIGALRM, &sa, NULL), 0);
	test_one_shot();
	test_countdown_and_disarm();
	test_periodic();
	test_alarm_and_fork();
	test_errors();
	T_DONE();
}
