/*
 * VMARs: an address space as an object. A VMAR names a process's whole user
 * address space (its root VMAR; sub-regions are not implemented) and maps
 * VMOs into it, unmaps and changes protection, enforcing W^X and the rights
 * of the handles involved (the checks are in kernel/native/nat_vmar.c; this
 * layer enforces W^X and the protection bounds itself too).
 *
 * A VMAR holds a reference to its vm_space, so a handle kept after exec names
 * the old, no longer running space. Locking is the vm_space's.
 */
#ifndef OBJ_VMAR_H
#define OBJ_VMAR_H

#include <core/vm.h>
#include <obj/object.h>
#include <obj/vmo.h>

struct vmar {
	struct kobject obj;
	struct vm_space *vm; /* reference, fixed */
};

/* A root VMAR for vm (takes its own reference to vm). 0 or -ENOMEM. */
int vmar_create(struct vm_space *vm, struct vmar **out);
struct vmar *vmar_from_obj(struct kobject *o);

/*
 * Map [off, off+len) of v (off page-aligned, len rounded up to pages, inside
 * v's size) with prot (VM_R|VM_W|VM_X, never W and X together, W needs R) at
 * *addr if `specific` (which must be page-aligned and free), else where the
 * kernel chooses; the address in *addr. max_prot bounds later vmar_protect
 * calls. -EINVAL, -EPERM (W+X), -EEXIST (specific range in use), -ENOMEM.
 */
int vmar_map(struct vmar *r, struct vmo *v, uint64_t off, size_t len, unsigned prot,
	     unsigned max_prot, bool specific, uaddr_t *addr);
int vmar_unmap(struct vmar *r, uaddr_t addr, size_t len);
/* -EPERM for W+X, -EACCES beyond a mapping's max_prot, -ENOMEM for a hole. */
int vmar_protect(struct vmar *r, uaddr_t addr, size_t len, unsigned prot);

#endif
