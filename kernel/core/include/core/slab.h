/*
 * Slab allocator for kernel objects, and kmalloc on top of it.
 *
 * A kmem_cache hands out objects of one size. Its memory comes from pmm in slabs
 * of 1..16 pages; the slab's bookkeeping lives in the struct page of its first
 * page, and every page of a slab points back to its cache (page->owner), so
 * kfree finds an object's cache from its address alone. In front of the
 * spinlock-protected slab lists, each CPU keeps a small magazine of free objects
 * per cache, used with interrupts off and no lock: the common alloc and free touch
 * only this CPU's data. Freeing an object into the wrong cache, or a pointer that
 * is not the start of an object, panics.
 *
 * kmalloc serves 16..2048 bytes from power-of-two caches and larger sizes as whole
 * page blocks from pmm. Lock order: kmem cache list lock, then a cache's lock,
 * then pmm's locks.
 */
#ifndef CORE_SLAB_H
#define CORE_SLAB_H

#include <stddef.h>

struct kmem_cache;

/*
 * Create a cache of objects of size bytes aligned to align (a power of two up to
 * PAGE_SIZE; 0 means 8). name must stay valid for the cache's lifetime (a string
 * literal). Returns NULL on a bad size/alignment or when out of memory. Caches are
 * never destroyed. Takes the cache list lock; may allocate.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align);

/* An object from c (NULL when out of memory); not zeroed / zeroed. Never sleeps. */
void *kmem_alloc(struct kmem_cache *c);
void *kmem_zalloc(struct kmem_cache *c);

/*
 * Give obj back to c. obj must be an allocated object of c: a pointer outside c's
 * slabs or not at the start of an object panics (NULL is ignored). Never sleeps.
 */
void kmem_free(struct kmem_cache *c, void *obj);

/*
 * General-purpose allocation: size rounded up to a power of two from 16 to 2048
 * (objects aligned to that size), larger sizes as page blocks (page aligned).
 * kmalloc(0) returns a 16-byte object. NULL when out of memory.
 */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/*
 * Free a kmalloc/kzalloc pointer (an object of any kmem_cache is accepted too, its
 * cache is found from its page). NULL is ignored; any other pointer panics.
 */
void kfree(void *p);

struct kmem_stat {
	const char *name;
	size_t objsize;	     /* bytes per object, after size and alignment rounding */
	unsigned long inuse; /* objects handed out */
	unsigned long total; /* objects that fit in the cache's slabs */
};

/*
 * Call fn(stat, arg) for each cache, with the cache list lock held (fn must not
 * create caches). Returns the bytes of objects in use: inuse * objsize over all
 * caches plus the page blocks of large kmallocs. Exact when nothing allocates
 * concurrently.
 */
size_t kmem_stats(void (*fn)(const struct kmem_stat *, void *), void *arg);

#endif
