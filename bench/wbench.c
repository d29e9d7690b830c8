/*
 * wbench: the microbenchmark that tools/bench.py boots as the first user
 * program, on Weft (init=/bench) and on Linux (rdinit=/bench) alike. The very
 * first thing it does is write the marker line "BENCH_START" to fd 1, whose
 * arrival the host times to get QEMU start -> first user instruction. (If fd
 * 1 is closed, it opens /dev/console, from devtmpfs if need be, and writes
 * the marker again; see setup_dev.) Then it runs each figure of the table at
 * the end a few times, and prints one line per figure:
 *
 *	BENCH <name> <median> <unit>	or	BENCH <name> FAIL <why>
 *
 * followed by "BENCH_DONE", and powers the machine off when it is pid 1
 * (if that fails it exits, and the host sees the kernel's complaint).
 * A figure is a function that does one timed repetition and returns the cost
 * per operation (for a bandwidth, the rate), or -errno when the kernel cannot
 * do it (ENOSYS and the like); adding a figure is adding a function and a
 * table line. Each figure runs in a child process of its own, in its own
 * process group, watched with a timeout (FIGURE_TIMEOUT): a figure that
 * hangs or crashes is reported as FAIL and the others still run. Arguments,
 * if any, keep only the figures whose name contains one of them. Only
 * write(2) prints (no stdio), so the program needs nothing from the kernel
 * beyond what it measures. What each figure measures is said above its
 * function; tools/bench.py holds the targets.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "out.h"
#include "wbench.h"

#define LINUX_REBOOT_MAGIC1	   0xfee1deadU
#define LINUX_REBOOT_MAGIC2	   672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedcU

#define FUTEX_WAIT_PRIVATE 128 /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG */
#define FUTEX_WAKE_PRIVATE 129 /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */

#define MARKER	       "BENCH_START\n"
#define TRUE_PATH      "/bench_true"
#define SCRATCH_PATH   "/tmp/wbench.tmp"
#define MAX_REPS       9
#define PAGE	       4096UL
#define FAULT_SIZE     (16UL << 20)
#define PIPE_CHUNK     (64UL << 10)
#define FIGURE_SOFT_NS 4000000000LL /* no new repetition after 4 s ... */
#define FIGURE_TIMEOUT 20	    /* ... and a figure taking 20 s has hung */

static char chunk[PIPE_CHUNK];

/*
 * Linux unpacks its built-in initramfs (which has /dev/console) under ours,
 * so fd 1 is usually open there but /dev is otherwise empty: mount devtmpfs
 * when /dev/null is missing, and open the console when fd 1 is not open.
 * Weft has both from the start and does none of this.
 */
static void setup_dev(int need_console)
{
	struct stat st;
	int fd;

	if (stat("/dev/null", &st) != 0) {
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	}
	if (!need_console)
		return;
	fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* -errno of the last failed call, never 0 (a short transfer has errno 0). */
static int fail(void)
{
	return errno ? -errno : -EIO;
}

/* Write or read all of len bytes, retrying short transfers and EINTR. */
static int xfer_all(int fd, char *buf, size_t len, int writing)
{
	while (len) {
		ssize_t r = writing ? write(fd, buf, len) : read(fd, buf, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EPIPE;
			return fail();
		}
		buf += r;
		len -= r;
	}
	return 0;
}

/* Wait for pid; -errno, or -EPROTO if it did not exit with status 0. */
static int reap(pid_t pid)
{
	int st;
	pid_t r;

	do
		r = wait4(pid, &st, 0, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return (WIFEXITED(st) && WEXITSTATUS(st) == 0) ? 0 : -EPROTO;
}

static int futex(int *addr, int op, int val)
{
	return syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

/*
 * The figures. Each does one repetition of n operations and returns the cost
 * of one in the figure's unit, or -errno.
 */

/* getppid_ns: the cheapest system call, through syscall(2) (musl does not
 * cache it). */
static double b_getppid(long n)
{
	long long t0;

	if (syscall(SYS_getppid) < 0)
		return -errno;
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return (double)(now_ns() - t0) / n;
}

/* One byte at a time to or from /dev/null, n times: ns per call. */
static double devnull_rw(long n, int writing)
{
	char c = 'x';
	long long t0;
	int fd = open("/dev/null", writing ? O_WRONLY : O_RDONLY);
	long want = writing; /* a write takes the byte, a read sees EOF */

	if (fd < 0)
		return -errno;
	if ((writing ? write(fd, &c, 1) : read(fd, &c, 1)) != want) {
		int e = fail();
		close(fd);
		return e;
	}
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		(void)(writing ? write(fd, &c, 1) : read(fd, &c, 1));
	t0 = now_ns() - t0;
	close(fd);
	return (double)t0 / n;
}

/* devnull_read_ns: read(2) of 1 byte from /dev/null, which returns 0 (EOF):
 * file descriptor lookup and the device's read, no copy. */
static double b_devnull_read(long n)
{
	return devnull_rw(n, 0);
}

/* devnull_write_ns: write(2) of 1 byte to /dev/null, which returns 1. */
static double b_devnull_write(long n)
{
	return devnull_rw(n, 1);
}

/* open_close_us: open(2) O_RDONLY + close(2) of /bench_true, an existing
 * file of the initrd's root (tmpfs on Weft, rootfs on Linux), one lookup. */
static double b_open_close(long n)
{
	long long t0 = now_ns();

	for (long i = 0; i < n; i++) {
		int fd = open(TRUE_PATH, O_RDONLY);
		if (fd < 0)
			return -errno;
		close(fd);
	}
	return (double)(now_ns() - t0) / n / 1000.0;
}

/* stat_us: stat(2) of /bench_true (path lookup and attribute copy-out). */
static double b_stat(long n)
{
	struct stat st;
	long long t0 = now_ns();

	for (long i = 0; i < n; i++)
		if (stat(TRUE_PATH, &st) < 0)
			return -errno;
	return (double)(now_ns() - t0) / n / 1000.0;
}

/* create_delete_us: open(2) O_CREAT|O_EXCL of /tmp/wbench.tmp, write(2) of
 * 4 KiB, close(2), unlink(2): the life of a small temporary file in the
 * root file system (tmpfs on Weft, rootfs, a ramfs or tmpfs, on Linux). */
static double b_create_delete(long n)
{
	long long t0;

	unlink(SCRATCH_PATH);
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		int fd = open(SCRATCH_PATH, O_WRONLY | O_CREAT | O_EXCL, 0644);
		int err;
		if (fd < 0)
			return -errno;
		err = xfer_all(fd, chunk, PAGE, 1);
		close(fd);
		if (unlink(SCRATCH_PATH) < 0)
			return -errno;
		if (err)
			return err;
	}
	return (double)(now_ns() - t0) / n / 1000.0;
}

/* sched_yield_ns: sched_yield(2) with nothing else runnable on the CPU. */
static double b_sched_yield(long n)
{
	long long t0;

	if (sched_yield() < 0)
		return -errno;
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		sched_yield();
	return (double)(now_ns() - t0) / n;
}

/* Child side of the pipe figures: echo every byte read on in to out (if out
 * >= 0) until EOF; exit 0 if the byte count is want (want < 0: any). */
static void pipe_child(int in, int out, long long want)
{
	long long got = 0;

	for (;;) {
		ssize_t r = read(in, chunk, out >= 0 ? 1 : sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			_exit(r == 0 && (want < 0 || got == want) ? 0 : 1);
		got += r;
		if (out >= 0 && xfer_all(out, chunk, r, 1))
			_exit(1);
	}
}

/* pipe_rtt_us: round trip of 1 byte between two processes over two pipes
 * (parent writes to the child, which writes it back): 2 writes, 2 reads,
 * 2 wake-ups, per round trip. */
static double b_pipe_rtt(long n)
{
	int to[2], from[2];
	char c = 'x';
	long long t0 = 0;
	int err = 0;
	pid_t pid;

	if (pipe(to) < 0)
		return -errno;
	if (pipe(from) < 0) {
		err = -errno;
		goto close_to;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto close_from;
	}
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		pipe_child(to[0], from[1], -1);
	}
	/* One untimed round trip to get the child running. */
	for (long i = -1; i < n && !err; i++) {
		if (i == 0)
			t0 = now_ns();
		err = xfer_all(to[1], &c, 1, 1);
		if (!err)
			err = xfer_all(from[0], &c, 1, 0);
	}
	t0 = now_ns() - t0;
	close(to[1]);
	to[1] = -1;
	if (reap(pid) && !err)
		err = -EPROTO;
close_from:
	close(from[0]);
	close(from[1]);
close_to:
	close(to[0]);
	if (to[1] >= 0)
		close(to[1]);
	return err ? err : (double)t0 / n / 1000.0;
}

/* pipe_bw_mibs: n MiB written in 64 KiB write(2)s into a pipe whose reader,
 * a child process, reads 64 KiB at a time; from the first write until the
 * reader has been reaped, in MiB/s. */
static double b_pipe_bw(long n)
{
	long long total = (long long)n << 20, t0;
	int p[2], err = 0;
	pid_t pid;

	if (pipe(p) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		close(p[1]);
		pipe_child(p[0], -1, total);
	}
	close(p[0]);
	memset(chunk, 'x', sizeof(chunk));
	t0 = now_ns();
	for (long long left = total; left > 0 && !err; left -= sizeof(chunk))
		err = xfer_all(p[1], chunk, sizeof(chunk), 1);
	close(p[1]);
	if (reap(pid) && !err)
		err = -EPROTO;
	t0 = now_ns() - t0;
	return err ? err : (double)n / ((double)t0 / 1e9);
}

/* fork_exit_wait_us: fork(2) of this small process, _exit(2) in the child,
 * wait4(2) in the parent. */
static double b_fork_exit_wait(long n)
{
	long long t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		int err;
		if (pid < 0)
			return -errno;
		if (pid == 0)
			_exit(0);
		err = reap(pid);
		if (err)
			return err;
	}
	return (double)(now_ns() - t0) / n / 1000.0;
}

/* fork_execve_wait_us: as fork_exit_wait_us, but the child execve(2)s
 * /bench_true (a static program that exits at once). */
static double b_fork_execve_wait(long n)
{
	static char *argv[] = {TRUE_PATH, NULL};
	static char *envp[] = {"PATH=/", NULL};
	long long t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		int err;
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			execve(TRUE_PATH, argv, envp);
			_exit(127);
		}
		err = reap(pid);
		if (err)
			return err;
	}
	return (double)(now_ns() - t0) / n / 1000.0;
}

static void *empty_thread(void *arg)
{
	return arg;
}

/* thread_create_join_us: pthread_create(3) of a thread that returns at once
 * (clone(2) with musl's default 128 KiB mmap'd stack), then pthread_join(3)
 * (futex wait for the kernel's clear-tid wake-up, munmap of the stack). */
static double b_thread_create_join(long n)
{
	long long t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pthread_t t;
		int err = pthread_create(&t, NULL, empty_thread, NULL);
		if (err)
			return -err;
		pthread_join(t, NULL);
	}
	return (double)(now_ns() - t0) / n / 1000.0;
}

/*
 * ctx_switch_us: two threads of one process, both asked onto CPU 0 with
 * sched_setaffinity(2), hand a token back and forth through a private
 * futex; turn says whose go it is. One handoff is: store turn, FUTEX_WAKE
 * the other, FUTEX_WAIT until it is one's go again, so on one CPU it costs
 * a wake-up, a sleep and a thread switch (no address space switch). The
 * figure is per handoff (two per round). Where the kernel does not pin the
 * threads (Weft so far accepts the call and ignores it), with several CPUs
 * this is a cross-CPU wake-up instead.
 */
struct ctx_pair {
	int turn; /* 0: the main thread's go, 1: the peer's */
	long rounds;
};

static void ctx_wait_for(int *turn, int mine)
{
	int v;

	while ((v = __atomic_load_n(turn, __ATOMIC_ACQUIRE)) != mine)
		futex(turn, FUTEX_WAIT_PRIVATE, v);
}

static void ctx_pass(int *turn, int theirs)
{
	__atomic_store_n(turn, theirs, __ATOMIC_RELEASE);
	futex(turn, FUTEX_WAKE_PRIVATE, 1);
}

static void *ctx_peer(void *arg)
{
	struct ctx_pair *cp = arg;

	for (long i = 0; i < cp->rounds; i++) {
		ctx_wait_for(&cp->turn, 1);
		ctx_pass(&cp->turn, 0);
	}
	return NULL;
}

static double b_ctx_switch(long n)
{
	struct ctx_pair cp = {.turn = 0, .rounds = n + 1};
	cpu_set_t set;
	long long t0 = 0;
	pthread_t t;
	int err;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set); /* best effort */
	err = pthread_create(&t, NULL, ctx_peer, &cp);
	if (err)
		return -err;
	/* Round -1 is untimed: it gets the peer running. */
	for (long i = -1; i < n; i++) {
		if (i == 0)
			t0 = now_ns();
		ctx_pass(&cp.turn, 1);
		ctx_wait_for(&cp.turn, 0);
	}
	t0 = now_ns() - t0;
	pthread_join(t, NULL);
	return (double)t0 / (2 * n) / 1000.0;
}

/* pagefault_ns: first write to each page of a fresh 16 MiB anonymous private
 * mapping (n unused): fault, zeroed page, map. */
static double b_pagefault(long n)
{
	volatile char *p =
	    mmap(NULL, FAULT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long pages = FAULT_SIZE / PAGE;
	long long t0;

	(void)n;
	if (p == MAP_FAILED)
		return -errno;
	t0 = now_ns();
	for (long i = 0; i < pages; i++)
		p[i * PAGE] = 1;
	t0 = now_ns() - t0;
	munmap((void *)p, FAULT_SIZE);
	return (double)t0 / pages;
}

static const struct figure {
	const char *name;
	const char *unit;
	double (*run)(long n);
	long n;	  /* operations per repetition (pipe_bw_mibs: MiB) */
	int reps; /* repetitions; the median is reported */
} figures[] = {
    {"getppid_ns", "ns", b_getppid, 100000, 5},
    {"devnull_read_ns", "ns", b_devnull_read, 50000, 5},
    {"devnull_write_ns", "ns", b_devnull_write, 50000, 5},
    {"open_close_us", "us", b_open_close, 5000, 5},
    {"stat_us", "us", b_stat, 5000, 5},
    {"create_delete_us", "us", b_create_delete, 2000, 5},
    {"sched_yield_ns", "ns", b_sched_yield, 50000, 5},
    {"pipe_rtt_us", "us", b_pipe_rtt, 2000, 5},
    {"chan_msg_ns", "ns", b_chan_msg, 20000, 5},
    {"chan_rtt_us", "us", b_chan_rtt, 2000, 5},
    {"chan_rtt_wait_us", "us", b_chan_rtt_wait, 2000, 5},
    {"pipe_bw_mibs", "MiB/s", b_pipe_bw, 16, 5},
    {"ctx_switch_us", "us", b_ctx_switch, 2000, 5},
    {"pagefault_ns", "ns", b_pagefault, 0, 5},
    {"fork_exit_wait_us", "us", b_fork_exit_wait, 300, 5},
    {"fork_execve_wait_us", "us", b_fork_execve_wait, 200, 5},
    {"thread_create_join_us", "us", b_thread_create_join, 1000, 5},
    {"null_native_ns", "ns", b_null_native, 100000, 5},
    {"aq_nop_batch_ns", "ns", b_aq_nop_batch, 50, 5},
    {"aq_timer_batch_ns", "ns", b_aq_timer_batch, 20, 5},
    {"aq_nop_gain_x", "x", b_aq_nop_gain, 20, 5},
    {"aq_timer_gain_x", "x", b_aq_timer_gain, 10, 5},
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Run f's repetitions and print the median. On a slow or busy host the
 * repetitions stop once FIGURE_SOFT_NS have passed, and the median is of
 * those done (the line says how many, after the unit, where the host's
 * parser does not look). Each repetition is a profile window for make prof
 * (PROF_OPEN/PROF_CLOSE, no-ops otherwise).
 */
static void run_figure(const struct figure *f)
{
	double v[MAX_REPS];
	int reps = f->reps < MAX_REPS ? f->reps : MAX_REPS, done = 0;
	long long t0 = now_ns();

	while (done < reps) {
		PROF_OPEN();
		v[done] = f->run(f->n);
		PROF_CLOSE();
		if (v[done] < 0) {
			int e = (int)-v[done];
			out_say("BENCH %s FAIL %s (errno %d)\n", f->name, strerror(e), e);
			return;
		}
		done++;
		if (now_ns() - t0 > FIGURE_SOFT_NS)
			break;
	}
	qsort(v, done, sizeof(v[0]), cmp_double);
	if (done < reps)
		out_say("BENCH %s %.1f %s (%d of %d repetitions: time cap)\n", f->name, v[done / 2],
			f->unit, done, reps);
	else
		out_say("BENCH %s %.1f %s\n", f->name, v[done / 2], f->unit);
}

/*
 * Wait until fd (the read end of a pipe whose write end only the figure's
 * processes hold) reaches EOF, at most secs seconds; 1 when it did. A pipe
 * and poll rather than alarm(2): Weft has no setitimer yet.
 */
static int wait_eof(int fd, int secs)
{
	long long end = now_ns() + secs * 1000000000LL;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char c;

	for (;;) {
		long long left = (end - now_ns()) / 1000000;
		int r;
		if (left <= 0)
			return 0;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return 0;
		if (r > 0 && read(fd, &c, 1) == 0)
			return 1;
	}
}

/*
 * Run f in a child process (in a process group of its own, so that its own
 * children can be killed with it) and give it at most FIGURE_TIMEOUT
 * seconds: the child and any children it forks hold the write end of a
 * pipe, so EOF on the read end says they are all gone. The child prints the
 * figure's line; this prints FAIL for a child that hangs, dies of a signal
 * or exits with an error. Without pipe or fork the figure runs here,
 * unguarded.
 */
static void run_guarded(const struct figure *f)
{
	int done[2], st;
	pid_t pid;

	if (pipe(done) < 0) {
		run_figure(f);
		return;
	}
	pid = fork();
	if (pid < 0) {
		close(done[0]);
		close(done[1]);
		run_figure(f);
		return;
	}
	if (pid == 0) {
		close(done[0]);
		setpgid(0, 0);
		run_figure(f);
		_exit(0);
	}
	close(done[1]);
	setpgid(pid, pid); /* either this or the child's may win the race */
	if (wait_eof(done[0], FIGURE_TIMEOUT)) {
		pid_t r;
		close(done[0]);
		do
			r = wait4(pid, &st, 0, NULL);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			out_say("BENCH %s FAIL wait4: errno %d\n", f->name, errno);
		else if (WIFSIGNALED(st))
			out_say("BENCH %s FAIL killed by signal %d\n", f->name, WTERMSIG(st));
		else if (WEXITSTATUS(st))
			out_say("BENCH %s FAIL exit status %d\n", f->name, WEXITSTATUS(st));
		return;
	}
	out_say("BENCH %s FAIL timeout: no result within %d s\n", f->name, FIGURE_TIMEOUT);
	if (kill(-pid, SIGKILL) < 0)
		kill(pid, SIGKILL);
	if (!wait_eof(done[0], 5) || waitpid(pid, &st, WNOHANG) != pid)
		out_say("BENCH_INFO %s: its processes did not all die of SIGKILL\n", f->name);
	close(done[0]);
}

static int wanted(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (write(1, MARKER, sizeof(MARKER) - 1) < 0) {
		setup_dev(1);
		out_say(MARKER);
	} else {
		setup_dev(0);
	}
	out_say("BENCH_INFO pid %d\n", getpid());
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (wanted(figures[i].name, argc, argv))
			run_guarded(&figures[i]);
	out_say("BENCH_DONE\n");
	if (getpid() == 1) {
		syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			LINUX_REBOOT_CMD_POWER_OFF, 0);
		out_say("wbench: power off failed (errno %d)\n", errno);
		_exit(1);
	}
	return 0;
}
