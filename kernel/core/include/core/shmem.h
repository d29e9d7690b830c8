/*
 * Shared anonymous memory (mmap MAP_SHARED|MAP_ANONYMOUS): an object of
 * zero-filled pages committed on first touch, mapped through the vm pager
 * interface. Every mapping of it (the first, and fork children's copies)
 * faults in the same page for the same offset, so memory is shared without
 * populating it at mmap time.
 *
 * The object holds a reference on each page it has committed; a mapped page
 * holds its own reference through the page table. The object lives while a
 * region refers to it (shmem_pager's get/put) and frees its pages with the
 * last reference. getpage runs under vm->lock: it takes only the object's
 * own lock (a leaf) and the page allocator.
 */
#ifndef CORE_SHMEM_H
#define CORE_SHMEM_H

#include <stddef.h>
#include <core/vm.h>

struct shmem;

/* A new object of len bytes (page-rounded) with one reference, or NULL. */
struct shmem *shmem_create(size_t len);
/* Drop a reference (the caller's from shmem_create once mapped). */
void shmem_put(struct shmem *s);
/* Pages committed so far (for tests). */
unsigned long shmem_committed(const struct shmem *s);

extern const struct vm_pager_ops shmem_pager;

#endif
