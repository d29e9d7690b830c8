/*
 * The native (capability) personality: syscalls numbered from WEFT_SYS_BASE.
 */
#ifndef NATIVE_NATIVE_H
#define NATIVE_NATIVE_H

#include <core/sched.h>

/* Run native call nr for t: the result, or -EPARKED. */
long native_syscall(struct thread *t, unsigned long nr);

#endif
