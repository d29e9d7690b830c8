/*
 * t_pipewait N: N processes blocked at once in read(2) on one pipe. The
 * children share the parent's memory (clone with CLONE_VM, each on a small
 * stack of its own) so that the guest's RAM measures the kernel's cost per
 * blocked process rather than page tables. On Weft the kernel's counters show
 * how many threads are parked, how many kernel stacks exist (the per-CPU ones
 * only: a parked process owns none) and the kernel memory per process. Closing
 * the write end wakes every reader with EOF; all exit and are reaped.
 */
#include "t.h"
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define STACK 4096

static int rfd, wfd;

static int reader(void *arg)
{
	char c;
	long r;

	syscall(SYS_close, wfd);	/* its own copy: EOF needs every writer gone */
	r = syscall(SYS_read, rfd, &c, 1);	/* parks until EOF */
	(void)arg;
	syscall(SYS_exit, r == 0 ? 0 : 1);
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, p[2], made = 0, ok = 0, st;
	char *stacks = malloc((size_t)n * STACK);
	long slab0 = t_kstat(2), free0 = t_kstat(1);

	T_CHECK(stacks != NULL);
	T_EQ(pipe(p), 0);
	rfd = p[0];
	wfd = p[1];
	for (int i = 0; i < n; i++)
		if (clone(reader, stacks + (size_t)(i + 1) * STACK, CLONE_VM | SIGCHLD, NULL) > 0)
			made++;
	T_EQ(made, n);
	struct timespec ts = { 1, 0 };
	nanosleep(&ts, NULL);
	if (t_is_weft()) {
		long parked = t_kstat(3), kstacks = t_kstat(0);
		long slab = t_kstat(2) - slab0, pages = free0 - t_kstat(1);
		out_say("  %d processes blocked in read: %ld parked, %ld kernel stacks,"
		      " %ld bytes of kernel objects per process, %ld pages in all\n",
		      n, parked, kstacks, slab / n, pages);
		T_CHECK(parked >= n);
		T_CHECK(kstacks <= 16);
	}
	close(p[1]);	/* EOF for everyone */
	for (int i = 0; i < made; i++)
		if (wait(&st) > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	T_EQ(ok, n);
	T_DONE();
}
