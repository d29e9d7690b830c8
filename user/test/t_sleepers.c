/*
 * t_sleepers: blocked user threads cost no kernel stack. The parent forks
 * 1000 children that each nanosleep 3 s and exit with a status of their own;
 * after forking them all and sleeping 500 ms it asks Weft (syscall 2048,
 * weft_kstat) how many kernel stacks are in use (must be <= 64) and how many
 * threads are parked (must be >= 1000), prints both, then reaps every child
 * and checks its status. Off Weft the kstat checks are skipped.
 */
#include "t.h"

#include <sys/wait.h>
#include <time.h>

#define N 1000

static pid_t pids[N];

int main(void)
{
	int weft = t_is_weft(), forked = 0, reaped = 0, bad = 0;
	struct timespec half = {0, 500 * 1000000L};

	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct timespec ts = {3, 0};
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
			_exit(i % 200);
		}
		if (pids[i] < 0) {
			out_say("  fork %d failed: errno %d\n", i, errno);
			break;
		}
		forked++;
	}
	T_EQ(forked, N);
	nanosleep(&half, NULL);
	if (weft) {
		long stacks = syscall(SYS_weft_kstat, WEFT_KSTAT_KSTACKS);
		long parked = syscall(SYS_weft_kstat, WEFT_KSTAT_PARKED);
		out_say("  kernel stacks in use: %ld, threads parked: %ld\n", stacks, parked);
		T_CHECK(stacks >= 0 && stacks <= 64);
		T_CHECK(parked >= N);
	} else {
		T_SKIP("weft_kstat checks need Weft");
	}
	for (int n = 0; n < forked; n++) {
		int st = 0;
		pid_t r = wait4(-1, &st, 0, NULL);
		int i;
		if (r < 0) {
			out_say("  wait4: errno %d after %d\n", errno, n);
			break;
		}
		for (i = 0; i < forked && pids[i] != r; i++)
			;
		if (i == forked || !WIFEXITED(st) || WEXITSTATUS(st) != i % 200)
			bad++;
		else
			reaped++;
	}
	T_EQ(reaped, forked);
	T_EQ(bad, 0);
	T_ERR(t_sys(SYS_wait4, -1, 0, WNOHANG), ECHILD);
	T_DONE();
}
