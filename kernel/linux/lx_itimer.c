/*
 * Interval timers: getitimer and setitimer (musl's alarm() is setitimer).
 *
 * ITIMER_REAL is a kernel timer per process; when it expires it sends SIGALRM
 * to the process (from the timer interrupt) and, with an interval, re-arms
 * itself that much later. It is stopped at exit.
 *
 * ITIMER_VIRTUAL and ITIMER_PROF count the process's CPU time, as the
 * scheduler charges it (core/cputime.c): user time for VIRTUAL, user plus system
 * time for PROF. Each is kept as an expiry on that clock; a thread of the
 * process on its way back to user mode compares (lx_itimer_cpu_check), so a
 * busy loop is looked at on every timer tick and a sleeping process never
 * consumes its timer. On expiry the process gets SIGVTALRM or SIGPROF, and an
 * interval moves the expiry on by one interval.
 *
 * A fork child starts without timers, as on Linux; exec keeps them.
 *
 * Locking: the process's siglock guards every deadline, expiry and interval;
 * the ITIMER_REAL callback takes it too. it_cpu_armed is also read without it.
 */
#include <linux/lx.h>
#include <core/uaccess.h>
#include <hal/cpu.h>

#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2
#define LX_SIGALRM     14
#define LX_SIGVTALRM   26
#define LX_SIGPROF     27
#define SI_KERNEL      0x80

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

uint64_t lx_cputime_ns(struct cputime c, bool with_sys)
{
	return with_sys ? c.user_ns + c.sys_ns : c.user_ns;
}

/* The clock of ITIMER_VIRTUAL (cpu 0) or ITIMER_PROF (cpu 1), from the
 * process's CPU time read before taking the siglock (proc_cputime takes the
 * process lock). */
static uint64_t cpu_clock(const struct cputime *ct, int cpu)
{
	return lx_cputime_ns(*ct, cpu == 1);
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

/* Out of line: the return to user mode only tests it_cpu_armed (LTO would
 * otherwise inline this into that path and lengthen its prologue). */
static __attribute__((noinline)) void cpu_check(struct proc *p, struct lx_proc *lp)
{
	struct lx_sigsrc src = {SI_KERNEL, 0, 0, 0};
	bool fire[2] = {false, false};
	struct cputime ct = proc_cputime(p);

	spin_lock(&lp->siglock);
	for (int i = 0; i < 2; i++) {
		uint64_t *exp = &lp->it_cpu_expires[i];
		if (!*exp || cpu_clock(&ct, i) < *exp)
			continue;
		fire[i] = true;
		*exp = lp->it_cpu_interval[i] ? *exp + lp->it_cpu_interval[i] : 0;
	}
	__atomic_store_n(&lp->it_cpu_armed, lp->it_cpu_expires[0] || lp->it_cpu_expires[1],
			 __ATOMIC_RELAXED);
	spin_unlock(&lp->siglock);
	if (fire[0])
		lx_send_signal(p, NULL, LX_SIGVTALRM, &src);
	if (fire[1])
		lx_send_signal(p, NULL, LX_SIGPROF, &src);
}

void lx_itimer_cpu_check(struct proc *p)
{
	struct lx_proc *lp = lx_of(p);

	if (__atomic_load_n(&lp->it_cpu_armed, __ATOMIC_RELAXED))
		cpu_check(p, lp);
}

/* The current setting of timer `which`, as getitimer reports it (siglock). */
static struct lx_itimerval current_value(struct proc *p, int which, const struct cputime *ct)
{
	struct lx_proc *lp = lx_of(p);
	uint64_t now, at;
	struct lx_itimerval v = {{0, 0}, {0, 0}};

	if (which == ITIMER_REAL) {
		now = hal_time_ns();
		at = lp->it_deadline;
		v.interval = ns_tv(lp->it_interval_ns);
	} else {
		now = cpu_clock(ct, which - 1);
		at = lp->it_cpu_expires[which - 1];
		v.interval = ns_tv(lp->it_cpu_interval[which - 1]);
	}
	/* One that is due but not yet delivered reads as about to fire. */
	if (at)
		v.value = ns_tv(at > now ? at - now : 1000);
	return v;
}

long lx_sys_getitimer(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	struct lx_itimerval v;
	struct cputime ct;

	if (a[0] > ITIMER_PROF)
		return -EINVAL;
	ct = proc_cputime(t->proc);
	spin_lock(&lp->siglock);
	v = current_value(t->proc, (int)a[0], &ct);
	spin_unlock(&lp->siglock);
	return copy_to_user(a[1], &v, sizeof(v));
}

static bool tv_valid(const struct lx_timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

/* Arm (or with a zero value disarm) a CPU-time timer: cpu 0 VIRTUAL, 1 PROF. */
static void set_cpu_locked(struct proc *p, int cpu, uint64_t value, uint64_t interval,
			   const struct cputime *ct)
{
	struct lx_proc *lp = lx_of(p);

	lp->it_cpu_expires[cpu] = value ? cpu_clock(ct, cpu) + value : 0;
	lp->it_cpu_interval[cpu] = interval;
	__atomic_store_n(&lp->it_cpu_armed, lp->it_cpu_expires[0] || lp->it_cpu_expires[1],
			 __ATOMIC_RELAXED);
}

long lx_sys_setitimer(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	struct lx_itimerval v, old;
	int which = (int)a[0];
	struct cputime ct;

	if (a[0] > ITIMER_PROF)
		return -EINVAL;
	if (!a[1] || copy_from_user(&v, a[1], sizeof(v)))
		return -EFAULT;
	if (!tv_valid(&v.value) || !tv_valid(&v.interval))
		return -EINVAL;
	ct = proc_cputime(t->proc);
	if (which != ITIMER_REAL) {
		spin_lock(&lp->siglock);
		old = current_value(t->proc, which, &ct);
		set_cpu_locked(t->proc, which - 1, tv_ns(&v.value), tv_ns(&v.interval), &ct);
		spin_unlock(&lp->siglock);
		return a[2] ? copy_to_user(a[2], &old, sizeof(old)) : 0;
	}
	/* Stop it first, so that a callback running now cannot re-arm it. */
	ktimer_cancel_sync(&lp->itimer);
	spin_lock(&lp->siglock);
	old = current_value(t->proc, ITIMER_REAL, &ct);
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
