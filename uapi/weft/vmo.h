/*
 * Virtual memory objects, address-space regions and timers of the native ABI:
 * the constants of their calls (numbers in <weft/native_syscalls.h>, the full
 * contract in docs/native.md).
 */
#ifndef WEFT_VMO_H
#define WEFT_VMO_H

#include <stdint.h>
#include <weft/handle.h>

/* Largest VMO (bytes); sizes are rounded up to whole pages. */
#define WEFT_VMO_MAX_SIZE (1ull << 30)

/* vmo_create options. */
#define WEFT_VMO_EXECUTABLE 0x1u /* the handle also gets WEFT_RIGHT_EXEC */

/* Rights of a new VMO handle (plus EXEC with WEFT_VMO_EXECUTABLE). */
#define WEFT_VMO_RIGHTS                                                                            \
	(WEFT_RIGHT_READ | WEFT_RIGHT_WRITE | WEFT_RIGHT_MAP | WEFT_RIGHT_DUPLICATE |              \
	 WEFT_RIGHT_TRANSFER | WEFT_RIGHT_INSPECT | WEFT_RIGHT_WAIT | WEFT_RIGHT_SIGNAL)

/* vmar_map flags (the low three bits are the protection). */
#define WEFT_VM_READ	 0x1u
#define WEFT_VM_WRITE	 0x2u
#define WEFT_VM_EXEC	 0x4u
#define WEFT_VM_SPECIFIC 0x100u /* map exactly at addr (which must be free) */

/* Rights of the root VMAR handle of a process. */
#define WEFT_VMAR_RIGHTS                                                                           \
	(WEFT_RIGHT_READ | WEFT_RIGHT_WRITE | WEFT_RIGHT_EXEC | WEFT_RIGHT_MAP |                   \
	 WEFT_RIGHT_DUPLICATE | WEFT_RIGHT_TRANSFER | WEFT_RIGHT_INSPECT)

/* Rights of a new timer handle. */
#define WEFT_TIMER_RIGHTS                                                                          \
	(WEFT_RIGHT_READ | WEFT_RIGHT_WRITE | WEFT_RIGHT_DUPLICATE | WEFT_RIGHT_TRANSFER |         \
	 WEFT_RIGHT_INSPECT | WEFT_RIGHT_WAIT | WEFT_RIGHT_SIGNAL)

#endif
