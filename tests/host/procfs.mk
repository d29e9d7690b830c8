# Host tests for procfs: the VFS sources of fs.mk with procfs mounted on /proc,
# plus lib/fmt.c; the test file stands in for the process views of
# obj/proc_iter.h (kernel/fs references them weakly). While kernel/fs/pipe.c
# needs the wait-queue stand-ins of pipe.mk (read before this file), they are
# linked here too.

HOST_TESTS += procfs
HT_procfs_SRCS = tests/host/test_procfs.c $(FS_HT_SRCS) lib/fmt.c $(PIPE_HT_EXTRA)
$(B)/host/procfs: HCFLAGS += $(if $(PIPE_HT_EXTRA),-Ikernel/arch/riscv64/include)
