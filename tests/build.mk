# Host unit tests: each test is one binary built for x86-64 with ASan and UBSan
# from its own test file plus the portable sources it exercises.
#   HOST_TESTS += name
#   HT_name_SRCS := tests/host/test_name.c lib/foo.c ...
# Every host test also links host/hal.c (the host HAL) and tests/host/ht.c.

HOST_INC := -Iuapi -Ilib/include -Ikernel/hal/include -Ikernel/core/include -Ikernel/obj/include \
	    -Ikernel/dev/include -Ikernel/fs/include $(INC_host_hal) -Itests/host

-include $(wildcard tests/host/*.mk)

define host_test_rule
$(B)/host/$(1): $(HT_$(1)_SRCS) host/hal.c tests/host/ht.c
	@mkdir -p $(B)/host
	$(HCC) $$(HCFLAGS) $(HOST_INC) -o $$@ $$(filter %.c,$$^)
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t))))

HOST_TEST_BINS := $(addprefix $(B)/host/,$(HOST_TESTS))
host-tests: $(HOST_TEST_BINS)
test-host: host-tests
	@bash tools/run-host-tests.sh $(HOST_TEST_BINS)
