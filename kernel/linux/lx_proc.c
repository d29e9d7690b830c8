/*
 * Linux process calls: clone (fork form), exit, exit_group, wait4, the id
 * calls, set_tid_address, and the end of a process by a fatal signal.
 *
 * wait4 parks on the caller's child_wait queue with "restart the syscall" as
 * continuation. The waiter tests the tree and parks while holding
 * proc_tree_lock; an exiting child becomes a zombie and wakes the queue under
 * the same lock, so no exit is missed.
 */
#include <linux/lx.h>
#include <core/klog.h>
#include <core/slab.h>

#define LX_SIGCHLD 17
#define LX_CLONE_VM             0x00000100
#define LX_CLONE_VFORK          0x00004000
#define LX_CLONE_THREAD         0x00010000
#define LX_CLONE_PARENT_SETTID  0x00100000
#define LX_CLONE_CHILD_CLEARTID 0x00200000
#define LX_CLONE_CHILD_SETTID   0x01000000
#define LX_WNOHANG 1

static const char *sig_names[32] = {
	[4] = "SIGILL", [5] = "SIGTRAP", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL",
	[11] = "SIGSEGV", [15] = "SIGTERM",
};

void lx_exit_current(struct thread *t, int status)
{
	struct proc *p = t->proc;
	bool is_init = p->pid == 1;

	t->dead = true;
	proc_exit(p, status);	/* from here on the parent may free p */
	if (is_init) {
		/* Like Linux, init may not go away: stop the machine, reporting failure
		 * unless init exited with status 0. */
		pr_info("init exited (status 0x%x): powering off", status);
		weft_shutdown(status != 0);
	}
}

long lx_fault(struct thread *t, int signo, unsigned long addr)
{
	struct proc *p = t->proc;

	pr_info("pid %d (%s): killed by %s: pc %lx addr %lx", p->pid, p->name,
		sig_names[signo & 31] ? sig_names[signo & 31] : "signal", hal_tf_pc(&t->tf), addr);
	lx_exit_current(t, LX_W_SIGNALED(signo));
	return -EPARKED;
}

long lx_sys_exit(struct thread *t, const unsigned long *a)
{
	lx_exit_current(t, LX_W_EXITED((int)a[0]));
	return -EPARKED;
}

long lx_sys_exit_group(struct thread *t, const unsigned long *a)
{
	lx_exit_current(t, LX_W_EXITED((int)a[0]));
	return -EPARKED;
}

static long do_fork(struct thread *t, unsigned long flags, uaddr_t ptid, uaddr_t ctid)
{
	struct proc *p = t->proc, *c;
	struct thread *ct;
	int err = -ENOMEM;

	c = proc_create(p, p->name);
	if (!c)
		return -EAGAIN;
	c->vm = vm_clone(p->vm);
	if (!c->vm || lx_proc_fork(p, c))
		goto fail;
	ct = proc_new_thread(c);
	if (!ct)
		goto fail;
	ct->tf = t->tf;
	ct->fp = t->fp;
	hal_tf_set_ret(&ct->tf, 0);
	if ((flags & LX_CLONE_PARENT_SETTID) && copy_to_user(ptid, &c->pid, sizeof(int))) {
		err = -EFAULT;
		goto fail_thread;
	}
	if (flags & LX_CLONE_CHILD_SETTID) {
		/* The child's copy of memory: write through its space. */
		vm_write(c->vm, ctid, &c->pid, sizeof(int));
	}
	if (flags & LX_CLONE_CHILD_CLEARTID)
		lx_of(c)->clear_child_tid = ctid;
	sched_add_new(ct);
	return c->pid;
fail_thread:
	kfree(ct);
fail:
	/* Undo: the child never ran; make it a reaped zombie. */
	proc_exit(c, 0);
	spin_lock(&proc_tree_lock);
	list_del(&c->sibling);
	spin_unlock(&proc_tree_lock);
	proc_free(c);
	return err;
}

long lx_sys_clone(struct thread *t, const unsigned long *a)
{
	unsigned long flags = a[0];

	if ((flags & 0xff) != LX_SIGCHLD && (flags & 0xff) != 0)
		return -EINVAL;
	/* Threads and shared-memory vfork come with the thread model (issue 3). */
	if (flags & (LX_CLONE_VM | LX_CLONE_THREAD))
		return -ENOSYS;
	return do_fork(t, flags, a[2], a[4]);
}

/* Does child c match wait4's pid selector? */
static bool wait_match(struct proc *c, long pid)
{
	return pid == -1 || pid == 0 || pid < -1 || c->pid == pid;
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
			break;
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
	struct proc *parent;
	int ppid;

	spin_lock(&proc_tree_lock);
	parent = t->proc->parent;
	ppid = parent ? parent->pid : 0;
	spin_unlock(&proc_tree_lock);
	return ppid;
}

long lx_sys_set_tid_address(struct thread *t, const unsigned long *a)
{
	lx_of(t->proc)->clear_child_tid = a[0];
	return t->tid;
}

/* Single user: every id is root's. */
long lx_sys_getuid(struct thread *t, const unsigned long *a)
{
	return 0;
}

long lx_sys_geteuid(struct thread *t, const unsigned long *a)
{
	return 0;
}

long lx_sys_getgid(struct thread *t, const unsigned long *a)
{
	return 0;
}

long lx_sys_getegid(struct thread *t, const unsigned long *a)
{
	return 0;
}
