/*
 * The signal syscalls: rt_sigaction, rt_sigprocmask, rt_sigpending,
 * rt_sigsuspend, rt_sigtimedwait, sigaltstack, kill, tkill, tgkill. State and
 * delivery are in lx_signal.c. The sigaction layout is the kernel's on riscv64
 * (handler, flags, mask: no sa_restorer field).
 */
#include <linux/lx.h>

#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SIGKILL 9
#define SIGSTOP 19
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048
#define SI_USER 0
#define SI_TKILL (-6)
#define UNBLOCKABLE (LX_SIGBIT(SIGKILL) | LX_SIGBIT(SIGSTOP))

long lx_sys_rt_sigaction(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	struct lx_sigaction na, oa;
	int sig = (int)a[0];

	if (sig < 1 || sig > LX_NSIG || a[3] != sizeof(lx_sigset_t))
		return -EINVAL;
	if (a[1] && copy_from_user(&na, a[1], sizeof(na)))
		return -EFAULT;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (a[2] && uaccess_prepare(a[2], sizeof(oa), true) == -ESVC)
		return -ESVC; /* the old action goes to a page not read in yet */
	spin_lock(&lp->siglock);
	oa = lp->act[sig];
	if (a[1]) {
		na.mask &= ~UNBLOCKABLE;
		lp->act[sig] = na;
	}
	spin_unlock(&lp->siglock);
	if (a[2] && copy_to_user(a[2], &oa, sizeof(oa)))
		return -EFAULT;
	return 0;
}

long lx_sys_rt_sigprocmask(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	lx_sigset_t set = 0, old;
	int how = (int)a[0];

	if (a[3] != sizeof(lx_sigset_t))
		return -EINVAL;
	if (a[1] && copy_from_user(&set, a[1], sizeof(set)))
		return -EFAULT;
	if (a[1] && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	if (a[2] && uaccess_prepare(a[2], sizeof(old), true) == -ESVC)
		return -ESVC; /* the old mask goes to a page not read in yet */
	spin_lock(&lp->siglock);
	old = t->lx->blocked;
	if (a[1]) {
		if (how == SIG_BLOCK)
			t->lx->blocked |= set;
		else if (how == SIG_UNBLOCK)
			t->lx->blocked &= ~set;
		else
			t->lx->blocked = set;
		t->lx->blocked &= ~UNBLOCKABLE;
	}
	spin_unlock(&lp->siglock);
	if (a[2] && copy_to_user(a[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long lx_sys_rt_sigpending(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	lx_sigset_t set;

	if (a[1] != sizeof(lx_sigset_t))
		return -EINVAL;
	spin_lock(&lp->siglock);
	set = (t->lx->pending | lp->pending) & t->lx->blocked;
	spin_unlock(&lp->siglock);
	return copy_to_user(a[0], &set, sizeof(set));
}

static long eintr_cont(struct thread *t)
{
	hal_tf_set_ret(&t->tf, -EINTR);
	return 0;
}

/* Is a signal that t does not block pending? (siglock held) */
static bool deliverable_locked(struct thread *t)
{
	return ((t->lx->pending | lx_of(t->proc)->pending) & ~t->lx->blocked) != 0;
}

long lx_sys_rt_sigsuspend(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	lx_sigset_t mask;

	if (a[1] != sizeof(lx_sigset_t))
		return -EINVAL;
	if (copy_from_user(&mask, a[0], sizeof(mask)))
		return -EFAULT;
	spin_lock(&lp->siglock);
	t->lx->saved_mask = t->lx->blocked;
	t->lx->has_saved_mask = true;
	t->lx->blocked = mask & ~UNBLOCKABLE;
	if (deliverable_locked(t)) {
		spin_unlock(&lp->siglock);
		return -EINTR;
	}
	thread_park_begin(t, eintr_cont);	/* a sender's kick ends it */
	spin_unlock(&lp->siglock);
	return -EPARKED;
}

static long timedwait_cont(struct thread *t);

/* Take a signal of the wait set if one is pending: its number, or 0. */
static int take_waited(struct thread *t, uaddr_t uinfo)
{
	struct lx_proc *lp = lx_of(t->proc);
	lx_sigset_t set = t->lx->waitset, mine, any;
	int sig;

	spin_lock(&lp->siglock);
	mine = t->lx->pending & set;
	any = mine | (lp->pending & set);
	sig = any ? lx_first_sig(any) : 0;
	if (sig && (mine & LX_SIGBIT(sig)))
		t->lx->pending &= ~LX_SIGBIT(sig);
	else if (sig)
		lp->pending &= ~LX_SIGBIT(sig);
	if (sig)
		t->lx->waitset = 0;
	spin_unlock(&lp->siglock);
	if (sig && uinfo) {
		int32_t info[32] = { sig, 0, SI_USER };
		copy_to_user(uinfo, info, sizeof(info));
	}
	return sig;
}

static long timedwait_cont(struct thread *t)
{
	int sig = take_waited(t, t->wait[0]);

	if (sig)
		hal_tf_set_ret(&t->tf, sig);
	else
		hal_tf_set_ret(&t->tf, t->wake_result == -ETIMEDOUT ? -EAGAIN : -EINTR);
	t->lx->waitset = 0;
	return 0;
}

long lx_sys_rt_sigtimedwait(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	int64_t ts[2];
	uint64_t deadline = 0, gen;
	lx_sigset_t set;
	int sig;

	if (a[3] != sizeof(lx_sigset_t))
		return -EINVAL;
	if (copy_from_user(&set, a[0], sizeof(set)))
		return -EFAULT;
	if (a[2]) {
		if (copy_from_user(ts, a[2], sizeof(ts)))
			return -EFAULT;
		if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
			return -EINVAL;
		deadline = hal_time_ns() + (uint64_t)ts[0] * 1000000000ull + (uint64_t)ts[1];
	}
	t->lx->waitset = set & ~UNBLOCKABLE;
	t->wait[0] = a[1];
	sig = take_waited(t, a[1]);
	if (sig)
		return sig;
	if (a[2] && !ts[0] && !ts[1]) {
		t->lx->waitset = 0;
		return -EAGAIN;
	}
	spin_lock(&lp->siglock);
	if ((t->lx->pending | lp->pending) & (set | ~t->lx->blocked)) {
		spin_unlock(&lp->siglock);
		return timedwait_cont(t) ? -EAGAIN : (long)t->tf.x[REG_A0];
	}
	gen = thread_park_begin(t, timedwait_cont);
	if (deadline)
		thread_park_timeout(t, gen, deadline);
	spin_unlock(&lp->siglock);
	return -EPARKED;
}

long lx_sys_sigaltstack(struct thread *t, const unsigned long *a)
{
	struct lx_thread *lt = t->lx;
	struct {
		uint64_t sp;
		int32_t flags, pad;
		uint64_t size;
	} ss, old = { lt->ss_sp, lt->ss_size ? 0 : SS_DISABLE, 0, lt->ss_size };
	uint64_t sp = hal_tf_sp(&t->tf);

	if (lt->ss_size && sp > lt->ss_sp && sp - lt->ss_sp <= lt->ss_size)
		old.flags = SS_ONSTACK;
	if (a[0]) {
		if (copy_from_user(&ss, a[0], sizeof(ss)))
			return -EFAULT;
		if (old.flags == SS_ONSTACK)
			return -EPERM;
		if (ss.flags & ~SS_DISABLE)
			return -EINVAL;
		if (ss.flags & SS_DISABLE) {
			lt->ss_sp = lt->ss_size = 0;
		} else {
			if (ss.size < MINSIGSTKSZ)
				return -ENOMEM;
			lt->ss_sp = ss.sp;
			lt->ss_size = ss.size;
		}
	}
	if (a[1] && copy_to_user(a[1], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* Send to every process that pid (as kill(2) reads it) names; count them. */
static int kill_many(struct proc *self, long pid, int sig, const struct lx_sigsrc *src)
{
	int n = 0, pgid = pid == 0 ? self->pgid : (int)-pid;
	struct proc *init = proc_init();
	struct list *stack[64];
	int depth = 0;

	/* Walk the tree from init (every process descends from it). */
	if (!init)
		return 0;
	if ((pid == -1 || init->pgid == pgid) && pid != -1)
		n += lx_send_signal(init, NULL, sig, src) == 0;
	stack[depth++] = &init->children;
	while (depth) {
		struct list *head = stack[--depth], *it;
		list_for_each(it, head) {
			struct proc *c = list_entry(it, struct proc, sibling);
			bool hit = pid == -1 ? c != self : c->pgid == pgid;
			if (hit && c->state != PROC_ZOMBIE)
				n += lx_send_signal(c, NULL, sig, src) == 0;
			if (!list_empty(&c->children) && depth < 64)
				stack[depth++] = &c->children;
		}
	}
	return n;
}

long lx_sys_kill(struct thread *t, const unsigned long *a)
{
	long pid = (int)a[0];
	int sig = (int)a[1], err = 0;
	struct lx_sigsrc src = { SI_USER, t->proc->pid, 0, 0 };
	struct proc *p;

	if (sig < 0 || sig > LX_NSIG)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	if (pid > 0) {
		p = proc_find((int)pid);
		err = (p && p->state != PROC_ZOMBIE) ? lx_send_signal(p, NULL, sig, &src) :
			(p ? 0 : -ESRCH);
	} else {
		err = kill_many(t->proc, pid, sig, &src) ? 0 : -ESRCH;
	}
	spin_unlock(&proc_tree_lock);
	return err;
}

static long thread_kill(struct thread *t, int tgid, int tid, int sig)
{
	struct lx_sigsrc src = { SI_TKILL, t->proc->pid, 0, 0 };
	struct thread *target;
	int err;

	if (tid <= 0 || sig < 0 || sig > LX_NSIG)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	target = proc_find_thread(tid);
	if (!target || (tgid > 0 && target->proc->pid != tgid))
		err = -ESRCH;
	else
		err = lx_send_signal(NULL, target, sig, &src);
	spin_unlock(&proc_tree_lock);
	return err;
}

long lx_sys_tkill(struct thread *t, const unsigned long *a)
{
	return thread_kill(t, 0, (int)a[0], (int)a[1]);
}

long lx_sys_tgkill(struct thread *t, const unsigned long *a)
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	return thread_kill(t, (int)a[0], (int)a[1], (int)a[2]);
}

void lx_signal_group(int pgid, int sig)
{
	struct lx_sigsrc src = { 0x80 /* SI_KERNEL */, 0, 0, 0 };

	spin_lock(&proc_tree_lock);
	kill_many(NULL, -pgid, sig, &src);
	spin_unlock(&proc_tree_lock);
}
