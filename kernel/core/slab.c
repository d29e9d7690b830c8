/*
 * Slab allocator with per-CPU magazines.
 *
 * A slab is one pmm block of 2^slab_order pages cut into per_slab objects. Its
 * head page's struct page holds the slab state (objects in use, index of the first
 * free object); each free object stores the index of the next free one in its
 * first two bytes. Every page of a slab carries PG_SLAB and owner = its cache, and
 * a slab is aligned to its size, so an object's slab is found by rounding its
 * physical address down.
 *
 * Slabs with at least one free object sit on the cache's partial list (partly
 * used ones first, wholly free ones last); full slabs are on no list. At most one
 * wholly free slab is kept per cache, further ones go back to pmm.
 *
 * Each CPU has a magazine per cache: up to mag_limit free object pointers, used
 * with interrupts off and no lock. An empty magazine is refilled, and a full one
 * drained, by half its size under the cache lock. Objects in magazines count as
 * free in the statistics.
 */
#include <lib/store.h>
#include <core/slab.h>
#include <core/pmm.h>
#include <core/spinlock.h>
#include <core/list.h>
#include <core/klog.h>
#include <hal/cpu.h>
#include <hal/mmu.h>
#include <weft/errno.h>

#define KMEM_MAG_MAX	    16
#define KMEM_SLAB_MAX_ORDER 4
#define KMEM_FREE_END	    0xffff
#define KMALLOC_MIN_SHIFT   4
#define KMALLOC_MAX_SHIFT   11
#define KMALLOC_NCLASSES    (KMALLOC_MAX_SHIFT - KMALLOC_MIN_SHIFT + 1)

struct kmem_mag {
	unsigned count;		  /* owner CPU with irqs off; read by kmem_stats */
	void *objs[KMEM_MAG_MAX]; /* owner CPU with irqs off */
} __attribute__((aligned(64)));

struct kmem_cache {
	/* Immutable once set up. */
	const char *name;
	size_t objsize;
	unsigned slab_order;
	unsigned per_slab;
	unsigned mag_limit;
	struct list node; /* kmem_caches_lock: link on kmem_caches */

	struct spinlock lock;
	struct list partial;  /* lock: head pages of slabs with a free object */
	unsigned long nslabs; /* lock */
	unsigned long nfree;  /* lock: free objects in slabs (magazines not counted) */
	unsigned long nempty; /* lock: slabs with no object in use */
	struct kmem_mag mag[NCPU_MAX];
};

static struct spinlock kmem_caches_lock = SPINLOCK_INIT("kmem_caches");
static struct list kmem_caches = LIST_INIT(kmem_caches); /* kmem_caches_lock */
static int kmem_ready;					 /* set once, release/acquire */
static unsigned long kmem_large_bytes;			 /* atomic: large kmalloc pages */
static struct kmem_cache kmem_cache_cache;		 /* holds struct kmem_cache */
static struct kmem_cache kmalloc_caches[KMALLOC_NCLASSES];
static const char *const kmalloc_names[KMALLOC_NCLASSES] = {
    "kmalloc-16",  "kmalloc-32",  "kmalloc-64",	  "kmalloc-128",
    "kmalloc-256", "kmalloc-512", "kmalloc-1024", "kmalloc-2048",
};

/* ---- Cache geometry ---- */

/* Smallest slab order wasting at most 1/8 of the slab (or the largest order). */
static unsigned pick_slab_order(size_t objsize)
{
	for (unsigned order = 0; order < KMEM_SLAB_MAX_ORDER; order++) {
		size_t bytes = PAGE_SIZE << order;
		size_t per = bytes / objsize;

		if (per && (bytes - per * objsize) * 8 <= bytes)
			return order;
	}
	return KMEM_SLAB_MAX_ORDER;
}

static unsigned pick_mag_limit(size_t objsize)
{
	if (objsize <= 256)
		return KMEM_MAG_MAX;
	if (objsize <= 1024)
		return KMEM_MAG_MAX / 2;
	return objsize <= PAGE_SIZE ? 4 : 2;
}

static int cache_setup(struct kmem_cache *c, const char *name, size_t size, size_t align)
{
	size_t per;

	if (!align)
		align = 8;
	if ((align & (align - 1)) || align > PAGE_SIZE || !size ||
	    size > (PAGE_SIZE << KMEM_SLAB_MAX_ORDER))
		return -EINVAL;
	if (align < 8)
		align = 8; /* the free-list index needs an aligned u16; 8 suits any scalar */
	c->name = name;
	c->objsize = (size + align - 1) & ~(align - 1);
	c->slab_order = pick_slab_order(c->objsize);
	per = (PAGE_SIZE << c->slab_order) / c->objsize;
	c->per_slab = per < KMEM_FREE_END ? (unsigned)per : KMEM_FREE_END - 1;
	c->mag_limit = pick_mag_limit(c->objsize);
	list_init(&c->node);
	spin_init(&c->lock, name);
	list_init(&c->partial);
	c->nslabs = c->nfree = c->nempty = 0;
	for (unsigned i = 0; i < NCPU_MAX; i++)
		c->mag[i].count = 0;
	return 0;
}

/* ---- Slabs (cache lock held) ---- */

static inline size_t slab_bytes(const struct kmem_cache *c)
{
	return PAGE_SIZE << c->slab_order;
}

static inline char *slab_mem(struct page *head)
{
	return hal_pa_to_kva(pmm_page_pa(head));
}

static inline uint16_t *free_link(struct kmem_cache *c, struct page *head, unsigned idx)
{
	return (uint16_t *)(slab_mem(head) + (size_t)idx * c->objsize);
}

static bool slab_new_locked(struct kmem_cache *c)
{
	paddr_t pa = pmm_alloc(c->slab_order);
	struct page *head;

	if (!pa)
		return false;
	head = pmm_page(pa);
	for (unsigned long i = 0; i < (1UL << c->slab_order); i++) {
		head[i].owner = c;
		pmm_page_set_flags(&head[i], PG_SLAB);
	}
	for (unsigned i = 0; i < c->per_slab; i++)
		*free_link(c, head, i) = (uint16_t)(i + 1 < c->per_slab ? i + 1 : KMEM_FREE_END);
	head->slab.inuse = 0;
	head->slab.free = 0;
	list_add_tail(&c->partial, &head->link);
	c->nslabs++;
	c->nfree += c->per_slab;
	c->nempty++;
	return true;
}

static void slab_release_locked(struct kmem_cache *c, struct page *head)
{
	list_del(&head->link);
	c->nslabs--;
	c->nfree -= c->per_slab;
	for (unsigned long i = 0; i < (1UL << c->slab_order); i++) {
		pmm_page_clear_flags(&head[i], PG_SLAB);
		head[i].owner = NULL;
	}
	head->refcount = 1; /* the union held slab state; pmm expects an unshared block */
	pmm_free(pmm_page_pa(head), c->slab_order);
}

static void *slab_pop_locked(struct kmem_cache *c, struct page *head)
{
	unsigned idx = head->slab.free;
	uint16_t *obj, next;

	if (idx >= c->per_slab)
		panic("kmem %s: corrupt slab free list (index %u)", c->name, idx);
	obj = free_link(c, head, idx);
	next = *obj;
	if (next >= c->per_slab && next != KMEM_FREE_END)
		panic("kmem %s: free object %p overwritten", c->name, (void *)obj);
	if (head->slab.inuse++ == 0)
		c->nempty--;
	head->slab.free = next;
	c->nfree--;
	if (next == KMEM_FREE_END)
		list_del(&head->link); /* full: off the partial list */
	return obj;
}

static void slab_push_locked(struct kmem_cache *c, void *obj)
{
	paddr_t pa = hal_kva_to_pa(obj);
	struct page *head = pmm_page(pa & ~(paddr_t)(slab_bytes(c) - 1));
	unsigned idx = (unsigned)((pa & (slab_bytes(c) - 1)) / c->objsize);

	if (head->slab.inuse == 0)
		panic("kmem %s: double free of %p", c->name, obj);
	*(uint16_t *)obj = head->slab.free;
	if (head->slab.free == KMEM_FREE_END)
		list_add(&c->partial, &head->link);
	head->slab.free = (uint16_t)idx;
	c->nfree++;
	if (--head->slab.inuse)
		return;
	if (c->nempty) {
		slab_release_locked(c, head);
		return;
	}
	c->nempty++;
	list_del(&head->link);
	list_add_tail(&c->partial, &head->link);
}

/* ---- Magazines (irqs off, this CPU's magazine) ---- */

/* Statistics read the count from other CPUs (lib/store.h). */
static inline void mag_set_count(struct kmem_mag *m, unsigned n)
{
	STORE_ONCE(&m->count, n);
}

static void mag_refill(struct kmem_cache *c, struct kmem_mag *m)
{
	unsigned want = c->mag_limit / 2 ? c->mag_limit / 2 : 1;
	unsigned n = m->count;

	spin_lock(&c->lock);
	while (n < want) {
		if (list_empty(&c->partial) && !slab_new_locked(c))
			break;
		m->objs[n++] = slab_pop_locked(c, list_entry(c->partial.next, struct page, link));
	}
	mag_set_count(m, n);
	spin_unlock(&c->lock);
}

static void mag_drain(struct kmem_cache *c, struct kmem_mag *m)
{
	unsigned n = m->count, keep = c->mag_limit / 2;

	spin_lock(&c->lock);
	while (n > keep)
		slab_push_locked(c, m->objs[--n]);
	mag_set_count(m, n);
	spin_unlock(&c->lock);
}

/* ---- Cache API ---- */

void *kmem_alloc(struct kmem_cache *c)
{
	unsigned long irq = hal_irq_save();
	struct kmem_mag *m = &c->mag[hal_cpu_id()];
	void *obj = NULL;

	if (!m->count)
		mag_refill(c, m);
	if (m->count) {
		obj = m->objs[m->count - 1];
		mag_set_count(m, m->count - 1);
	}
	hal_irq_restore(irq);
	return obj;
}

void *kmem_zalloc(struct kmem_cache *c)
{
	void *obj = kmem_alloc(c);

	if (obj)
		__builtin_memset(obj, 0, c->objsize);
	return obj;
}

/* Panic unless obj is the start of an object in one of c's slabs. */
static void check_obj(struct kmem_cache *c, void *obj)
{
	paddr_t pa = hal_kva_to_pa(obj);
	struct page *pg = pmm_page(pa);
	size_t off = pa & (slab_bytes(c) - 1);

	if (!pg || !(pmm_page_flags(pg) & PG_SLAB) || pg->owner != c)
		panic("kmem_free: %p is not in a slab of cache %s", obj, c->name);
	if (off % c->objsize || off / c->objsize >= c->per_slab)
		panic("kmem_free: %p is not an object of cache %s", obj, c->name);
}

void kmem_free(struct kmem_cache *c, void *obj)
{
	unsigned long irq;
	struct kmem_mag *m;

	if (!obj)
		return;
	check_obj(c, obj);
	irq = hal_irq_save();
	m = &c->mag[hal_cpu_id()];
	if (m->count >= c->mag_limit)
		mag_drain(c, m);
	m->objs[m->count] = obj;
	mag_set_count(m, m->count + 1);
	hal_irq_restore(irq);
}

/* Set up the static caches the first time anyone needs the allocator. */
static void kmem_boot(void)
{
	if (__atomic_load_n(&kmem_ready, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&kmem_caches_lock);
	if (!kmem_ready) {
		kassert(
		    !cache_setup(&kmem_cache_cache, "kmem_cache", sizeof(struct kmem_cache), 64));
		list_add_tail(&kmem_caches, &kmem_cache_cache.node);
		for (unsigned i = 0; i < KMALLOC_NCLASSES; i++) {
			struct kmem_cache *c = &kmalloc_caches[i];

			kassert(
			    !cache_setup(c, kmalloc_names[i], 1UL << (KMALLOC_MIN_SHIFT + i), 0));
			list_add_tail(&kmem_caches, &c->node);
		}
		__atomic_store_n(&kmem_ready, 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&kmem_caches_lock);
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align)
{
	struct kmem_cache *c;

	kmem_boot();
	c = kmem_alloc(&kmem_cache_cache);
	if (!c)
		return NULL;
	if (cache_setup(c, name, size, align)) {
		kmem_free(&kmem_cache_cache, c);
		return NULL;
	}
	spin_lock(&kmem_caches_lock);
	list_add_tail(&kmem_caches, &c->node);
	spin_unlock(&kmem_caches_lock);
	return c;
}

/* ---- kmalloc ---- */

static void *kmalloc_large(size_t size)
{
	unsigned order = 0;
	paddr_t pa;

	while ((PAGE_SIZE << order) < size)
		if (++order > PMM_MAX_ORDER)
			return NULL;
	pa = pmm_alloc(order);
	if (!pa)
		return NULL;
	pmm_page_set_flags(pmm_page(pa), PG_KMALLOC);
	__atomic_fetch_add(&kmem_large_bytes, PAGE_SIZE << order, __ATOMIC_RELAXED);
	return hal_pa_to_kva(pa);
}

void *kmalloc(size_t size)
{
	unsigned shift = KMALLOC_MIN_SHIFT;

	if (size > (1UL << KMALLOC_MAX_SHIFT))
		return kmalloc_large(size);
	kmem_boot();
	while ((1UL << shift) < size)
		shift++;
	return kmem_alloc(&kmalloc_caches[shift - KMALLOC_MIN_SHIFT]);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		__builtin_memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	paddr_t pa;
	struct page *pg;
	unsigned flags;

	if (!p)
		return;
	pa = hal_kva_to_pa(p);
	pg = pmm_page(pa);
	flags = pg ? pmm_page_flags(pg) : 0;
	if (flags & PG_SLAB) {
		kmem_free(pg->owner, p);
		return;
	}
	if (!(flags & PG_KMALLOC) || (pa & (PAGE_SIZE - 1)))
		panic("kfree: %p was not returned by kmalloc", p);
	pmm_page_clear_flags(pg, PG_KMALLOC);
	__atomic_fetch_sub(&kmem_large_bytes, PAGE_SIZE << pg->order, __ATOMIC_RELAXED);
	pmm_free(pa, pg->order);
}

/* ---- Statistics ---- */

static void cache_stat(struct kmem_cache *c, struct kmem_stat *st)
{
	unsigned long nfree;

	spin_lock(&c->lock);
	st->total = c->nslabs * c->per_slab;
	nfree = c->nfree;
	spin_unlock(&c->lock);
	for (unsigned i = 0; i < NCPU_MAX; i++)
		nfree += __atomic_load_n(&c->mag[i].count, __ATOMIC_RELAXED);
	st->name = c->name;
	st->objsize = c->objsize;
	st->inuse = st->total > nfree ? st->total - nfree : 0;
}

size_t kmem_stats(void (*fn)(const struct kmem_stat *, void *), void *arg)
{
	size_t bytes = 0;
	struct list *it;

	kmem_boot();
	spin_lock(&kmem_caches_lock);
	for (it = kmem_caches.next; it != &kmem_caches; it = it->next) {
		struct kmem_stat st;

		cache_stat(list_entry(it, struct kmem_cache, node), &st);
		bytes += st.inuse * st.objsize;
		if (fn)
			fn(&st, arg);
	}
	spin_unlock(&kmem_caches_lock);
	return bytes + __atomic_load_n(&kmem_large_bytes, __ATOMIC_RELAXED);
}
