/*
 * Handle tables: a process's names for kernel objects.
 *
 * A table is a growable array of slots. A live slot holds a reference to its
 * object, the handle's rights, and optionally a reference to the lease the
 * handle is attached to. A handle value is (generation << 16) | slot index
 * (uapi/weft/handle.h). Generations start at 1 and grow by one each time the
 * slot is freed; a slot whose generation would pass HANDLE_GEN_MAX is retired
 * for good instead of wrapping, so within one table a handle value is never
 * issued twice and a stale handle can never name a later object. The price is
 * a bound of max * HANDLE_GEN_MAX (about 2^32) handles allocated over a
 * table's life, which is exactly what a 32-bit name space allows without reuse;
 * past it handle_alloc fails with -EMFILE. Free slots form a LIFO list.
 *
 * Every use of a handle is a decode (handle_get, or the checks inside dup,
 * replace and take) then an invoke on the object outside the table. Decode
 * errors, first match wins: -EBADF, -WEFT_EREVOKED, -WEFT_EWRONGTYPE, -EACCES.
 *
 * A handle that leaves its table (close, replace, take, the table's destroy)
 * ends the waits that came through it (kobject_cancel_via, obj/object.h):
 * handle_via names a handle for such a wait.
 *
 * Locking: t->lock guards the slot array and every field marked "lock". It is
 * a leaf: under it the table only reads lease flags and takes references
 * (atomics); object references are dropped and memory is allocated or freed
 * only after unlocking, so the object layer never runs destroy code under it.
 */
#ifndef OBJ_HANDLE_H
#define OBJ_HANDLE_H

#include <core/spinlock.h>
#include <obj/lease.h>
#include <obj/object.h>

#define HANDLE_IDX_BITS	 16
#define HANDLE_MAX_SLOTS (1u << HANDLE_IDX_BITS)
#define HANDLE_GEN_MAX	 0xffffu
#define HANDLE_MIN_SLOTS 16u /* first allocation of the array */

struct handle_slot {
	struct kobject *obj; /* reference; NULL when free or retired */
	struct lease *lease; /* reference, or NULL (live slots only) */
	union {
		rights_t rights;    /* live slot */
		uint32_t next_free; /* free slot: next index on the free list */
	};
	uint32_t gen; /* live: this handle's; free: the next one's; 0: retired */
};

struct handle_table {
	struct spinlock lock;
	struct handle_slot *slots; /* lock: cap entries, [0, used) initialised */
	uint32_t cap;		   /* lock */
	uint32_t used;		   /* lock: slots handed out at least once */
	uint32_t free;		   /* lock: free-list head, UINT32_MAX when empty */
	uint32_t count;		   /* lock: open handles */
	uint32_t max;		   /* lock: limit on cap; 0 once destroyed */
};

/* Set up an empty table that may grow to max slots (0 or more than
 * HANDLE_MAX_SLOTS means HANDLE_MAX_SLOTS). Allocates nothing. */
void handle_table_init(struct handle_table *t, uint32_t max);

/*
 * Close every handle and free the array. The table refuses new handles
 * afterwards (-EMFILE); its old handle values stay invalid. Called when no
 * other thread can use t (process exit); drops object references unlocked.
 */
void handle_table_destroy(struct handle_table *t);

/* Open handles in t. */
uint32_t handle_count(struct handle_table *t);

/*
 * New handle to obj with `rights`, attached to lease (NULL: none; a revoked
 * lease is accepted and the handle is born revoked). Takes its own references
 * to obj and lease; the caller keeps its own. 0 and *out, or -EINVAL (rights
 * outside WEFT_RIGHTS_ALL), -ENOMEM, -EMFILE (table full or values used up).
 */
int handle_alloc(struct handle_table *t, struct kobject *obj, rights_t rights, struct lease *lease,
		 handle_t *out);

/*
 * Decode h: it must be open, its lease live, its object of `type` (or
 * WEFT_OBJ_ANY) and its rights must include `need`. On success *out holds a
 * new reference the caller must kobject_put, and *rights_out (if not NULL) the
 * handle's rights.
 */
int handle_get(struct handle_table *t, handle_t h, uint32_t type, rights_t need,
	       struct kobject **out, rights_t *rights_out);

/* The kobject_via of a wait through handle h of t (obj/object.h). */
struct kobject_via handle_via(struct handle_table *t, handle_t h);

/* Close h, revoked or not. 0 or -EBADF. Drops the references unlocked. */
int handle_close(struct handle_table *t, handle_t h);

/*
 * A second handle to h's object. h needs WEFT_RIGHT_DUPLICATE (and a live
 * lease); `rights` must be a subset of h's (WEFT_RIGHTS_SAME keeps them), else
 * -EINVAL. The copy keeps h's lease; if h has none, it is attached to `lease`
 * (NULL: none); asking for a different lease than h's is -EBUSY (leases do
 * not nest). Also -ENOMEM, -EMFILE.
 */
int handle_dup(struct handle_table *t, handle_t h, rights_t rights, struct lease *lease,
	       handle_t *out);

/*
 * Replace h by a new handle to the same object with `rights` (a subset, or
 * WEFT_RIGHTS_SAME) and the same lease; h is closed on success and untouched
 * on failure. Needs no right. -EBADF, -WEFT_EREVOKED, -EINVAL, -ENOMEM, -EMFILE.
 */
int handle_replace(struct handle_table *t, handle_t h, rights_t rights, handle_t *out);

/*
 * Remove h for transfer to another table (a channel message). h needs
 * WEFT_RIGHT_TRANSFER and `need`; any type. The slot's references move to
 * the caller: *obj_out, *rights_out and *lease_out (NULL if none), to be
 * handed to handle_alloc on the receiving side and then put; the lease must
 * travel with the handle, so lease_out is required.
 */
int handle_take(struct handle_table *t, handle_t h, rights_t need, struct kobject **obj_out,
		rights_t *rights_out, struct lease **lease_out);

/* A handle in flight (a channel message, a spawn): the references it holds. */
struct handle_xfer {
	struct kobject *obj; /* reference */
	struct lease *lease; /* reference or NULL */
	rights_t rights;
};

/*
 * Take n handles out of t at once, all or nothing: each hs[i] must be open,
 * live, have WEFT_RIGHT_TRANSFER, and rights[i] (WEFT_RIGHTS_SAME or a subset
 * of its rights) gives what travels; the handles must be distinct (-EINVAL)
 * and none may name excl[0] or excl[1] (excl NULL: no such rule; a channel
 * cannot carry either of its own endpoints: -ENOTSUP). On any error nothing
 * is removed. On success out[i] holds the references; n <= HANDLE_XFER_MAX.
 * Errors: the decode errors of hs[i] (the first bad handle wins), -EINVAL,
 * -ENOTSUP.
 */
#define HANDLE_XFER_MAX 64
int handle_take_many(struct handle_table *t, const handle_t *hs, const rights_t *rights,
		     uint32_t n, const struct kobject *const *excl, struct handle_xfer *out);

/* The checks of handle_take_many without removing anything: out[i] gets new
 * references (a spawn installs them elsewhere first, then takes). */
int handle_copy_many(struct handle_table *t, const handle_t *hs, const rights_t *rights,
		     uint32_t n, struct handle_xfer *out);

/*
 * Install n handles into t, all or nothing: on success out[i] names x[i]'s
 * object with x[i]'s rights and lease (new references are taken: the caller
 * still owns x); on error (-ENOMEM, -EMFILE) nothing stays installed.
 */
int handle_install_many(struct handle_table *t, const struct handle_xfer *x, uint32_t n,
			handle_t *out);

/* Drop the references of n in-flight handles. */
void handle_xfer_put(struct handle_xfer *x, uint32_t n);

/*
 * Attach open handle h to lease l (takes a reference to l). 0 if h had no
 * lease or already had l; -EBUSY if h has another lease (-WEFT_EREVOKED if
 * that one is revoked); -EBADF.
 */
int handle_attach_lease(struct handle_table *t, handle_t h, struct lease *l);

#endif
