/*
 * Handle tables (model in obj/handle.h). Each operation locks the table,
 * decodes the handle to its slot (index and generation must match a live
 * slot), checks lease, type and rights, and changes slots; references that
 * must be dropped are carried out of the critical section and put after
 * unlocking. Growing the array allocates unlocked and installs the new array
 * only if nobody grew it meanwhile; callers then redo their decode, since the
 * slot they looked at may have changed while the lock was dropped.
 *
 * Every path that takes a handle out of its table cancels the waits through
 * it (kobject_cancel_via) after unlocking, while it still holds a reference
 * to the object.
 */
#include <obj/handle.h>
#include <core/klog.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>

#define IDX_MASK (HANDLE_MAX_SLOTS - 1)
#define NO_SLOT	 UINT32_MAX

BUILD_ASSERT(sizeof(struct handle_slot) == 24);
BUILD_ASSERT(HANDLE_GEN_MAX << HANDLE_IDX_BITS >> HANDLE_IDX_BITS == HANDLE_GEN_MAX);

static handle_t handle_value(uint32_t idx, uint32_t gen)
{
	return (gen << HANDLE_IDX_BITS) | idx;
}

void handle_table_init(struct handle_table *t, uint32_t max)
{
	spin_init(&t->lock, "handle-table");
	t->slots = NULL;
	t->cap = 0;
	t->used = 0;
	t->free = NO_SLOT;
	t->count = 0;
	t->max = (max == 0 || max > HANDLE_MAX_SLOTS) ? HANDLE_MAX_SLOTS : max;
}

uint32_t handle_count(struct handle_table *t)
{
	spin_lock(&t->lock);
	uint32_t n = t->count;
	spin_unlock(&t->lock);
	return n;
}

/* The live slot h names, or NULL. */
static struct handle_slot *lookup_locked(struct handle_table *t, handle_t h)
{
	uint32_t idx = h & IDX_MASK, gen = h >> HANDLE_IDX_BITS;

	kassert(spin_held(&t->lock));
	if (gen == 0 || idx >= t->used)
		return NULL;
	struct handle_slot *s = &t->slots[idx];
	if (s->gen != gen || !s->obj)
		return NULL;
	return s;
}

/* The decode checks after lookup, in the order the ABI documents. */
static int check_locked(const struct handle_slot *s, uint32_t type, rights_t need)
{
	if (s->lease && lease_revoked(s->lease))
		return -WEFT_EREVOKED;
	if (type != WEFT_OBJ_ANY && s->obj->type != type)
		return -WEFT_EWRONGTYPE;
	if ((s->rights & need) != need)
		return -EACCES;
	return 0;
}

/* Rights for a dup/replace of a handle holding `have`, or -EINVAL. */
static int shrink_rights(rights_t have, rights_t want, rights_t *out)
{
	if (want == WEFT_RIGHTS_SAME)
		want = have;
	if (want & ~have)
		return -EINVAL;
	*out = want;
	return 0;
}

/* A free slot index, or -EAGAIN (the array must grow) or -EMFILE. */
static int slot_alloc_locked(struct handle_table *t, uint32_t *idx)
{
	if (t->free != NO_SLOT) {
		*idx = t->free;
		t->free = t->slots[*idx].next_free;
		return 0;
	}
	if (t->used < t->cap) {
		*idx = t->used++;
		t->slots[*idx] = (struct handle_slot){.gen = 1};
		return 0;
	}
	return t->cap < t->max ? -EAGAIN : -EMFILE;
}

/* Make slot idx live; the slot's references are the caller's (moved in). */
static handle_t slot_set_locked(struct handle_table *t, uint32_t idx, struct kobject *obj,
				rights_t rights, struct lease *lease)
{
	struct handle_slot *s = &t->slots[idx];

	s->obj = obj;
	s->lease = lease;
	s->rights = rights;
	t->count++;
	return handle_value(idx, s->gen);
}

/* Free a live slot (its references already moved out): bump or retire. */
static void slot_free_locked(struct handle_table *t, struct handle_slot *s)
{
	uint32_t idx = (uint32_t)(s - t->slots);

	s->obj = NULL;
	s->lease = NULL;
	t->count--;
	if (s->gen == HANDLE_GEN_MAX) {
		s->gen = 0; /* retired: no handle value names it again */
		return;
	}
	s->gen++;
	s->next_free = t->free;
	t->free = idx;
}

/* Grow the array (called unlocked). 0 if it grew here or meanwhile. */
static int table_grow(struct handle_table *t)
{
	spin_lock(&t->lock);
	uint32_t cap = t->cap, max = t->max;
	spin_unlock(&t->lock);
	if (cap >= max)
		return -EMFILE;
	uint32_t ncap = cap ? cap * 2 : HANDLE_MIN_SLOTS;
	if (ncap > max)
		ncap = max;
	struct handle_slot *n = kmalloc((size_t)ncap * sizeof(*n)), *old = n;
	if (!n)
		return -ENOMEM;
	spin_lock(&t->lock);
	if (t->cap == cap && t->max == max) {
		if (t->used)
			memcpy(n, t->slots, (size_t)t->used * sizeof(*n));
		old = t->slots;
		t->slots = n;
		t->cap = ncap;
	}
	spin_unlock(&t->lock);
	kfree(old);
	return 0;
}

/*
 * Allocate a slot with the lock held, growing the array as needed. Growing
 * drops and retakes the lock, so it returns -EAGAIN afterwards: the caller
 * must redo its decode (its slot pointers are stale) and call again. Returns
 * with the lock held in every case.
 */
static int slot_reserve_locked(struct handle_table *t, uint32_t *idx)
{
	int err = slot_alloc_locked(t, idx);

	if (err != -EAGAIN)
		return err;
	spin_unlock(&t->lock);
	err = table_grow(t);
	spin_lock(&t->lock);
	return err ? err : -EAGAIN;
}

int handle_alloc(struct handle_table *t, struct kobject *obj, rights_t rights, struct lease *lease,
		 handle_t *out)
{
	uint32_t idx = 0;
	int err;

	if (rights & ~WEFT_RIGHTS_ALL)
		return -EINVAL;
	kassert(obj);
	spin_lock(&t->lock);
	do
		err = slot_reserve_locked(t, &idx);
	while (err == -EAGAIN);
	if (!err) {
		kobject_get(obj);
		if (lease)
			kobject_get(&lease->obj);
		*out = slot_set_locked(t, idx, obj, rights, lease);
	}
	spin_unlock(&t->lock);
	return err;
}

int handle_get(struct handle_table *t, handle_t h, uint32_t type, rights_t need,
	       struct kobject **out, rights_t *rights_out)
{
	int err = -EBADF;

	spin_lock(&t->lock);
	struct handle_slot *s = lookup_locked(t, h);
	if (!s)
		goto out_unlock;
	err = check_locked(s, type, need);
	if (err)
		goto out_unlock;
	kobject_get(s->obj);
	*out = s->obj;
	if (rights_out)
		*rights_out = s->rights;
out_unlock:
	spin_unlock(&t->lock);
	return err;
}

/* kobject_via.live: is h still open in table, naming o? (a leaf lock) */
static bool via_live(void *table, uint32_t h, const struct kobject *o)
{
	struct handle_table *t = table;

	spin_lock(&t->lock);
	struct handle_slot *s = lookup_locked(t, h);
	bool live = s && s->obj == o;
	spin_unlock(&t->lock);
	return live;
}

struct kobject_via handle_via(struct handle_table *t, handle_t h)
{
	return (struct kobject_via){.table = t, .handle = h, .live = via_live};
}

int handle_close(struct handle_table *t, handle_t h)
{
	struct kobject *obj;
	struct lease *lease;

	spin_lock(&t->lock);
	struct handle_slot *s = lookup_locked(t, h);
	if (!s) {
		spin_unlock(&t->lock);
		return -EBADF;
	}
	obj = s->obj;
	lease = s->lease;
	slot_free_locked(t, s);
	spin_unlock(&t->lock);
	kobject_cancel_via(obj, t, h);
	kobject_put(obj);
	if (lease)
		kobject_put(&lease->obj);
	return 0;
}

/* Decode and validate the source of a dup: what the copy will hold. */
static int dup_check_locked(struct handle_table *t, handle_t h, rights_t want, struct lease *l,
			    struct handle_slot *copy)
{
	struct handle_slot *s = lookup_locked(t, h);

	if (!s)
		return -EBADF;
	int err = check_locked(s, WEFT_OBJ_ANY, WEFT_RIGHT_DUPLICATE);
	if (!err)
		err = shrink_rights(s->rights, want, &copy->rights);
	if (!err && s->lease && l && l != s->lease)
		err = -EBUSY;
	copy->obj = s->obj;
	copy->lease = s->lease ? s->lease : l;
	return err;
}

int handle_dup(struct handle_table *t, handle_t h, rights_t rights, struct lease *lease,
	       handle_t *out)
{
	struct handle_slot src = {0};
	uint32_t idx = 0;
	int err;

	spin_lock(&t->lock);
	do {
		err = dup_check_locked(t, h, rights, lease, &src);
		if (!err)
			err = slot_reserve_locked(t, &idx);
	} while (err == -EAGAIN);
	if (!err) {
		kobject_get(src.obj);
		if (src.lease)
			kobject_get(&src.lease->obj);
		*out = slot_set_locked(t, idx, src.obj, src.rights, src.lease);
	}
	spin_unlock(&t->lock);
	return err;
}

/* Decode and validate the source of a replace: its slot and the new rights. */
static int replace_check_locked(struct handle_table *t, handle_t h, rights_t want,
				struct handle_slot **slot, rights_t *rights)
{
	struct handle_slot *s = lookup_locked(t, h);

	if (!s)
		return -EBADF;
	int err = check_locked(s, WEFT_OBJ_ANY, 0);
	if (!err)
		err = shrink_rights(s->rights, want, rights);
	*slot = s;
	return err;
}

int handle_replace(struct handle_table *t, handle_t h, rights_t rights, handle_t *out)
{
	struct handle_slot *s = NULL;
	struct kobject *obj = NULL;
	rights_t nr = 0;
	uint32_t idx = 0;
	int err;

	spin_lock(&t->lock);
	do {
		err = replace_check_locked(t, h, rights, &s, &nr);
		if (!err)
			err = slot_reserve_locked(t, &idx);
	} while (err == -EAGAIN);
	if (!err) {
		/* the references move from the old slot to the new one */
		obj = s->obj;
		kobject_get(obj); /* for the cancel: the new handle may be closed at once */
		*out = slot_set_locked(t, idx, s->obj, nr, s->lease);
		slot_free_locked(t, s);
	}
	spin_unlock(&t->lock);
	if (obj) {
		kobject_cancel_via(obj, t, h);
		kobject_put(obj);
	}
	return err;
}

int handle_take(struct handle_table *t, handle_t h, rights_t need, struct kobject **obj_out,
		rights_t *rights_out, struct lease **lease_out)
{
	int err = -EBADF;

	kassert(lease_out);
	spin_lock(&t->lock);
	struct handle_slot *s = lookup_locked(t, h);
	if (!s)
		goto out_unlock;
	err = check_locked(s, WEFT_OBJ_ANY, need | WEFT_RIGHT_TRANSFER);
	if (err)
		goto out_unlock;
	*obj_out = s->obj;
	*rights_out = s->rights;
	*lease_out = s->lease;
	slot_free_locked(t, s);
	spin_unlock(&t->lock);
	kobject_cancel_via(*obj_out, t, h);
	return 0;
out_unlock:
	spin_unlock(&t->lock);
	return err;
}

/* Check the transfer of hs[0..n) without changing anything. */
static int take_check_locked(struct handle_table *t, const handle_t *hs, const rights_t *rights,
			     uint32_t n, const struct kobject *const *excl,
			     struct handle_xfer *out)
{
	for (uint32_t i = 0; i < n; i++) {
		struct handle_slot *s = lookup_locked(t, hs[i]);
		if (!s)
			return -EBADF;
		int err = check_locked(s, WEFT_OBJ_ANY, WEFT_RIGHT_TRANSFER);
		if (!err)
			err = shrink_rights(s->rights, rights[i], &out[i].rights);
		if (err)
			return err;
		if (excl && (s->obj == excl[0] || s->obj == excl[1]))
			return -ENOTSUP;
		for (uint32_t j = 0; j < i; j++)
			if (hs[j] == hs[i])
				return -EINVAL;
		out[i].obj = s->obj;
		out[i].lease = s->lease;
	}
	return 0;
}

int handle_take_many(struct handle_table *t, const handle_t *hs, const rights_t *rights, uint32_t n,
		     const struct kobject *const *excl, struct handle_xfer *out)
{
	int err;

	if (n > HANDLE_XFER_MAX)
		return -EINVAL;
	spin_lock(&t->lock);
	err = take_check_locked(t, hs, rights, n, excl, out);
	if (!err)
		for (uint32_t i = 0; i < n; i++) /* references move to out[i] */
			slot_free_locked(t, lookup_locked(t, hs[i]));
	spin_unlock(&t->lock);
	for (uint32_t i = 0; !err && i < n; i++)
		kobject_cancel_via(out[i].obj, t, hs[i]);
	return err;
}

int handle_copy_many(struct handle_table *t, const handle_t *hs, const rights_t *rights, uint32_t n,
		     struct handle_xfer *out)
{
	int err;

	if (n > HANDLE_XFER_MAX)
		return -EINVAL;
	spin_lock(&t->lock);
	err = take_check_locked(t, hs, rights, n, NULL, out);
	if (!err)
		for (uint32_t i = 0; i < n; i++) {
			kobject_get(out[i].obj);
			if (out[i].lease)
				kobject_get(&out[i].lease->obj);
		}
	spin_unlock(&t->lock);
	return err;
}

int handle_install_many(struct handle_table *t, const struct handle_xfer *x, uint32_t n,
			handle_t *out)
{
	for (uint32_t i = 0; i < n; i++) {
		int err = handle_alloc(t, x[i].obj, x[i].rights, x[i].lease, &out[i]);
		if (err) {
			while (i--)
				handle_close(t, out[i]);
			return err;
		}
	}
	return 0;
}

void handle_xfer_put(struct handle_xfer *x, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		kobject_put(x[i].obj);
		if (x[i].lease)
			kobject_put(&x[i].lease->obj);
	}
}

int handle_attach_lease(struct handle_table *t, handle_t h, struct lease *l)
{
	int err = -EBADF;

	spin_lock(&t->lock);
	struct handle_slot *s = lookup_locked(t, h);
	if (!s)
		goto out_unlock;
	err = 0;
	if (s->lease == l)
		goto out_unlock;
	if (s->lease) {
		err = lease_revoked(s->lease) ? -WEFT_EREVOKED : -EBUSY;
		goto out_unlock;
	}
	kobject_get(&l->obj);
	s->lease = l;
out_unlock:
	spin_unlock(&t->lock);
	return err;
}

void handle_table_destroy(struct handle_table *t)
{
	spin_lock(&t->lock);
	struct handle_slot *slots = t->slots;
	uint32_t used = t->used;
	t->slots = NULL;
	t->cap = t->used = t->count = t->max = 0;
	t->free = NO_SLOT;
	spin_unlock(&t->lock);
	for (uint32_t i = 0; i < used; i++) {
		if (slots[i].obj)
			kobject_cancel_via(slots[i].obj, t, handle_value(i, slots[i].gen));
		kobject_put(slots[i].obj);
		if (slots[i].lease)
			kobject_put(&slots[i].lease->obj);
	}
	kfree(slots);
}
