/*
 * Virtual memory objects (model, clone rules and locking in obj/vmo.h).
 *
 * Every committed page holds one pmm reference for each VMO whose table names
 * it, so pmm_refcount tells a page only this VMO knows (1) from one that is
 * also mapped, pinned by a copy in progress, or shared with a clone.
 */
#include <obj/vmo.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include <weft/vmo.h>

#define LEAF_SPAN ((uint64_t)VMO_LEAF_ENTRIES * PAGE_SIZE)

static const struct kobject_ops vmo_ops;

static void *page_kva(paddr_t pa)
{
	return hal_pa_to_kva(pa);
}

/* The table entry of page index pg, allocating its leaf if alloc; NULL when
 * pg is past the directory or (alloc) out of memory. */
static uint64_t *slot_locked(struct vmo *v, uint64_t pg, bool alloc)
{
	uint64_t d = pg / VMO_LEAF_ENTRIES;

	if (d >= v->ndir)
		return NULL;
	if (!v->dir[d]) {
		if (!alloc)
			return NULL;
		v->dir[d] = kzalloc(VMO_LEAF_ENTRIES * sizeof(uint64_t));
		if (!v->dir[d])
			return NULL;
	}
	return &v->dir[d][pg % VMO_LEAF_ENTRIES];
}

/* Make page pg present and private to v (commit it, or break its sharing). */
static int own_page_locked(struct vmo *v, uint64_t pg, paddr_t *out)
{
	uint64_t *e = slot_locked(v, pg, true);
	paddr_t pa, copy;

	if (!e)
		return -ENOMEM;
	pa = *e & ~VMO_COW;
	if (!*e) {
		pa = pmm_alloc_zeroed(0);
		if (!pa)
			return -ENOMEM;
		v->committed++;
	} else if ((*e & VMO_COW) && pmm_refcount(pa) > 1) {
		copy = pmm_alloc(0);
		if (!copy)
			return -ENOMEM;
		memcpy(page_kva(copy), page_kva(pa), PAGE_SIZE);
		pmm_unref(pa);
		pa = copy;
	}
	*e = pa;
	*out = pa;
	return 0;
}

static uint32_t dir_size(uint64_t size)
{
	return (uint32_t)((size + LEAF_SPAN - 1) / LEAF_SPAN);
}

int vmo_create(uint64_t size, struct vmo **out)
{
	struct vmo *v;

	if (size > WEFT_VMO_MAX_SIZE)
		return -EFBIG;
	v = kzalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->size = PAGE_ROUND_UP(size);
	v->ndir = dir_size(v->size);
	v->dir = kzalloc((v->ndir ? v->ndir : 1) * sizeof(uint64_t *));
	if (!v->dir) {
		kfree(v);
		return -ENOMEM;
	}
	spin_init(&v->lock, "vmo");
	kobject_init(&v->obj, &vmo_ops);
	*out = v;
	return 0;
}

/* Drop the pages of leaf d from index `from` on; free the leaf if from is 0. */
static void trim_leaf_locked(struct vmo *v, uint32_t d, unsigned from)
{
	uint64_t *leaf = v->dir[d];

	if (!leaf)
		return;
	for (unsigned i = from; i < VMO_LEAF_ENTRIES; i++) {
		if (leaf[i]) {
			pmm_unref(leaf[i] & ~VMO_COW);
			leaf[i] = 0;
			v->committed--;
		}
	}
	if (!from) {
		kfree(leaf);
		v->dir[d] = NULL;
	}
}

static void vmo_destroy(struct kobject *o)
{
	struct vmo *v = kobject_entry(o, struct vmo, obj);

	for (uint32_t d = 0; d < v->ndir; d++)
		trim_leaf_locked(v, d, 0);
	kfree(v->dir);
	kfree(v);
}

static const struct kobject_ops vmo_ops = {
    .type = WEFT_OBJ_VMO,
    .name = "vmo",
    .destroy = vmo_destroy,
};

struct vmo *vmo_from_obj(struct kobject *o)
{
	if (!o || o->ops != &vmo_ops)
		return NULL;
	return kobject_entry(o, struct vmo, obj);
}

uint64_t vmo_size(struct vmo *v)
{
	return __atomic_load_n(&v->size, __ATOMIC_RELAXED);
}

unsigned long vmo_committed(struct vmo *v)
{
	unsigned long n;

	spin_lock(&v->lock);
	n = v->committed;
	spin_unlock(&v->lock);
	return n;
}

/* Move part of one page (pa, or zeros when pa is 0 and reading). */
static int copy_part(paddr_t pa, size_t in, size_t n, bool write, bool kernel, uintptr_t buf)
{
	char *k = pa ? (char *)page_kva(pa) + in : NULL;

	if (write) {
		if (kernel)
			memcpy(k, (const void *)buf, n);
		return kernel ? 0 : copy_from_user(k, buf, n);
	}
	if (kernel) {
		if (k)
			memcpy((void *)buf, k, n);
		else
			memset((void *)buf, 0, n);
		return 0;
	}
	return k ? copy_to_user(buf, k, n) : clear_user(buf, n);
}

/* Pin the page a read or write of [off, off+n) needs: 0 and *pa (0 for an
 * uncommitted page on a read), with a reference the caller drops. */
static int pin_page(struct vmo *v, uint64_t off, size_t n, bool write, paddr_t *pa)
{
	int err = 0;
	uint64_t *e;

	*pa = 0;
	spin_lock(&v->lock);
	if (off + n > v->size) {
		err = -EINVAL;
	} else if (write) {
		err = own_page_locked(v, off / PAGE_SIZE, pa);
	} else {
		e = slot_locked(v, off / PAGE_SIZE, false);
		if (e && *e)
			*pa = *e & ~VMO_COW;
	}
	if (*pa)
		pmm_ref(*pa);
	spin_unlock(&v->lock);
	return err;
}

static int vmo_rw(struct vmo *v, uint64_t off, uintptr_t buf, size_t len, bool write, bool kernel)
{
	if (off > vmo_size(v) || len > vmo_size(v) - off)
		return -EINVAL;
	while (len) {
		size_t in = off & (PAGE_SIZE - 1);
		size_t n = PAGE_SIZE - in < len ? PAGE_SIZE - in : len;
		paddr_t pa;
		int err = pin_page(v, off, n, write, &pa);

		if (!err)
			err = copy_part(pa, in, n, write, kernel, buf);
		if (pa)
			pmm_unref(pa);
		if (err)
			return err;
		off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int vmo_read(struct vmo *v, uint64_t off, uaddr_t buf, size_t len)
{
	return vmo_rw(v, off, buf, len, false, false);
}

int vmo_write(struct vmo *v, uint64_t off, uaddr_t buf, size_t len)
{
	return vmo_rw(v, off, buf, len, true, false);
}

int vmo_read_kernel(struct vmo *v, uint64_t off, void *buf, size_t len)
{
	return vmo_rw(v, off, (uintptr_t)buf, len, false, true);
}

int vmo_write_kernel(struct vmo *v, uint64_t off, const void *buf, size_t len)
{
	return vmo_rw(v, off, (uintptr_t)buf, len, true, true);
}

/* A bigger directory for size bytes (growing only). */
static int grow_dir_locked(struct vmo *v, uint64_t size)
{
	uint32_t n = dir_size(size);
	uint64_t **dir;

	if (n <= v->ndir)
		return 0;
	dir = kzalloc(n * sizeof(uint64_t *));
	if (!dir)
		return -ENOMEM;
	memcpy(dir, v->dir, v->ndir * sizeof(uint64_t *));
	kfree(v->dir);
	v->dir = dir;
	v->ndir = n;
	return 0;
}

static void shrink_locked(struct vmo *v, uint64_t size)
{
	uint64_t first = size / PAGE_SIZE; /* first page to drop */
	uint32_t d = (uint32_t)(first / VMO_LEAF_ENTRIES);

	if (d < v->ndir && first % VMO_LEAF_ENTRIES) {
		trim_leaf_locked(v, d, first % VMO_LEAF_ENTRIES);
		d++;
	}
	for (; d < v->ndir; d++)
		trim_leaf_locked(v, d, 0);
	v->ndir = dir_size(size);
}

int vmo_set_size(struct vmo *v, uint64_t size)
{
	int err = 0;

	if (size > WEFT_VMO_MAX_SIZE)
		return -EFBIG;
	size = PAGE_ROUND_UP(size);
	spin_lock(&v->lock);
	if (size < v->size && __atomic_load_n(&v->maps, __ATOMIC_ACQUIRE))
		err = -EBUSY;
	else if (size > v->size)
		err = grow_dir_locked(v, size);
	else
		shrink_locked(v, size);
	if (!err)
		__atomic_store_n(&v->size, size, __ATOMIC_RELAXED);
	spin_unlock(&v->lock);
	return err;
}

/* Give clone c page pg, the counterpart of v's entry e (see obj/vmo.h). */
static int clone_page_locked(struct vmo *v, uint64_t *e, struct vmo *c, uint64_t pg)
{
	uint64_t *ce = slot_locked(c, pg, true);
	paddr_t pa = *e & ~VMO_COW, copy;

	(void)v;
	if (!ce)
		return -ENOMEM;
	if ((*e & VMO_COW) || pmm_refcount(pa) == 1) {
		*e = pa | VMO_COW;
		pmm_ref(pa);
		*ce = pa | VMO_COW;
	} else {
		copy = pmm_alloc(0);
		if (!copy)
			return -ENOMEM;
		memcpy(page_kva(copy), page_kva(pa), PAGE_SIZE);
		*ce = copy;
	}
	c->committed++;
	return 0;
}

int vmo_clone(struct vmo *v, uint64_t off, uint64_t size, struct vmo **out)
{
	struct vmo *c;
	int err;

	if (off & (PAGE_SIZE - 1) || off > WEFT_VMO_MAX_SIZE)
		return -EINVAL;
	err = vmo_create(size, &c);
	if (err)
		return err;
	spin_lock(&v->lock);
	for (uint64_t pg = 0; !err && pg < c->size / PAGE_SIZE; pg++) {
		uint64_t src = off / PAGE_SIZE + pg;
		uint64_t *e;

		if (src >= v->size / PAGE_SIZE)
			break;
		if (!v->dir[src / VMO_LEAF_ENTRIES]) {
			pg +=
			    VMO_LEAF_ENTRIES - 1 - src % VMO_LEAF_ENTRIES; /* skip the empty leaf */
			continue;
		}
		e = slot_locked(v, src, false);
		if (*e)
			err = clone_page_locked(v, e, c, pg);
	}
	spin_unlock(&v->lock);
	if (err) {
		kobject_put(&c->obj);
		return err;
	}
	*out = c;
	return 0;
}

/* ---- the pager of VMO-backed regions ---- */

static int vmo_getpage(void *obj, uint64_t off, paddr_t *out)
{
	struct vmo *v = obj;
	int err = -EFAULT;

	spin_lock(&v->lock);
	if (off < v->size)
		err = own_page_locked(v, off / PAGE_SIZE, out);
	if (!err)
		pmm_ref(*out);
	spin_unlock(&v->lock);
	return err;
}

/*
 * A region's pager object is a mapping record, not the VMO itself: it pins
 * the VMO, counts as one of its mappings, and remembers the most the region
 * may ever allow (the rights of the handle it was mapped with), which
 * vm_protect consults through max_prot.
 */
struct vmo_mapping {
	int refs; /* atomic: the creator's, then one per region */
	struct vmo *v;
	unsigned max_prot;
	uint64_t owner; /* the VMAR's id, 0: a root VMAR */
};

static void vmo_map_get(void *obj)
{
	struct vmo_mapping *m = obj;

	__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
}

static void vmo_map_put(void *obj)
{
	struct vmo_mapping *m = obj;

	if (__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL))
		return;
	__atomic_sub_fetch(&m->v->maps, 1, __ATOMIC_ACQ_REL);
	kobject_put(&m->v->obj);
	kfree(m);
}

static int vmo_map_getpage(void *obj, uint64_t off, paddr_t *out)
{
	return vmo_getpage(((struct vmo_mapping *)obj)->v, off, out);
}

static unsigned vmo_map_max_prot(void *obj)
{
	return ((struct vmo_mapping *)obj)->max_prot;
}

const struct vm_pager_ops vmo_pager = {
    .getpage = vmo_map_getpage,
    .get = vmo_map_get,
    .put = vmo_map_put,
    .max_prot = vmo_map_max_prot,
};

void *vmo_mapping_new(struct vmo *v, unsigned max_prot, uint64_t owner)
{
	struct vmo_mapping *m = kmalloc(sizeof(*m));

	if (!m)
		return NULL;
	m->refs = 1;
	m->v = v;
	m->max_prot = max_prot;
	m->owner = owner;
	kobject_get(&v->obj);
	__atomic_add_fetch(&v->maps, 1, __ATOMIC_ACQ_REL);
	return m;
}

void vmo_mapping_put(void *m)
{
	vmo_map_put(m);
}

uint64_t vmo_mapping_owner(const void *m)
{
	return ((const struct vmo_mapping *)m)->owner;
}
