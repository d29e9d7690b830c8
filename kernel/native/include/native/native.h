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

#endif
