/*
 * Physical memory manager: a binary buddy allocator over all of RAM.
 *
 * Every 4 KiB page of RAM has a struct page in one array, carved out of free
 * memory at boot. Free blocks of 2^order pages (order 0..PMM_MAX_ORDER) sit on
 * one free list per order under a single global lock; a freed block merges with
 * its buddy while the buddy is free too. Blocks are aligned to their size in
 * physical address space. Single pages also go through a small per-CPU stack,
 * refilled from and drained to the buddy lists in batches, so the common
 * alloc/free of one page touches only this CPU's lock. Freeing a block twice, or
 * freeing anything that is not an allocated block of that order, panics.
 *
 * Lock order: per-CPU page cache lock, then the buddy lock. The allocator never
 * calls out of this file, so callers may hold their own locks (the slab does).
 */
#ifndef CORE_PMM_H
#define CORE_PMM_H

#include <stddef.h>
#include <stdint.h>
#include <hal/mmu.h>
#include <core/list.h>

#define PMM_MAX_ORDER 10 /* blocks of 1..1024 pages */

/* struct page flags. The first group belongs to pmm.c. */
#define PG_RESERVED 0x01 /* not managed: hole, firmware, kernel image, page array */
#define PG_FREE	    0x02 /* head of a free block on a buddy list */
#define PG_PCP	    0x04 /* free single page in a per-CPU cache */
#define PG_ALLOC    0x08 /* head of an allocated block */
/* Set by the owner of an allocated block; pmm_free panics while they are set. */
#define PG_SLAB	   0x10 /* every page of a slab; owner is its kmem_cache */
#define PG_KMALLOC 0x20 /* head of a large kmalloc block */

/*
 * Metadata of one page of RAM. Fields of a free page are guarded by the buddy
 * lock (or its CPU cache's lock); those of an allocated block belong to whoever
 * allocated it. flags is read by the buddy code while the page may be allocated,
 * so it is only touched through pmm_page_flags/set/clear (atomic accesses).
 */
struct page {
	struct list link; /* buddy free list, or the slab list of its kmem_cache */
	void *owner;	  /* allocator's field: the kmem_cache of a slab page */
	union {
		uint32_t refcount; /* allocated head page: atomic reference count */
		struct {
			uint16_t inuse; /* objects handed out (cache lock) */
			uint16_t free;	/* first free object index (cache lock) */
		} slab;			/* slab head page */
	};
	uint8_t order; /* head of a free or allocated block: its order */
	uint8_t flags; /* PG_* */
	uint16_t pad;
};

/* A range of physical memory [start, end). */
struct pmm_range {
	paddr_t start, end;
};

/*
 * Set up the allocator for RAM [ram_base, ram_end). free[] lists the usable ranges
 * (RAM minus kernel image, firmware, device tree, initrd...); they are rounded
 * inwards to whole pages and must not overlap (an overlap panics). The struct page
 * array is carved out of the first free range large enough for it. Called once,
 * single-threaded, at boot, before any other pmm call; the memory must be
 * reachable through hal_pa_to_kva. Panics if no range can hold the page array.
 */
void pmm_init(paddr_t ram_base, paddr_t ram_end, const struct pmm_range *free, int nfree);

/*
 * Allocate a block of 2^order pages aligned to its size. Returns its physical
 * address, or 0 when no such block is free (or order > PMM_MAX_ORDER). The memory
 * is not zeroed; the head page has refcount 1, owner NULL and no user flags.
 * Takes the CPU cache lock and/or the buddy lock; never sleeps.
 */
paddr_t pmm_alloc(unsigned order);
/* Same as pmm_alloc, with the block zeroed. */
paddr_t pmm_alloc_zeroed(unsigned order);

/*
 * Free a block returned by pmm_alloc(order). The block must be unshared (refcount
 * 1; shared pages go through pmm_unref) and have no PG_SLAB/PG_KMALLOC flag.
 * Anything else (double free, wrong order, not a block head) panics.
 */
void pmm_free(paddr_t pa, unsigned order);

/*
 * Reference counts on allocated blocks (normally single pages), for copy-on-write
 * and shared mappings. pmm_ref panics unless pa heads an allocated block;
 * pmm_unref frees the block when the count drops to 0. Lock-free (atomics).
 */
void pmm_ref(paddr_t pa);
void pmm_unref(paddr_t pa);
unsigned pmm_refcount(paddr_t pa);

/* Metadata of the RAM page holding pa; NULL if pa is not RAM. No locking. */
struct page *pmm_page(paddr_t pa);
/* Physical address of the page pg describes. */
paddr_t pmm_page_pa(const struct page *pg);

/*
 * Free pages (buddy lists plus per-CPU caches) and pages managed in total (the
 * free ranges given to pmm_init minus the page array). Exact when no allocation
 * runs concurrently. pmm_free_pages takes every cache lock and the buddy lock.
 */
unsigned long pmm_free_pages(void);
unsigned long pmm_total_pages(void);

static inline unsigned pmm_page_flags(const struct page *pg)
{
	return __atomic_load_n(&pg->flags, __ATOMIC_RELAXED);
}

/*
 * Set or clear PG_* bits. Only the page's current owner (the buddy lock holder for
 * a free page, whoever allocated it otherwise) changes its flags, so a plain
 * load and store suffice; the accesses are atomic because others may read them.
 * (Sub-word atomic read-modify-write is not available on rv64imac.)
 */
static inline void pmm_page_set_flags(struct page *pg, unsigned f)
{
	__atomic_store_n(&pg->flags, (uint8_t)(pmm_page_flags(pg) | f), __ATOMIC_RELAXED);
}

static inline void pmm_page_clear_flags(struct page *pg, unsigned f)
{
	__atomic_store_n(&pg->flags, (uint8_t)(pmm_page_flags(pg) & ~f), __ATOMIC_RELAXED);
}

#endif
