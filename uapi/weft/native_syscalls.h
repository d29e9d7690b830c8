/*
 * The master list of Weft's native syscalls: X(number, name, nargs), numbers
 * relative to WEFT_SYS_BASE. The kernel's dispatch table and trace names
 * (kernel/native/nat_syscall.c) and the user-side numbers and raw stubs
 * (<weft/native.h>, user/lib/libsys) are all generated from this one list.
 * A listed call whose handler is not written yet returns -ENOSYS.
 *
 * Ranges, so that work on different objects does not collide:
 *     0 ..  15  system (statistics, debugging)
 *    16 ..  63  handles, leases, objects, processes, threads, channels,
 *               name service, file-system service
 *    64 .. 127  asyncq, timers, vmo, vmar
 */
#ifndef WEFT_NATIVE_SYSCALLS_H
#define WEFT_NATIVE_SYSCALLS_H

#define WEFT_NR_MAX 128 /* size of the dispatch table */

#define WEFT_SYSCALLS(X) WEFT_SYSCALLS_SYS(X) WEFT_SYSCALLS_OBJ(X) WEFT_SYSCALLS_ASYNC(X)

/* 0 .. 15: system */
#define WEFT_SYSCALLS_SYS(X) \
	X(0, kstat, 1)

/* 16 .. 63: handles, leases, objects, processes, threads, channels, names, files */
#define WEFT_SYSCALLS_OBJ(X)



/* 64 .. 127: asyncq, timers, vmo, vmar */
#define WEFT_SYSCALLS_ASYNC(X)

#endif
