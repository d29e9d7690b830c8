/*
 * The HAL for the host ("sim") build: the portable core runs as an ordinary
 * process. A CPU is a pthread (its index set with host_set_cpu), interrupts do not
 * exist, physical addresses are host pointers, and panic aborts so that the test
 * runner and the sanitizers see it.
 */
#include <hal/cpu.h>
#include <hal/mmu.h>
#include <core/klog.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static __thread unsigned host_cpu;
int klog_level = KL_WARN;

void host_set_cpu(unsigned id)
{
	host_cpu = id;
}

unsigned hal_cpu_id(void)
{
	return host_cpu;
}

unsigned long hal_irq_save(void)
{
	return 0;
}

void hal_irq_restore(unsigned long flags)
{
	(void)flags;
}

void hal_irq_enable(void)
{
}

void hal_cpu_relax(void)
{
}

/* Weak: a test that needs a clock it controls defines its own. */
__attribute__((weak)) uint64_t hal_time_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void hal_console_write(const char *s, unsigned long n)
{
	fwrite(s, 1, n, stderr);
}

void hal_halt(void)
{
	abort();
}

void *hal_pa_to_kva(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}

paddr_t hal_kva_to_pa(const void *kva)
{
	return (paddr_t)(uintptr_t)kva;
}

void kvlog(int level, const char *fmt, va_list ap)
{
	if (level > klog_level)
		return;
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void klog(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvlog(level, fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "panic: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* User memory on the host is ordinary memory: the copies cannot fault. */
#include <core/uaccess.h>
#include <string.h>
#include <weft/errno.h>

int copy_to_user(uaddr_t dst, const void *src, size_t n)
{
	if (!dst && n)
		return -EFAULT;
	memcpy((void *)(uintptr_t)dst, src, n);
	return 0;
}

int copy_from_user(void *dst, uaddr_t src, size_t n)
{
	if (!src && n)
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)src, n);
	return 0;
}

long copy_str_from_user(char *dst, uaddr_t src, size_t size)
{
	const char *s = (const char *)(uintptr_t)src;
	if (!s)
		return -EFAULT;
	for (size_t i = 0; i < size; i++) {
		dst[i] = s[i];
		if (!s[i])
			return (long)i;
	}
	return -ENAMETOOLONG;
}

int clear_user(uaddr_t dst, size_t n)
{
	if (!dst && n)
		return -EFAULT;
	memset((void *)(uintptr_t)dst, 0, n);
	return 0;
}
