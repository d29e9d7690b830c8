/*
 * Stores that need no read-modify-write. GCC 12 compiles every
 * __atomic_store_n to an amoswap on RISC-V, which QEMU runs as a host atomic;
 * a volatile store is one plain store, and a release store is that store
 * behind a fence (the RVWMO mapping). For words other CPUs read without a
 * lock while one writer changes them.
 */
#ifndef LIB_STORE_H
#define LIB_STORE_H

#define STORE_ONCE(p, v) (*(volatile __typeof__(*(p)) *)(p) = (v))

#define STORE_RELEASE(p, v)                                                                        \
	do {                                                                                       \
		__atomic_thread_fence(__ATOMIC_RELEASE);                                           \
		STORE_ONCE(p, v);                                                                  \
	} while (0)

#endif
