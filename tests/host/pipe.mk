# Host test for kernel/fs/pipe.c: the VFS sources of fs.mk (read before this
# file), which include pipe.c, the real wait queues and the scheduler stand-ins.

HOST_TESTS += pipe
HT_pipe_SRCS = tests/host/test_pipe.c $(FS_HT_SRCS)
$(B)/host/pipe: HCFLAGS += $(FS_HT_CFLAGS)

# Host test for kernel/fs/locks.c, on the same sources.
HOST_TESTS += locks
HT_locks_SRCS = tests/host/test_locks.c $(FS_HT_SRCS)
$(B)/host/locks: HCFLAGS += $(FS_HT_CFLAGS)
