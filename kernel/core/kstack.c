/*
 * Kernel stack allocator. The stack region is cut into slots of
 * KSTACK_PAGES + 1 pages; the lowest page of each slot stays unmapped as the
 * guard. A bitmap records used slots; the count of stacks in use is what the
 * "blocked user threads own no stack" tests read.
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
static unsigned long in_use;		/* (kstack_lock) */

static long slot_take(void)
{
	long slot = -1;

	spin_lock(&kstack_lock);
	for (unsigned i = 0; i < MAX_SLOTS / 64 && slot < 0; i++) {
		if (used[i] == ~0ull)
			continue;
		unsigned b = 0;
		while (used[i] & (1ull << b))
			b++;
		used[i] |= 1ull << b;
		slot = (long)(i * 64 + b);
		in_use++;
	}
	spin_unlock(&kstack_lock);
	return slot;
}

static void slot_give(unsigned long slot)
{
	spin_lock(&kstack_lock);
	kassert(used[slot / 64] & (1ull << (slot % 64)));
	used[slot / 64] &= ~(1ull << (slot % 64));
	in_use--;
	spin_unlock(&kstack_lock);
}

static vaddr_t slot_base(unsigned long slot)
{
	unsigned long len;

	return hal_kstack_region(&len) + slot * SLOT_SIZE + PAGE_SIZE;
}

void *kstack_alloc(void)
{
	long slot = slot_take();
	vaddr_t base;

	if (slot < 0)
		return NULL;
	base = slot_base((unsigned long)slot);
	for (unsigned i = 0; i < KSTACK_PAGES; i++) {
		paddr_t pa = pmm_alloc_zeroed(0);
		if (!pa || hal_kmap_page(base + i * PAGE_SIZE, pa)) {
			if (pa)
				pmm_free(pa, 0);
			kstack_free((void *)base);	/* frees the pages mapped so far */
			return NULL;
		}
	}
	return (void *)base;
}

void kstack_free(void *p)
{
	vaddr_t base = (vaddr_t)p;
	unsigned long len;
	unsigned long slot = (base - PAGE_SIZE - hal_kstack_region(&len)) / SLOT_SIZE;

	for (unsigned i = 0; i < KSTACK_PAGES; i++) {
		vaddr_t va = base + i * PAGE_SIZE;
		paddr_t pa = hal_kmap_lookup(va);
		if (pa) {
			hal_kunmap_page(va);
			pmm_free(pa, 0);
		}
	}
	slot_give(slot);
}

unsigned long kstack_in_use(void)
{
	return in_use;
}
