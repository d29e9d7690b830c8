/*
 * Kernel objects: the common header every handle-named object embeds.
 *
 * A struct kobject sits inside its object (channel, vmo, lease, ...) and
 * carries the type, a kernel-wide unique id, a reference count and the type's
 * ops table. Whoever holds a pointer to an object holds a reference, counted
 * in refcount: a handle slot holds one, a decoded handle (handle_get) returns
 * a new one to the caller. The last kobject_put calls ops->destroy, which
 * frees the containing object. An object needing a lock keeps its own in its
 * containing struct; the header itself is only touched atomically.
 */
#ifndef OBJ_OBJECT_H
#define OBJ_OBJECT_H

#include <stddef.h>
#include <stdint.h>
#include <weft/handle.h>

struct kobject;

/* One table per object type (static const). */
struct kobject_ops {
	uint32_t type; /* WEFT_OBJ_* */
	const char *name;
	/* The last reference is gone: release everything and free the object.
	 * Called with no locks held by the object layer. Required. */
	void (*destroy)(struct kobject *o);
	/* Fill info->protocol, version and features (the rest is filled by
	 * kobject_get_info). May take the object's own lock. Optional. */
	void (*get_info)(const struct kobject *o, struct weft_obj_info *info);
};

struct kobject {
	const struct kobject_ops *ops; /* fixed at init */
	uint32_t type;		       /* ops->type, copied for the decode fast path */
	uint32_t refcount;	       /* atomic */
	uint64_t id;		       /* fixed at init */
};

/* Containing object of a kobject, like list_entry. */
#define kobject_entry(o, type, member) ((type *)((char *)(o)-offsetof(type, member)))

/* Set up o with one reference (the caller's) and a fresh id. */
void kobject_init(struct kobject *o, const struct kobject_ops *ops);

/* Take another reference; the caller must already hold one. */
void kobject_get(struct kobject *o);

/* Drop a reference; the last one destroys the object. Callers must not hold a
 * lock that the object's destroy may take. NULL is ignored. */
void kobject_put(struct kobject *o);

/* Current count, for tests and assertions only (racy by nature). */
uint32_t kobject_refs(const struct kobject *o);

/* Describe o as seen through a handle with `rights` (see struct weft_obj_info). */
void kobject_get_info(const struct kobject *o, rights_t rights, struct weft_obj_info *info);

#endif
