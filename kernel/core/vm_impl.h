/*
 * Internals of the address-space code shared by vm.c and vm_resize.c (not
 * for other users: the model and the public calls are in <core/vm.h>).
 * "_locked" functions want vm->lock held.
 */
#ifndef CORE_VM_IMPL_H
#define CORE_VM_IMPL_H

#include <core/vm.h>

#define MMAP_TOP (HAL_USER_TOP - 0x10000000UL)	/* below the stack area */

/* Finish a change of page-table entries: TLB flushes, then deferred frees. */
void vm_sync(struct vm_space *vm);
/* The region holding addr, or NULL. */
struct vm_region *region_find_locked(struct vm_space *vm, uaddr_t addr);
/* Insert n into the sorted region list. */
void region_link_locked(struct vm_space *vm, struct vm_region *n);
/* A new unlinked region (NULL when out of memory). */
struct vm_region *region_new(uaddr_t start, uaddr_t end, unsigned prot, unsigned flags);
/* Let n, a part of r starting at start, use r's pager at the right offset. */
void region_share_pager(struct vm_region *n, const struct vm_region *r, uaddr_t start);
/* Apply fn to every region inside [start, end) after splitting at the edges. */
int for_range(struct vm_space *vm, uaddr_t start, uaddr_t end,
	      void (*fn)(struct vm_space *, struct vm_region *, void *), void *arg);
/* for_range's fn that unmaps and frees a region. */
void remove_region(struct vm_space *vm, struct vm_region *r, void *arg);
/* Is [addr, addr+len) a non-empty, page-aligned user range? */
bool range_ok(uaddr_t addr, size_t len);
/* Does no region overlap [start, end)? */
bool range_free_locked(struct vm_space *vm, uaddr_t start, uaddr_t end);
/* The start of a free gap of len bytes in the mmap area, or 0. */
uaddr_t find_gap_locked(struct vm_space *vm, size_t len);

#endif
