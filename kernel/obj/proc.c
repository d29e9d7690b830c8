/*
 * Process objects (model in proc.h). Pids come from a counter that wraps at
 * PID_MAX and skips pids in use; lookup is a small hash table.
 */
#include <obj/proc.h>
#include <core/slab.h>
#include <core/klog.h>
#include <weft/errno.h>

#define PID_MAX 32768
#define PID_HASH 256

struct spinlock proc_tree_lock = SPINLOCK_INIT("proc-tree");
static struct spinlock pid_lock = SPINLOCK_INIT("pid");
static struct list pid_hash[PID_HASH];	/* pid_lock */
static int next_pid = 1;		/* pid_lock */
static unsigned long nprocs;		/* pid_lock */
static struct proc *init_proc;
const struct proc_ops *proc_ops;

static struct proc *find_locked(int pid)
{
	struct list *h = &pid_hash[pid % PID_HASH], *it;

	if (!h->next)
		return NULL;
	list_for_each(it, h) {
		struct proc *p = list_entry(it, struct proc, hash_link);
		if (p->pid == pid)
			return p;
	}
	return NULL;
}

static int pid_assign(struct proc *p)
{
	int tries = 0;

	spin_lock(&pid_lock);
	while (find_locked(next_pid) && tries++ < PID_MAX)
		next_pid = next_pid % (PID_MAX - 1) + 1;
	if (tries >= PID_MAX) {
		spin_unlock(&pid_lock);
		return -EAGAIN;
	}
	p->pid = next_pid;
	next_pid = next_pid % (PID_MAX - 1) + 1;
	if (!pid_hash[p->pid % PID_HASH].next)
		list_init(&pid_hash[p->pid % PID_HASH]);
	list_add(&pid_hash[p->pid % PID_HASH], &p->hash_link);
	nprocs++;
	spin_unlock(&pid_lock);
	return 0;
}

struct proc *proc_find(int pid)
{
	struct proc *p;

	spin_lock(&pid_lock);
	p = find_locked(pid);
	spin_unlock(&pid_lock);
	return p;
}

struct proc *proc_init(void)
{
	return init_proc;
}

unsigned long proc_count(void)
{
	return nprocs;
}

struct proc *proc_create(struct proc *parent, const char *name)
{
	struct proc *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	if (pid_assign(p)) {
		kfree(p);
		return NULL;
	}
	for (size_t i = 0; i + 1 < sizeof(p->name) && name[i]; i++)
		p->name[i] = name[i];
	list_init(&p->children);
	list_init(&p->threads);
	spin_init(&p->lock, "proc");
	waitq_init(&p->child_wait, "child-wait");
	p->start_ns = hal_time_ns();
	spin_lock(&proc_tree_lock);
	p->parent = parent;
	if (parent)
		list_add_tail(&parent->children, &p->sibling);
	else
		list_init(&p->sibling);
	spin_unlock(&proc_tree_lock);
	if (p->pid == 1)
		init_proc = p;
	return p;
}

static void thread_release(struct thread *t)
{
	kfree(t);
}

struct thread *proc_new_thread(struct proc *p)
{
	struct thread *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->kind = THREAD_USER;
	t->proc = p;
	t->vm = p->vm;
	t->fp_cpu = -1;
	t->release = thread_release;
	list_init(&t->rq_link);
	list_init(&t->wq_link);
	ktimer_init(&t->timer, NULL, t);
	spin_lock(&p->lock);
	t->tid = p->nthreads ? 0 : p->pid;
	list_add_tail(&p->threads, &t->proc_link);
	p->nthreads++;
	spin_unlock(&p->lock);
	return t;
}

/* Give p's children to init; true if any of them is already a zombie. */
static bool reparent_children_locked(struct proc *p)
{
	struct list *it, *tmp;
	bool zombies = false;

	list_for_each_safe(it, tmp, &p->children) {
		struct proc *c = list_entry(it, struct proc, sibling);
		list_del(&c->sibling);
		c->parent = init_proc;
		list_add_tail(&init_proc->children, &c->sibling);
		zombies |= c->state == PROC_ZOMBIE;
	}
	return zombies;
}

void proc_exit(struct proc *p, int status)
{
	struct proc *parent;
	bool wake_init;

	if (proc_ops && proc_ops->exit)
		proc_ops->exit(p);
	if (current() && current()->vm == p->vm) {
		vm_activate(NULL);
		current()->vm = NULL;
	}
	if (p->vm) {
		vm_put(p->vm);
		p->vm = NULL;
	}
	/* Wake under the tree lock: the parent cannot be reaped meanwhile, and
	 * wait4 tests the tree and parks under the same lock (order: tree lock,
	 * then child_wait.lock). */
	spin_lock(&proc_tree_lock);
	wake_init = reparent_children_locked(p);
	p->exit_status = status;
	p->state = PROC_ZOMBIE;
	parent = p->parent;
	if (parent)
		waitq_wake(&parent->child_wait, -1, 0);
	if (wake_init && init_proc && init_proc != parent)
		waitq_wake(&init_proc->child_wait, -1, 0);
	spin_unlock(&proc_tree_lock);
}

void proc_free(struct proc *p)
{
	spin_lock(&pid_lock);
	list_del(&p->hash_link);
	nprocs--;
	spin_unlock(&pid_lock);
	if (proc_ops && proc_ops->free)
		proc_ops->free(p);
	kfree(p);
}
