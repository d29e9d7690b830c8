/*
 * Interval timers: getitimer and setitimer for ITIMER_REAL (musl's alarm()
 * is setitimer). The timer is a kernel timer per process; when it expires it
 * sends SIGALRM to the process (from the timer interrupt) and, with an
 * interval, re-arms itself that much later. It is stopped at exit, and a fork
 * child starts without one, as on Linux. ITIMER_VIRTUAL and ITIMER_PROF (CPU
 * time) are not kept: -EINVAL.
 *
 * Locking: the process's siglock guards the deadline and the interval; the
 * callback takes it too.
 */
#include <linux/lx.h>
#include <core/uaccess.h>
#include <hal/cpu.h>

#define ITIMER_REAL 0
#define LX_SIGALRM  14
#define SI_KERNEL   0x80

struct lx_timeval {
	int64_t tv_sec, tv_usec;
};

struct lx_itimerval {
	struct lx_timeval interval, value;
};

static uint64_t tv_ns(const struct lx_timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ull + (uint64_t)tv->tv_usec * 1000;
}

static struct lx_timeval ns_tv(uint64_t ns)
{
	return (struct lx_timeval){(int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull) / 1000};
}

static void fired(struct ktimer *tm)
{
	struct proc *p = tm->arg;
	struct lx_proc *lp = lx_of(p);
	struct lx_sigsrc src = {SI_KERNEL, 0, 0, 0};

	spin_lock(&lp->siglock);
	if (lp->it_interval_ns) {
		lp->it_deadline += lp->it_interval_ns;
		ktimer_arm(&lp->itimer, lp->it_deadline);
	} else {
		lp->it_deadline = 0;
	}
	spin_unlock(&lp->siglock);
	lx_send_signal(p, NULL, LX_SIGALRM, &src);
}

/* The current setting of p's timer, as getitimer reports it. */
static struct lx_itimerval current_value(struct lx_proc *lp)
{
	uint64_t now = hal_time_ns();
	struct lx_itimerval v = {ns_tv(lp->it_interval_ns), {0, 0}};

	if (lp->it_deadline)
		v.value = ns_tv(lp->it_deadline > now ? lp->it_deadline - now : 1000);
	return v;
}

long lx_sys_getitimer(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	struct lx_itimerval v;

	if (a[0] != ITIMER_REAL)
		return -EINVAL;
	spin_lock(&lp->siglock);
	v = current_value(lp);
	spin_unlock(&lp->siglock);
	return copy_to_user(a[1], &v, sizeof(v));
}

long lx_sys_setitimer(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	struct lx_itimerval v, old;

	if (a[0] != ITIMER_REAL)
		return -EINVAL;
	if (!a[1] || copy_from_user(&v, a[1], sizeof(v)))
		return -EFAULT;
	if (v.value.tv_sec < 0 || v.value.tv_usec < 0 || v.value.tv_usec >= 1000000 ||
	    v.interval.tv_sec < 0 || v.interval.tv_usec < 0 || v.interval.tv_usec >= 1000000)
		return -EINVAL;
	/* Stop it first, so that a callback running now cannot re-arm it. */
	ktimer_cancel_sync(&lp->itimer);
	spin_lock(&lp->siglock);
	old = current_value(lp);
	lp->it_interval_ns = tv_ns(&v.interval);
	lp->it_deadline = tv_ns(&v.value) ? hal_time_ns() + tv_ns(&v.value) : 0;
	if (lp->it_deadline) {
		ktimer_init(&lp->itimer, fired, t->proc);
		ktimer_arm(&lp->itimer, lp->it_deadline);
	}
	spin_unlock(&lp->siglock);
	return a[2] ? copy_to_user(a[2], &old, sizeof(old)) : 0;
}

void lx_itimer_stop(struct proc *p)
{
	struct lx_proc *lp = lx_of(p);

	ktimer_cancel_sync(&lp->itimer);
	lp->it_deadline = 0;
}
