/*
 * Console output for Weft's own user programs (test runner, shell, tests,
 * benchmark): formatted text written straight to fd 1 with write(2), never
 * through stdio, so nothing waits in a buffer that a fork would duplicate or an
 * _exit would drop. Header-only: each static program takes its own copy.
 */
#ifndef WEFT_USER_OUT_H
#define WEFT_USER_OUT_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* Write all of s (retrying on EINTR); stops quietly at an error. */
static void __attribute__((unused)) out_write(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(1, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* printf to fd 1; output past 1 KiB is cut. */
static void __attribute__((format(printf, 1, 2), unused)) out_say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		out_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

#endif
