/*
 * The upcalls from the core's trap path (see core/upcall.h): route a syscall to
 * the native or the Linux personality by number, and user faults to the
 * Linux signal code.
 */
#include <core/upcall.h>
#include <core/sched.h>
#include <native/native.h>
#include <linux/lx.h>
#include <weft/native.h>

long upcall_syscall(struct thread *t)
{
	unsigned long nr = hal_tf_sysno(&t->tf);
	long r = nr >= WEFT_SYS_BASE ? native_syscall(t, nr) : lx_syscall(t, nr);

	if (r == -EPARKED)
		return -EPARKED;
	if (r != -EJUSTRETURN)
		hal_tf_set_ret(&t->tf, r);
	return 0;
}

long upcall_user_fault(struct thread *t, int signo, unsigned long addr)
{
	return lx_fault(t, signo, addr);
}

void upcall_interrupted(struct thread *t)
{
	lx_interrupted(t);
}

void upcall_before_user(struct thread *t)
{
	lx_before_user(t);
}
