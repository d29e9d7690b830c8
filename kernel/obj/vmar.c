/*
 * VMAR objects (model in obj/vmar.h): thin wrappers over core/vm.c that map
 * VMOs through vmo_pager, always shared (a private copy is a VMO clone). The
 * root VMAR uses the vm_space's own placement; a sub-VMAR places everything
 * inside its placeholder regions (vm_map_in_hole).
 */
#include <obj/vmar.h>
#include <core/slab.h>
#include <weft/errno.h>

static void vmar_destroy(struct kobject *o)
{
	struct vmar *r = kobject_entry(o, struct vmar, obj);

	vm_put(r->vm);
	kfree(r);
}

static const struct kobject_ops vmar_ops = {
    .type = WEFT_OBJ_VMAR,
    .name = "vmar",
    .destroy = vmar_destroy,
};

/* The placeholder of a sub-VMAR's free space: no page, no access, ever. The
 * pager object is the VMAR's id, not a pointer: nothing to count. */
static int hole_getpage(void *obj, uint64_t off, paddr_t *out)
{
	(void)obj, (void)off, (void)out;
	return -EFAULT;
}

static void hole_ref(void *obj)
{
	(void)obj;
}

static unsigned hole_max_prot(void *obj)
{
	(void)obj;
	return 0;
}

static const struct vm_pager_ops vmar_hole_pager = {
    .getpage = hole_getpage,
    .get = hole_ref,
    .put = hole_ref,
    .max_prot = hole_max_prot,
};

static struct vm_hole hole_of(const struct vmar *r)
{
	return (struct vm_hole){&vmar_hole_pager, (void *)(uintptr_t)r->obj.id, r->base, r->end,
				NULL};
}

/* For an unmap through a sub-VMAR: its free space and its own mappings (not a
 * child's, and nothing an ancestor put there after ending it). */
static bool owns(const struct vm_hole *h, const struct vm_region *reg)
{
	if (reg->pager == &vmar_hole_pager)
		return reg->pager_obj == h->obj;
	return reg->pager == &vmo_pager &&
	       vmo_mapping_owner(reg->pager_obj) == (uint64_t)(uintptr_t)h->obj;
}

static struct vmar *vmar_new(struct vm_space *vm, uaddr_t base, uaddr_t end, unsigned max_prot,
			     bool root)
{
	struct vmar *r = kzalloc(sizeof(*r));

	if (!r)
		return NULL;
	vm_get(vm);
	r->vm = vm;
	r->base = base;
	r->end = end;
	r->max_prot = max_prot;
	r->root = root;
	kobject_init(&r->obj, &vmar_ops);
	return r;
}

int vmar_create(struct vm_space *vm, struct vmar **out)
{
	*out = vmar_new(vm, 0, HAL_USER_TOP, VM_R | VM_W | VM_X, true);
	return *out ? 0 : -ENOMEM;
}

struct vmar *vmar_from_obj(struct kobject *o)
{
	if (!o || o->ops != &vmar_ops)
		return NULL;
	return kobject_entry(o, struct vmar, obj);
}

static int prot_check(unsigned prot)
{
	if (prot & ~(VM_R | VM_W | VM_X))
		return -EINVAL;
	if ((prot & VM_W) && (prot & VM_X))
		return -EPERM;
	if ((prot & VM_W) && !(prot & VM_R))
		return -EINVAL; /* no write-only pages on RISC-V */
	return 0;
}

/* Is [addr, addr+len) a page-aligned, non-empty range inside r? */
static bool inside(const struct vmar *r, uaddr_t addr, size_t len)
{
	return !(addr & (PAGE_SIZE - 1)) && len && addr >= r->base && addr < r->end &&
	       len <= r->end - addr;
}

/*
 * Put a region of len bytes (pager/obj/off, prot, vm flags: VM_SHARED for a
 * VMO) in r: at *addr exactly if specific, else where r chooses. The root VMAR takes a free hint exactly
 * (anything else moves, then -EEXIST); a sub-VMAR maps into its own hole.
 */
static int place(struct vmar *r, uaddr_t *addr, size_t len, unsigned prot, unsigned flags,
		 bool specific, const struct vm_pager_ops *pager, void *obj, uint64_t off)
{
	uaddr_t want = *addr;
	int err;

	if (specific && !inside(r, want, len))
		return -EINVAL;
	if (!r->root) {
		struct vm_hole h = hole_of(r);
		return vm_map_in_hole(r->vm, addr, len, prot, flags | (specific ? VM_FIXED : 0),
				      pager, obj, off, &h);
	}
	err = vm_map_pager(r->vm, addr, len, prot, flags, pager, obj, off);
	if (!err && specific && *addr != want) {
		vm_unmap(r->vm, *addr, len);
		err = -EEXIST;
	}
	return err;
}

int vmar_allocate(struct vmar *parent, unsigned can_map, bool specific, uaddr_t *addr, size_t len,
		  struct vmar **out)
{
	struct vmar *c;
	int err;

	len = PAGE_ROUND_UP(len);
	if (!len || (can_map & ~(VM_R | VM_W | VM_X)))
		return -EINVAL;
	if (can_map & ~parent->max_prot)
		return -EACCES;
	c = vmar_new(parent->vm, 0, 0, can_map, false);
	if (!c)
		return -ENOMEM;
	err = place(parent, addr, len, 0, 0, specific, &vmar_hole_pager,
		    (void *)(uintptr_t)c->obj.id, 0);
	if (err) {
		kobject_put(&c->obj);
		return err;
	}
	c->base = *addr;
	c->end = *addr + len;
	*out = c;
	return 0;
}

int vmar_map(struct vmar *r, struct vmo *v, uint64_t off, size_t len, unsigned prot,
	     unsigned max_prot, bool specific, uaddr_t *addr)
{
	void *m;
	int err = prot_check(prot);

	if (err)
		return err;
	if (prot & ~r->max_prot)
		return -EACCES;
	len = PAGE_ROUND_UP(len);
	if (!len || (off & (PAGE_SIZE - 1)) || off > vmo_size(v) || len > vmo_size(v) - off)
		return -EINVAL;
	if (specific && (!*addr || !uaccess_ok(*addr, len)))
		return -EINVAL;
	m = vmo_mapping_new(v, max_prot & r->max_prot, r->root ? 0 : r->obj.id);
	if (!m)
		return -ENOMEM;
	err = place(r, addr, len, prot, VM_SHARED, specific, &vmo_pager, m, off);
	vmo_mapping_put(m);
	return err;
}

int vmar_unmap(struct vmar *r, uaddr_t addr, size_t len)
{
	struct vm_hole h = hole_of(r);
	int err;

	len = PAGE_ROUND_UP(len);
	if (r->root)
		return vm_unmap(r->vm, addr, len);
	if (!inside(r, addr, len))
		return -EINVAL;
	/* back to placeholder, if all of the range is still r's */
	h.owns = owns;
	err = vm_map_in_hole(r->vm, &addr, len, 0, VM_FIXED, &vmar_hole_pager, h.obj, 0, &h);
	return err == -EEXIST ? -EACCES : err;
}

int vmar_protect(struct vmar *r, uaddr_t addr, size_t len, unsigned prot)
{
	int err = prot_check(prot);

	if (err)
		return err;
	if (prot & ~r->max_prot)
		return -EACCES;
	if (!r->root && !inside(r, addr, PAGE_ROUND_UP(len)))
		return -EINVAL;
	return vm_protect(r->vm, addr, len, prot);
}
