/*
 * Physical page allocator: a binary buddy system with per-CPU single-page caches.
 *
 * pmm_pages[] has one struct page per page of RAM. A free block of 2^k pages is
 * represented by its head page (PG_FREE, order k) linked on pmm_free_area[k]; its
 * buddy is the block whose address differs only in bit (PAGE_SHIFT + k). Freeing
 * merges upwards while the buddy is a free block of the same order. Allocation
 * takes the smallest non-empty order and splits it, returning the upper halves.
 *
 * Single pages are served from a per-CPU stack (PG_PCP pages, still counted as
 * free) guarded by that CPU's own lock; it is refilled with and drained of
 * PMM_PCP_BATCH pages at a time under the buddy lock. When an allocation fails,
 * every CPU's stack is drained back into the buddy lists (where the pages can
 * coalesce) and the allocation is tried once more.
 */
#include <core/pmm.h>
#include <core/spinlock.h>
#include <core/klog.h>
#include <hal/cpu.h>

#define PMM_PCP_MAX   32
#define PMM_PCP_BATCH 16

BUILD_ASSERT(sizeof(struct page) <= 32);

struct pmm_pcp {
	struct spinlock lock;
	unsigned count;		    /* lock */
	paddr_t pages[PMM_PCP_MAX]; /* lock: PG_PCP pages, a stack */
} __attribute__((aligned(64)));

static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");
static struct list pmm_free_area[PMM_MAX_ORDER + 1]; /* pmm_lock */
static unsigned long pmm_nr_free;		     /* pmm_lock: pages on the buddy lists */
static unsigned long pmm_nr_total;		     /* set by pmm_init */
static struct pmm_pcp pmm_pcp[NCPU_MAX];

/* Immutable after pmm_init. */
static struct page *pmm_pages;
static paddr_t pmm_ram_base;
static unsigned long pmm_ram_npages;

static inline paddr_t block_bytes(unsigned order)
{
	return PAGE_SIZE << order;
}

struct page *pmm_page(paddr_t pa)
{
	if (!pmm_pages || pa < pmm_ram_base)
		return NULL;
	unsigned long idx = (pa - pmm_ram_base) >> PAGE_SHIFT;
	return idx < pmm_ram_npages ? &pmm_pages[idx] : NULL;
}

paddr_t pmm_page_pa(const struct page *pg)
{
	return pmm_ram_base + ((paddr_t)(pg - pmm_pages) << PAGE_SHIFT);
}

/* Put the block at pa on the free lists, merging with free buddies. */
static void buddy_free_locked(paddr_t pa, unsigned order)
{
	struct page *pg;

	kassert(spin_held(&pmm_lock));
	pmm_nr_free += 1UL << order;
	while (order < PMM_MAX_ORDER) {
		struct page *buddy = pmm_page(pa ^ block_bytes(order));

		if (!buddy || !(pmm_page_flags(buddy) & PG_FREE) || buddy->order != order)
			break;
		list_del(&buddy->link);
		pmm_page_clear_flags(buddy, PG_FREE);
		pa &= ~block_bytes(order);
		order++;
	}
	pg = pmm_page(pa);
	pg->order = (uint8_t)order;
	pmm_page_set_flags(pg, PG_FREE);
	list_add(&pmm_free_area[order], &pg->link);
}

/* Take a block of exactly 2^order pages off the free lists; 0 if none. */
static paddr_t buddy_alloc_locked(unsigned order)
{
	unsigned k = order;
	struct page *pg;
	paddr_t pa;

	kassert(spin_held(&pmm_lock));
	while (k <= PMM_MAX_ORDER && list_empty(&pmm_free_area[k]))
		k++;
	if (k > PMM_MAX_ORDER)
		return 0;
	pg = list_entry(list_pop(&pmm_free_area[k]), struct page, link);
	pmm_page_clear_flags(pg, PG_FREE);
	pa = pmm_page_pa(pg);
	while (k > order) {
		struct page *half;

		k--;
		half = pmm_page(pa + block_bytes(k));
		half->order = (uint8_t)k;
		pmm_page_set_flags(half, PG_FREE);
		list_add(&pmm_free_area[k], &half->link);
	}
	pmm_nr_free -= 1UL << order;
	return pa;
}

/* Move up to n pages from the buddy lists onto this CPU's stack. */
static void pcp_refill_locked(struct pmm_pcp *pcp, unsigned n)
{
	spin_lock(&pmm_lock);
	while (n-- && pcp->count < PMM_PCP_MAX) {
		paddr_t pa = buddy_alloc_locked(0);

		if (!pa)
			break;
		pmm_page_set_flags(pmm_page(pa), PG_PCP);
		pcp->pages[pcp->count++] = pa;
	}
	spin_unlock(&pmm_lock);
}

/* Move up to n pages from the CPU stack back to the buddy lists. */
static void pcp_drain_locked(struct pmm_pcp *pcp, unsigned n)
{
	spin_lock(&pmm_lock);
	while (n-- && pcp->count) {
		paddr_t pa = pcp->pages[--pcp->count];

		pmm_page_clear_flags(pmm_page(pa), PG_PCP);
		buddy_free_locked(pa, 0);
	}
	spin_unlock(&pmm_lock);
}

static void pcp_drain_all(void)
{
	for (unsigned i = 0; i < NCPU_MAX; i++) {
		spin_lock(&pmm_pcp[i].lock);
		pcp_drain_locked(&pmm_pcp[i], PMM_PCP_MAX);
		spin_unlock(&pmm_pcp[i].lock);
	}
}

static paddr_t pcp_alloc(void)
{
	unsigned long irq = hal_irq_save();
	struct pmm_pcp *pcp = &pmm_pcp[hal_cpu_id()];
	paddr_t pa = 0;

	spin_lock(&pcp->lock);
	if (!pcp->count)
		pcp_refill_locked(pcp, PMM_PCP_BATCH);
	if (pcp->count) {
		pa = pcp->pages[--pcp->count];
		pmm_page_clear_flags(pmm_page(pa), PG_PCP);
	}
	spin_unlock(&pcp->lock);
	hal_irq_restore(irq);
	return pa;
}

static void pcp_free(paddr_t pa)
{
	unsigned long irq = hal_irq_save();
	struct pmm_pcp *pcp = &pmm_pcp[hal_cpu_id()];

	spin_lock(&pcp->lock);
	if (pcp->count == PMM_PCP_MAX)
		pcp_drain_locked(pcp, PMM_PCP_BATCH);
	pmm_page_set_flags(pmm_page(pa), PG_PCP);
	pcp->pages[pcp->count++] = pa;
	spin_unlock(&pcp->lock);
	hal_irq_restore(irq);
}

static paddr_t alloc_block(unsigned order)
{
	paddr_t pa;

	if (order == 0)
		return pcp_alloc();
	spin_lock(&pmm_lock);
	pa = buddy_alloc_locked(order);
	spin_unlock(&pmm_lock);
	return pa;
}

paddr_t pmm_alloc(unsigned order)
{
	struct page *pg;
	paddr_t pa;

	if (order > PMM_MAX_ORDER)
		return 0;
	pa = alloc_block(order);
	if (!pa) {
		pcp_drain_all();
		pa = alloc_block(order);
		if (!pa)
			return 0;
	}
	pg = pmm_page(pa);
	pg->order = (uint8_t)order;
	pg->owner = NULL;
	__atomic_store_n(&pg->refcount, 1, __ATOMIC_RELAXED);
	pmm_page_set_flags(pg, PG_ALLOC);
	return pa;
}

paddr_t pmm_alloc_zeroed(unsigned order)
{
	paddr_t pa = pmm_alloc(order);

	if (pa)
		__builtin_memset(hal_pa_to_kva(pa), 0, block_bytes(order));
	return pa;
}

/* Return an allocated block whose checks have passed to the free pool. */
static void release_block(struct page *pg, unsigned order)
{
	paddr_t pa = pmm_page_pa(pg);

	pg->owner = NULL;
	pmm_page_clear_flags(pg, PG_ALLOC);
	if (order == 0) {
		pcp_free(pa);
		return;
	}
	spin_lock(&pmm_lock);
	buddy_free_locked(pa, order);
	spin_unlock(&pmm_lock);
}

/* The head page of the allocated block at pa, or a panic explaining why not. */
static struct page *alloc_head(paddr_t pa, const char *what)
{
	struct page *pg = pmm_page(pa);

	if (!pg || (pa & (PAGE_SIZE - 1)))
		panic("%s: %#lx is not a RAM page", what, (unsigned long)pa);
	if (!(pmm_page_flags(pg) & PG_ALLOC))
		panic("%s: %#lx is not an allocated block (flags %#x)", what, (unsigned long)pa,
		      pmm_page_flags(pg));
	return pg;
}

void pmm_free(paddr_t pa, unsigned order)
{
	struct page *pg = alloc_head(pa, "pmm_free");
	unsigned flags = pmm_page_flags(pg);

	if (pg->order != order)
		panic("pmm_free: %#lx has order %u, freed as order %u", (unsigned long)pa,
		      pg->order, order);
	if (flags & (PG_SLAB | PG_KMALLOC))
		panic("pmm_free: %#lx is still owned by kmem (flags %#x)", (unsigned long)pa,
		      flags);
	if (__atomic_load_n(&pg->refcount, __ATOMIC_RELAXED) != 1)
		panic("pmm_free: %#lx is shared (refcount %u)", (unsigned long)pa, pg->refcount);
	__atomic_store_n(&pg->refcount, 0, __ATOMIC_RELAXED);
	release_block(pg, order);
}

void pmm_ref(paddr_t pa)
{
	struct page *pg = alloc_head(pa, "pmm_ref");
	uint32_t old = __atomic_fetch_add(&pg->refcount, 1, __ATOMIC_RELAXED);

	kassert(old > 0 && old < UINT32_MAX);
}

void pmm_unref(paddr_t pa)
{
	struct page *pg = alloc_head(pa, "pmm_unref");
	uint32_t old = __atomic_fetch_sub(&pg->refcount, 1, __ATOMIC_ACQ_REL);

	if (old == 0)
		panic("pmm_unref: %#lx refcount underflow", (unsigned long)pa);
	if (old == 1)
		release_block(pg, pg->order);
}

unsigned pmm_refcount(paddr_t pa)
{
	struct page *pg = pmm_page(pa);

	if (!pg || !(pmm_page_flags(pg) & PG_ALLOC))
		return 0;
	return __atomic_load_n(&pg->refcount, __ATOMIC_RELAXED);
}

unsigned long pmm_free_pages(void)
{
	unsigned long n;

	spin_lock(&pmm_lock);
	n = pmm_nr_free;
	spin_unlock(&pmm_lock);
	for (unsigned i = 0; i < NCPU_MAX; i++) {
		spin_lock(&pmm_pcp[i].lock);
		n += pmm_pcp[i].count;
		spin_unlock(&pmm_pcp[i].lock);
	}
	return n;
}

unsigned long pmm_total_pages(void)
{
	return pmm_nr_total;
}

/* Hand the whole pages of [start, end) to the buddy lists. */
static void add_free_range(paddr_t start, paddr_t end)
{
	paddr_t pa = start;

	while (pa < end) {
		unsigned order = 0;

		while (order < PMM_MAX_ORDER && !(pa & (block_bytes(order + 1) - 1)) &&
		       pa + block_bytes(order + 1) <= end)
			order++;
		for (unsigned long i = 0; i < (1UL << order); i++) {
			struct page *pg = pmm_page(pa) + i;

			if (!(pmm_page_flags(pg) & PG_RESERVED))
				panic("pmm_init: free ranges overlap at %#lx",
				      (unsigned long)pmm_page_pa(pg));
			pmm_page_clear_flags(pg, PG_RESERVED);
		}
		buddy_free_locked(pa, order);
		pmm_nr_total += 1UL << order;
		pa += block_bytes(order);
	}
}

/* Clip a free range to whole pages of RAM; false if nothing is left. */
static bool clip_range(const struct pmm_range *r, paddr_t *s, paddr_t *e)
{
	paddr_t ram_end = pmm_ram_base + (pmm_ram_npages << PAGE_SHIFT);

	*s = PAGE_ROUND_UP(r->start > pmm_ram_base ? r->start : pmm_ram_base);
	*e = PAGE_ROUND_DOWN(r->end < ram_end ? r->end : ram_end);
	return *s < *e;
}

/* Find room for the page array in the first free range that can hold it. */
static paddr_t place_page_array(const struct pmm_range *free, int nfree, paddr_t bytes)
{
	paddr_t s, e;

	for (int i = 0; i < nfree; i++)
		if (clip_range(&free[i], &s, &e) && e - s >= bytes)
			return s;
	panic("pmm_init: no free range holds the %lu-byte page array", (unsigned long)bytes);
}

static void reset_state(void)
{
	for (unsigned k = 0; k <= PMM_MAX_ORDER; k++)
		list_init(&pmm_free_area[k]);
	for (unsigned i = 0; i < NCPU_MAX; i++) {
		spin_init(&pmm_pcp[i].lock, "pmm_pcp");
		pmm_pcp[i].count = 0;
	}
	pmm_nr_free = 0;
	pmm_nr_total = 0;
}

void pmm_init(paddr_t ram_base, paddr_t ram_end, const struct pmm_range *free, int nfree)
{
	paddr_t arr, arr_end, bytes, s, e;

	pmm_ram_base = PAGE_ROUND_UP(ram_base);
	kassert(PAGE_ROUND_DOWN(ram_end) > pmm_ram_base);
	pmm_ram_npages = (PAGE_ROUND_DOWN(ram_end) - pmm_ram_base) >> PAGE_SHIFT;
	bytes = PAGE_ROUND_UP(pmm_ram_npages * sizeof(struct page));
	arr = place_page_array(free, nfree, bytes);
	arr_end = arr + bytes;
	pmm_pages = hal_pa_to_kva(arr);
	__builtin_memset(pmm_pages, 0, bytes);
	for (unsigned long i = 0; i < pmm_ram_npages; i++) {
		list_init(&pmm_pages[i].link);
		pmm_pages[i].flags = PG_RESERVED;
	}
	reset_state();
	spin_lock(&pmm_lock);
	for (int i = 0; i < nfree; i++) {
		if (!clip_range(&free[i], &s, &e))
			continue;
		if (s < arr && e > arr_end) {
			add_free_range(s, arr);
			add_free_range(arr_end, e);
		} else if (s < arr) {
			add_free_range(s, e < arr ? e : arr);
		} else {
			add_free_range(s > arr_end ? s : arr_end, e);
		}
	}
	spin_unlock(&pmm_lock);
}
