/*
 * Handles, rights and object types of the native capability ABI, shared by
 * the kernel, user space and the host build.
 *
 * A handle is a per-process 32-bit name for one kernel object. It carries the
 * index of a slot in the process's handle table (low 16 bits) and that slot's
 * generation (high 16 bits, never 0), so 0 is never a valid handle and a
 * handle value is never reused within a process: a slot whose generation is
 * used up is retired instead of wrapping (see kernel/obj/include/obj/handle.h).
 * A handle carries rights; every use names the rights it needs, and dup or
 * replace may only drop rights. A handle may be attached to a lease: once the
 * lease is revoked the handle fails every use with WEFT_EREVOKED, which is
 * distinct from the EBADF of a closed or never-valid handle.
 *
 * Errors of a handle use, checked in this order (the first that applies wins):
 *   -EBADF           the value names no open handle (closed, stale or forged)
 *   -WEFT_EREVOKED   the handle's lease was revoked
 *   -WEFT_EWRONGTYPE the object is not of the type the call works on
 *   -EACCES          the handle lacks a right the call needs
 * Asking dup/replace for rights the handle does not have, or for undefined
 * rights bits, is -EINVAL.
 */
#ifndef WEFT_HANDLE_H
#define WEFT_HANDLE_H

#include <stdint.h>
#include <weft/errno.h>

typedef uint32_t handle_t;
typedef uint32_t rights_t;

#define WEFT_HANDLE_INVALID ((handle_t)0)

/* Rights: one bit each. What a right allows is defined per object type. */
#define WEFT_RIGHT_READ	     (1u << 0) /* read data, receive messages */
#define WEFT_RIGHT_WRITE     (1u << 1) /* write data, send messages */
#define WEFT_RIGHT_EXEC	     (1u << 2) /* map executable */
#define WEFT_RIGHT_MAP	     (1u << 3) /* map into an address space */
#define WEFT_RIGHT_TRANSFER  (1u << 4) /* move the handle to another process */
#define WEFT_RIGHT_DUPLICATE (1u << 5) /* make another handle to the object */
#define WEFT_RIGHT_INSPECT   (1u << 6) /* get_info, traces, statistics */
#define WEFT_RIGHT_SIGNAL    (1u << 7) /* raise signals/events on the object */
#define WEFT_RIGHT_WAIT	     (1u << 8) /* wait on the object's state */
#define WEFT_RIGHT_MANAGE    (1u << 9) /* change the object: revoke a lease, kill a process */
#define WEFT_RIGHTS_ALL	     ((1u << 10) - 1)
/* dup/replace only: keep the rights of the source handle. */
#define WEFT_RIGHTS_SAME (1u << 31)

/* Object types (struct weft_obj_info.type). 0 means "any type" in lookups. */
#define WEFT_OBJ_ANY	     0
#define WEFT_OBJ_PROCESS     1
#define WEFT_OBJ_THREAD	     2
#define WEFT_OBJ_CHANNEL     3
#define WEFT_OBJ_ASYNCQ	     4
#define WEFT_OBJ_VMO	     5
#define WEFT_OBJ_VMAR	     6
#define WEFT_OBJ_TIMER	     7
#define WEFT_OBJ_LEASE	     8
#define WEFT_OBJ_PORT	     9
#define WEFT_OBJ_FILE	     10
#define WEFT_OBJ_DIR	     11
#define WEFT_OBJ_NAMESERVICE 12
#define WEFT_OBJ_FSSVC	     13 /* file-system service: gives root directories */
#define WEFT_OBJ_TYPE_MAX    13

/* Protocol ids (struct weft_obj_info.protocol) of the kernel's services. */
#define WEFT_PROTO_FS	   0x46530001u /* fs service, directories and files */
#define WEFT_PROTO_FS_VERSION 1

/*
 * Object signals: 32 state bits per object, observed with object_wait_one
 * (or an AsyncQ wait op). Which bits an object asserts depends on its type:
 *   channel endpoint  READABLE (a message is queued), WRITABLE (the peer's
 *                     queue has room), PEER_CLOSED (the other end is gone)
 *   process, thread   TERMINATED (it has exited)
 *   timer (nat2)      SIGNALED (fired)
 * The USER bits belong to user space: object_signal sets and clears them on
 * any object (WEFT_RIGHT_SIGNAL).
 */
#define WEFT_SIG_READABLE    (1u << 0)
#define WEFT_SIG_WRITABLE    (1u << 1)
#define WEFT_SIG_PEER_CLOSED (1u << 2)
#define WEFT_SIG_SIGNALED    (1u << 3)
#define WEFT_SIG_TERMINATED  WEFT_SIG_SIGNALED
#define WEFT_SIG_USER_ALL    (0xffu << 24)
#define WEFT_SIG_USER(n)     (1u << (24 + (n))) /* n = 0 .. 7 */

/* Deadlines are absolute monotonic nanoseconds (CLOCK_MONOTONIC on the Linux
 * side); this one never comes. */
#define WEFT_TIME_INFINITE UINT64_MAX

/*
 * Handle errors beyond uapi/weft/errno.h, with their Linux values so that a
 * Linux-personality caller prints a sensible strerror.
 */
#define WEFT_EWRONGTYPE EPROTOTYPE /* wrong object type */
#define WEFT_EREVOKED EKEYREVOKED /* the handle's lease was revoked */

/*
 * One handle to move in a channel_write or a process_spawn: the handle leaves
 * the caller's table; it arrives with `rights` (WEFT_RIGHTS_SAME, or a subset
 * of its rights) and keeps its lease. It needs WEFT_RIGHT_TRANSFER.
 */
struct weft_handle_xfer {
	handle_t handle;
	rights_t rights;
};

/* Channel limits: a message carries at most this many bytes and handles; an
 * endpoint queues at most WEFT_CHAN_MAX_MSGS (a write then fails with EAGAIN). */
#define WEFT_CHAN_MAX_BYTES   65536u
#define WEFT_CHAN_MAX_HANDLES 64u
#define WEFT_CHAN_MAX_MSGS    64u

/*
 * What get_info returns for a handle: 32 bytes, no implicit padding, the same
 * layout on every target.
 */
struct weft_obj_info {
	uint32_t type;	   /* WEFT_OBJ_* */
	uint32_t protocol; /* protocol spoken on the object, 0 for none */
	uint16_t version;  /* version of that protocol */
	uint16_t reserved; /* 0 */
	rights_t rights;   /* rights of the handle that was asked */
	uint64_t features; /* protocol-defined feature bits */
	uint64_t id;	   /* object id: unique for the kernel's lifetime */
};

#endif
