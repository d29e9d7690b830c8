/*
 * Weft's native syscalls live at numbers Linux never uses (from WEFT_SYS_BASE
 * up); Linux processes may call them too. Their list is
 * <weft/native_syscalls.h>; this header gives each one its number,
 * WEFT_SYS_<name>, and the constants of the calls.
 */
#ifndef WEFT_NATIVE_H
#define WEFT_NATIVE_H

#include <weft/native_syscalls.h>

#define WEFT_SYS_BASE 2048

#define WEFT_SYS_NUMBER_(nr, name, nargs) WEFT_SYS_##name = WEFT_SYS_BASE + (nr),
enum { WEFT_SYSCALLS(WEFT_SYS_NUMBER_) };
#undef WEFT_SYS_NUMBER_

/* weft_kstat(what): one counter of the running kernel. */
#define WEFT_KSTAT_KSTACKS    0	/* kernel stacks in use */
#define WEFT_KSTAT_FREE_PAGES 1	/* free physical pages */
#define WEFT_KSTAT_SLAB_BYTES 2	/* bytes in use in slab caches and kmalloc */
#define WEFT_KSTAT_PARKED     3	/* threads parked (blocked without a stack) */
#define WEFT_KSTAT_NCPU       4	/* CPUs online */
#define WEFT_KSTAT_PROCS      5	/* processes alive or zombie */

#endif
