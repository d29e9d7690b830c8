/*
 * t_proc: process life cycle through the Linux personality. fork and wait4
 * with exit statuses, getpid/getppid, copy-on-write isolation of globals and
 * heap, zombies reaped exactly once (a second wait4 gives ECHILD), WNOHANG,
 * orphans re-parented to init (reported back through a MAP_SHARED page, since
 * nobody can wait for a grandchild), and execve of the t_helper program with
 * argv and envp checked on the far side. Built against musl and glibc.
 */
#include "t.h"

#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static int global_value = 1234;

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static pid_t wait_for(pid_t pid, int *status)
{
	pid_t r;

	do
		r = wait4(pid, status, 0, NULL);
	while (r < 0 && errno == EINTR);
	return r;
}

static void test_exit_status(void)
{
	static const int codes[] = {0, 1, 7, 42, 255};

	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid_t pid = fork();
		int st = -1;

		T_CHECK(pid >= 0);
		if (pid == 0)
			_exit(codes[i]);
		T_EQ(wait_for(pid, &st), pid);
		T_CHECK(WIFEXITED(st));
		T_EQ(WEXITSTATUS(st), codes[i]);
	}
}

static void test_ids(void)
{
	pid_t me = getpid(), parent = getppid();
	pid_t pid;
	int st;

	T_CHECK(me > 0);
	T_CHECK(parent >= 0);
	T_CHECK(me != parent);
	pid = fork();
	if (pid == 0) {
		/* exit status 0 only if the child sees itself as a new process of ours */
		int ok = getppid() == me && getpid() != me && getpid() > 0;
		_exit(ok ? 0 : 1);
	}
	T_CHECK(pid > 0 && pid != me);
	T_EQ(wait_for(pid, &st), pid);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	T_EQ(getpid(), me);
}

static void test_cow(void)
{
	char *heap = malloc(8192);
	pid_t pid;
	int st;

	T_CHECK(heap != NULL);
	if (!heap)
		return;
	memset(heap, 'p', 8192);
	global_value = 1234;
	pid = fork();
	if (pid == 0) {
		global_value = 999;
		memset(heap, 'c', 8192);
		/* the child sees its own writes */
		_exit(global_value == 999 && heap[4096] == 'c' ? 0 : 1);
	}
	T_EQ(wait_for(pid, &st), pid);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	T_EQ(global_value, 1234);
	T_EQ(heap[0], 'p');
	T_EQ(heap[4096], 'p');
	T_EQ(heap[8191], 'p');
	free(heap);
}

static void test_reap_once(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(3);
	/* Let it become a zombie before waiting. */
	sleep_ms(50);
	T_EQ(wait_for(pid, &st), pid);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	T_ERR(t_sys(SYS_wait4, pid, (long)&st), ECHILD);
	T_ERR(t_sys(SYS_wait4, -1, (long)&st), ECHILD);
}

static void test_wnohang(void)
{
	volatile int *stop =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int st = 0;

	T_CHECK(stop != MAP_FAILED);
	if (stop == MAP_FAILED)
		return;
	*stop = 0;
	pid = fork();
	if (pid == 0) {
		while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE))
			sleep_ms(5);
		_exit(5);
	}
	/* still running: WNOHANG returns 0 at once */
	T_EQ(wait4(pid, &st, WNOHANG, NULL), 0);
	__atomic_store_n(stop, 1, __ATOMIC_RELEASE);
	pid_t r = 0;
	for (int i = 0; i < 1000 && r == 0; i++) {
		r = wait4(pid, &st, WNOHANG, NULL);
		if (r == 0)
			sleep_ms(5);
	}
	T_EQ(r, pid);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);
	munmap((void *)stop, 4096);
}

/* Shared page layout for the orphan test. */
struct orphan_report {
	int done;
	int old_parent;
	int new_parent;
};

static void test_orphan(void)
{
	struct orphan_report *rep =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int weft = t_is_weft();
	pid_t pid;
	int st;

	T_CHECK(rep != MAP_FAILED);
	if (rep == MAP_FAILED)
		return;
	memset(rep, 0, sizeof(*rep));
	pid = fork();
	if (pid == 0) {
		pid_t mid = getpid();
		if (fork() == 0) {
			/* grandchild: wait (up to 10 s) to be handed to init */
			pid_t pp = getppid();
			for (int i = 0; i < 2000 && pp == mid; i++) {
				sleep_ms(5);
				pp = getppid();
			}
			rep->old_parent = mid;
			rep->new_parent = pp;
			__atomic_store_n(&rep->done, 1, __ATOMIC_RELEASE);
			_exit(0);
		}
		_exit(0);
	}
	T_EQ(wait_for(pid, &st), pid);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 0; i < 2400 && !__atomic_load_n(&rep->done, __ATOMIC_ACQUIRE); i++)
		sleep_ms(5);
	T_EQ(__atomic_load_n(&rep->done, __ATOMIC_ACQUIRE), 1);
	T_CHECK(rep->new_parent != rep->old_parent);
	/* Linux hands orphans to the nearest subreaper, which on a host may not be 1. */
	if (weft)
		T_EQ(rep->new_parent, 1);
	else if (rep->new_parent != 1)
		out_say("  note: orphan went to pid %d (a subreaper), not 1\n", rep->new_parent);
	munmap(rep, 4096);
}

static void test_execve(const char *argv0)
{
	char path[256];
	char *args[] = {"t_helper", "first", "two words", "", NULL};
	char *env[] = {"WEFT_A=1", "WEFT_B=two words", NULL};
	pid_t pid;
	int st;

	t_dirname(argv0, path, sizeof(path));
	strncat(path, "t_helper", sizeof(path) - strlen(path) - 1);
	pid = fork();
	if (pid == 0) {
		execve(path, args, env);
		_exit(100 + errno);
	}
	T_EQ(wait_for(pid, &st), pid);
	T_CHECK(WIFEXITED(st));
	/* t_helper exits 42 when argv and envp arrived intact */
	T_EQ(WEXITSTATUS(st), 42);
}

static void test_many_children(void)
{
	enum { N = 20 };
	pid_t pids[N];
	int seen[N] = {0};

	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(10 + i);
		T_CHECK(pids[i] > 0);
	}
	/* reap in whatever order they finish with wait4(-1) */
	for (int n = 0; n < N; n++) {
		int st;
		pid_t r = wait_for(-1, &st);
		for (int i = 0; i < N; i++)
			if (r == pids[i]) {
				seen[i]++;
				T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 10 + i);
			}
	}
	for (int i = 0; i < N; i++)
		T_EQ(seen[i], 1);
}

int main(int argc, char **argv)
{
	(void)argc;
	test_exit_status();
	test_ids();
	test_cow();
	test_reap_once();
	test_wnohang();
	test_orphan();
	test_execve(argv[0]);
	test_many_children();
	T_DONE();
}
