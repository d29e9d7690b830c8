/*
 * Lease objects (model and ordering argument in obj/lease.h). A lease is a
 * kobject plus one flag; it is freed when the last handle attached to it and
 * the last handle naming it are gone.
 */
#include <obj/lease.h>
#include <core/slab.h>
#include <weft/errno.h>

static void lease_destroy(struct kobject *o)
{
	kfree(kobject_entry(o, struct lease, obj));
}

static const struct kobject_ops lease_ops = {
    .type = WEFT_OBJ_LEASE,
    .name = "lease",
    .destroy = lease_destroy,
};

int lease_create(struct lease **out)
{
	struct lease *l = kzalloc(sizeof(*l));

	if (!l)
		return -ENOMEM;
	kobject_init(&l->obj, &lease_ops);
	*out = l;
	return 0;
}

void lease_revoke(struct lease *l)
{
	/* a sequentially consistent AMO (amoswap.aqrl on RISC-V): the flag is
	 * globally visible before anything this hart does after the return */
	__atomic_exchange_n(&l->revoked, 1, __ATOMIC_SEQ_CST);
}

bool lease_revoked(const struct lease *l)
{
	return __atomic_load_n(&l->revoked, __ATOMIC_ACQUIRE) != 0;
}

struct lease *lease_from_obj(struct kobject *o)
{
	if (!o || o->ops != &lease_ops)
		return NULL;
	return kobject_entry(o, struct lease, obj);
}
