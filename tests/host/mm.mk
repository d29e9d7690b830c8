# Host tests for the memory allocators: the buddy page allocator and the slab.

HOST_TESTS += pmm
HT_pmm_SRCS := tests/host/test_pmm.c kernel/core/pmm.c kernel/core/spinlock.c

HOST_TESTS += slab
HT_slab_SRCS := tests/host/test_slab.c kernel/core/slab.c kernel/core/pmm.c kernel/core/spinlock.c \
	tests/host/ht_ram.c

# CPU-time accounting (kernel/core/cputime.c) with a fake clock.
HOST_TESTS += cputime
HT_cputime_SRCS := tests/host/test_cputime.c kernel/core/cputime.c
$(B)/host/cputime: HCFLAGS += -Ikernel/arch/riscv64/include
