/*
 * The upcalls from the core's trap path (see core/upcall.h): route a syscall to
 * the native or the Linux personality by number, and user faults to the
 * Linux signal code. A native process (one with no Linux state) gets -ENOSYS
 * for every Linux call, and its faults, interruptions and exits are handled
 * by the native personality.
 */
#include <core/upcall.h>
#include <core/sched.h>
#include <core/klog.h>
#include <core/vm.h>
#include <core/uaccess.h>
#include <native/native.h>
#include <linux/lx.h>
#include <svc/services.h>
#include <weft/native.h>

static long dispatch(struct thread *t)
{
	unsigned long nr = hal_tf_sysno(&t->tf);

	if (nr >= WEFT_SYS_BASE)
		return native_syscall(t, nr);
	if (native_proc(t->proc))
		return -ENOSYS; /* a native process has no Linux personality */
	return lx_syscall(t, nr);
}

/* A syscall that reached a disk file system (-ESVC) runs again, whole, in the
 * fs service, where it may block; its thread waits parked meanwhile. */
static long run_in_service(struct svc_req *req)
{
	struct thread *t = svc_req_thread(req);
	long r = dispatch(t);

	/* -EPARKED: the call parked t itself (sendfile into a full pipe, a FIFO
	 * open waiting for its other end); that park replaced the one for this
	 * request, and its own waker finishes the call. */
	if (r == -ESVC) {
		pr_err("svc: syscall %lu of %d/%d cannot finish in the fs service",
		       hal_tf_sysno(&t->tf), t->proc->pid, t->tid);
		r = -EIO;
	}
	return r;
}

long upcall_syscall(struct thread *t)
{
	uaccess_svc_reset();
	long r = dispatch(t);

	/* A call that made a failed copy -EFAULT may have failed only because
	 * the page is a disk file's not yet in memory: it runs again in the
	 * service too, where the page can be read in. (Copies come before a
	 * call's side effects, except results copied out at its end.) */
	if (r == -EFAULT && uaccess_svc_missed())
		r = -ESVC;
	if (r == -ESVC)
		r = svc_submit_user(&svc_fs, t, run_in_service, NULL);

	if (r == -EPARKED)
		return -EPARKED;
	if (r != -EJUSTRETURN)
		hal_tf_set_ret(&t->tf, r);
	return 0;
}

/* Fault the page in where blocking is allowed; t then retries the access
 * (a real bad access faults again and gets its signal then). */
static long fault_in_service(struct svc_req *req)
{
	struct thread *t = svc_req_thread(req);
	uintptr_t v = (uintptr_t)req->arg;

	vm_fault(t->vm, v & ~(uintptr_t)7, (unsigned)(v & 7));
	return -EJUSTRETURN;
}

long upcall_fault_svc(struct thread *t, unsigned long addr, unsigned access)
{
	return svc_submit_user(&svc_fs, t, fault_in_service,
			       (void *)((addr & ~7UL) | (access & 7)));
}

long upcall_user_fault(struct thread *t, int signo, unsigned long addr)
{
	if (native_proc(t->proc))
		return native_fault(t, signo, addr);
	return lx_fault(t, signo, addr);
}

void upcall_interrupted(struct thread *t)
{
	if (native_proc(t->proc)) {
		hal_tf_set_ret(&t->tf, -EINTR);
		return;
	}
	lx_interrupted(t);
}

void upcall_before_user(struct thread *t)
{
	if (native_proc(t->proc)) {
		native_before_user(t);
		return;
	}
	lx_before_user(t);
}
