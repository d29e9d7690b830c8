# Host tests for the native capability core: handle tables, leases and object
# references (kernel/obj) over the real allocators, and the TLV codec (lib/tlv.c).

NAT_HT_SRCS := kernel/obj/object.c kernel/obj/handle.c kernel/obj/lease.c kernel/obj/channel.c kernel/core/slab.c \
	kernel/core/pmm.c kernel/core/spinlock.c kernel/core/waitq.c tests/host/pipe_shims.c tests/host/ht_ram.c
# <obj/object.h> includes <core/waitq.h>, which needs the riscv64 <arch/context.h> (see fs.mk)
NAT_HT_CFLAGS := -Ikernel/arch/riscv64/include
$(B)/host/handle $(B)/host/signals $(B)/host/channel: HCFLAGS += $(NAT_HT_CFLAGS)

HOST_TESTS += channel
HT_channel_SRCS := tests/host/test_channel.c $(NAT_HT_SRCS)

HOST_TESTS += signals
HT_signals_SRCS := tests/host/test_signals.c $(NAT_HT_SRCS)

HOST_TESTS += handle
HT_handle_SRCS := tests/host/test_handle.c $(NAT_HT_SRCS)

HOST_TESTS += msg
HT_msg_SRCS := tests/host/test_msg.c user/lib/msg/msg.c lib/tlv.c lib/string.c
$(B)/host/msg: HCFLAGS += -Iuser/lib/msg

HOST_TESTS += tlv
HT_tlv_SRCS := tests/host/test_tlv.c lib/tlv.c

# The handle test under ThreadSanitizer, which checks the locking and the
# revoke flag's ordering in the concurrent test. Not a HOST_TESTS entry (those
# are built with ASan); run it with: make build/host/handle-tsan && build/host/handle-tsan
$(B)/host/handle-tsan: $(HT_handle_SRCS) host/hal.c tests/host/ht.c
	@mkdir -p $(dir $@)
	$(HCC) -std=gnu11 -O1 -g $(WARN) -fsanitize=thread -DWEFT_HOST -pthread $(HOST_INC) $(NAT_HT_CFLAGS) -o $@ $^
