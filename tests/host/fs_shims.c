/*
 * Support for the kernel/fs host tests: a 64 MiB RAM arena handed to the real
 * page allocator, and the one-time vfs_init every test case starts from.
 * fs_test_setup() may be called any number of times.
 */
#include "ht.h"
#include <core/pmm.h>
#include <fs/vfs.h>
#include <stdio.h>
#include <stdlib.h>

void fs_test_setup(void);

void fs_test_setup(void)
{
	static int done;

	if (done)
		return;
	ht_ram_setup();
	if (vfs_init() != 0) {
		fprintf(stderr, "vfs_init failed\n");
		abort();
	}
	done = 1;
}
