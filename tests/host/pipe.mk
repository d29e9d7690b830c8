# Host test for kernel/fs/pipe.c: the VFS sources of fs.mk (which include
# pipe.c), the real wait queues, and scheduler stand-ins (pipe_shims.c).
#
# kernel/fs/pipe.c wakes wait queues, so every test that links all of
# kernel/fs/*.c now needs kernel/core/waitq.c and the stand-ins too. Until
# fs.mk lists them in FS_HT_SRCS itself, they are appended here (this file is
# read after fs.mk, and the rules in tests/build.mk expand the lists later).
#
# <core/waitq.h> includes <core/sched.h>, which needs <arch/context.h>, and the
# host HAL has none yet (host/include/arch/ is empty). Its riscv64 version is
# plain C struct layouts, so these tests borrow it until a host one exists.
PIPE_HT_EXTRA := kernel/core/waitq.c tests/host/pipe_shims.c
PIPE_HT_TESTS := pipe vfs_path vfs_ops vfs_dev
HT_vfs_path_SRCS += $(PIPE_HT_EXTRA)
HT_vfs_ops_SRCS += $(PIPE_HT_EXTRA)
HT_vfs_dev_SRCS += $(PIPE_HT_EXTRA)
$(addprefix $(B)/host/,$(PIPE_HT_TESTS)): HCFLAGS += -Ikernel/arch/riscv64/include

HOST_TESTS += pipe
HT_pipe_SRCS = tests/host/test_pipe.c $(FS_HT_SRCS) $(PIPE_HT_EXTRA)
