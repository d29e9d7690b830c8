/*
 * The RAM arena of host tests that use the real page allocator: 64 MiB,
 * aligned for the largest buddy block, handed to pmm_init once. Any number of
 * calls; every test that links kernel/core/pmm.c links this too.
 */
#include "ht.h"
#include <core/pmm.h>
#include <stdlib.h>

#define HT_RAM_BYTES (64UL << 20)

void ht_ram_setup(void)
{
	static int done;
	void *p;

	if (done)
		return;
	if (posix_memalign(&p, PAGE_SIZE << PMM_MAX_ORDER, HT_RAM_BYTES))
		abort();
	paddr_t base = (paddr_t)(uintptr_t)p;
	struct pmm_range r = {base, base + HT_RAM_BYTES};
	pmm_init(base, base + HT_RAM_BYTES, &r, 1);
	done = 1;
}
