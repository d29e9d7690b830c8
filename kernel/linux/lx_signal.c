/*
 * Linux signals.
 *
 * State: the actions and the process-wide pending set live in struct lx_proc;
 * each thread has its own blocked mask and pending set (tkill). One lock per
 * process (lx_proc.siglock) guards all of it.
 *
 * Sending sets a pending bit and then makes sure some thread that does not block
 * the signal notices: a parked thread is woken with -EINTR (its park ends, a
 * restartable call is marked for restart), a thread running on another CPU gets
 * an IPI so that it passes through the kernel. Delivery happens on the way back
 * to user mode (lx_deliver_signals): default actions end the process (or are
 * ignored); a handler gets a Linux riscv64 rt_sigframe (siginfo + ucontext) on
 * its stack or alternate stack, and returns through a trampoline page that exec
 * maps into every process (li a7, 139; ecall), since Weft has no vDSO.
 * Stop signals stop the whole process: each thread parks (no stack held) on its
 * way to user mode until SIGCONT, which resumes it at send time; the parent
 * learns of both through SIGCHLD and wait4 (WUNTRACED, WCONTINUED). In an
 * orphaned process group, only SIGSTOP stops (lx_orphan.c).
 */
#include <linux/lx.h>
#include <lib/string.h>
#include <core/waitq.h>
#include <core/klog.h>

#define SIG_DFL 0
#define SIG_IGN 1
#define SA_NOCLDSTOP 0x00000001
#define SA_SIGINFO   0x00000004
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define MINSIGSTKSZ 2048
#define SIGKILL 9
#define SIGSTOP 19
#define SIGCONT 18
#define SI_USER 0
#define SI_TKILL (-6)
#define LX_SIGTRAMP (HAL_USER_TOP - (8UL << 20) - 2 * PAGE_SIZE)
#define UNBLOCKABLE (LX_SIGBIT(SIGKILL) | LX_SIGBIT(SIGSTOP))

/* Default action classes. */
static bool default_ignores(int sig)
{
	return sig == LX_SIGCHLD || sig == SIGCONT || sig == 23 /* URG */ || sig == 28 /* WINCH */;
}

static bool is_stop_signal(int sig)
{
	return sig >= SIGSTOP && sig <= 22;	/* STOP, TSTP, TTIN, TTOU */
}

#define STOP_SIGNALS (LX_SIGBIT(19) | LX_SIGBIT(20) | LX_SIGBIT(21) | LX_SIGBIT(22))
#define CLD_STOPPED 5
#define CLD_CONTINUED 6
#define SA_NOCLDSTOP_FLAG 1

/* Tell p's parent that p stopped or continued (tree lock held). */
static void notify_parent_locked(struct proc *p, int code, int sig)
{
	struct proc *parent = p->parent;
	struct lx_sigsrc src = { code, p->pid, sig, 0 };

	if (!parent || !parent->lx)
		return;
	if (!(lx_of(parent)->act[LX_SIGCHLD].flags & SA_NOCLDSTOP_FLAG))
		lx_send_signal(parent, NULL, LX_SIGCHLD, &src);
	waitq_wake(&parent->child_wait, -1, 0);
}

static bool default_dumps(int sig)
{
	return sig == 3 || sig == 4 || sig == 5 || sig == 6 || sig == 7 || sig == 8 || sig == 11 ||
	       sig == 24 || sig == 25 || sig == 31;
}

int lx_map_sigtramp(struct vm_space *vm)
{
	static const uint32_t code[2] = { 0x08b00893, 0x00000073 };	/* li a7,139; ecall */
	uaddr_t at = LX_SIGTRAMP;
	int err = vm_map(vm, &at, PAGE_SIZE, VM_R | VM_X, VM_FIXED);

	return err ? err : vm_write(vm, at, code, sizeof(code));
}

void lx_signals_exec(struct proc *p)
{
	struct lx_proc *lp = lx_of(p);

	spin_lock(&lp->siglock);
	for (int s = 1; s <= LX_NSIG; s++)
		if (lp->act[s].handler != SIG_IGN)
			lp->act[s] = (struct lx_sigaction){ SIG_DFL, 0, 0 };
	spin_unlock(&lp->siglock);
}

/* Make t notice a new signal: end its park, or interrupt its CPU. */
static void kick(struct thread *t)
{
	if (thread_interrupt(t, -EINTR))
		return;
	if (t->on_cpu && t->cpu != this_cpu()->id)
		hal_send_ipi(t->cpu);
}

/* Does t take sig now (not blocked, or waited for by rt_sigtimedwait)? */
static bool wants_locked(struct thread *t, int sig)
{
	return !(t->lx->blocked & LX_SIGBIT(sig)) || (t->lx->waitset & LX_SIGBIT(sig));
}

/* Signals that would be dropped at delivery need not be queued. */
static bool ignored_locked(struct lx_proc *lp, int sig)
{
	uint64_t h = lp->act[sig].handler;

	return sig != SIGKILL && (h == SIG_IGN || (h == SIG_DFL && default_ignores(sig)));
}

bool lx_sig_ignored_or_blocked(struct thread *t, int sig)
{
	struct lx_proc *lp = lx_of(t->proc);
	bool r;

	spin_lock(&lp->siglock);
	r = lp->act[sig].handler == SIG_IGN || (t->lx->blocked & LX_SIGBIT(sig));
	spin_unlock(&lp->siglock);
	return r;
}

static void kick_all_locked(struct proc *p)
{
	struct list *it;

	spin_lock(&p->lock);
	list_for_each(it, &p->threads)
		kick(list_entry(it, struct thread, proc_link));
	spin_unlock(&p->lock);
}

/* SIGCONT's effect happens when it is sent, whatever its action. siglock held. */
static void continue_locked(struct proc *p)
{
	struct lx_proc *lp = lx_of(p);

	lp->pending &= ~STOP_SIGNALS;
	if (!lp->stopped)
		return;
	lp->stopped = false;
	kick_all_locked(p);
}

int lx_send_signal(struct proc *p, struct thread *t, int sig, const struct lx_sigsrc *src)
{
	struct thread *target = t;
	struct lx_proc *lp;
	struct list *it;

	if (sig < 0 || sig > LX_NSIG)
		return -EINVAL;
	if (t)
		p = t->proc;
	if (!sig || p->state == PROC_ZOMBIE || !p->lx)
		return 0;
	lp = lx_of(p);
	spin_lock(&lp->siglock);
	if (sig == SIGCONT && lp->stopped) {
		continue_locked(p);
		lp->cont_report = true;	/* the tree lock is held by every sender but the tty */
		notify_parent_locked(p, CLD_CONTINUED, SIGCONT);
	} else if (sig == SIGCONT) {
		continue_locked(p);
	} else if (is_stop_signal(sig)) {
		lp->pending &= ~LX_SIGBIT(SIGCONT);
	}
	if (ignored_locked(lp, sig) && !(t && (t->lx->waitset & LX_SIGBIT(sig)))) {
		spin_unlock(&lp->siglock);
		return 0;
	}
	if (t) {
		t->lx->pending |= LX_SIGBIT(sig);
		t->lx->src = *src;
	} else {
		lp->pending |= LX_SIGBIT(sig);
		lp->src[sig] = *src;
	}
	spin_lock(&p->lock);
	if (!target) {
		list_for_each(it, &p->threads) {
			struct thread *c = list_entry(it, struct thread, proc_link);
			if (!c->dead && wants_locked(c, sig)) {
				target = c;
				break;
			}
		}
	}
	if (target && (sig == SIGKILL || wants_locked(target, sig)))
		kick(target);
	spin_unlock(&p->lock);
	spin_unlock(&lp->siglock);
	return 0;
}

/* Take the lowest deliverable signal off t's or its process's pending set. */
static int dequeue_locked(struct thread *t, lx_sigset_t allowed, struct lx_sigsrc *src)
{
	struct lx_proc *lp = lx_of(t->proc);
	lx_sigset_t mine = t->lx->pending & allowed, shared = lp->pending & allowed;
	lx_sigset_t any = mine | shared;
	int sig;

	if (!any)
		return 0;
	sig = lx_first_sig(any);
	if (mine & LX_SIGBIT(sig)) {
		t->lx->pending &= ~LX_SIGBIT(sig);
		*src = t->lx->src;
	} else {
		lp->pending &= ~LX_SIGBIT(sig);
		*src = lp->src[sig];
	}
	return sig;
}

/* ---- the signal frame (Linux riscv64 layout) ---- */

struct lx_siginfo {
	int32_t signo, errno_, code, pad;
	union {
		struct {
			int32_t pid, uid, status, pad2;
		} k;
		uint64_t addr;
		uint8_t bytes[112];
	} u;
};

struct lx_ucontext {
	uint64_t flags, link;
	uint64_t ss_sp;
	int32_t ss_flags, ss_pad;
	uint64_t ss_size;
	lx_sigset_t sigmask;
	uint8_t unused[120];
	uint64_t pad;				/* mcontext is 16-byte aligned */
	uint64_t regs[32];			/* pc, then x1..x31 */
	uint64_t fpregs[64];			/* the Q-extension-sized union */
	uint32_t fcsr, reserved[3];
};

struct lx_sigframe {
	struct lx_siginfo info;
	struct lx_ucontext uc;
};

_Static_assert(__builtin_offsetof(struct lx_ucontext, regs) == 176, "riscv64 mcontext offset");
_Static_assert(sizeof(struct lx_sigframe) == 1088, "riscv64 rt_sigframe size");

static bool on_altstack(const struct lx_thread *lt, uint64_t sp)
{
	return lt->ss_size && sp > lt->ss_sp && sp - lt->ss_sp <= lt->ss_size;
}

static void fill_frame(struct lx_sigframe *f, struct thread *t, int sig,
		       const struct lx_sigsrc *src, lx_sigset_t old_mask)
{
	struct lx_thread *lt = t->lx;

	memset(f, 0, sizeof(*f));
	f->info.signo = sig;
	f->info.code = src->code;
	if (src->addr)
		f->info.u.addr = src->addr;
	else
		f->info.u.k = (typeof(f->info.u.k)){ src->pid, 0, src->status, 0 };
	f->uc.ss_sp = lt->ss_sp;
	f->uc.ss_size = lt->ss_size;
	f->uc.ss_flags = lt->ss_size ? (on_altstack(lt, hal_tf_sp(&t->tf)) ? SS_ONSTACK : 0) :
				       SS_DISABLE;
	f->uc.sigmask = old_mask;
	memcpy(f->uc.regs, t->tf.x, sizeof(f->uc.regs));
	memcpy(f->uc.fpregs, t->fp.f, sizeof(t->fp.f));
	f->uc.fcsr = (uint32_t)t->fp.fcsr;
}

/* Run the handler of sig: build the frame, point the registers at the handler. */
static int setup_handler(struct thread *t, int sig, const struct lx_sigaction *act,
			 const struct lx_sigsrc *src, lx_sigset_t old_mask)
{
	struct lx_thread *lt = t->lx;
	uint64_t sp = hal_tf_sp(&t->tf);
	struct lx_sigframe f;

	if ((act->flags & SA_ONSTACK) && lt->ss_size && !on_altstack(lt, sp))
		sp = lt->ss_sp + lt->ss_size;
	sp = (sp - sizeof(f)) & ~15UL;
	fill_frame(&f, t, sig, src, old_mask);
	if (copy_to_user(sp, &f, sizeof(f)))
		return -EFAULT;
	hal_tf_set_pc(&t->tf, act->handler);
	hal_tf_set_sp(&t->tf, sp);
	t->tf.x[REG_A0] = (unsigned long)sig;
	t->tf.x[REG_A0 + 1] = sp + __builtin_offsetof(struct lx_sigframe, info);
	t->tf.x[REG_A0 + 2] = sp + __builtin_offsetof(struct lx_sigframe, uc);
	t->tf.x[1] = LX_SIGTRAMP;	/* ra */
	return 0;
}

void lx_interrupted(struct thread *t)
{
	t->lx->restart = true;
	t->lx->restart_a0 = t->tf.x[REG_A0];
	hal_tf_set_ret(&t->tf, -EINTR);
}

static void finish_restart(struct thread *t, bool handler_ran, uint64_t flags)
{
	if (!t->lx->restart)
		return;
	t->lx->restart = false;
	if (!handler_ran || (flags & SA_RESTART)) {
		t->tf.x[REG_A0] = t->lx->restart_a0;
		hal_tf_set_pc(&t->tf, hal_tf_pc(&t->tf) - 4);	/* the ecall again */
	}
}

static long stopped_cont(struct thread *t)
{
	return 0;	/* back to the way to user mode, which looks again */
}

/* Park t while its process is stopped (siglock held on entry; released). */
static void park_stopped(struct thread *t, struct lx_proc *lp)
{
	thread_park_begin(t, stopped_cont);
	spin_unlock(&lp->siglock);
	sched_leave_user();
}

/* A stop signal's default action: stop every thread, tell the parent, park. */
static void stop_process(struct thread *t, int sig)
{
	struct proc *p = t->proc;
	struct lx_proc *lp = lx_of(p);

	spin_lock(&proc_tree_lock);
	spin_lock(&lp->siglock);
	if (!lp->stopped) {
		lp->stopped = true;
		lp->stopsig = sig;
		lp->stop_report = true;
		lp->cont_report = false;
		notify_parent_locked(p, CLD_STOPPED, sig);
		kick_all_locked(p);	/* the others park on their way to user mode */
	}
	spin_unlock(&proc_tree_lock);	/* out of order on purpose: siglock stays held */
	park_stopped(t, lp);
}

/* Act on one dequeued signal; returns true if a handler was set up. */
static bool deliver_one(struct thread *t, int sig, const struct lx_sigsrc *src)
{
	struct lx_proc *lp = lx_of(t->proc);
	struct lx_sigaction act;
	lx_sigset_t old;

	spin_lock(&lp->siglock);
	act = lp->act[sig];
	old = t->lx->has_saved_mask ? t->lx->saved_mask : t->lx->blocked;
	if (act.handler > SIG_IGN) {
		t->lx->blocked |= act.mask | (act.flags & SA_NODEFER ? 0 : LX_SIGBIT(sig));
		t->lx->blocked &= ~UNBLOCKABLE;
		if (act.flags & SA_RESETHAND)
			lp->act[sig] = (struct lx_sigaction){ SIG_DFL, 0, 0 };
	}
	spin_unlock(&lp->siglock);
	if (act.handler == SIG_IGN || (act.handler == SIG_DFL && default_ignores(sig)))
		return false;
	if (act.handler == SIG_DFL && is_stop_signal(sig)) {
		/* Nobody could continue an orphaned group: only SIGSTOP stops it. */
		if (sig == SIGSTOP || !lx_pgrp_orphaned(t->proc))
			stop_process(t, sig);
		return false;
	}
	if (act.handler == SIG_DFL) {
		lx_thread_exit(t, LX_W_SIGNALED(sig) | (default_dumps(sig) ? 0x80 : 0), true);
		sched_leave_user();
	}
	finish_restart(t, true, act.flags);
	t->lx->has_saved_mask = false;
	if (setup_handler(t, sig, &act, src, old)) {
		pr_info("pid %d: bad signal stack, killed by SIGSEGV", t->proc->pid);
		lx_thread_exit(t, LX_W_SIGNALED(11) | 0x80, true);
		sched_leave_user();
	}
	return true;
}

static void __attribute__((noinline)) deliver_slow(struct thread *t, struct lx_proc *lp)
{
	struct lx_sigsrc src;
	bool ran = false;
	int sig;

	if (__atomic_load_n(&lp->stopped, __ATOMIC_ACQUIRE)) {
		spin_lock(&lp->siglock);
		if (lp->stopped && !((t->lx->pending | lp->pending) & LX_SIGBIT(SIGKILL)))
			park_stopped(t, lp);
		spin_unlock(&lp->siglock);
	}

	for (;;) {
		if (!(t->lx->pending | lp->pending))
			break;
		spin_lock(&lp->siglock);
		sig = dequeue_locked(t, ~t->lx->blocked | UNBLOCKABLE, &src);
		spin_unlock(&lp->siglock);
		if (!sig)
			break;
		ran |= deliver_one(t, sig, &src);
	}
	if (!ran) {
		finish_restart(t, false, 0);
		if (t->lx->has_saved_mask) {
			t->lx->blocked = t->lx->saved_mask;
			t->lx->has_saved_mask = false;
		}
	}
}

/*
 * On every way to user mode: nothing to do unless the process is stopped, a
 * signal is pending, a restart is due or a saved mask waits. That test stays
 * small, and the work out of line, so the return path (which LTO inlines
 * this into) keeps a short prologue.
 */
void lx_deliver_signals(struct thread *t)
{
	struct lx_proc *lp = lx_of(t->proc);

	if (__builtin_expect(!__atomic_load_n(&lp->stopped, __ATOMIC_ACQUIRE) &&
				 !(t->lx->pending | lp->pending) && !t->lx->restart &&
				 !t->lx->has_saved_mask, 1))
		return;
	deliver_slow(t, lp);
}

long lx_sys_rt_sigreturn(struct thread *t, const unsigned long *a)
{
	struct lx_sigframe f;
	uint64_t sp = hal_tf_sp(&t->tf);

	if (copy_from_user(&f, sp, sizeof(f))) {
		lx_fault(t, 11, sp);
		return -EPARKED;
	}
	memcpy(t->tf.x, f.uc.regs, sizeof(f.uc.regs));
	memcpy(t->fp.f, f.uc.fpregs, sizeof(t->fp.f));
	t->fp.fcsr = f.uc.fcsr;
	t->fp_cpu = -1;	/* reload the FP registers from t->fp */
	spin_lock(&lx_of(t->proc)->siglock);
	t->lx->blocked = f.uc.sigmask & ~UNBLOCKABLE;
	spin_unlock(&lx_of(t->proc)->siglock);
	return -EJUSTRETURN;
}
