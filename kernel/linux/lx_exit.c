/*
 * The end of threads and processes.
 *
 * exit ends one thread: its clear_child_tid word is zeroed and woken (that is
 * how pthread_join learns of it), and the last thread out ends the process.
 * exit_group (and a fatal signal) marks the process as exiting and kicks every
 * other thread out of its park; each of them dies on its way back to user mode
 * (lx_before_user), the last one ending the process with the group's status.
 */
#include <linux/lx.h>
#include <obj/process.h>
#include <core/futex.h>
#include <core/waitq.h>
#include <core/klog.h>

static const char *const sig_names[32] = {
	[4] = "SIGILL", [5] = "SIGTRAP", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL",
	[11] = "SIGSEGV", [13] = "SIGPIPE", [15] = "SIGTERM",
};

static void clear_child_tid(struct thread *t)
{
	struct futex_key key;
	uaddr_t a = t->lx ? t->lx->clear_tid : 0;
	int zero = 0;

	if (!a || !t->vm || t->proc->group_exit)
		return;
	if (copy_to_user(a, &zero, sizeof(zero)) == 0 && futex_key(t, a, false, &key) == 0)
		futex_wake(&key, 1, ~0u);
}

long lx_thread_exit(struct thread *t, int status, bool group)
{
	struct proc *p = t->proc;
	bool is_init = p->pid == 1;

	if (group) {
		spin_lock(&p->lock);
		if (!p->group_exit) {
			p->group_exit = true;
			p->group_status = status;
		}
		spin_unlock(&p->lock);
		proc_kick_threads(p, t); /* they reach lx_before_user and die */
	}
	clear_child_tid(t);
	t->dead = true;
	if (proc_thread_gone(p, t) > 0)
		return -EPARKED;
	if (p->group_exit)
		status = p->group_status;
	proc_exit(p, status);	/* from here on the parent may free p */
	if (is_init) {
		/* Like Linux, init may not go away: stop the machine, reporting failure
		 * unless init exited with status 0. */
		pr_info("init exited (status 0x%x): powering off", status);
		weft_shutdown(status != 0);
	}
	return -EPARKED;
}

long lx_fault(struct thread *t, int signo, unsigned long addr)
{
	struct proc *p = t->proc;
	struct lx_proc *lp = lx_of(p);
	struct lx_sigsrc src = { signo == 11 ? 1 /* SEGV_MAPERR */ : 1, 0, 0, addr };
	bool handled;

	/* A handler that is installed and not blocked gets the fault; otherwise it
	 * is fatal, as Linux forces it. */
	spin_lock(&lp->siglock);
	handled = lp->act[signo].handler > 1 && !(t->lx->blocked & LX_SIGBIT(signo));
	spin_unlock(&lp->siglock);
	if (handled && lx_send_signal(NULL, t, signo, &src) == 0)
		return 0;

	pr_info("pid %d (%s): killed by %s: pc %lx addr %lx", p->pid, p->name,
		sig_names[signo & 31] ? sig_names[signo & 31] : "signal", hal_tf_pc(&t->tf), addr);
	return lx_thread_exit(t, LX_W_SIGNALED(signo), true);
}

static __attribute__((noinline, noreturn)) void exit_now(struct thread *t)
{
	lx_thread_exit(t, 0, false);
	sched_leave_user();
}

void lx_before_user(struct thread *t)
{
	if (__atomic_load_n(&t->proc->group_exit, __ATOMIC_ACQUIRE))
		exit_now(t);	/* out of line: see lx_deliver_signals */
	lx_itimer_cpu_check(t->proc);
	lx_deliver_signals(t);
}

long lx_sys_exit(struct thread *t, const unsigned long *a)
{
	return lx_thread_exit(t, LX_W_EXITED((int)a[0]), false);
}

long lx_sys_exit_group(struct thread *t, const unsigned long *a)
{
	return lx_thread_exit(t, LX_W_EXITED((int)a[0]), true);
}

long lx_sys_set_robust_list(struct thread *t, const unsigned long *a)
{
	if (a[1] != 24)	/* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->lx->robust_list = a[0];
	t->lx->robust_len = a[1];
	return 0;
}
