/*
 * Native threads: thread_create starts another thread in the caller's native
 * process at `entry` with sp = `stack` and a0 = `arg`; its other registers
 * (gp, tp) are copied from the caller. thread_exit ends the calling thread;
 * the last one out ends the process with code 0. Linux processes make threads
 * with clone (their threads need Linux state): both calls are -ENOTSUP there.
 */
#include <native/nat.h>
#include <native/native.h>

/* thread_create(entry, stack, arg): the new thread's id. */
NAT_HANDLER(thread_create)
{
	struct proc *p = t->proc;
	struct thread *nt;

	if (!native_proc(p))
		return -ENOTSUP;
	if (!uaccess_ok(a[0], 4) || !uaccess_ok(a[1] - 16, 16) || (a[1] & 15))
		return -EINVAL;
	if (__atomic_load_n(&p->group_exit, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	nt = proc_new_thread(p);
	if (!nt)
		return -EAGAIN;
	nt->tf = t->tf;
	hal_tf_set_pc(&nt->tf, a[0]);
	hal_tf_set_sp(&nt->tf, a[1]);
	hal_tf_set_ret(&nt->tf, (long)a[2]);
	sched_add_new(nt);
	return nt->tid;
}

/* thread_exit(): does not return. */
NAT_HANDLER(thread_exit)
{
	if (!native_proc(t->proc))
		return -ENOTSUP;
	native_thread_exit(t);
	return -EPARKED;
}
