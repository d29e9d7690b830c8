# Host test of the AsyncQ core (kernel/obj/asyncq.c and its op kinds) over
# the real allocators, handle tables, objects and timers, with hand-fired
# kernel timers (tests/host/aq_shims.c).
HOST_TESTS += asyncq
HT_asyncq_SRCS := tests/host/test_asyncq.c tests/host/aq_shims.c kernel/obj/asyncq.c kernel/obj/asyncq_mem.c \
	kernel/obj/asyncq_ops.c kernel/obj/timer.c kernel/obj/vmo.c kernel/obj/object.c \
	kernel/obj/handle.c kernel/obj/lease.c kernel/core/slab.c kernel/core/pmm.c \
	kernel/core/spinlock.c kernel/core/waitq.c tests/host/pipe_shims.c tests/host/ht_ram.c
$(B)/host/asyncq: HCFLAGS += -Ikernel/arch/riscv64/include
