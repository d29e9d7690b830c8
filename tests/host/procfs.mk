# Host tests for procfs: the VFS sources of fs.mk (read before this file) with
# procfs mounted on /proc, plus lib/fmt.c; the test file stands in for the
# process views of obj/proc_iter.h (kernel/fs references them weakly).

HOST_TESTS += procfs
HT_procfs_SRCS = tests/host/test_procfs.c $(FS_HT_SRCS) lib/fmt.c
$(B)/host/procfs: HCFLAGS += $(FS_HT_CFLAGS)
