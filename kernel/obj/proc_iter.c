/*
 * Read-only views of processes and CPUs (model in obj/proc_iter.h).
 *
 * The tree is walked without recursion: preorder from init, down to the first
 * child, else on to the next sibling, else back up to the nearest ancestor that
 * has one. Everything a snapshot needs from a process is copied while
 * proc_tree_lock holds it alive; its address space is pinned with vm_get under
 * p->lock and read under vm->lock after the tree lock is dropped.
 *
 * p->vm is written by exec and by proc_exit under p->lock, and the old space
 * is put only after, so a reference taken under p->lock is always to a live
 * space.
 */
#include <obj/proc_iter.h>
#include <obj/proc.h>
#include <core/sched.h>
#include <core/vm.h>
#include <weft/errno.h>

/* The process after p in preorder, staying inside top's subtree. */
static struct proc *tree_next_locked(struct proc *p, struct proc *top)
{
	if (!list_empty(&p->children))
		return list_entry(p->children.next, struct proc, sibling);
	while (p != top && p->parent) {
		struct proc *parent = p->parent;
		if (p->sibling.next != &parent->children)
			return list_entry(p->sibling.next, struct proc, sibling);
		p = parent;
	}
	return NULL;
}

int proc_foreach_locked(int (*fn)(struct proc *, void *), void *arg)
{
	struct proc *top = proc_init();
	int r;

	for (struct proc *p = top; p; p = tree_next_locked(p, top))
		if ((r = fn(p, arg)) != 0)
			return r;
	return 0;
}

int proc_foreach(int (*fn)(struct proc *p, void *arg), void *arg)
{
	int r;

	spin_lock(&proc_tree_lock);
	r = proc_foreach_locked(fn, arg);
	spin_unlock(&proc_tree_lock);
	return r;
}

struct with_pid {
	int pid;
	int (*fn)(struct proc *, void *);
	void *arg;
	int result;
};

static int with_pid_visit(struct proc *p, void *arg)
{
	struct with_pid *w = arg;

	if (p->pid != w->pid)
		return 0;
	w->result = w->fn(p, w->arg);
	return 1;
}

int proc_with_pid(int pid, int (*fn)(struct proc *p, void *arg), void *arg)
{
	struct with_pid w = {pid, fn, arg, 0};

	if (pid <= 0)
		return -ESRCH;
	return proc_foreach(with_pid_visit, &w) ? w.result : -ESRCH;
}

/* 'R' if some thread is running or runnable, 'S' if all are parked. */
static char thread_state_locked(struct proc *p, unsigned *cpu)
{
	struct list *it;
	char state = p->nthreads ? 'S' : 'R';
	bool first = true;

	list_for_each (it, &p->threads) {
		struct thread *t = list_entry(it, struct thread, proc_link);
		uint64_t park = __atomic_load_n(&t->park, __ATOMIC_RELAXED);
		if (first)
			*cpu = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
		first = false;
		if ((park & 0xff) != PARK_PARKED)
			state = 'R';
	}
	return state;
}

struct info_ctx {
	struct proc_info *out;
	struct vm_space *vm; /* a reference, or NULL */
};

static int info_fill(struct proc *p, void *arg)
{
	struct info_ctx *c = arg;
	struct proc_info *o = c->out;

	o->pid = p->pid;
	o->ppid = p->parent ? p->parent->pid : 0;
	/* exec renames without a lock: copy bounded and terminate. */
	for (size_t i = 0; i + 1 < sizeof(o->name); i++)
		o->name[i] = __atomic_load_n(&p->name[i], __ATOMIC_RELAXED);
	o->name[sizeof(o->name) - 1] = 0;
	o->start_ns = p->start_ns;
	spin_lock(&p->lock);
	o->nthreads = p->nthreads;
	o->state = thread_state_locked(p, &o->cpu);
	c->vm = p->vm;
	if (c->vm)
		vm_get(c->vm);
	spin_unlock(&p->lock);
	if (p->state == PROC_ZOMBIE)
		o->state = 'Z';
	return 0;
}

static void info_vm(struct proc_info *o, struct vm_space *vm)
{
	struct list *it;

	spin_lock(&vm->lock);
	list_for_each (it, &vm->regions) {
		struct vm_region *r = list_entry(it, struct vm_region, link);
		o->vsize += r->end - r->start;
		if (r->flags & VM_STACK) {
			o->stack_start = r->start;
			o->stack_end = r->end;
		}
	}
	o->rss = vm->pages;
	o->brk_base = vm->brk_base;
	o->brk = vm->brk;
	spin_unlock(&vm->lock);
}

int proc_info_get(int pid, struct proc_info *out)
{
	struct info_ctx c = {out, NULL};
	int err;

	*out = (struct proc_info){0};
	err = proc_with_pid(pid, info_fill, &c);
	if (err)
		return err;
	if (c.vm) {
		info_vm(out, c.vm);
		vm_put(c.vm);
	}
	return 0;
}

int proc_self_pid(void)
{
	struct thread *t = current();

	return t && t->proc ? t->proc->pid : 0;
}

struct pid_list {
	int from, max, n;
	int *out;
};

/* Keep the max smallest pids >= from, sorted (insertion into a short array). */
static int pid_list_visit(struct proc *p, void *arg)
{
	struct pid_list *l = arg;
	int i;

	if (p->pid < l->from || l->max <= 0)
		return 0;
	if (l->n == l->max && p->pid > l->out[l->n - 1])
		return 0;
	i = l->n < l->max ? l->n++ : l->n - 1;
	for (; i > 0 && l->out[i - 1] > p->pid; i--)
		l->out[i] = l->out[i - 1];
	l->out[i] = p->pid;
	return 0;
}

int proc_pid_list(int from, int *out, int max)
{
	struct pid_list l = {from, max, 0, out};

	proc_foreach(pid_list_visit, &l);
	return l.n;
}

static int vm_of(struct proc *p, void *arg)
{
	struct vm_space **vm = arg;

	spin_lock(&p->lock);
	*vm = p->vm;
	if (*vm)
		vm_get(*vm);
	spin_unlock(&p->lock);
	return 0;
}

static int regions_copy(struct vm_space *vm, uint64_t addr, struct proc_region *out, int max)
{
	struct list *it;
	int n = 0;

	spin_lock(&vm->lock);
	list_for_each (it, &vm->regions) {
		struct vm_region *r = list_entry(it, struct vm_region, link);
		if (n == max)
			break;
		if (r->end <= addr)
			continue;
		out[n++] = (struct proc_region){r->start, r->end, r->prot, r->flags,
						r->start == vm->brk_base};
	}
	spin_unlock(&vm->lock);
	return n;
}

int proc_regions(int pid, uint64_t addr, struct proc_region *out, int max)
{
	struct vm_space *vm = NULL;
	int n, err = proc_with_pid(pid, vm_of, &vm);

	if (err)
		return err;
	if (!vm)
		return 0;
	n = regions_copy(vm, addr, out, max);
	vm_put(vm);
	return n;
}

static void cpu_copy(struct cpu *c, struct proc_cpu_info *o)
{
	o->id = c->id;
	o->hartid = c->arch.hartid;
	o->online = __atomic_load_n(&c->online, __ATOMIC_ACQUIRE);
	spin_lock(&c->rq.lock);
	o->nr_queued = c->rq.nr;
	spin_unlock(&c->rq.lock);
	/* Counters are written by their own CPU only; whole-word loads suffice. */
	o->busy = __atomic_load_n(&c->cur, __ATOMIC_RELAXED) != NULL;
	o->nr_switches = __atomic_load_n(&c->nr_switches, __ATOMIC_RELAXED);
	o->nr_syscalls = __atomic_load_n(&c->nr_syscalls, __ATOMIC_RELAXED);
	o->nr_irqs = __atomic_load_n(&c->nr_irqs, __ATOMIC_RELAXED);
	o->idle_ns = __atomic_load_n(&c->idle_ns, __ATOMIC_RELAXED);
}

int proc_cpu_info(struct proc_cpu_info *out, int max)
{
	unsigned n = __atomic_load_n(&ncpu_online, __ATOMIC_ACQUIRE);
	int i;

	for (i = 0; i < max && (unsigned)i < n && i < NCPU_MAX; i++)
		cpu_copy(&cpus[i], &out[i]);
	return i;
}

static int last_pid_visit(struct proc *p, void *arg)
{
	int *last = arg;

	if (p->pid > *last)
		*last = p->pid;
	return 0;
}

void proc_sys_info(struct proc_sys_info *out)
{
	struct proc_cpu_info ci[NCPU_MAX];
	int n = proc_cpu_info(ci, NCPU_MAX);

	*out = (struct proc_sys_info){0};
	out->nr_procs = proc_count();
	for (int i = 0; i < n; i++)
		out->nr_running += ci[i].nr_queued + ci[i].busy;
	out->nr_parked = sched_nr_parked();
	proc_foreach(last_pid_visit, &out->last_pid);
}

struct image_copy {
	char *exe, *cmd;
	size_t exemax, cmdmax, cmdlen;
};

static int image_visit(struct proc *p, void *arg)
{
	struct image_copy *ic = arg;
	size_t n = 0;

	if (p->exe)
		while (p->exe[n] && n + 1 < ic->exemax) {
			ic->exe[n] = p->exe[n];
			n++;
		}
	ic->exe[n] = 0;
	ic->cmdlen = p->cmdline_len < ic->cmdmax ? p->cmdline_len : ic->cmdmax;
	for (size_t i = 0; i < ic->cmdlen; i++)
		ic->cmd[i] = p->cmdline[i];
	return 0;
}

int proc_image(int pid, char *exe, size_t exemax, char *cmd, size_t cmdmax, size_t *cmdlen)
{
	struct image_copy ic = { exe, cmd, exemax, cmdmax, 0 };
	int err;

	if (!exemax)
		return -EINVAL;
	err = proc_with_pid(pid, image_visit, &ic);
	*cmdlen = ic.cmdlen;
	return err;
}
