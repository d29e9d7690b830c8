/*
 * Weft's native syscalls live at numbers Linux never uses (from WEFT_SYS_BASE
 * up); Linux processes may call them too. This header grows into the full
 * capability ABI; for now it has the kernel statistics call used by tests.
 */
#ifndef WEFT_NATIVE_H
#define WEFT_NATIVE_H

#define WEFT_SYS_BASE 2048

#define WEFT_SYS_KSTAT (WEFT_SYS_BASE + 0)

/* weft_kstat(what): one counter of the running kernel. */
#define WEFT_KSTAT_KSTACKS    0	/* kernel stacks in use */
#define WEFT_KSTAT_FREE_PAGES 1	/* free physical pages */
#define WEFT_KSTAT_SLAB_BYTES 2	/* bytes in use in slab caches and kmalloc */
#define WEFT_KSTAT_PARKED     3	/* threads parked (blocked without a stack) */
#define WEFT_KSTAT_NCPU       4	/* CPUs online */
#define WEFT_KSTAT_PROCS      5	/* processes alive or zombie */

#endif
