/*
 * t_ids: sessions, process groups and credentials. A child becomes a session
 * leader with setsid (and a group leader may not); setpgid moves a child into a
 * new group and getpgid/getsid report it; credentials read back what was set
 * and are inherited by fork; getrusage, times, sysinfo and prctl names answer.
 */
#include "t.h"
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static void test_sessions(void)
{
	int st;
	pid_t c = fork();
	if (c == 0) {
		pid_t s = setsid();
		int ok = s == getpid() && getsid(0) == getpid() && getpgid(0) == getpid();
		ok = ok && setsid() == -1 && errno == EPERM;
		_exit(ok ? 0 : 1);
	}
	T_EQ(waitpid(c, &st, 0), c);
	T_EQ(WEXITSTATUS(st), 0);

	c = fork();
	if (c == 0) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		_exit(0);
	}
	T_EQ(setpgid(c, c), 0);
	T_EQ(getpgid(c), c);
	T_EQ(getsid(c), getsid(0));
	T_EQ(setpgid(c, 999999), -1);
	T_EQ(errno, EPERM);
	T_EQ(getpgid(999999), -1);
	T_EQ(errno, ESRCH);
	T_EQ(waitpid(c, &st, 0), c);
}

static void test_creds(void)
{
	uid_t r, e, s;
	T_EQ(getresuid(&r, &e, &s), 0);
	T_EQ(r, getuid());
	T_EQ(e, geteuid());
	if (getuid() != 0) {
		T_SKIP("not root: credential changes need privilege");
		return;
	}
	int st;
	pid_t c = fork();
	if (c == 0) {
		int ok = setresgid(5, 6, 7) == 0 && setresuid(1, 2, 3) == 0;
		gid_t gr, ge, gs;
		ok = ok && getresuid(&r, &e, &s) == 0 && r == 1 && e == 2 && s == 3;
		ok = ok && getresgid(&gr, &ge, &gs) == 0 && gr == 5 && ge == 6 && gs == 7;
		ok = ok && getuid() == 1 && geteuid() == 2 && getgid() == 5 && getegid() == 6;
		pid_t g = fork();
		if (g == 0)
			_exit(getuid() == 1 && geteuid() == 2 ? 0 : 1);
		waitpid(g, &st, 0);
		_exit(ok && WEXITSTATUS(st) == 0 ? 0 : 1);
	}
	T_EQ(waitpid(c, &st, 0), c);
	T_EQ(WEXITSTATUS(st), 0);
	T_EQ(getuid(), 0);
}

static void test_accounting(void)
{
	struct rusage ru;
	struct tms tm;
	struct sysinfo si;
	char name[16] = { 0 };
	cpu_set_t set;

	T_EQ(getrusage(RUSAGE_SELF, &ru), 0);
	T_EQ(getrusage(12345, &ru), -1);
	T_EQ(errno, EINVAL);
	T_CHECK(times(&tm) != (clock_t)-1);
	T_EQ(sysinfo(&si), 0);
	T_CHECK(si.totalram > 0 && si.freeram > 0 && si.freeram <= si.totalram);
	T_CHECK(si.procs >= 1);
	T_EQ(prctl(PR_SET_NAME, "renamed-proc", 0, 0, 0), 0);
	T_EQ(prctl(PR_GET_NAME, name, 0, 0, 0), 0);
	T_EQ(strcmp(name, "renamed-proc"), 0);
	CPU_ZERO(&set);
	T_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
	T_CHECK(CPU_COUNT(&set) >= 1);
	T_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
}

int main(void)
{
	test_sessions();
	test_creds();
	test_accounting();
	T_DONE();
}
