/*
 * t_preempt: the timer takes the CPU away from code that never makes a
 * syscall. Two children spin incrementing their own counters in a shared
 * page; the parent sleeps 300 ms, samples, sleeps 300 ms more and checks both
 * counters advanced in between (so both children ran, and the parent got the
 * CPU back to look). Then it raises a stop flag and reaps them. Needs timer
 * preemption to pass on a single CPU.
 */
#include "t.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

struct shared {
	volatile int stop;
	volatile unsigned long count[2];
};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int main(void)
{
	struct shared *sh =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned long a[2], b[2];
	pid_t pids[2];

	T_CHECK(sh != MAP_FAILED);
	if (sh == MAP_FAILED)
		T_DONE();
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			/* no syscalls in here: only the timer can stop this loop */
			while (!sh->stop)
				sh->count[i]++;
			_exit(0);
		}
		T_CHECK(pids[i] > 0);
	}
	sleep_ms(300);
	a[0] = sh->count[0];
	a[1] = sh->count[1];
	sleep_ms(300);
	b[0] = sh->count[0];
	b[1] = sh->count[1];
	sh->stop = 1;
	out_say("  counters: %lu -> %lu, %lu -> %lu\n", a[0], b[0], a[1], b[1]);
	T_CHECK(b[0] > a[0]);
	T_CHECK(b[1] > a[1]);
	for (int i = 0; i < 2; i++) {
		int st = 0;
		T_EQ(wait4(pids[i], &st, 0, NULL), pids[i]);
		T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	T_DONE();
}
