/*
 * VMARs: address-space regions as objects, as in Zircon. The root VMAR names
 * a process's whole user address space; vmar_allocate carves a sub-region
 * (a child VMAR) out of a VMAR, with its own "can map" protections (a subset
 * of its parent's). Mappings made through a VMAR land inside its range;
 * W^X and the rights of the handles involved are enforced (the rights checks
 * are in kernel/native/nat_vmar.c; this layer enforces W^X and the
 * protection bounds itself too).
 *
 * A sub-VMAR's range is reserved in the vm_space as placeholder regions
 * (prot 0, pager vmar_hole_pager, pager object = the VMAR's kernel-wide id;
 * core/vm.h's struct vm_hole): nothing else is placed there, a touch faults,
 * and vm_protect cannot open them. Mapping in the VMAR replaces placeholder,
 * unmapping puts placeholder back. The reservation lives as long as the
 * address space, not the VMAR object: closing the last handle leaves the
 * range reserved and its mappings in place (as in Zircon); unmapping the
 * range through the root VMAR ends it (the ended VMAR then finds no room
 * left in itself, -EEXIST / -ENOMEM, and cannot unmap what is not its own,
 * -EACCES). Each VMO mapping records the VMAR that made it (its id).
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
	uaddr_t base, end;   /* its range [base, end), fixed */
	unsigned max_prot;   /* VM_R|W|X its mappings may ever have, fixed */
	bool root;
};

/* A root VMAR for vm (takes its own reference to vm). 0 or -ENOMEM. */
int vmar_create(struct vm_space *vm, struct vmar **out);
struct vmar *vmar_from_obj(struct kobject *o);

/*
 * A child of parent covering len bytes (page-rounded) at *addr if `specific`
 * (page-aligned, inside parent, all free in it: else -EEXIST), else at a
 * place parent chooses (-ENOMEM if none). can_map (VM_R|W|X) bounds its
 * mappings and must be within parent's (-EACCES). 0, *out (one reference)
 * and *addr; -EINVAL, -ENOMEM.
 */
int vmar_allocate(struct vmar *parent, unsigned can_map, bool specific, uaddr_t *addr, size_t len,
		  struct vmar **out);

/*
 * Map [off, off+len) of v (off page-aligned, len rounded up to pages, inside
 * v's size) with prot (VM_R|VM_W|VM_X, never W and X together, W needs R,
 * within r's max_prot: else -EACCES) at *addr if `specific` (which must be
 * page-aligned, inside r and free in it), else where r chooses; the address
 * in *addr. max_prot bounds later vmar_protect calls. -EINVAL, -EPERM (W+X),
 * -EEXIST (specific range in use), -ENOMEM.
 */
int vmar_map(struct vmar *r, struct vmo *v, uint64_t off, size_t len, unsigned prot,
	     unsigned max_prot, bool specific, uaddr_t *addr);
/* Unmap [addr, addr+len) (inside r: else -EINVAL). In a sub-VMAR the range
 * must hold only r's free space and r's own mappings (else -EACCES: a
 * child's range, or what an ancestor mapped after ending r) and becomes r's
 * free space again; the check and the change happen under one lock hold. */
int vmar_unmap(struct vmar *r, uaddr_t addr, size_t len);
/* -EPERM for W+X, -EACCES beyond r's or a mapping's max_prot, -ENOMEM for a
 * hole (in a sub-VMAR, free space is such a hole: -EACCES), -EINVAL outside r. */
int vmar_protect(struct vmar *r, uaddr_t addr, size_t len, unsigned prot);

#endif
