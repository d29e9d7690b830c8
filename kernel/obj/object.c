/*
 * Kernel object reference counting (model in obj/object.h). The count is
 * changed with atomics only: taking a reference needs no ordering (the caller
 * already holds one); dropping one is acquire-release, so that every write
 * made through the object by any holder happens before its destroy. Ids come from one 64-bit
 * counter and are never reused.
 */
#include <obj/object.h>
#include <core/klog.h>

BUILD_ASSERT(sizeof(struct weft_obj_info) == 32);

static uint64_t next_id = 1;

void kobject_init(struct kobject *o, const struct kobject_ops *ops)
{
	kassert(ops && ops->destroy);
	o->ops = ops;
	o->type = ops->type;
	o->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&o->refcount, 1, __ATOMIC_RELAXED);
}

void kobject_get(struct kobject *o)
{
	uint32_t old = __atomic_fetch_add(&o->refcount, 1, __ATOMIC_RELAXED);

	if (old == 0 || old == UINT32_MAX)
		panic("kobject %s %lu: get with refcount %u", o->ops->name, (unsigned long)o->id,
		      old);
}

void kobject_put(struct kobject *o)
{
	if (!o)
		return;
	/* release: our writes precede destroy; acquire: the last put sees all */
	uint32_t old = __atomic_fetch_sub(&o->refcount, 1, __ATOMIC_ACQ_REL);

	if (old == 0)
		panic("kobject %s %lu: put with refcount 0", o->ops->name, (unsigned long)o->id);
	if (old == 1)
		o->ops->destroy(o);
}

uint32_t kobject_refs(const struct kobject *o)
{
	return __atomic_load_n(&o->refcount, __ATOMIC_RELAXED);
}

void kobject_get_info(const struct kobject *o, rights_t rights, struct weft_obj_info *info)
{
	*info = (struct weft_obj_info){
	    .type = o->type,
	    .rights = rights,
	    .id = o->id,
	};
	if (o->ops->get_info)
		o->ops->get_info(o, info);
	/* the type's hook describes its protocol only */
	info->type = o->type;
	info->rights = rights;
	info->id = o->id;
	info->reserved = 0;
}
