/*
 * Native process calls and the native personality's process life cycle.
 *
 * A process ends by setting p->group_exit (process_exit, process_kill, a
 * fault) and kicking its threads; each thread dies on its way back to user
 * mode (native_before_user for native processes, lx_before_user for Linux
 * ones), the last one running proc_exit. A native process has no parent in
 * the process tree (nothing would reap it): its last thread frees it, and
 * its exit code lives on in its process object (obj/process.h).
 */
#include <native/nat.h>
#include <native/native.h>
#include <obj/process.h>
#include <core/klog.h>
#include <weft/spawn.h>

/* Mark p as exiting with wait status `status` (the first one wins). */
static void group_exit(struct proc *p, struct thread *self, int status)
{
	spin_lock(&p->lock);
	if (!p->group_exit) {
		p->group_exit = true;
		p->group_status = status;
	}
	spin_unlock(&p->lock);
	proc_kick_threads(p, self);
}

/* The current thread t of a native process dies; the last one ends p with
 * its group status (0 if nobody set one). */
void native_thread_exit(struct thread *t)
{
	struct proc *p = t->proc;

	t->dead = true;
	if (proc_thread_gone(p, t) > 0)
		return;
	proc_exit(p, p->group_status);
	proc_free(p); /* parentless: nobody else reaps it */
}

bool native_proc(const struct proc *p)
{
	return p->lx == NULL;
}

void native_before_user(struct thread *t)
{
	if (__atomic_load_n(&t->proc->group_exit, __ATOMIC_ACQUIRE)) {
		native_thread_exit(t);
		sched_leave_user();
	}
}

long native_fault(struct thread *t, int signo, unsigned long addr)
{
	pr_info("native pid %d: fault (signal %d) at pc %lx addr %lx: killed", t->proc->pid, signo,
		hal_tf_pc(&t->tf), addr);
	group_exit(t->proc, t, signo & 0x7f);
	native_thread_exit(t);
	return -EPARKED;
}

/* process_exit(code): the whole process ends with code & 0xff. Works for
 * Linux processes too (like exit_group). Returns only to a thread that lost
 * the race to another exit, which then dies on its way out. */
NAT_HANDLER(process_exit)
{
	group_exit(t->proc, t, ((int)a[0] & 0xff) << 8);
	return 0; /* before_user ends the thread */
}

static long get_proc(struct thread *t, handle_t h, rights_t need, struct procobj **out)
{
	struct kobject *o;
	long err = handle_get(&t->proc->handles, h, WEFT_OBJ_PROCESS, need, &o, NULL);

	if (!err)
		*out = procobj_from_obj(o);
	return err;
}

/* process_kill(proc): needs MANAGE. -ESRCH if it has exited. */
NAT_HANDLER(process_kill)
{
	struct procobj *po;
	long err = get_proc(t, (handle_t)a[0], WEFT_RIGHT_MANAGE, &po);

	if (err)
		return err;
	err = procobj_kill(po);
	kobject_put(&po->obj);
	return err;
}

/* process_status(proc, int64_t *code): needs INSPECT. -EAGAIN while alive. */
NAT_HANDLER(process_status)
{
	struct procobj *po;
	long code = 0, err = get_proc(t, (handle_t)a[0], WEFT_RIGHT_INSPECT, &po);

	if (err)
		return err;
	err = procobj_status(po, &code);
	kobject_put(&po->obj);
	if (!err && copy_to_user(a[1], &code, sizeof(int64_t)))
		err = -EFAULT;
	return err;
}

/* process_self(handle_t *out): a handle to the caller's own process with
 * WAIT | INSPECT | DUPLICATE | TRANSFER (not MANAGE: killing oneself is exit). */
NAT_HANDLER(process_self)
{
	struct procobj *po;
	handle_t h;
	long err = procobj_get(t->proc, &po);

	if (err)
		return err;
	err = handle_alloc(&t->proc->handles, &po->obj,
			   WEFT_RIGHT_WAIT | WEFT_RIGHT_INSPECT | WEFT_RIGHT_DUPLICATE |
			       WEFT_RIGHT_TRANSFER,
			   NULL, &h);
	kobject_put(&po->obj);
	return err ? err : nat_out_handle(t, a[0], h);
}
