/*
 * Kernel stack allocator. The stack region is cut into slots of
 * KSTACK_PAGES + 1 pages; the lowest page of each slot stays unmapped as the
 * guard. A bitmap records used slots; the count of stacks in use is what the
 * "blocked user threads own no stack" tests read.
 *
 * A freed stack keeps its pages mapped, and the next allocation takes such a
 * slot first. Unmapping would leave other CPUs' TLBs holding the old
 * translation (nothing flushes them: kernel threads switch no address space),
 * and once the slot was mapped again to new pages, a thread running there (or
 * an interrupt handler signalling a completion on its stack) would write
 * through the stale entry into pages that were freed and reused by someone
 * else. So stack memory stays at the peak number of kernel stacks in use.
 */
#include <core/kstack.h>
#include <core/pmm.h>
#include <core/spinlock.h>
#include <core/klog.h>
#include <hal/mmu.h>

#define SLOT_SIZE ((KSTACK_PAGES + 1) * PAGE_SIZE)
#define MAX_SLOTS 8192

static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");
static uint64_t used[MAX_SLOTS / 64];	/* (kstack_lock) */
static uint64_t mapped[MAX_SLOTS / 64];	/* (kstack_lock) free slots whose pages stay mapped */
static unsigned long in_use;		/* (kstack_lock) */

/* Take the lowest free slot with (or without) pages mapped; -1 if none. */
static long take_first_locked(bool with_pages)
{
	for (unsigned i = 0; i < MAX_SLOTS / 64; i++) {
		uint64_t free = ~used[i] & (with_pages ? mapped[i] : ~mapped[i]);
		if (!free)
			continue;
		unsigned b = 0;
		while (!(free & (1ull << b)))
			b++;
		used[i] |= 1ull << b;
		mapped[i] &= ~(1ull << b);
		in_use++;
		return (long)(i * 64 + b);
	}
	return -1;
}

/* A free slot, one that still has its pages (*has_pages) if there is one. */
static long slot_take(bool *has_pages)
{
	long slot;

	spin_lock(&kstack_lock);
	slot = take_first_locked(true);
	*has_pages = slot >= 0;
	if (slot < 0)
		slot = take_first_locked(false);
	spin_unlock(&kstack_lock);
	return slot;
}

static void slot_give(unsigned long slot, bool pages_stay)
{
	spin_lock(&kstack_lock);
	kassert(used[slot / 64] & (1ull << (slot % 64)));
	used[slot / 64] &= ~(1ull << (slot % 64));
	if (pages_stay)
		mapped[slot / 64] |= 1ull << (slot % 64);
	in_use--;
	spin_unlock(&kstack_lock);
}

static vaddr_t slot_base(unsigned long slot)
{
	unsigned long len;

	return hal_kstack_region(&len) + slot * SLOT_SIZE + PAGE_SIZE;
}

static unsigned long slot_of(vaddr_t base)
{
	unsigned long len;

	return (base - PAGE_SIZE - hal_kstack_region(&len)) / SLOT_SIZE;
}

/* Only for a slot whose pages no CPU has used yet (a failed allocation). */
static void unmap_fresh(vaddr_t base)
{
	for (unsigned i = 0; i < KSTACK_PAGES; i++) {
		vaddr_t va = base + i * PAGE_SIZE;
		paddr_t pa = hal_kmap_lookup(va);
		if (pa) {
			hal_kunmap_page(va);
			pmm_free(pa, 0);
		}
	}
	slot_give(slot_of(base), false);
}

void *kstack_alloc(void)
{
	bool has_pages;
	long slot = slot_take(&has_pages);
	vaddr_t base;

	if (slot < 0)
		return NULL;
	base = slot_base((unsigned long)slot);
	for (unsigned i = 0; i < KSTACK_PAGES && !has_pages; i++) {
		paddr_t pa = pmm_alloc_zeroed(0);
		if (!pa || hal_kmap_page(base + i * PAGE_SIZE, pa)) {
			if (pa)
				pmm_free(pa, 0);
			unmap_fresh(base);	/* frees the pages mapped so far */
			return NULL;
		}
	}
	return (void *)base;
}

void kstack_free(void *p)
{
	slot_give(slot_of((vaddr_t)p), true);
}

unsigned long kstack_in_use(void)
{
	return in_use;
}
