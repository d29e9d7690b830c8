/*
 * User address spaces: a page table plus a sorted list of regions.
 *
 * Regions say what may be mapped (protection, private or shared); pages are
 * filled lazily by vm_fault (zero pages for anonymous memory, a private copy
 * for a write to a copy-on-write page). fork shares every page: private
 * writable ones become read-only in both spaces until one side writes.
 * vm->lock guards the region list, brk and the page table; it is taken on the
 * fault path and never held while calling out of this module.
 */
#ifndef CORE_VM_H
#define CORE_VM_H

#include <stdint.h>
#include <stddef.h>
#include <hal/mmu.h>
#include <core/list.h>
#include <core/spinlock.h>
#include <core/uaccess.h>

#define VM_R HAL_PROT_R
#define VM_W HAL_PROT_W
#define VM_X HAL_PROT_X

#define VM_SHARED 0x1u	/* pages shared with fork children, not copied */
#define VM_FIXED  0x2u	/* vm_map: exactly at *addr, replacing what is there */
#define VM_STACK  0x4u	/* informational: the initial stack */

/*
 * Where a region's pages come from when it is not anonymous memory: a file,
 * later a VMO. getpage returns the page holding object offset off with a
 * reference for the caller; it is called with vm->lock held, so it must not
 * sleep or take a lock that is ever held around a user copy. A pager whose
 * pages may have to be read from a disk answers -ESVC when the page is not
 * ready, and has a prefetch op, called without locks where blocking is
 * allowed, that makes it ready; vm_fault then tries again.
 */
struct vm_pager_ops {
	int (*getpage)(void *obj, uint64_t off, paddr_t *out);
	int (*prefetch)(void *obj, uint64_t off); /* optional */
	void (*get)(void *obj);
	void (*put)(void *obj);
	/* Optional: the most vm_protect may grant a region of obj (VM_R|W|X). */
	unsigned (*max_prot)(void *obj);
	/* Optional: the page at off of a VM_SHARED region is being made writable
	 * (a write fault), so it may now differ from what its owner keeps (a
	 * file's page cache tracks pages to write back so). Called under
	 * vm->lock; must not sleep. With it, such regions map pages read-only
	 * until they are written. */
	void (*dirty)(void *obj, uint64_t off);
};

struct vm_region {
	struct list link;	/* in vm->regions, by address (vm->lock) */
	uaddr_t start, end;
	unsigned prot;
	unsigned flags;
	const struct vm_pager_ops *pager;	/* NULL: anonymous zero-fill memory */
	void *pager_obj;			/* a reference held by the region */
	uint64_t pgoff;				/* object offset of start */
};

struct vm_space {
	struct spinlock lock;
	paddr_t root;			/* page table (lock) */
	struct list regions;		/* (lock) */
	uaddr_t brk_base, brk;		/* heap: [brk_base, brk) (lock) */
	unsigned long pages;		/* resident pages (lock) */
	int refs;			/* atomic */
	uint64_t id;			/* unique: a freed root's page may come back */
	struct vm_reclaim *reclaim;	/* (lock) pages unmapped, freed after the shootdown */
	bool need_sync;			/* (lock) a present entry changed: other CPUs must flush */
	struct vm_space *zombie_next;	/* dead, its table still loaded somewhere (vm.c) */
};

struct vm_space *vm_create(void);
void vm_get(struct vm_space *vm);
void vm_put(struct vm_space *vm);
/* A copy-on-write copy of vm, for fork. NULL when out of memory. */
struct vm_space *vm_clone(struct vm_space *vm);

/* Map len bytes (page-rounded) at *addr (a hint unless VM_FIXED). 0, -EINVAL, -ENOMEM.
 * With VM_SHARED the memory is a new shared anonymous object (core/shmem.h). */
int vm_map(struct vm_space *vm, uaddr_t *addr, size_t len, unsigned prot, unsigned flags);
/* vm_map backed by a pager (its object gains a reference for the region). A
 * VM_SHARED mapping maps the object's pages; a private one copies on write. */
int vm_map_pager(struct vm_space *vm, uaddr_t *addr, size_t len, unsigned prot, unsigned flags,
		 const struct vm_pager_ops *pager, void *obj, uint64_t off);

/*
 * A reserved range (a sub-VMAR, obj/vmar.h): the regions of [lo, hi) whose
 * pager and pager object are exactly (pager, obj), or, if owns is set, those
 * it accepts (called under vm->lock; it may only look at the region). Its
 * placeholder regions are ordinary inaccessible regions (prot 0), so nothing
 * else lands on them.
 */
struct vm_hole {
	const struct vm_pager_ops *pager;
	void *obj;
	uaddr_t lo, hi;
	bool (*owns)(const struct vm_hole *h, const struct vm_region *r);
};
/*
 * vm_map_pager (pager NULL: anonymous) into hole h only, replacing its
 * placeholder there: with VM_FIXED exactly at *addr, and -EEXIST unless all of
 * [*addr, *addr+len) is still hole; else at the lowest place of h with room
 * (-ENOMEM if none). The check and the map happen under one lock hold.
 */
int vm_map_in_hole(struct vm_space *vm, uaddr_t *addr, size_t len, unsigned prot, unsigned flags,
		   const struct vm_pager_ops *pager, void *obj, uint64_t off,
		   const struct vm_hole *hole);
/* Resize [old, old+old_len) to new_len, in place or (may_move) elsewhere; the
 * address in *out. 0, -EFAULT (no such mapping), -ENOMEM, -EINVAL. */
int vm_remap(struct vm_space *vm, uaddr_t old, size_t old_len, size_t new_len, bool may_move,
	     uaddr_t *out);
int vm_unmap(struct vm_space *vm, uaddr_t addr, size_t len);
/* Change the protection of [addr, addr+len): 0, -EINVAL, -ENOMEM (a hole in
 * the range), -EACCES (beyond a pager's max_prot). */
int vm_protect(struct vm_space *vm, uaddr_t addr, size_t len, unsigned prot);
/* Set the heap end (0 just queries); returns the new (or unchanged) end. */
uaddr_t vm_brk(struct vm_space *vm, uaddr_t new_end);
void vm_set_brk_base(struct vm_space *vm, uaddr_t base);

/* Resolve a fault at addr for an access of prot (VM_R, VM_W or VM_X). 0 or
 * -EFAULT/-ENOMEM, or -ESVC where the page must come from a disk and the
 * caller may not block (run it again in the fs service). */
int vm_fault(struct vm_space *vm, uaddr_t addr, unsigned access);
/* Write into a space that need not be active (exec builds the new image so). */
int vm_write(struct vm_space *vm, uaddr_t dst, const void *src, size_t n);

/* Run on vm's table (NULL: the kernel's). Flushes the TLB whenever the space
 * changes, even if a new space's root reuses a freed one's page.
 *
 * Lazy switching: the scheduler loads no table for a thread without a space
 * (a kernel thread) nor to idle, so the table of the last space stays loaded
 * and the next thread of that space switches nothing (a switch flushes the
 * whole TLB under QEMU). Kernel code never reaches user addresses through
 * satp there (SUM is off). A space's table may thus be loaded on a CPU that
 * holds no reference to it: when the space dies, its pages and regions go at
 * once, but the table itself is kept until no CPU has it loaded (vm_put
 * queues it; vm_activate frees such tables when it switches). */
void vm_activate(struct vm_space *vm);
/* Is addr inside a VM_SHARED region of vm? */
bool vm_is_shared(struct vm_space *vm, uaddr_t addr);

/* What vm_region_next tells of a region; obj carries a pager reference. */
struct vm_region_info {
	uaddr_t start, end;
	unsigned prot, flags;
	const struct vm_pager_ops *pager; /* NULL: anonymous */
	void *obj;			  /* put it with pager->put */
	uint64_t pgoff;			  /* object offset of start */
};
/* The first region of vm that ends above addr: 0, or -ENOENT if none. */
int vm_region_next(struct vm_space *vm, uaddr_t addr, struct vm_region_info *out);

#endif
