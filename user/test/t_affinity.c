/*
 * t_affinity: sched_setaffinity and sched_getaffinity keep threads on the
 * CPUs they name. A thread pinned to one CPU runs there (getcpu) after the
 * call returns; a new thread and a fork child inherit the mask; a thread
 * pinned by another while it spins moves within a few ticks; a mask naming no
 * online CPU, an unknown tid, a short buffer and a bad pointer are refused.
 * Checked against Linux with qemu-user (where getcpu is the host's).
 */
#include "t.h"
#include <pthread.h>
#include <sched.h>

static volatile int stop_spin, spinner_tid, spinner_cpu = -1;

static int cpu_now(void)
{
	unsigned cpu = 0;

	return syscall(SYS_getcpu, &cpu, NULL, NULL) == 0 ? (int)cpu : -1;
}

static int pin(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set);
}

static int only_cpu(pid_t tid)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(tid, sizeof(set), &set) != 0 || CPU_COUNT(&set) != 1)
		return -1;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			return i;
	return -1;
}

static void *report(void *arg)
{
	int *out = arg;

	out[0] = cpu_now();
	out[1] = only_cpu(0);
	return NULL;
}

static void *spin(void *arg)
{
	(void)arg;
	spinner_tid = (int)syscall(SYS_gettid);
	while (!stop_spin)
		__atomic_store_n(&spinner_cpu, cpu_now(), __ATOMIC_RELAXED);
	return NULL;
}

int main(void)
{
	cpu_set_t all, set;
	int n, got[2] = {-1, -1}, st = 0;
	pthread_t th;
	pid_t pid;

	CPU_ZERO(&all);
	T_EQ(sched_getaffinity(0, sizeof(all), &all), 0);
	n = CPU_COUNT(&all);
	T_CHECK(n >= 1);

	/* Pinned to each CPU in turn: the call returns there. */
	for (int round = 0; round < 3; round++)
		for (int c = 0; c < n; c++) {
			T_EQ(pin(0, c), 0);
			T_EQ(cpu_now(), c);
			T_EQ(only_cpu(0), c);
		}

	/* Inherited by a new thread and by a fork child. */
	T_EQ(pin(0, n - 1), 0);
	T_EQ(pthread_create(&th, NULL, report, got), 0);
	T_EQ(pthread_join(th, NULL), 0);
	T_EQ(got[0], n - 1);
	T_EQ(got[1], n - 1);
	pid = fork();
	if (pid == 0)
		_exit(cpu_now() == n - 1 && only_cpu(0) == n - 1 ? 0 : 1);
	T_EQ(waitpid(pid, &st, 0), pid);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* Another thread, pinned while it spins, moves there. */
	T_EQ(sched_setaffinity(0, sizeof(all), &all), 0);
	T_EQ(pthread_create(&th, NULL, spin, NULL), 0);
	while (!spinner_tid)
		sched_yield();
	T_EQ(pin(spinner_tid, 0), 0);
	T_EQ(only_cpu(spinner_tid), 0);
	usleep(100000);	/* several ticks */
	for (int i = 0; i < 50 && __atomic_load_n(&spinner_cpu, __ATOMIC_RELAXED) != 0; i++)
		usleep(10000);
	T_EQ(__atomic_load_n(&spinner_cpu, __ATOMIC_RELAXED), 0);
	stop_spin = 1;
	T_EQ(pthread_join(th, NULL), 0);

	/* Refusals. */
	CPU_ZERO(&set);
	errno = 0;
	T_EQ(sched_setaffinity(0, sizeof(set), &set), -1);
	T_EQ(errno, EINVAL);
	CPU_SET(CPU_SETSIZE - 1, &set); /* no such CPU online */
	errno = 0;
	T_EQ(sched_setaffinity(0, sizeof(set), &set), -1);
	T_EQ(errno, EINVAL);
	errno = 0;
	T_EQ(sched_setaffinity(0x3fffffff, sizeof(all), &all), -1);
	T_EQ(errno, ESRCH);
	errno = 0;
	T_EQ(syscall(SYS_sched_getaffinity, 0, 4, &set), -1);
	T_EQ(errno, EINVAL);
	errno = 0;
	T_EQ(syscall(SYS_sched_setaffinity, 0, sizeof(all), (void *)16), -1);
	T_EQ(errno, EFAULT);
	T_EQ(only_cpu(0) == -1 || n == 1, 1); /* the refusals left the mask alone */
	T_DONE();
}
