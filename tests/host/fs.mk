# Host tests for kernel/fs: the VFS core, tmpfs, devfs, initrd unpacking and the
# buffer cache. Each test links the whole of kernel/fs with the real allocators,
# wait queues and lib/cpio, tests/host/fs_shims.c (the RAM arena and one-time
# vfs_init) and tests/host/pipe_shims.c (scheduler stand-ins for the wakeups
# kernel/fs/pipe.c makes).
#
# <core/waitq.h> includes <core/sched.h>, which needs <arch/context.h>; the host
# HAL has none (host/include/arch/ is empty) and the riscv64 one is plain C
# struct layouts, so every test of kernel/fs borrows it (FS_HT_CFLAGS).

FS_FIX := $(B)/host/fixtures
FS_HT_SRCS := tests/host/fs_shims.c $(wildcard kernel/fs/*.c kernel/fs/fat/*.c kernel/fs/ext4/*.c) \
	kernel/core/pmm.c kernel/core/clock.c kernel/core/slab.c kernel/core/spinlock.c \
	kernel/core/waitq.c lib/cpio.c lib/string.c tests/host/pipe_shims.c tests/host/ht_ram.c
FS_HT_CFLAGS := -Ikernel/arch/riscv64/include
FS_HT_TESTS := vfs_path vfs_ops vfs_dev bcache

HOST_TESTS += vfs_path
HT_vfs_path_SRCS := tests/host/test_vfs_path.c $(FS_HT_SRCS)

HOST_TESTS += vfs_ops
HT_vfs_ops_SRCS := tests/host/test_vfs_ops.c $(FS_HT_SRCS)

HOST_TESTS += vfs_dev
HT_vfs_dev_SRCS := tests/host/test_vfs_dev.c $(FS_HT_SRCS)
$(B)/host/vfs_dev: | $(FS_FIX)/vfs-initrd.cpio

# An initrd written by the real cpio(1): nested directories with their own
# modes, files (empty, small, multi-page), absolute and relative symlinks, and a
# file whose parent directory has no entry of its own (only "deep/er/file" is
# listed, so unpacking must create "deep" and "deep/er").
$(FS_FIX)/vfs-initrd.cpio:
	rm -rf $(FS_FIX)/vfs-tree && mkdir -p $(FS_FIX)/vfs-tree/etc/rc \
		$(FS_FIX)/vfs-tree/bin $(FS_FIX)/vfs-tree/deep/er
	cd $(FS_FIX)/vfs-tree && printf 'root:x:0:0::/root:/bin/sh\n' > etc/passwd && \
		printf '#!/bin/sh\necho boot\n' > etc/rc/rcS && chmod 750 etc/rc/rcS && \
		: > etc/empty && chmod 700 etc/rc && \
		awk 'BEGIN { for (i = 0; i < 10000; i++) printf "%c", 97 + i % 23 }' > bin/busybox && \
		chmod 755 bin/busybox && ln -s busybox bin/sh && ln -s /etc/passwd passwd-link && \
		printf 'deep\n' > deep/er/file && \
		find . -exec touch -h -d @1234567890 {} + && \
		{ find . -mindepth 1 ! -path './deep*' | sed 's|^\./||' | LC_ALL=C sort; \
		  echo deep/er/file; } > ../vfs-initrd-list && \
		cpio -o -H newc --quiet < ../vfs-initrd-list > ../vfs-initrd.cpio && \
		rm -rf $(FS_FIX)/vfs-tree

HOST_TESTS += bcache
HT_bcache_SRCS := tests/host/test_bcache.c $(FS_HT_SRCS)

$(addprefix $(B)/host/,$(FS_HT_TESTS)): HCFLAGS += $(FS_HT_CFLAGS)
