/*
 * t_lxfuzz [N]: a random fuzzer of the Linux syscalls: at least N (default
 * 100,000) calls with random numbers (0-459) and random arguments: small
 * integers, flags, live and stale fds, valid buffers, paths of its own, NULL,
 * unmapped and kernel addresses. The calls run in a series of child processes
 * (a call may well kill its caller: munmap of its own code, rt_sigreturn on
 * garbage, a signal); each child counts its calls in a page shared with the
 * parent, an interval timer interrupts calls that block, and the parent kills
 * a child that stops making progress for 1 s (a blocked signal mask can keep
 * a call waiting) and starts the next. Errors are expected; what fails the test
 * is a kernel that panics or hangs, or that cannot fork, write and read a
 * file afterwards.
 *
 * Calls that would reach beyond the child are left out or aimed at the child
 * itself: exit, clone, execve, reboot, mount and umount, the clock and host
 * name setters, mknod (a device node could reach the console), fallocate;
 * kill, tkill, tgkill, setpgid, prlimit64 and sched_setaffinity get pid 0 or
 * the child's own. The child's fds 0-2 are a scratch file, and every path it
 * names is under its own scratch directory.
 */
#include "t.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#define PER_CHILD 4000
#define DIR	  "/tmp/lxfuzz"

struct shared {
	volatile long calls;
};

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static char buf[2 * 4096];
static const char *const paths[] = {
    DIR "/a", DIR "/b", DIR "/d", DIR "/d/x", DIR "/link", "a", "b", "d", "d/x", "link", "",
    ".", "/proc/self/stat", "/proc/self/maps", DIR "/nonexistent/x",
};
static int fds[16];

static long rnd_ptr(void)
{
	static const unsigned long odd[] = {0, 8, 0x1000, 0x3ffffffff8ul, 0x4000000000ul,
					    0xffffffc000000000ul, 0xffffffff80200000ul,
					    0xfffffffffffffff0ul};
	switch (rnd() % 6) {
	case 0:
	case 1:
		return (long)(buf + rnd() % 4096);
	case 2:
		return (long)paths[rnd() % (sizeof(paths) / sizeof(paths[0]))];
	case 3:
		return (long)odd[rnd() % (sizeof(odd) / sizeof(odd[0]))];
	case 4:
		return (long)(buf + 4096 - rnd() % 16);	/* straddles the end */
	default:
		return (long)rnd();
	}
}

static long rnd_arg(void)
{
	switch (rnd() % 8) {
	case 0:
		return fds[rnd() % 16];
	case 1:
	case 2:
		return rnd_ptr();
	case 3:
		return (long)(rnd() % 64);
	case 4:
		return (long)(rnd() % 8192);
	case 5:
		return -(long)(rnd() % 4) - 1;	/* -1..-4: AT_FDCWD is -100 */
	case 6:
		return rnd() % 2 ? -100 : 0;
	default:
		return (long)rnd();
	}
}

/* Whether a call is left out (riscv64 numbers). */
static int forbidden(long nr)
{
	switch (nr) {
	case 33:		/* mknodat */
	case 39: case 40: case 41: /* umount2, mount, pivot_root */
	case 47:		/* fallocate */
	case 93: case 94:	/* exit, exit_group */
	case 112: case 170: case 171: /* clock_settime, settimeofday, adjtimex */
	case 142:		/* reboot */
	case 161: case 162:	/* sethostname, setdomainname */
	case 220: case 221: case 281: case 435: /* clone, execve, execveat, clone3 */
		return 1;
	default:
		return nr >= 2048;	/* Weft's native range: t_natfuzz */
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void child(struct shared *sh, uint64_t seed)
{
	struct sigaction sa;
	struct itimerval it = {{0, 5000}, {0, 5000}};
	int out = open(DIR "/out", O_RDWR | O_CREAT | O_TRUNC, 0644);

	rng = seed | 1;
	for (int i = 0; i < 3; i++)
		dup2(out, i);
	if (chdir(DIR) != 0)
		_exit(2);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: blocked calls end EINTR */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (int i = 0; i < 16; i += 2) {
		int p[2] = {-1, -1};
		if (i % 4 == 0 && pipe(p) == 0) {
			fds[i] = p[0];
			fds[i + 1] = p[1];
		} else {
			fds[i] = open(paths[i % 5], O_RDWR | O_CREAT, 0644);
			fds[i + 1] = open(DIR, O_RDONLY | O_DIRECTORY);
		}
	}
	for (long n = 0; n < PER_CHILD; n++) {
		long nr = (long)(rnd() % 460), a[6];
		for (int i = 0; i < 6; i++)
			a[i] = rnd_arg();
		if (forbidden(nr))
			continue;
		switch (nr) {
		case 129:	/* kill: itself */
		case 131:	/* tgkill */
			a[0] = getpid();
			a[1] = nr == 131 ? getpid() : a[1] % 65;
			a[2] %= 65;
			break;
		case 130:	/* tkill */
		case 122:	/* sched_setaffinity */
		case 154:	/* setpgid */
		case 261:	/* prlimit64 */
			a[0] = 0;
			if (nr == 130)
				a[1] %= 65;
			break;
		}
		sh->calls++;
		syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	_exit(0);
}

/* After the storm: the kernel still forks, writes and reads a file. */
static void still_sound(void)
{
	char got[6] = {0};
	pid_t pid = fork();
	int st = -1, fd;

	if (pid == 0)
		_exit(7);
	T_EQ(waitpid(pid, &st, 0), pid);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	fd = open("/tmp/lxfuzz-check", O_RDWR | O_CREAT | O_TRUNC, 0644);
	T_CHECK(fd >= 0);
	T_EQ(write(fd, "sound", 5), 5);
	T_EQ(pread(fd, got, 5, 0), 5);
	T_EQ(strcmp(got, "sound"), 0);
	close(fd);
	unlink("/tmp/lxfuzz-check");
}

int main(int argc, char **argv)
{
	long want = argc > 1 ? atol(argv[1]) : 100000, total = 0;
	int children = 0, killed = 0, signalled = 0;
	struct shared *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct itimerval tick = {{0, 250000}, {0, 250000}}, off = {{0, 0}, {0, 0}};
	struct sigaction sa;

	T_CHECK(sh != MAP_FAILED);
	mkdir(DIR, 0755);
	/* The parent sleeps in waitpid; a tick every 250 ms interrupts it to
	 * look at the child's progress. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &tick, NULL);
	while (total < want && sh != MAP_FAILED && children < 2000) {
		long last = -1, stuck = 0;
		int st = 0;
		pid_t pid;

		sh->calls = 0;
		pid = fork();
		if (pid == 0)
			child(sh, 0x9e3779b97f4a7c15ull * (uint64_t)(children + 1));
		T_CHECK(pid > 0);
		if (pid < 0)
			break;
		children++;
		while (waitpid(pid, &st, 0) != pid) {
			stuck = sh->calls == last ? stuck + 1 : 0;
			last = sh->calls;
			if (stuck >= 4) {	/* 1 s without a call returning */
				kill(pid, SIGKILL);
				killed++;
				while (waitpid(pid, &st, 0) != pid)
					;
				break;
			}
		}
		signalled += WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL;
		total += sh->calls;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	out_say("lxfuzz: %ld calls in %d children (%d ended by a signal, %d killed stuck)\n", total,
		children, signalled, killed);
	T_CHECK(total >= want);
	still_sound();
	T_DONE();
}
