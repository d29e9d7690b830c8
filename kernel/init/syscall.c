/*
 * The upcalls from the core's trap path (see core/upcall.h): route a syscall to
 * the native or the Linux personality by number, and user faults to the
 * Linux signal code. A native process (one with no Linux state) gets -ENOSYS
 * for every Linux call, and its faults, interruptions and exits are handled
 * by the native personality.
 */
#include <core/upcall.h>
#include <core/sched.h>
#include <native/native.h>
#include <linux/lx.h>
#include <weft/native.h>

long upcall_syscall(struct thread *t)
{
	unsigned long nr = hal_tf_sysno(&t->tf);
	long r;

	if (nr >= WEFT_SYS_BASE)
		r = native_syscall(t, nr);
	else if (native_proc(t->proc))
		r = -ENOSYS; /* a native process has no Linux personality */
	else
		r = lx_syscall(t, nr);

	if (r == -EPARKED)
		return -EPARKED;
	if (r != -EJUSTRETURN)
		hal_tf_set_ret(&t->tf, r);
	return 0;
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
