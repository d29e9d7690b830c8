/*
 * User address spaces (model in vm.h).
 *
 * Regions are kept in a sorted list; the page table is the only record of
 * which pages exist. Every mapped user page is an order-0 pmm page with a
 * reference count: one per page-table entry that maps it. A private page whose
 * count is above one is mapped read-only and copied on the first write
 * (copy-on-write); when its count is one the write fault just restores W.
 * TLB shootdown: processes are single-threaded for now, so a local flush
 * suffices; multi-threaded spaces will need an IPI broadcast here.
 */
#include <core/vm.h>
#include <core/shmem.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/klog.h>
#include <core/sched.h>
#include <weft/errno.h>
#include "vm_impl.h"

static uint64_t next_id;

static int fault_locked(struct vm_space *vm, struct vm_region *r, uaddr_t va, bool write);
static void region_free(struct vm_region *r);

struct vm_space *vm_create(void)
{
	struct vm_space *vm = kzalloc(sizeof(*vm));

	if (!vm)
		return NULL;
	vm->root = hal_pt_new();
	if (!vm->root) {
		kfree(vm);
		return NULL;
	}
	spin_init(&vm->lock, "vm");
	list_init(&vm->regions);
	vm->refs = 1;
	vm->id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);
	return vm;
}

void vm_get(struct vm_space *vm)
{
	__atomic_add_fetch(&vm->refs, 1, __ATOMIC_RELAXED);
}

/*
 * Pages unmapped while other CPUs may still hold translations for them are not
 * freed at once: they wait in vm->reclaim until vm_sync has flushed every CPU
 * that runs this space (sched_tlb_shootdown).
 */
#define RECLAIM_PER_CHUNK 254

struct vm_reclaim {
	struct vm_reclaim *next;
	unsigned n;
	paddr_t pa[RECLAIM_PER_CHUNK];
};

static void defer_unref_locked(struct vm_space *vm, paddr_t pa)
{
	struct vm_reclaim *r = vm->reclaim;

	vm->need_sync = true;
	if (!r || r->n == RECLAIM_PER_CHUNK) {
		r = kmalloc(sizeof(*r));
		if (!r) {
			pmm_unref(pa);	/* out of memory: free now (a tiny window) */
			return;
		}
		r->n = 0;
		r->next = vm->reclaim;
		vm->reclaim = r;
	}
	r->pa[r->n++] = pa;
}

/* After changing present entries: make every CPU forget the old ones, then free
 * the pages they pointed to. Call with no spinlock held. */
void vm_sync(struct vm_space *vm)
{
	struct vm_reclaim *r, *next;
	bool need;

	if (!__atomic_load_n(&vm->need_sync, __ATOMIC_RELAXED))
		return;	/* nothing changed: the common fault path ends here */
	spin_lock(&vm->lock);
	r = vm->reclaim;
	vm->reclaim = NULL;
	need = vm->need_sync;
	vm->need_sync = false;
	spin_unlock(&vm->lock);
	if (!need)
		return;
	hal_tlb_flush_all();
	sched_tlb_shootdown(vm->id);
	for (; r; r = next) {
		next = r->next;
		for (unsigned i = 0; i < r->n; i++)
			pmm_unref(r->pa[i]);
		kfree(r);
	}
}

static void drop_pte(pte_t *pte, vaddr_t va, void *arg)
{
	struct vm_space *vm = arg;

	(void)va;
	defer_unref_locked(vm, hal_pte_pa(*pte));
	*pte = 0;
	vm->pages--;
}

/* vm_put's teardown: no other thread can use the space any more. */
static void free_pte(pte_t *pte, vaddr_t va, void *arg)
{
	struct vm_space *vm = arg;

	(void)va;
	pmm_unref(hal_pte_pa(*pte));
	*pte = 0;
	vm->pages--;
}

/*
 * Dead spaces whose table some CPU still has loaded (lazy switching, see
 * vm.h). Nobody can load a dead space again, so once no CPU shows its id it
 * can go; any CPU that switches tables looks (vm_activate).
 */
static struct spinlock zombie_lock = SPINLOCK_INIT("vm-zombies");
static struct vm_space *zombies; /* zombie_lock */
static unsigned nzombies;	 /* atomic: read without the lock */

static bool loaded_anywhere(uint64_t id)
{
	for (unsigned i = 0; i < ncpu_online; i++)
		if (__atomic_load_n(&cpus[i].vm_id, __ATOMIC_SEQ_CST) == id)
			return true;
	return false;
}

static void free_table(struct vm_space *vm)
{
	/* Pairs with vm_activate, which publishes vm_id before it switches. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (loaded_anywhere(vm->id)) {
		spin_lock(&zombie_lock);
		vm->zombie_next = zombies;
		zombies = vm;
		__atomic_add_fetch(&nzombies, 1, __ATOMIC_RELEASE);
		spin_unlock(&zombie_lock);
		return;
	}
	hal_pt_free(vm->root);
	kfree(vm);
}

/* Free the dead tables no CPU has loaded any more. Any context. */
static void reap_zombies(void)
{
	struct vm_space *done = NULL, **pp;

	if (!__atomic_load_n(&nzombies, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&zombie_lock);
	for (pp = &zombies; *pp;) {
		struct vm_space *vm = *pp;
		if (loaded_anywhere(vm->id)) {
			pp = &vm->zombie_next;
			continue;
		}
		*pp = vm->zombie_next;
		vm->zombie_next = done;
		done = vm;
		__atomic_sub_fetch(&nzombies, 1, __ATOMIC_RELEASE);
	}
	spin_unlock(&zombie_lock);
	while (done) {
		struct vm_space *vm = done;
		done = vm->zombie_next;
		hal_pt_free(vm->root);
		kfree(vm);
	}
}

void vm_put(struct vm_space *vm)
{
	struct list *it, *tmp;

	if (__atomic_sub_fetch(&vm->refs, 1, __ATOMIC_ACQ_REL))
		return;
	list_for_each_safe(it, tmp, &vm->regions) {
		struct vm_region *r = list_entry(it, struct vm_region, link);
		hal_pt_walk(vm->root, r->start, r->end, free_pte, vm);
		region_free(r);
	}
	for (struct vm_reclaim *c = vm->reclaim, *next; c; c = next) {
		next = c->next;
		for (unsigned i = 0; i < c->n; i++)
			pmm_unref(c->pa[i]);
		kfree(c);
	}
	free_table(vm);
}

struct vm_region *region_find_locked(struct vm_space *vm, uaddr_t addr)
{
	struct list *it;

	list_for_each(it, &vm->regions) {
		struct vm_region *r = list_entry(it, struct vm_region, link);
		if (addr < r->end)
			return addr >= r->start ? r : NULL;
	}
	return NULL;
}

void region_link_locked(struct vm_space *vm, struct vm_region *n)
{
	struct list *it;

	list_for_each(it, &vm->regions)
		if (list_entry(it, struct vm_region, link)->start > n->start)
			break;
	list__insert(&n->link, it->prev, it);
}

struct vm_region *region_new(uaddr_t start, uaddr_t end, unsigned prot, unsigned flags)
{
	struct vm_region *r = kzalloc(sizeof(*r));

	if (r) {
		r->start = start;
		r->end = end;
		r->prot = prot;
		r->flags = flags;
		list_init(&r->link);
	}
	return r;
}

/* Give region n the same backing as r, for the part of it that starts at start. */
void region_share_pager(struct vm_region *n, const struct vm_region *r, uaddr_t start)
{
	n->pager = r->pager;
	n->pager_obj = r->pager_obj;
	n->pgoff = r->pgoff + (start - r->start);
	if (n->pager)
		n->pager->get(n->pager_obj);
}

static void region_free(struct vm_region *r)
{
	if (r && r->pager)
		r->pager->put(r->pager_obj);
	kfree(r);
}

/*
 * Split regions so that start and end fall on region boundaries. May need one
 * new region per boundary; *spare holds two preallocated ones (unused ones are
 * left there for the caller to free).
 */
static void split_at_locked(struct vm_space *vm, uaddr_t at, struct vm_region **spare)
{
	struct vm_region *r = region_find_locked(vm, at);
	struct vm_region *n;

	if (!r || r->start == at)
		return;
	n = *spare;
	*spare = NULL;
	kassert(n);
	*n = *r;
	n->start = at;
	r->end = at;
	region_share_pager(n, r, at);
	list_init(&n->link);
	region_link_locked(vm, n);
}

/* Apply fn to every region inside [start, end) after splitting at the edges. */
int for_range(struct vm_space *vm, uaddr_t start, uaddr_t end,
		     void (*fn)(struct vm_space *, struct vm_region *, void *), void *arg)
{
	struct vm_region *spare[2] = { region_new(0, 0, 0, 0), region_new(0, 0, 0, 0) };
	struct list *it, *tmp;

	if (!spare[0] || !spare[1]) {
		kfree(spare[0]);
		kfree(spare[1]);
		return -ENOMEM;
	}
	split_at_locked(vm, start, &spare[0]);
	split_at_locked(vm, end, &spare[1]);
	list_for_each_safe(it, tmp, &vm->regions) {
		struct vm_region *r = list_entry(it, struct vm_region, link);
		if (r->start >= start && r->end <= end)
			fn(vm, r, arg);
	}
	kfree(spare[0]);
	kfree(spare[1]);
	return 0;
}

void remove_region(struct vm_space *vm, struct vm_region *r, void *arg)
{
	(void)arg;
	hal_pt_walk(vm->root, r->start, r->end, drop_pte, vm);
	list_del(&r->link);
	region_free(r);
}

bool range_ok(uaddr_t addr, size_t len)
{
	return !(addr & (PAGE_SIZE - 1)) && len && addr < HAL_USER_TOP &&
	       len <= HAL_USER_TOP - addr;
}

int vm_unmap(struct vm_space *vm, uaddr_t addr, size_t len)
{
	int err;

	len = PAGE_ROUND_UP(len);
	if (!range_ok(addr, len))
		return -EINVAL;
	spin_lock(&vm->lock);
	err = for_range(vm, addr, addr + len, remove_region, NULL);
	spin_unlock(&vm->lock);
	vm_sync(vm);
	return err;
}

bool range_free_locked(struct vm_space *vm, uaddr_t start, uaddr_t end)
{
	struct list *it;

	list_for_each(it, &vm->regions) {
		struct vm_region *r = list_entry(it, struct vm_region, link);
		if (r->start < end && start < r->end)
			return false;
	}
	return true;
}

/* Highest free gap of len bytes below MMAP_TOP. */
uaddr_t find_gap_locked(struct vm_space *vm, size_t len)
{
	uaddr_t top = MMAP_TOP;
	struct list *it;

	for (it = vm->regions.prev; it != &vm->regions; it = it->prev) {
		struct vm_region *r = list_entry(it, struct vm_region, link);
		if (r->start >= top)
			continue;
		if (r->end <= top && top - r->end >= len)
			return top - len;
		top = r->start;
	}
	return top >= len + PAGE_SIZE * 16 ? top - len : 0;
}

/* Lowest address in hole with len bytes of it in a row, or 0. */
static uaddr_t find_in_hole_locked(struct vm_space *vm, const struct vm_hole *h, size_t len)
{
	uaddr_t run = 0, run_end = 0;
	struct list *it;

	list_for_each(it, &vm->regions) {
		struct vm_region *r = list_entry(it, struct vm_region, link);
		bool mine = h->owns ? h->owns(h, r) : r->pager == h->pager && r->pager_obj == h->obj;
		if (!mine || r->end <= h->lo || r->start >= h->hi) {
			run = 0;
			continue;
		}
		if (!run || r->start != run_end)
			run = r->start < h->lo ? h->lo : r->start;
		run_end = r->end > h->hi ? h->hi : r->end;
		if (run_end - run >= len)
			return run;
	}
	return 0;
}

/* Where a map inside hole h goes: *at (VM_FIXED: exactly there, which must
 * be all hole: else -EEXIST) or the lowest fitting place (-ENOMEM). */
static int place_in_hole_locked(struct vm_space *vm, const struct vm_hole *h, uaddr_t *at,
				size_t len, unsigned flags)
{
	struct vm_hole only = {h->pager, h->obj, *at, *at + len, h->owns};
	bool fixed = flags & VM_FIXED;

	if (fixed && (*at < h->lo || *at + len > h->hi))
		return -EEXIST;
	*at = find_in_hole_locked(vm, fixed ? &only : h, len);
	return *at ? 0 : fixed ? -EEXIST : -ENOMEM;
}

static int map_region(struct vm_space *vm, uaddr_t *addr, size_t len, unsigned prot,
		      unsigned flags, const struct vm_pager_ops *pager, void *obj, uint64_t off,
		      const struct vm_hole *hole)
{
	struct vm_region *r;
	struct shmem *anon = NULL;
	uaddr_t at = *addr;
	int err = 0;

	len = PAGE_ROUND_UP(len);
	if (!len || len > HAL_USER_TOP)
		return -ENOMEM;
	if ((flags & VM_FIXED) && !range_ok(at, len))
		return -EINVAL;
	if ((flags & VM_SHARED) && !pager) {
		/* Shared anonymous memory: an object whose pages every mapping
		 * (fork children's too) faults in lazily. */
		anon = shmem_create(len);
		if (!anon)
			return -ENOMEM;
		pager = &shmem_pager;
		obj = anon;
		off = 0;
	}
	r = region_new(0, 0, prot, flags & ~VM_FIXED);
	if (r && pager) {
		r->pager = pager;
		r->pager_obj = obj;
		r->pgoff = off;
		pager->get(obj);
	}
	shmem_put(anon); /* the region holds it now */
	if (!r)
		return -ENOMEM;
	spin_lock(&vm->lock);
	if (hole) {
		err = place_in_hole_locked(vm, hole, &at, len, flags);
		if (!err)
			err = for_range(vm, at, at + len, remove_region, NULL);
	} else if (flags & VM_FIXED) {
		err = for_range(vm, at, at + len, remove_region, NULL);
	} else if (!at || !range_ok(at & PAGE_MASK, len) ||
		   !range_free_locked(vm, at & PAGE_MASK, (at & PAGE_MASK) + len)) {
		at = find_gap_locked(vm, len);
		if (!at)
			err = -ENOMEM;
	} else {
		at &= PAGE_MASK;
	}
	if (!err) {
		r->start = at;
		r->end = at + len;
		region_link_locked(vm, r);
		r = NULL;
	}
	spin_unlock(&vm->lock);
	vm_sync(vm);
	region_free(r);
	*addr = at;
	return err;
}

int vm_map(struct vm_space *vm, uaddr_t *addr, size_t len, unsigned prot, unsigned flags)
{
	return map_region(vm, addr, len, prot, flags, NULL, NULL, 0, NULL);
}

int vm_map_pager(struct vm_space *vm, uaddr_t *addr, size_t len, unsigned prot, unsigned flags,
		 const struct vm_pager_ops *pager, void *obj, uint64_t off)
{
	return map_region(vm, addr, len, prot, flags, pager, obj, off, NULL);
}

int vm_map_in_hole(struct vm_space *vm, uaddr_t *addr, size_t len, unsigned prot, unsigned flags,
		   const struct vm_pager_ops *pager, void *obj, uint64_t off,
		   const struct vm_hole *hole)
{
	return map_region(vm, addr, len, prot, flags, pager, obj, off, hole);
}

static void reprotect_pte(pte_t *pte, vaddr_t va, void *arg)
{
	unsigned prot = *(unsigned *)arg;

	(void)va;
	/* Drop W everywhere: the write fault puts it back (or copies the page). */
	*pte = hal_pte_make(hal_pte_pa(*pte), prot & ~VM_W);
}

static void set_region_prot(struct vm_space *vm, struct vm_region *r, void *arg)
{
	r->prot = *(unsigned *)arg;
	hal_pt_walk(vm->root, r->start, r->end, reprotect_pte, arg);
}

int vm_protect(struct vm_space *vm, uaddr_t addr, size_t len, unsigned prot)
{
	uaddr_t end;
	int err;

	len = PAGE_ROUND_UP(len);
	if (!range_ok(addr, len))
		return -EINVAL;
	end = addr + len;
	spin_lock(&vm->lock);
	/* Linux fails with ENOMEM if any part of the range is unmapped. */
	for (uaddr_t a = addr; a < end;) {
		struct vm_region *r = region_find_locked(vm, a);
		if (!r) {
			spin_unlock(&vm->lock);
			return -ENOMEM;
		}
		if (r->pager && r->pager->max_prot && (prot & ~r->pager->max_prot(r->pager_obj))) {
			spin_unlock(&vm->lock);
			return -EACCES;
		}
		a = r->end;
	}
	err = for_range(vm, addr, end, set_region_prot, &prot);
	vm->need_sync = true;
	spin_unlock(&vm->lock);
	vm_sync(vm);
	return err;
}

/*
 * A first touch of a pager-backed page: a shared mapping maps the object's page
 * itself; a private one maps it read-only (copied on the first write), or gets a
 * private copy at once if this touch is a write.
 */
static int fault_pager_locked(struct vm_space *vm, struct vm_region *r, uaddr_t va, pte_t *pte,
			      bool write)
{
	paddr_t pa, copy;
	int err = r->pager->getpage(r->pager_obj, r->pgoff + (va - r->start), &pa);

	if (err)
		return err == -ESVC ? err : -EFAULT;
	if ((r->flags & VM_SHARED) && r->pager->dirty) {
		/* Writable only once written, so the owner learns of it. */
		if (write)
			r->pager->dirty(r->pager_obj, r->pgoff + (va - r->start));
		*pte = hal_pte_make(pa, write ? r->prot : r->prot & ~VM_W);
		vm->pages++;
		return 0;
	}
	if (!(r->flags & VM_SHARED) && write) {
		copy = pmm_alloc(0);
		if (!copy) {
			pmm_unref(pa);
			return -ENOMEM;
		}
		__builtin_memcpy(hal_pa_to_kva(copy), hal_pa_to_kva(pa), PAGE_SIZE);
		pmm_unref(pa);
		pa = copy;
	}
	*pte = hal_pte_make(pa, (r->flags & VM_SHARED) || write ? r->prot : r->prot & ~VM_W);
	vm->pages++;
	return 0;
}

/* Make the page at va present and, if write, privately writable. */
static int fault_locked(struct vm_space *vm, struct vm_region *r, uaddr_t va, bool write)
{
	pte_t *pte = hal_pt_lookup(vm->root, va, true);
	paddr_t pa, copy;
	unsigned prot = r->prot;

	if (!pte)
		return -ENOMEM;
	if (!hal_pte_present(*pte) && r->pager)
		return fault_pager_locked(vm, r, va, pte, write);
	if (!hal_pte_present(*pte)) {
		pa = pmm_alloc_zeroed(0);
		if (!pa)
			return -ENOMEM;
		*pte = hal_pte_make(pa, prot);
		vm->pages++;
		return 0;
	}
	if (!write || (hal_pte_prot(*pte) & VM_W)) {
		hal_tlb_flush_page(va);	/* a stale entry: the mapping is already there */
		return 0;
	}
	pa = hal_pte_pa(*pte);
	if ((r->flags & VM_SHARED) && r->pager && r->pager->dirty)
		r->pager->dirty(r->pager_obj, r->pgoff + (va - r->start));
	if ((r->flags & VM_SHARED) || pmm_refcount(pa) == 1) {
		/* More rights on the same page: no flush. A CPU that still holds
		 * the read-only entry takes one spurious fault, which finds the
		 * entry already writable and flushes (above). (Under QEMU a
		 * flush, even of one page, empties the whole soft TLB; QEMU walks
		 * the table again on a denied store and takes no fault at all.) */
		*pte = hal_pte_make(pa, prot | (write ? VM_W : 0));
		return 0;
	}
	copy = pmm_alloc(0);
	if (!copy)
		return -ENOMEM;
	__builtin_memcpy(hal_pa_to_kva(copy), hal_pa_to_kva(pa), PAGE_SIZE);
	*pte = hal_pte_make(copy, prot | VM_W);
	/* Every CPU's entry names the old page: the caller's vm_sync flushes
	 * them all (defer_unref_locked asks for it) before the page is freed. */
	defer_unref_locked(vm, pa);
	return 0;
}

#define FAULT_PREFETCH_TRIES 8

int vm_fault(struct vm_space *vm, uaddr_t addr, unsigned access)
{
	if (!vm || addr >= HAL_USER_TOP)
		return -EFAULT;
	for (int tries = 0;; tries++) {
		struct vm_region *r;
		int err = -EFAULT;

		spin_lock(&vm->lock);
		r = region_find_locked(vm, addr);
		if (r && (r->prot & access) == access)
			err = fault_locked(vm, r, addr & PAGE_MASK, access & VM_W);
		if (err == -ESVC && r->pager->prefetch && sched_may_block() &&
		    tries < FAULT_PREFETCH_TRIES) {
			/* Read the page in without the lock, then map it. */
			const struct vm_pager_ops *pager = r->pager;
			void *obj = r->pager_obj;
			uint64_t off = r->pgoff + ((addr & PAGE_MASK) - r->start);
			pager->get(obj);
			spin_unlock(&vm->lock);
			err = pager->prefetch(obj, off);
			pager->put(obj);
			if (!err)
				continue;
			return -EFAULT;
		}
		spin_unlock(&vm->lock);
		vm_sync(vm);
		return err;
	}
}

int vm_write(struct vm_space *vm, uaddr_t dst, const void *src, size_t n)
{
	const char *s = src;

	while (n) {
		uaddr_t va = dst & PAGE_MASK;
		size_t off = dst - va, chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
		struct vm_region *r;
		pte_t *pte;
		int err = -EFAULT;

		spin_lock(&vm->lock);
		r = region_find_locked(vm, va);
		if (r)
			err = fault_locked(vm, r, va, true);
		pte = err ? NULL : hal_pt_lookup(vm->root, va, false);
		if (pte)
			__builtin_memcpy((char *)hal_pa_to_kva(hal_pte_pa(*pte)) + off, s, chunk);
		spin_unlock(&vm->lock);
		if (err) {
			vm_sync(vm); /* what the chunks before it copied */
			return err;
		}
		dst += chunk;
		s += chunk;
		n -= chunk;
	}
	vm_sync(vm);
	return 0;
}

struct clone_ctx {
	struct vm_space *child;
	struct vm_region *r;
	int err;
};

static void clone_pte(pte_t *pte, vaddr_t va, void *arg)
{
	struct clone_ctx *cc = arg;
	pte_t *cpte;
	unsigned prot = hal_pte_prot(*pte);

	if (cc->err)
		return;
	cpte = hal_pt_lookup(cc->child->root, va, true);
	if (!cpte) {
		cc->err = -ENOMEM;
		return;
	}
	if (!(cc->r->flags & VM_SHARED) && (prot & VM_W)) {
		prot &= ~VM_W;
		*pte = hal_pte_make(hal_pte_pa(*pte), prot);
	}
	pmm_ref(hal_pte_pa(*pte));
	*cpte = hal_pte_make(hal_pte_pa(*pte), prot);
	cc->child->pages++;
}

struct vm_space *vm_clone(struct vm_space *vm)
{
	struct vm_space *child = vm_create();
	struct clone_ctx cc = { child, NULL, 0 };
	struct list *it;

	if (!child)
		return NULL;
	spin_lock(&vm->lock);
	list_for_each(it, &vm->regions) {
		struct vm_region *r = list_entry(it, struct vm_region, link);
		struct vm_region *n = region_new(r->start, r->end, r->prot, r->flags);
		if (!n) {
			cc.err = -ENOMEM;
			break;
		}
		region_share_pager(n, r, r->start);
		list_add_tail(&child->regions, &n->link);
		cc.r = r;
		hal_pt_walk(vm->root, r->start, r->end, clone_pte, &cc);
		if (cc.err)
			break;
	}
	child->brk_base = vm->brk_base;
	child->brk = vm->brk;
	vm->need_sync = true;	/* our own writable entries became read-only */
	spin_unlock(&vm->lock);
	vm_sync(vm);
	if (cc.err) {
		vm_put(child);
		return NULL;
	}
	return child;
}

void vm_activate(struct vm_space *vm)
{
	struct cpu *c = this_cpu();
	uint64_t id = vm ? vm->id : 0;

	if (c->vm_id != id) {
		/* Publish first: a concurrent shootdown either sees this CPU on vm, or
		 * changed the entries before this flush (sched_tlb_shootdown). */
		__atomic_store_n(&c->vm_id, id, __ATOMIC_SEQ_CST);
		hal_pt_switch(vm ? vm->root : 0);
		reap_zombies();
	}
}

bool vm_is_shared(struct vm_space *vm, uaddr_t addr)
{
	struct vm_region *r;
	bool shared;

	spin_lock(&vm->lock);
	r = region_find_locked(vm, addr);
	shared = r && (r->flags & VM_SHARED);
	spin_unlock(&vm->lock);
	return shared;
}

int vm_region_next(struct vm_space *vm, uaddr_t addr, struct vm_region_info *out)
{
	struct list *it;
	int err = -ENOENT;

	spin_lock(&vm->lock);
	list_for_each(it, &vm->regions) {
		struct vm_region *r = list_entry(it, struct vm_region, link);
		if (addr >= r->end)
			continue;
		*out = (struct vm_region_info){r->start, r->end, r->prot, r->flags, r->pager,
					       r->pager_obj, r->pgoff};
		if (r->pager)
			r->pager->get(r->pager_obj);
		err = 0;
		break;
	}
	spin_unlock(&vm->lock);
	return err;
}
