/*
 * The native (capability) personality: syscalls numbered from WEFT_SYS_BASE.
 */
#ifndef NATIVE_NATIVE_H
#define NATIVE_NATIVE_H

#include <core/sched.h>

/* Run native call nr for t: the result, or -EPARKED. */
long native_syscall(struct thread *t, unsigned long nr);
/* The name of native call nr (absolute number), NULL if unknown. */
const char *native_syscall_name(unsigned long nr);
/* Processes whose calls are logged (strace=NAME), "" for none. */
extern char nat_strace_name[16];


struct proc;
/* Is p a native process (no Linux personality state)? */
bool native_proc(const struct proc *p);
/* The native halves of the trap path's upcalls (kernel/init/syscall.c): a
 * native process's last look before user mode, and its fatal faults. */
void native_before_user(struct thread *t);
long native_fault(struct thread *t, int signo, unsigned long addr);
/* The current thread of a native process ends (the last one ends the process). */
void native_thread_exit(struct thread *t);
/* Boot-time setup: publish the kernel's services in the name service. */
void native_init(void);

#endif
