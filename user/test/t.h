/*
 * Tiny assertion kit shared by Weft's in-guest test programs. A test calls
 * T_CHECK/T_EQ as often as it likes; each failure is reported at once with its
 * file, line and values, and counted. T_DONE() prints "TEST <name>: PASS" or
 * "TEST <name>: FAIL" and exits with 0 or 1. The name comes from T_NAME, which
 * the build defines per program. Output goes straight to fd 1 with write(2),
 * never through stdio, so nothing sits in a buffer that a fork would duplicate.
 * Works the same under musl and glibc, on Weft and on Linux (qemu-user), and
 * t_is_weft() tells the two kernels apart for the Weft-only checks.
 */
#ifndef WEFT_USER_TEST_T_H
#define WEFT_USER_TEST_T_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef T_NAME
#define T_NAME "unnamed"
#endif

/* The Weft-only statistics call: syscall(SYS_weft_kstat, what). */
#define SYS_weft_kstat	   2048
#define t_kstat(what)	   syscall(SYS_weft_kstat, (what))
#define WEFT_KSTAT_KSTACKS 0 /* kernel stacks in use */
#define WEFT_KSTAT_PARKED  3 /* user threads parked on a continuation */

#include "out.h"

static int t_failures;

static void __attribute__((unused)) t_fail_check(const char *expr, const char *file, int line)
{
	t_failures++;
	out_say("  FAIL %s:%d: %s\n", file, line, expr);
}

static void __attribute__((unused))
t_eq(long long va, long long vb, const char *a, const char *b, const char *file, int line)
{
	if (va == vb)
		return;
	t_failures++;
	out_say("  FAIL %s:%d: %s == %s (%lld != %lld, 0x%llx != 0x%llx)\n", file, line, a, b, va,
		vb, (unsigned long long)va, (unsigned long long)vb);
}

#define T_CHECK(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			t_fail_check(#cond, __FILE__, __LINE__);                                   \
	} while (0)

#define T_EQ(a, b) t_eq((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)

/* A raw syscall's result is -errno; this names the expectation as such. */
#define T_ERR(call, err)                                                                           \
	t_eq((long long)(call), -(long long)(err), #call, "-" #err, __FILE__, __LINE__)

#define T_SKIP(why) out_say("  SKIP %s:%d: %s\n", __FILE__, __LINE__, (why))

#define T_DONE()                                                                                   \
	do {                                                                                       \
		out_say("TEST %s: %s\n", T_NAME, t_failures ? "FAIL" : "PASS");                    \
		exit(t_failures ? 1 : 0);                                                          \
	} while (0)

/*
 * Raw syscall returning -errno on failure, as the kernel does, whatever the libc
 * wrapper would have made of it.
 */
static long __attribute__((unused))
t_sys6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	long r = syscall(nr, a0, a1, a2, a3, a4, a5);

	return r == -1 ? -(long)errno : r;
}
/* t_sys(nr, args...): up to six arguments, the missing ones zero. */
#define t_sys_pick_(nr, a, b, c, d, e, f, ...) t_sys6(nr, a, b, c, d, e, f)
#define t_sys(...)			       t_sys_pick_(__VA_ARGS__, 0, 0, 0, 0, 0, 0)

/*
 * Running under qemu-user on a host (user/test/qemu-user.sh sets
 * WEFT_QEMU_USER, and runtests passes it on)? Its syscall emulation differs
 * from the Linux kernel in a few checked places; those checks are skipped
 * there, and were verified on a real Linux kernel instead.
 */
static int __attribute__((unused)) t_qemu_user(void)
{
	return getenv("WEFT_QEMU_USER") != NULL;
}

static int __attribute__((unused)) t_is_weft(void)
{
	struct utsname u;

	return uname(&u) == 0 && strstr(u.version, "Weft") != NULL;
}

/* Sleep ms milliseconds, whatever signals arrive meanwhile. */
static void __attribute__((unused)) t_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* CLOCK_MONOTONIC in milliseconds. */
static long __attribute__((unused)) t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Wait for child pid (through EINTR): its exit code, or -1 if it did not
 * exit normally (killed, stopped) or is not ours. */
static int __attribute__((unused)) t_reap(pid_t pid)
{
	int st = -1;
	pid_t r;

	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	return r == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The directory of argv[0] with a trailing slash, for finding sibling programs. */
static void __attribute__((unused)) t_dirname(const char *argv0, char *out, size_t len)
{
	const char *slash = strrchr(argv0, '/');
	size_t n = slash ? (size_t)(slash - argv0) + 1 : 0;

	if (n == 0) {
		snprintf(out, len, "./");
		return;
	}
	if (n >= len)
		n = len - 1;
	memcpy(out, argv0, n);
	out[n] = 0;
}

#endif
