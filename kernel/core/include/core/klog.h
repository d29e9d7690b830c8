/*
 * Leveled kernel log, panic and assertions.
 *
 * klog() formats into a per-call buffer and writes whole lines to the console
 * under one lock, so lines from different CPUs do not interleave. Messages above
 * the current level (klog_level) are dropped. panic() stops every CPU after
 * printing a backtrace; kassert() stays on in every build.
 */
#ifndef CORE_KLOG_H
#define CORE_KLOG_H

#include <stdarg.h>

enum klog_level { KL_ERR = 0, KL_WARN = 1, KL_INFO = 2, KL_DEBUG = 3 };

extern int klog_level;

void klog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kvlog(int level, const char *fmt, va_list ap);
/* Print without level prefix or newline handling (for multi-part lines). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define pr_err(...)   klog(KL_ERR, __VA_ARGS__)
#define pr_warn(...)  klog(KL_WARN, __VA_ARGS__)
#define pr_info(...)  klog(KL_INFO, __VA_ARGS__)
#define pr_debug(...) klog(KL_DEBUG, __VA_ARGS__)

#define kassert(cond)                                                                              \
	do {                                                                                       \
		if (__builtin_expect(!(cond), 0))                                                  \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__);         \
	} while (0)

#define BUILD_ASSERT(c) _Static_assert(c, #c)

#endif
