/*
 * Identity and accounting calls: sessions and process groups, credentials,
 * resource usage and system information.
 *
 * Weft is single-user, but the credential calls are consistent: a process
 * starts as root, may change its ids like a privileged process, and reads back
 * what it set; fork copies them. Supplementary groups are always empty.
 * getrusage and times report the CPU time the trap path charges (core/sched.h)
 * to the thread, the process, and the children it reaped; the other rusage
 * fields are zero.
 */
#include <linux/lx.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <lib/string.h>

long lx_sys_getsid(struct thread *t, const unsigned long *a)
{
	struct proc *p;
	long r;

	spin_lock(&proc_tree_lock);
	p = a[0] ? proc_find((int)a[0]) : t->proc;
	r = p ? p->sid : -ESRCH;
	spin_unlock(&proc_tree_lock);
	return r;
}

long lx_sys_getpgid(struct thread *t, const unsigned long *a)
{
	struct proc *p;
	long r;

	spin_lock(&proc_tree_lock);
	p = a[0] ? proc_find((int)a[0]) : t->proc;
	r = p ? p->pgid : -ESRCH;
	spin_unlock(&proc_tree_lock);
	return r;
}

long lx_sys_setsid(struct thread *t, const unsigned long *a)
{
	struct proc *p = t->proc;
	long r;

	spin_lock(&proc_tree_lock);
	if (p->pgid == p->pid) {
		r = -EPERM;	/* already a group leader */
	} else {
		p->sid = p->pgid = p->pid;
		r = p->sid;
	}
	spin_unlock(&proc_tree_lock);
	return r;
}

/* Is some process of session sid in process group pgid? (tree lock held) */
static bool group_exists_locked(struct proc *from, int pgid, int sid)
{
	struct proc *p = proc_find(pgid);

	(void)from;
	return p && p->pgid == pgid && p->sid == sid;
}

long lx_sys_setpgid(struct thread *t, const unsigned long *a)
{
	int pid = (int)a[0], pgid = (int)a[1];
	struct proc *self = t->proc, *p;
	long r = 0;

	if (pgid < 0)
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	p = pid ? proc_find(pid) : self;
	if (!p || (p != self && p->parent != self))
		r = -ESRCH;
	else if (p->sid != self->sid || p->pid == p->sid)
		r = -EPERM;
	else if (pgid && pgid != p->pid && !group_exists_locked(self, pgid, self->sid))
		r = -EPERM;
	else
		p->pgid = pgid ? pgid : p->pid;
	spin_unlock(&proc_tree_lock);
	return r;
}

static long get_ids(const uint32_t *ids, const unsigned long *a)
{
	for (int i = 0; i < 3; i++)
		if (copy_to_user(a[i], &ids[i], sizeof(uint32_t)))
			return -EFAULT;
	return 0;
}

/* setres[ug]id: -1 (as u32) keeps a field. */
static long set_ids(uint32_t *ids, const unsigned long *a)
{
	for (int i = 0; i < 3; i++)
		if ((uint32_t)a[i] != (uint32_t)-1)
			ids[i] = (uint32_t)a[i];
	return 0;
}

long lx_sys_getresuid(struct thread *t, const unsigned long *a)
{
	return get_ids(lx_of(t->proc)->uid, a);
}

long lx_sys_getresgid(struct thread *t, const unsigned long *a)
{
	return get_ids(lx_of(t->proc)->gid, a);
}

long lx_sys_setresuid(struct thread *t, const unsigned long *a)
{
	return set_ids(lx_of(t->proc)->uid, a);
}

long lx_sys_setresgid(struct thread *t, const unsigned long *a)
{
	return set_ids(lx_of(t->proc)->gid, a);
}

long lx_sys_setuid(struct thread *t, const unsigned long *a)
{
	unsigned long v[3] = { a[0], a[0], a[0] };
	return set_ids(lx_of(t->proc)->uid, v);
}

long lx_sys_setgid(struct thread *t, const unsigned long *a)
{
	unsigned long v[3] = { a[0], a[0], a[0] };
	return set_ids(lx_of(t->proc)->gid, v);
}

long lx_sys_setreuid(struct thread *t, const unsigned long *a)
{
	unsigned long v[3] = { a[0], a[1], (uint32_t)a[1] != (uint32_t)-1 ? a[1] : (uint32_t)-1 };
	return set_ids(lx_of(t->proc)->uid, v);
}

long lx_sys_setregid(struct thread *t, const unsigned long *a)
{
	unsigned long v[3] = { a[0], a[1], (uint32_t)a[1] != (uint32_t)-1 ? a[1] : (uint32_t)-1 };
	return set_ids(lx_of(t->proc)->gid, v);
}

long lx_sys_getgroups(struct thread *t, const unsigned long *a)
{
	return (int)a[0] < 0 ? -EINVAL : 0;
}

long lx_sys_setgroups(struct thread *t, const unsigned long *a)
{
	return a[0] > 65536 ? -EINVAL : 0;
}

struct lx_timeval {
	int64_t sec, usec;
};

static struct lx_timeval tv_of(uint64_t ns)
{
	return (struct lx_timeval){ (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000 / 1000) };
}

/* A snapshot of the children's CPU-time sum (its adds are atomic). */
static struct cputime cputime_read(const struct cputime *c)
{
	return (struct cputime){ __atomic_load_n(&c->user_ns, __ATOMIC_RELAXED),
				 __atomic_load_n(&c->sys_ns, __ATOMIC_RELAXED) };
}

long lx_sys_getrusage(struct thread *t, const unsigned long *a)
{
	int64_t ru[18];
	int who = (int)a[0];
	struct cputime c;

	if (who == 0)			/* RUSAGE_SELF */
		c = proc_cputime(t->proc);
	else if (who == -1)		/* RUSAGE_CHILDREN */
		c = cputime_read(&t->proc->child_cputime);
	else if (who == 1)		/* RUSAGE_THREAD */
		c = cputime_monotonic(&t->acct_reported, thread_cputime(t));
	else
		return -EINVAL;
	memset(ru, 0, sizeof(ru));
	struct lx_timeval u = tv_of(c.user_ns), s = tv_of(c.sys_ns);
	ru[0] = u.sec;
	ru[1] = u.usec;
	ru[2] = s.sec;
	ru[3] = s.usec;
	return copy_to_user(a[1], ru, sizeof(ru));
}

long lx_sys_times(struct thread *t, const unsigned long *a)
{
	struct cputime c = proc_cputime(t->proc);
	struct cputime k = cputime_read(&t->proc->child_cputime);
	const uint64_t tick = 10000000;	/* USER_HZ = 100 */
	int64_t tms[4] = { (int64_t)(c.user_ns / tick), (int64_t)(c.sys_ns / tick),
			   (int64_t)(k.user_ns / tick), (int64_t)(k.sys_ns / tick) };
	int64_t ticks = (int64_t)(hal_time_ns() / tick);

	if (a[0] && copy_to_user(a[0], tms, sizeof(tms)))
		return -EFAULT;
	return ticks;
}

struct lx_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};

long lx_sys_sysinfo(struct thread *t, const unsigned long *a)
{
	struct lx_sysinfo si;

	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(hal_time_ns() / 1000000000);
	si.totalram = pmm_total_pages();
	si.freeram = pmm_free_pages();
	si.procs = (uint16_t)proc_count();
	si.mem_unit = PAGE_SIZE;
	return copy_to_user(a[0], &si, sizeof(si));
}

#define PR_SET_NAME 15
#define PR_GET_NAME 16

long lx_sys_prctl(struct thread *t, const unsigned long *a)
{
	char name[16];
	long n;

	switch ((int)a[0]) {
	case PR_SET_NAME:
		n = copy_str_from_user(name, a[1], sizeof(name));
		if (n == -ENAMETOOLONG) {
			if (copy_from_user(name, a[1], sizeof(name) - 1))
				return -EFAULT;
			name[15] = 0;
		} else if (n < 0) {
			return n;
		}
		strlcpy(t->proc->name, name, sizeof(t->proc->name));
		return 0;
	case PR_GET_NAME:
		return copy_to_user(a[1], t->proc->name, sizeof(t->proc->name));
	default:
		return -EINVAL;
	}
}

/* CPU affinity, per thread (pid 0: the caller). The scheduler keeps a thread
 * on the CPUs of its mask (core/sched.h, sched_allowed); a thread running
 * elsewhere moves at once if it is the caller, else at its next tick. Only
 * online CPUs count; a mask naming none is refused. */
static long affinity(struct thread *t, int tid, uint64_t *mask, bool set)
{
	uint64_t online = (1ull << ncpu_online) - 1;
	struct thread *target = t;
	long err = 0;

	if (tid < 0)
		return -ESRCH;
	if (set && !(*mask & online))
		return -EINVAL;
	spin_lock(&proc_tree_lock);
	if (tid)
		target = proc_find_thread(tid);
	if (!target)
		err = -ESRCH;
	else if (set)
		__atomic_store_n(&target->cpu_mask, (unsigned)(*mask & online), __ATOMIC_RELAXED);
	else
		*mask = target->cpu_mask ? target->cpu_mask : online;
	spin_unlock(&proc_tree_lock);
	if (!err && set && !sched_allowed(t, this_cpu()))
		this_cpu()->need_resched = true;	/* the trap path moves it */
	return err;
}

long lx_sys_sched_setaffinity(struct thread *t, const unsigned long *a)
{
	uint64_t mask = 0;
	size_t len = a[1] < sizeof(mask) ? a[1] : sizeof(mask);

	if (copy_from_user(&mask, a[2], len))
		return -EFAULT;
	return affinity(t, (int)a[0], &mask, true);
}

long lx_sys_sched_getaffinity(struct thread *t, const unsigned long *a)
{
	uint64_t mask = 0;
	size_t len = a[1];
	long err;

	if (len < sizeof(mask) || (len & 7))
		return -EINVAL;
	err = affinity(t, (int)a[0], &mask, false);
	if (err)
		return err;
	if (copy_to_user(a[2], &mask, sizeof(mask)) || clear_user(a[2] + 8, len - 8))
		return -EFAULT;
	return (long)len;
}

long lx_sys_sched_getscheduler(struct thread *t, const unsigned long *a)
{
	return (int)a[0] < 0 ? -EINVAL : 0;	/* SCHED_OTHER */
}

long lx_sys_sched_getparam(struct thread *t, const unsigned long *a)
{
	int prio = 0;
	return copy_to_user(a[1], &prio, sizeof(prio));
}
