/*
 * Native calls on VMARs: root, allocate, map, unmap, protect.
 *
 * Rights: the VMAR handle needs MAP for every change, plus READ, WRITE and
 * EXEC for the protection it grants; the VMO handle needs MAP plus the same
 * protection rights (WRITE for a writable mapping, EXEC for an executable
 * one). A mapping remembers the VMO handle's protection rights, so
 * vmar_protect can never raise it beyond them. W and X together are refused
 * with -EPERM whatever the rights. vmar_allocate needs MAP plus the rights
 * of the protections the child may map with; the child's handle has those
 * rights and the rest of WEFT_VMAR_RIGHTS.
 */
#include <native/nat.h>
#include <obj/vmar.h>
#include <weft/vmo.h>

/* The rights needed to grant prot. */
static rights_t prot_rights(unsigned prot)
{
	return (prot & VM_R ? WEFT_RIGHT_READ : 0) | (prot & VM_W ? WEFT_RIGHT_WRITE : 0) |
	       (prot & VM_X ? WEFT_RIGHT_EXEC : 0);
}

/* The protection bits rights allow. */
static unsigned rights_prot(rights_t r)
{
	return (r & WEFT_RIGHT_READ ? VM_R : 0) | (r & WEFT_RIGHT_WRITE ? VM_W : 0) |
	       (r & WEFT_RIGHT_EXEC ? VM_X : 0);
}

static long get_vmar(struct thread *t, unsigned long h, rights_t need, struct vmar **r)
{
	struct kobject *o;
	long err = handle_get(&t->proc->handles, (handle_t)h, WEFT_OBJ_VMAR, need, &o, NULL);

	if (!err)
		*r = vmar_from_obj(o);
	return err;
}

/* vmar_root(handle_t *out): the caller's own address space. Only for
 * processes of the Linux personality, which can change their address space
 * with mmap anyway; a native process gets its root VMAR from its creator. */
NAT_HANDLER(vmar_root)
{
	struct vmar *r;
	handle_t h;
	long err;

	if (!t->proc->lx)
		return -EACCES;
	if (!uaccess_ok(a[0], sizeof(handle_t)))
		return -EFAULT;
	err = vmar_create(t->vm, &r);
	if (err)
		return err;
	err = handle_alloc(&t->proc->handles, &r->obj, WEFT_VMAR_RIGHTS, NULL, &h);
	kobject_put(&r->obj);
	return err ? err : nat_out_handle(t, a[0], h);
}

#define PROT_RIGHTS (WEFT_RIGHT_READ | WEFT_RIGHT_WRITE | WEFT_RIGHT_EXEC)

/* vmar_allocate(vmar, flags, addr, len, handle_t *out): a child VMAR of len
 * bytes; flags: the WEFT_VM_READ/WRITE/EXEC it may map with, and
 * WEFT_VM_SPECIFIC (exactly at addr). Its address, or -errno. */
NAT_HANDLER(vmar_allocate)
{
	unsigned flags = (unsigned)a[1], can = flags & (VM_R | VM_W | VM_X);
	struct vmar *r, *c;
	uaddr_t addr = a[2];
	handle_t h;
	long err;

	if (a[1] & ~(unsigned long)(WEFT_VM_READ | WEFT_VM_WRITE | WEFT_VM_EXEC | WEFT_VM_SPECIFIC))
		return -EINVAL;
	err = get_vmar(t, a[0], WEFT_RIGHT_MAP | prot_rights(can), &r);
	if (err)
		return err;
	if (!uaccess_ok(a[4], sizeof(handle_t)))
		err = -EFAULT;
	else
		err = vmar_allocate(r, can, flags & WEFT_VM_SPECIFIC, &addr, a[3], &c);
	kobject_put(&r->obj);
	if (err)
		return err;
	err = handle_alloc(&t->proc->handles, &c->obj,
			   (WEFT_VMAR_RIGHTS & ~PROT_RIGHTS) | prot_rights(can), NULL, &h);
	kobject_put(&c->obj);
	if (!err)
		err = nat_out_handle(t, a[4], h);
	return err ? err : (long)addr;
}

/* vmar_map(vmar, flags, addr, vmo, vmo_offset, len): the address, or -errno. */
NAT_HANDLER(vmar_map)
{
	unsigned flags = (unsigned)a[1], prot = flags & (VM_R | VM_W | VM_X);
	struct kobject *vo = NULL;
	struct vmar *r = NULL;
	rights_t vr;
	uaddr_t addr = a[2];
	long err;

	if (a[1] & ~(unsigned long)(WEFT_VM_READ | WEFT_VM_WRITE | WEFT_VM_EXEC | WEFT_VM_SPECIFIC))
		return -EINVAL;
	err = get_vmar(t, a[0], WEFT_RIGHT_MAP | prot_rights(prot), &r);
	if (!err)
		err = handle_get(&t->proc->handles, (handle_t)a[3], WEFT_OBJ_VMO,
				 WEFT_RIGHT_MAP | prot_rights(prot), &vo, &vr);
	if (!err)
		err = vmar_map(r, vmo_from_obj(vo), a[4], a[5], prot, rights_prot(vr),
			       flags & WEFT_VM_SPECIFIC, &addr);
	kobject_put(vo);
	if (r)
		kobject_put(&r->obj);
	return err ? err : (long)addr;
}

/* vmar_unmap(vmar, addr, len) */
NAT_HANDLER(vmar_unmap)
{
	struct vmar *r;
	long err = get_vmar(t, a[0], WEFT_RIGHT_MAP, &r);

	if (err)
		return err;
	err = vmar_unmap(r, a[1], a[2]);
	kobject_put(&r->obj);
	return err;
}

/* vmar_protect(vmar, addr, len, prot) */
NAT_HANDLER(vmar_protect)
{
	unsigned prot = (unsigned)a[3];
	struct vmar *r;
	long err;

	if (a[3] & ~(unsigned long)(VM_R | VM_W | VM_X))
		return -EINVAL;
	err = get_vmar(t, a[0], WEFT_RIGHT_MAP | prot_rights(prot), &r);
	if (err)
		return err;
	err = vmar_protect(r, a[1], a[2], prot);
	kobject_put(&r->obj);
	return err;
}
