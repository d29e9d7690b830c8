/*
 * VMAR objects (model in obj/vmar.h): thin wrappers over core/vm.c that map
 * VMOs through vmo_pager, always shared (a private copy is a VMO clone).
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

int vmar_create(struct vm_space *vm, struct vmar **out)
{
	struct vmar *r = kzalloc(sizeof(*r));

	if (!r)
		return -ENOMEM;
	vm_get(vm);
	r->vm = vm;
	kobject_init(&r->obj, &vmar_ops);
	*out = r;
	return 0;
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

int vmar_map(struct vmar *r, struct vmo *v, uint64_t off, size_t len, unsigned prot,
	     unsigned max_prot, bool specific, uaddr_t *addr)
{
	uaddr_t want = *addr;
	void *m;
	int err = prot_check(prot);

	if (err)
		return err;
	len = PAGE_ROUND_UP(len);
	if (!len || (off & (PAGE_SIZE - 1)) || off > vmo_size(v) || len > vmo_size(v) - off)
		return -EINVAL;
	if (specific && ((want & (PAGE_SIZE - 1)) || !want || !uaccess_ok(want, len)))
		return -EINVAL;
	m = vmo_mapping_new(v, max_prot);
	if (!m)
		return -ENOMEM;
	/* without VM_FIXED a free hint is taken exactly; anything else moves */
	err = vm_map_pager(r->vm, addr, len, prot, VM_SHARED, &vmo_pager, m, off);
	vmo_mapping_put(m);
	if (!err && specific && *addr != want) {
		vm_unmap(r->vm, *addr, len);
		err = -EEXIST;
	}
	return err;
}

int vmar_unmap(struct vmar *r, uaddr_t addr, size_t len)
{
	return vm_unmap(r->vm, addr, len);
}

int vmar_protect(struct vmar *r, uaddr_t addr, size_t len, unsigned prot)
{
	int err = prot_check(prot);

	return err ? err : vm_protect(r->vm, addr, len, prot);
}
