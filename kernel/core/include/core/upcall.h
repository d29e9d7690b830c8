/*
 * Calls from the core's trap and scheduler paths up into the personalities.
 * Declared here, defined by the top layer (kernel/init), like xv6's syscall():
 * the core knows that syscalls and signals exist, not what they mean.
 */
#ifndef CORE_UPCALL_H
#define CORE_UPCALL_H

struct thread;

/* Run the syscall in t->tf. Returns -EPARKED if t parked or exited (the trap
 * path must not touch t again), else 0 after storing the result in a0. */
long upcall_syscall(struct thread *t);
/* t took a fault it cannot survive as is (signo: SIGSEGV, SIGILL, ...). Either
 * arranges a signal handler frame and returns 0, or ends the process and
 * returns -EPARKED. */
long upcall_user_fault(struct thread *t, int signo, unsigned long addr);
/* t's fault at addr (access VM_R/W/X) needs a page read from a disk: have
 * the fs service bring it in and park t until then (-EPARKED), after which t
 * retries the instruction; or an error if that could not be arranged. */
long upcall_fault_svc(struct thread *t, unsigned long addr, unsigned access);
/* t's park on a restartable call ("restart the syscall") was ended by a signal:
 * set its registers for -EINTR, or for a restart after the handler. */
void upcall_interrupted(struct thread *t);
/* Last look before returning to user mode (pending signals). */
void upcall_before_user(struct thread *t);

#endif
