/*
 * Kernel log: leveled messages formatted with lib/fmt into a stack buffer and
 * written whole under one lock, so lines from different CPUs never interleave.
 * panic() prints, shows a backtrace and powers the machine off (a failure exit
 * that the test harness sees).
 */
#include <core/klog.h>
#include <core/sched.h>
#include <core/spinlock.h>
#include <hal/cpu.h>
#include <hal/context.h>
#include <lib/fmt.h>

int klog_level = KL_INFO;
static struct spinlock klog_lock = SPINLOCK_INIT("klog");
static int panicking;

static const char *const level_tag[] = { "E", "W", "I", "D" };

static void emit(const char *s, int n)
{
	if (n <= 0)
		return;
	if (panicking) {
		hal_console_write(s, (unsigned long)n);
		return;
	}
	spin_lock(&klog_lock);
	hal_console_write(s, (unsigned long)n);
	spin_unlock(&klog_lock);
}

void kvlog(int level, const char *fmt, va_list ap)
{
	char buf[256];
	int n, m;
	uint64_t ns;

	if (level > klog_level)
		return;
	ns = hal_time_ns();
	n = fmt_snprintf(buf, sizeof(buf), "[%5lu.%06lu] %s ", (unsigned long)(ns / 1000000000),
			 (unsigned long)(ns / 1000 % 1000000), level_tag[level & 3]);
	m = fmt_vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	n += m < (int)sizeof(buf) - n - 1 ? m : (int)sizeof(buf) - n - 2;
	buf[n++] = '\n';
	emit(buf, n);
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
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	emit(buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
}

/* A panic in a service thread's own code (not in an interrupt handler) fails
 * that thread's request instead of the kernel: see struct thread's on_fault. */
static void contain_panic(const char *msg)
{
	struct cpu *c = this_cpu();
	struct thread *t = c->cur;

	if (!t || !t->on_fault || c->irq_depth || panicking)
		return;
	kprintf("%s: a panic is contained (%s)\n", t->name, msg);
	t->on_fault(t, "panic");
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	hal_irq_save();
	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	contain_panic(buf);
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		hal_halt();	/* a panic while panicking: just stop */
	kprintf("\nKERNEL PANIC on cpu %u: ", hal_cpu_id());
	emit(buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
	kprintf("\n");
	hal_backtrace((unsigned long)__builtin_frame_address(0));
	hal_halt();
}
