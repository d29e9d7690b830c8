/*
 * Native lease calls (model in obj/lease.h). A new lease handle carries
 * every right that means something for a lease: WRITE lets its holder attach
 * handles (lease_attach, or handle_dup with a lease), MANAGE lets it revoke.
 * Revocation is final; the lease then asserts WEFT_SIG_SIGNALED so that
 * holders can wait for it.
 */
#include <native/nat.h>
#include <obj/lease.h>

#define LEASE_RIGHTS                                                                               \
	(WEFT_RIGHT_WRITE | WEFT_RIGHT_MANAGE | WEFT_RIGHT_TRANSFER | WEFT_RIGHT_DUPLICATE |       \
	 WEFT_RIGHT_INSPECT | WEFT_RIGHT_WAIT)

/* lease_create(handle_t *out) */
NAT_HANDLER(lease_create)
{
	struct lease *l;
	handle_t h;
	long err = lease_create(&l);

	if (err)
		return err;
	err = handle_alloc(&t->proc->handles, &l->obj, LEASE_RIGHTS, NULL, &h);
	kobject_put(&l->obj);
	return err ? err : nat_out_handle(t, a[0], h);
}

/* lease_attach(lease, h): h becomes revocable by the lease (needs WRITE on
 * the lease, nothing on h: attaching only takes power away from h). */
NAT_HANDLER(lease_attach)
{
	struct kobject *lo;
	long err = handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_LEASE, WEFT_RIGHT_WRITE,
			      &lo, NULL);

	if (err)
		return err;
	err = handle_attach_lease(&t->proc->handles, (handle_t)a[1], lease_from_obj(lo));
	kobject_put(lo);
	return err;
}

/* lease_revoke(lease): needs MANAGE. When it returns, every attached handle
 * fails on every hart (the ordering argument is in obj/lease.h). */
NAT_HANDLER(lease_revoke)
{
	struct kobject *lo;
	long err = handle_get(&t->proc->handles, (handle_t)a[0], WEFT_OBJ_LEASE, WEFT_RIGHT_MANAGE,
			      &lo, NULL);

	if (err)
		return err;
	lease_revoke(lease_from_obj(lo));
	kobject_signal(lo, 0, WEFT_SIG_SIGNALED);
	kobject_put(lo);
	return 0;
}
