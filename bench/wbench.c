/*
 * wbench: the microbenchmark that tools/bench.py boots as the first user
 * program, on Weft (init=/bench) and on Linux (rdinit=/bench) alike. The very
 * first thing it does is write the marker line "BENCH_START" to fd 1, whose
 * arrival the host times to get QEMU start -> first user instruction. (If fd
 * 1 is closed, it opens /dev/console, from devtmpfs if need be, and writes
 * the marker again; see setup_dev.) Then it runs each
 * figure of the table below a few times, and prints one line per figure:
 *
 *	BENCH <name> <median> <unit>	or	BENCH <name> FAIL <why>
 *
 * followed by "BENCH_DONE", and powers the machine off when it is pid 1
 * (if that fails it exits, and the host sees the kernel's complaint).
 * A figure is a function that does one timed repetition and returns the cost
 * per operation, or -errno when the kernel cannot do it (ENOSYS and the
 * like); adding a figure is adding a function and a table line. Arguments, if
 * any, keep only the figures whose name contains one of them. Only write(2)
 * prints (no stdio), so the program needs nothing from the kernel beyond
 * what it measures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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

#define LINUX_REBOOT_MAGIC1	   0xfee1deadU
#define LINUX_REBOOT_MAGIC2	   672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedcU

#define MARKER	   "BENCH_START\n"
#define TRUE_PATH  "/bench_true"
#define MAX_REPS   9
#define PAGE	   4096UL
#define FAULT_SIZE (16UL << 20)

static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (int off = 0; off < n;) {
		ssize_t w = write(1, buf + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += w;
	}
}

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

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The figures. Each does one repetition of n operations and returns the cost
 * of one in the figure's unit, or -errno.
 */

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

static double b_devnull_write(long n)
{
	char c = 'x';
	long long t0;
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0)
		return -errno;
	if (write(fd, &c, 1) != 1) {
		int e = errno;
		close(fd);
		return -(e ? e : EIO);
	}
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		write(fd, &c, 1);
	t0 = now_ns() - t0;
	close(fd);
	return (double)t0 / n;
}

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

static const struct figure {
	const char *name;
	const char *unit;
	double (*run)(long n);
	long n;	  /* operations per repetition */
	int reps; /* repetitions; the median is reported */
} figures[] = {
    {"getppid_ns", "ns", b_getppid, 200000, 5},
    {"devnull_write_ns", "ns", b_devnull_write, 100000, 5},
    {"sched_yield_ns", "ns", b_sched_yield, 100000, 5},
    {"pagefault_ns", "ns", b_pagefault, 0, 5},
    {"fork_exit_wait_us", "us", b_fork_exit_wait, 300, 5},
    {"fork_execve_wait_us", "us", b_fork_execve_wait, 200, 5},
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void run_figure(const struct figure *f)
{
	double v[MAX_REPS];
	int reps = f->reps < MAX_REPS ? f->reps : MAX_REPS;

	for (int i = 0; i < reps; i++) {
		v[i] = f->run(f->n);
		if (v[i] < 0) {
			int e = (int)-v[i];
			say("BENCH %s FAIL %s (errno %d)\n", f->name, strerror(e), e);
			return;
		}
	}
	qsort(v, reps, sizeof(v[0]), cmp_double);
	say("BENCH %s %.1f %s\n", f->name, v[reps / 2], f->unit);
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
		say(MARKER);
	} else {
		setup_dev(0);
	}
	say("BENCH_INFO pid %d\n", getpid());
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (wanted(figures[i].name, argc, argv))
			run_figure(&figures[i]);
	say("BENCH_DONE\n");
	if (getpid() == 1) {
		syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			LINUX_REBOOT_CMD_POWER_OFF, 0);
		say("wbench: power off failed (errno %d)\n", errno);
		_exit(1);
	}
	return 0;
}
