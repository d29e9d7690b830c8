/*
 * clone: new processes (fork, and vfork/CLONE_VM for posix_spawn) and new
 * threads (CLONE_THREAD, as pthread_create uses it).
 *
 * A fork child gets a copy-on-write copy of the address space and of the fd
 * table (or shares the table with CLONE_FILES, until one of them execs), and
 * a copy of the working directory and umask (or shares them with CLONE_FS,
 * for good). A CLONE_VM child shares the parent's address space; with CLONE_VFORK
 * the parent parks until the child execs or exits (the park is set before the
 * child can run, so its release cannot be missed). A thread joins its parent's
 * process: same address space, files and Linux state, its own tid and stack.
 */
#include <linux/lx.h>
#include <core/slab.h>
#include <core/klog.h>

#define LX_CSIGNAL              0x000000ff
#define LX_CLONE_VM             0x00000100
#define LX_CLONE_FS             0x00000200
#define LX_CLONE_FILES          0x00000400
#define LX_CLONE_SIGHAND        0x00000800
#define LX_CLONE_VFORK          0x00004000
#define LX_CLONE_PARENT         0x00008000
#define LX_CLONE_THREAD         0x00010000
#define LX_CLONE_SYSVSEM        0x00040000
#define LX_CLONE_SETTLS         0x00080000
#define LX_CLONE_PARENT_SETTID  0x00100000
#define LX_CLONE_CHILD_CLEARTID 0x00200000
#define LX_CLONE_DETACHED       0x00400000
#define LX_CLONE_CHILD_SETTID   0x01000000
#define LX_SUPPORTED (LX_CSIGNAL | LX_CLONE_VM | LX_CLONE_FS | LX_CLONE_FILES | LX_CLONE_SIGHAND | \
		      LX_CLONE_VFORK | LX_CLONE_THREAD | LX_CLONE_SYSVSEM | LX_CLONE_SETTLS |      \
		      LX_CLONE_PARENT_SETTID | LX_CLONE_CHILD_CLEARTID | LX_CLONE_DETACHED |       \
		      LX_CLONE_CHILD_SETTID)

struct clone_args {
	unsigned long flags;
	uaddr_t stack, ptid, tls, ctid;
};

/* Free a thread that never ran. */
static void discard_thread(struct thread *t)
{
	proc_thread_gone(t->proc, t);
	t->dead = true;
	t->release(t);
}

struct thread *lx_new_thread(struct proc *p)
{
	struct thread *t = proc_new_thread(p);

	if (!t)
		return NULL;
	t->lx = kzalloc(sizeof(*t->lx));
	if (!t->lx) {
		discard_thread(t);
		return NULL;
	}
	return t;
}

/* Registers of the new thread or child: the parent's, a0 = 0, maybe a new sp and tp. */
static void child_regs(struct thread *nt, struct thread *t, const struct clone_args *ca)
{
	nt->cpu_mask = t->cpu_mask;	/* inherited, as on Linux */
	nt->lx->blocked = t->lx->blocked;
	nt->lx->ss_sp = t->lx->ss_sp;
	nt->lx->ss_size = t->lx->ss_size;
	nt->tf = t->tf;
	nt->fp = t->fp;
	hal_tf_set_ret(&nt->tf, 0);
	if (ca->stack)
		hal_tf_set_sp(&nt->tf, ca->stack);
	if (ca->flags & LX_CLONE_SETTLS)
		hal_tf_set_tp(&nt->tf, ca->tls);
}

/* PARENT_SETTID and CHILD_SETTID/CLEARTID; the child's words live in vm. */
static int set_tids(struct thread *t, struct thread *nt, struct vm_space *vm,
		    const struct clone_args *ca)
{
	if ((ca->flags & LX_CLONE_PARENT_SETTID) && copy_to_user(ca->ptid, &nt->tid, sizeof(int)))
		return -EFAULT;
	if ((ca->flags & LX_CLONE_CHILD_SETTID) && vm_write(vm, ca->ctid, &nt->tid, sizeof(int)))
		return -EFAULT;
	if (ca->flags & LX_CLONE_CHILD_CLEARTID)
		nt->lx->clear_tid = ca->ctid;
	return 0;
}

static long clone_thread(struct thread *t, const struct clone_args *ca)
{
	struct thread *nt;
	int err;

	if (!(ca->flags & LX_CLONE_SIGHAND) || !(ca->flags & LX_CLONE_VM))
		return -EINVAL;
	if (t->proc->group_exit)
		return -EAGAIN;
	nt = lx_new_thread(t->proc);
	if (!nt)
		return -EAGAIN;
	child_regs(nt, t, ca);
	err = set_tids(t, nt, t->vm, ca);
	if (err) {
		discard_thread(nt);
		return err;
	}
	sched_add_new(nt);
	return nt->tid;
}

static long vfork_cont(struct thread *t)
{
	hal_tf_set_ret(&t->tf, (long)t->wait[0]);
	return 0;
}

/* Undo a child that never ran: make it a zombie nobody waits for, and free it. */
static void discard_child(struct proc *c)
{
	proc_exit(c, 0);
	spin_lock(&proc_tree_lock);
	list_del(&c->sibling);
	spin_unlock(&proc_tree_lock);
	proc_free(c);
}

static long clone_process(struct thread *t, const struct clone_args *ca)
{
	struct proc *p = t->proc, *c = proc_create(p, p->name);
	struct thread *ct = NULL;
	long err = -ENOMEM;

	if (!c)
		return -EAGAIN;
	if (ca->flags & LX_CLONE_VM) {
		vm_get(p->vm);
		c->vm = p->vm;
	} else {
		c->vm = vm_clone(p->vm);
	}
	if (!c->vm || lx_proc_fork(p, c, ca->flags & LX_CLONE_FILES, ca->flags & LX_CLONE_FS) || !(ct = lx_new_thread(c)))
		goto fail;
	if (p->exe) {
		c->exe = kmalloc(__builtin_strlen(p->exe) + 1);
		c->cmdline = kmalloc(p->cmdline_len ? p->cmdline_len : 1);
		if (c->exe)
			__builtin_memcpy(c->exe, p->exe, __builtin_strlen(p->exe) + 1);
		if (c->cmdline)
			__builtin_memcpy(c->cmdline, p->cmdline, p->cmdline_len);
		c->cmdline_len = c->cmdline ? p->cmdline_len : 0;
	}
	child_regs(ct, t, ca);
	err = set_tids(t, ct, c->vm, ca);
	if (err)
		goto fail;
	t->wait[0] = (uint64_t)c->pid;
	if (ca->flags & LX_CLONE_VFORK) {
		spin_lock(&c->vfork_wait.lock);
		waitq_park_locked(&c->vfork_wait, t, vfork_cont, 0);
		spin_unlock(&c->vfork_wait.lock);
		sched_add_new(ct);
		return -EPARKED;
	}
	sched_add_new(ct);
	return c->pid;
fail:
	if (ct)
		discard_thread(ct);
	discard_child(c);
	return err;
}

long lx_sys_clone(struct thread *t, const unsigned long *a)
{
	/* riscv64 (asm-generic) order: flags, newsp, parent_tid, tls, child_tid. */
	struct clone_args ca = { a[0], a[1], a[2], a[3], a[4] };

	if (ca.flags & ~(unsigned long)LX_SUPPORTED)
		return -EINVAL;
	if (ca.flags & LX_CLONE_THREAD)
		return clone_thread(t, &ca);
	return clone_process(t, &ca);
}
