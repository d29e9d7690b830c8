/*
 * Process objects (model in proc.h). Process and thread ids come from one
 * space (a bitmap, handed out round-robin so an id is not soon reused); a
 * process's pid is its first thread's tid. Hash tables map pids to processes
 * and tids to threads.
 */
#include <obj/proc.h>
#include <obj/process.h>
#include <obj/namesvc.h>
#include <core/slab.h>
#include <core/klog.h>
#include <weft/errno.h>

#define PID_MAX 32768
#define PID_HASH 256

struct spinlock proc_tree_lock = SPINLOCK_INIT("proc-tree");
static struct spinlock pid_lock = SPINLOCK_INIT("pid");
static uint64_t pid_used[PID_MAX / 64];	/* pid_lock */
static struct list pid_hash[PID_HASH];	/* pid_lock: processes by pid */
static struct list tid_hash[PID_HASH];	/* pid_lock: threads by tid */
static int next_pid = 1;		/* pid_lock */
static unsigned long nprocs;		/* pid_lock */
static struct proc *init_proc;
const struct proc_ops *proc_ops;

static int id_alloc_locked(void)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		int id = next_pid;
		next_pid = next_pid % (PID_MAX - 1) + 1;
		if (!(pid_used[id / 64] & (1ull << (id % 64)))) {
			pid_used[id / 64] |= 1ull << (id % 64);
			return id;
		}
	}
	return -EAGAIN;
}

static void id_free_locked(int id)
{
	pid_used[id / 64] &= ~(1ull << (id % 64));
}

static struct list *bucket(struct list *table, int id)
{
	struct list *h = &table[id % PID_HASH];

	if (!h->next)
		list_init(h);
	return h;
}

static struct proc *find_locked(int pid)
{
	struct list *it, *h = bucket(pid_hash, pid);

	list_for_each(it, h) {
		struct proc *p = list_entry(it, struct proc, hash_link);
		if (p->pid == pid)
			return p;
	}
	return NULL;
}

static int pid_assign(struct proc *p)
{
	int id;

	spin_lock(&pid_lock);
	id = id_alloc_locked();
	if (id > 0) {
		p->pid = id;
		list_add(bucket(pid_hash, id), &p->hash_link);
		nprocs++;
	}
	spin_unlock(&pid_lock);
	return id < 0 ? id : 0;
}

static void tid_link(struct thread *t)
{
	spin_lock(&pid_lock);
	list_add(bucket(tid_hash, t->tid), &t->tid_link);
	spin_unlock(&pid_lock);
}

struct thread *proc_find_thread(int tid)
{
	struct thread *found = NULL;
	struct list *it, *h;

	if (tid <= 0 || tid >= PID_MAX)
		return NULL;
	spin_lock(&pid_lock);
	h = bucket(tid_hash, tid);
	list_for_each(it, h) {
		struct thread *t = list_entry(it, struct thread, tid_link);
		if (t->tid == tid && !t->dead) {
			found = t;
			break;
		}
	}
	spin_unlock(&pid_lock);
	return found;
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
	waitq_init(&p->vfork_wait, "vfork");
	handle_table_init(&p->handles, 0);
	p->start_ns = hal_time_ns();
	spin_lock(&proc_tree_lock);
	p->parent = parent;
	if (parent) {
		p->ppid = parent->pid;
		list_add_tail(&parent->children, &p->sibling);
		p->pgid = parent->pgid;
		p->sid = parent->sid;
	} else {
		list_init(&p->sibling);
		p->pgid = p->sid = p->pid;
	}
	spin_unlock(&proc_tree_lock);
	if (p->pid == 1)
		init_proc = p;
	return p;
}

static struct kmem_cache *thread_cache;

/* Thread blocks come from their own cache: no power-of-two rounding. */
struct thread *proc_thread_alloc(void)
{
	if (!__atomic_load_n(&thread_cache, __ATOMIC_ACQUIRE)) {
		spin_lock(&pid_lock);
		if (!thread_cache)
			thread_cache = kmem_cache_create("thread", sizeof(struct thread), 16);
		spin_unlock(&pid_lock);
	}
	return thread_cache ? kmem_zalloc(thread_cache) : NULL;
}

void proc_thread_free(struct thread *t)
{
	kmem_free(thread_cache, t);
}

static void thread_release(struct thread *t)
{
	/* Under the tree lock: senders of signals find threads under it. */
	spin_lock(&proc_tree_lock);
	spin_lock(&pid_lock);
	list_del(&t->tid_link);
	if (t->own_tid)
		id_free_locked(t->tid);
	spin_unlock(&pid_lock);
	spin_unlock(&proc_tree_lock);
	if (proc_ops && proc_ops->thread_free)
		proc_ops->thread_free(t);
	proc_thread_free(t);
}

struct thread *proc_new_thread(struct proc *p)
{
	struct thread *t = proc_thread_alloc();

	if (!t)
		return NULL;
	t->kind = THREAD_USER;
	t->proc = p;
	t->vm = p->vm;
	t->fp_cpu = -1;
	t->release = thread_release;
	list_init(&t->rq_link);
	list_init(&t->wnode.link);
	t->wnode.t = t;
	ktimer_init(&t->timer, NULL, t);
	list_init(&t->tid_link);
	spin_lock(&p->lock);
	if (list_empty(&p->threads) && !p->nthreads) {
		t->tid = p->pid;
	} else {
		spin_lock(&pid_lock);
		t->tid = id_alloc_locked();
		spin_unlock(&pid_lock);
		t->own_tid = true;
	}
	if (t->tid > 0) {
		list_add_tail(&p->threads, &t->proc_link);
		p->nthreads++;
	}
	spin_unlock(&p->lock);
	if (t->tid <= 0) {
		proc_thread_free(t);
		return NULL;
	}
	tid_link(t);
	return t;
}

int proc_thread_gone(struct proc *p, struct thread *t)
{
	int left;

	spin_lock(&p->lock);
	cputime_exit(t, &p->cputime);
	list_del(&t->proc_link);
	left = --p->nthreads;
	spin_unlock(&p->lock);
	return left;
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
		__atomic_store_n(&c->ppid, init_proc->pid, __ATOMIC_RELAXED);
		list_add_tail(&init_proc->children, &c->sibling);
		zombies |= c->state == PROC_ZOMBIE;
	}
	return zombies;
}

void proc_vfork_release(struct proc *p)
{
	spin_lock(&p->vfork_wait.lock);
	p->vfork_done = true;
	spin_unlock(&p->vfork_wait.lock);
	waitq_wake(&p->vfork_wait, -1, 0);
}

void proc_exit(struct proc *p, int status)
{
	struct proc *parent;
	bool wake_init;

	if (proc_ops && proc_ops->exit)
		proc_ops->exit(p);
	proc_vfork_release(p);
	namesvc_proc_exit(p->pid);
	handle_table_destroy(&p->handles);
	procobj_exited(p, status);
	if (current() && current()->vm == p->vm) {
		vm_activate(NULL);
		current()->vm = NULL;
	}
	if (p->vm) {
		spin_lock(&p->lock); /* /proc readers take p->vm's reference under it */
		struct vm_space *vm = p->vm;
		p->vm = NULL;
		spin_unlock(&p->lock);
		vm_put(vm);
	}
	/* Wake under the tree lock: the parent cannot be reaped meanwhile, and
	 * wait4 tests the tree and parks under the same lock (order: tree lock,
	 * then child_wait.lock). */
	spin_lock(&proc_tree_lock);
	if (proc_ops && proc_ops->exit_tree)
		proc_ops->exit_tree(p);
	wake_init = reparent_children_locked(p);
	p->exit_status = status;
	p->state = PROC_ZOMBIE;
	parent = p->parent;
	if (parent && proc_ops && proc_ops->child_exited)
		proc_ops->child_exited(parent, p);
	if (parent)
		waitq_wake(&parent->child_wait, -1, 0);
	if (wake_init && init_proc && init_proc != parent)
		waitq_wake(&init_proc->child_wait, -1, 0);
	spin_unlock(&proc_tree_lock);
}

static char *dup_bytes(const char *s, size_t n)
{
	char *d = kmalloc(n ? n : 1);

	if (d)
		__builtin_memcpy(d, s, n);
	return d;
}

void proc_set_image(struct proc *p, const char *exe, char *const *argv, int argc)
{
	size_t n = 0, elen = 0;
	char *cmd;

	while (exe[elen])
		elen++;
	for (int i = 0; i < argc; i++)
		for (const char *s = argv[i];; s++, n++)
			if (!*s) {
				n++;
				break;
			}
	cmd = kmalloc(n ? n : 1);
	if (cmd) {
		size_t at = 0;
		for (int i = 0; i < argc; i++)
			for (const char *s = argv[i];; s++) {
				cmd[at++] = *s;
				if (!*s)
					break;
			}
	}
	kfree(p->exe);
	kfree(p->cmdline);
	p->exe = dup_bytes(exe, elen + 1);
	p->cmdline = cmd;
	p->cmdline_len = cmd ? n : 0;
}

struct cputime proc_cputime(struct proc *p)
{
	struct cputime sum;
	struct list *it;

	spin_lock(&p->lock);
	sum = p->cputime;
	list_for_each(it, &p->threads) {
		struct cputime c = thread_cputime(list_entry(it, struct thread, proc_link));
		sum.user_ns += c.user_ns;
		sum.sys_ns += c.sys_ns;
	}
	sum = cputime_monotonic(&p->cputime_reported, sum);
	spin_unlock(&p->lock);
	return sum;
}

void proc_reap_times_locked(struct proc *parent, struct proc *c)
{
	cputime_add(&parent->child_cputime, &c->cputime);
	cputime_add(&parent->child_cputime, &c->child_cputime);
}

void proc_free(struct proc *p)
{
	spin_lock(&pid_lock);
	list_del(&p->hash_link);
	id_free_locked(p->pid);
	nprocs--;
	spin_unlock(&pid_lock);
	if (proc_ops && proc_ops->free)
		proc_ops->free(p);
	kfree(p->exe);
	kfree(p->cmdline);
	kfree(p);
}
