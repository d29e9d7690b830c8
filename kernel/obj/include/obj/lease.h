/*
 * Leases: revocation for handles.
 *
 * A lease is an object (WEFT_OBJ_LEASE) that handles may be attached to, at
 * handle_alloc, at handle_dup, or later with handle_attach_lease. Revoking the
 * lease makes every attached handle, in every process, fail each later use
 * with -WEFT_EREVOKED; closing such a handle still works. Revocation is one
 * atomic flag that only ever goes from 0 to 1, so it needs no lock and never
 * waits, and the lease does not track its handles: each handle slot holds a
 * reference to its lease and checks the flag on every decode.
 *
 * Ordering argument: lease_revoke sets the flag with a sequentially consistent
 * atomic exchange (a full barrier); handle_get loads it with acquire ordering while
 * holding the handle table's lock, which pins the slot (and the slot's
 * reference pins the lease, so no RCU is needed). Any decode that begins after
 * lease_revoke has returned (ordered after it by any synchronization, or by
 * real time on RISC-V's multi-copy-atomic memory model) therefore sees the
 * flag. A use that decoded before the revoke keeps the object reference it got
 * and finishes, exactly as with a concurrent close.
 *
 * Leases do not nest: a handle has at most one lease, and dup or transfer
 * keeps it (the copy stays revocable). A lease attached to a handle is never
 * replaced, which is what stops a holder from escaping revocation.
 */
#ifndef OBJ_LEASE_H
#define OBJ_LEASE_H

#include <stdbool.h>
#include <obj/object.h>

struct lease {
	struct kobject obj;
	int revoked; /* atomic: 0 live, 1 revoked (never goes back) */
};

/* A new live lease with one reference (the caller's) in *out. 0 or -ENOMEM. */
int lease_create(struct lease **out);

/* Revoke l: every handle attached to it fails from now on. Idempotent, never
 * blocks, takes no lock. */
void lease_revoke(struct lease *l);

/* Has l been revoked? (acquire load) */
bool lease_revoked(const struct lease *l);

/* The lease containing o, or NULL if o is not a lease. */
struct lease *lease_from_obj(struct kobject *o);

#endif
