/*
 * Support for the kernel/fs host tests: a 64 MiB RAM arena handed to the real
 * page allocator, and the one-time vfs_init every test case starts from.
 * fs_test_setup() may be called any number of times.
 */
#include <core/pmm.h>
#include <fs/vfs.h>
#include <stdio.h>
#include <stdlib.h>

#define FS_TEST_RAM (64UL << 20)

void fs_test_setup(void);

void fs_test_setup(void)
{
	static int done;
	void *p;

	if (done)
		return;
	if (posix_memalign(&p, PAGE_SIZE << PMM_MAX_ORDER, FS_TEST_RAM))
		abort();
	paddr_t base = (paddr_t)(uintptr_t)p;
	struct pmm_range r = {base, base + FS_TEST_RAM};
	pmm_init(base, base + FS_TEST_RAM, &r, 1);
	if (vfs_init() != 0) {
		fprintf(stderr, "vfs_init failed\n");
		abort();
	}
	done = 1;
}
