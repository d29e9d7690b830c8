/*
 * Linux process calls: wait4 and the id calls.
 *
 * wait4 parks on the caller's child_wait queue with "restart the syscall" as
 * continuation. The waiter tests the tree and parks while holding
 * proc_tree_lock; an exiting child becomes a zombie and wakes the queue under
 * the same lock, so no exit is missed.
 */
#include <linux/lx.h>
#include <core/klog.h>
#include <core/slab.h>

#define LX_WNOHANG 1
#define LX_WUNTRACED 2
#define LX_WCONTINUED 8

/* Does child c match wait4's pid selector? */
static bool wait_match(struct proc *c, long pid)
{
	return pid == -1 || pid == 0 || pid < -1 || c->pid == pid;
}

/* A stop or continue of c not yet reported to a wait4 that asks for it. */
static bool job_event_locked(struct proc *c, int options, int *status)
{
	struct lx_proc *lp = c->lx;

	if (!lp)
		return false;
	if ((options & LX_WUNTRACED) && lp->stop_report && lp->stopped) {
		lp->stop_report = false;
		*status = (lp->stopsig << 8) | 0x7f;
		return true;
	}
	if ((options & LX_WCONTINUED) && lp->cont_report) {
		lp->cont_report = false;
		*status = 0xffff;
		return true;
	}
	return false;
}

long lx_sys_wait4(struct thread *t, const unsigned long *a)
{
	struct proc *p = t->proc, *found = NULL;
	long pid = (int)a[0];
	uaddr_t ustatus = a[1];
	int options = (int)a[2], zero = 0, status;
	bool any = false;
	struct list *it;

	if (options & ~(LX_WNOHANG | 0x2 | 0x8 | 0x40000000 | 0x80000000))
		return -EINVAL;
	/* Check the status pointer first, so a bad one never loses a reaped child. */
	if (ustatus && copy_to_user(ustatus, &zero, sizeof(zero)))
		return -EFAULT;
	if (a[3] && clear_user(a[3], 144))
		return -EFAULT;
	spin_lock(&proc_tree_lock);
	list_for_each(it, &p->children) {
		struct proc *c = list_entry(it, struct proc, sibling);
		if (!wait_match(c, pid))
			continue;
		any = true;
		if (c->state == PROC_ZOMBIE) {
			found = c;
			list_del(&c->sibling);
			proc_reap_times_locked(p, c);
			break;
		}
		if (job_event_locked(c, options, &status)) {
			spin_unlock(&proc_tree_lock);
			if (ustatus && copy_to_user(ustatus, &status, sizeof(status)))
				return -EFAULT;
			return c->pid;	/* a stop or continue: the child stays */
		}
	}
	if (!found && any && !(options & LX_WNOHANG)) {
		spin_lock(&p->child_wait.lock);
		waitq_park_locked(&p->child_wait, t, sched_cont_restart, 0);
		spin_unlock(&p->child_wait.lock);
		spin_unlock(&proc_tree_lock);
		return -EPARKED;
	}
	spin_unlock(&proc_tree_lock);
	if (!found)
		return any ? 0 : -ECHILD;
	status = found->exit_status;
	pid = found->pid;
	proc_free(found);
	if (ustatus)
		copy_to_user(ustatus, &status, sizeof(status));
	return pid;
}

long lx_sys_getpid(struct thread *t, const unsigned long *a)
{
	return t->proc->pid;
}

long lx_sys_gettid(struct thread *t, const unsigned long *a)
{
	return t->tid;
}

long lx_sys_getppid(struct thread *t, const unsigned long *a)
{
	return __atomic_load_n(&t->proc->ppid, __ATOMIC_RELAXED);
}

long lx_sys_set_tid_address(struct thread *t, const unsigned long *a)
{
	t->lx->clear_tid = a[0];
	return t->tid;
}

/* Credentials: see lx_ids.c. */
long lx_sys_getuid(struct thread *t, const unsigned long *a)
{
	return lx_of(t->proc)->uid[0];
}

long lx_sys_geteuid(struct thread *t, const unsigned long *a)
{
	return lx_of(t->proc)->uid[1];
}

long lx_sys_getgid(struct thread *t, const unsigned long *a)
{
	return lx_of(t->proc)->gid[0];
}

long lx_sys_getegid(struct thread *t, const unsigned long *a)
{
	return lx_of(t->proc)->gid[1];
}
