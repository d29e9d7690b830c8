# User programs and the initrd.
#
# Test programs (user/test) and tools (user/bin: the runtests runner and the
# wsh shell) are static riscv64 Linux binaries. Most link against musl 1.2.3,
# which tools/musl.sh builds once into $(CACHE) from Debian's source package; a
# few link against Debian's glibc, since users bring both. Most are plain
# ET_EXEC (-no-pie), and some are static-PIE (ET_DYN, self-relocating through
# musl's rcrt1.o) so that both of the kernel's ELF loader paths run.
# Everything lands under $(B)/user, and tools/mkinitrd.sh packs /bin, /test
# (programs, manifest, badelf/) and the optional EXTRA=dir overlay into
# $(B)/initrd.cpio with the real cpio. $(B)/initrd-bad.cpio is the same kind
# of archive cut off in the middle of an entry, for the kernel's
# malformed-initrd boot test.

.PHONY: user initrd

MUSL_VERSION := 1.2.3
MUSL         := $(CACHE)/musl-$(MUSL_VERSION)-riscv64
MUSL_STAMP   := $(MUSL)/.weft-complete
UB           := $(B)/user

U_WARN   := -Wall -Wextra -Werror
U_CFLAGS := -std=gnu11 -O2 $(U_WARN) -Iuser/test -Iuser/lib -Iuser/lib/sys -Iuapi -Wl,--build-id=none
U_MUSL   := $(CROSS)gcc -specs $(MUSL)/lib/musl-gcc.specs -static
U_GLIBC  := $(CROSS)gcc -static

# Which programs link which way. The name is the output file; the source is
# user/test/<name>.c or user/bin/<name>.c unless U_SRC_<name> says otherwise.
U_MUSL_EXEC  := hello_musl t_vmo t_asyncq t_proc t_helper t_mem t_time t_efault t_fault t_badelf \
		t_smp t_preempt t_sleepers t_console t_pthread t_signal t_ids t_files t_dirs t_proc_fs \
		t_pipe t_mmap t_script t_jobctl t_pipewait t_shootdown t_pipeblock t_fifo t_lock \
		t_procfd t_ttyjob t_clonefiles t_shmlazy t_execmap t_itimer t_disk t_fsfault \
		t_cputimer t_clonefs t_orphan t_txtbsy t_affinity t_lxfuzz
U_MUSL_PIE   := hello_pie t_misc
U_GLIBC_EXEC := hello_glibc t_proc_glibc t_pthread_glibc t_signal_glibc t_files_glibc \
		t_dirs_glibc t_pipeblock_glibc t_fifo_glibc t_lock_glibc t_procfd_glibc t_clonefiles_glibc \
		t_cputimer_glibc t_clonefs_glibc t_orphan_glibc t_txtbsy_glibc
U_BIN_MUSL   := runtests wsh

U_SRC_hello_musl   := user/test/hello.c
U_SRC_hello_pie    := user/test/hello.c
U_SRC_hello_glibc  := user/test/hello.c
U_SRC_t_proc_glibc := user/test/t_proc.c
U_SRC_t_pthread_glibc := user/test/t_pthread.c
U_SRC_t_signal_glibc := user/test/t_signal.c
U_SRC_t_files_glibc := user/test/t_files.c
U_SRC_t_dirs_glibc := user/test/t_dirs.c
U_SRC_t_pipeblock_glibc := user/test/t_pipeblock.c
U_SRC_t_fifo_glibc := user/test/t_fifo.c
U_SRC_t_lock_glibc := user/test/t_lock.c
U_SRC_t_procfd_glibc := user/test/t_procfd.c
U_SRC_t_clonefiles_glibc := user/test/t_clonefiles.c
U_SRC_t_cputimer_glibc := user/test/t_cputimer.c
U_SRC_t_clonefs_glibc := user/test/t_clonefs.c
U_SRC_t_orphan_glibc := user/test/t_orphan.c
U_SRC_t_txtbsy_glibc := user/test/t_txtbsy.c
u_src = $(or $(U_SRC_$(1)),$(wildcard user/test/$(1).c),user/bin/$(1).c)

# musl ET_EXEC programs that use libsys and libmsg (native calls from Linux)
U_MUSL_NATIVE := t_native t_natfuzz t_natlife
# musl ET_EXEC programs on librt (user/lib/rt) and libsys
U_RT_PROGS := t_librt t_rtdemo

U_TESTS := $(U_MUSL_EXEC) $(U_MUSL_PIE) $(U_GLIBC_EXEC) $(U_MUSL_NATIVE) $(U_RT_PROGS)
U_PROGS := $(U_TESTS) $(U_BIN_MUSL)
U_HDRS  := $(wildcard user/test/*.h user/lib/*.h uapi/weft/*.h)

# "+": musl's own make shares this make's job slots.
$(MUSL_STAMP):
	+bash tools/musl.sh $(CACHE) >/dev/null

# musl ET_EXEC
define u_musl_exec_rule
$(UB)/$(1): $(call u_src,$(1)) $(U_HDRS) | $(MUSL_STAMP)
	@mkdir -p $(UB)
	$(U_MUSL) $(U_CFLAGS) -no-pie -fno-pie -DT_NAME='"$(1)"' -o $$@ $$<
endef

# musl static-PIE: musl's specs file has no -static-pie, so name the
# self-relocating start file and the PIE link options explicitly.
U_CRTBEGIN_S = $(shell $(CROSS)gcc -print-file-name=crtbeginS.o)
U_CRTEND_S   = $(shell $(CROSS)gcc -print-file-name=crtendS.o)
define u_musl_pie_rule
$(UB)/$(1): $(call u_src,$(1)) $(U_HDRS) | $(MUSL_STAMP)
	@mkdir -p $(UB)
	$(U_MUSL) $(U_CFLAGS) -fPIE -nostartfiles -Wl,-pie -Wl,--no-dynamic-linker -Wl,-z,text \
		-DT_NAME='"$(1)"' -o $$@ $(MUSL)/lib/rcrt1.o $(MUSL)/lib/crti.o \
		$$(U_CRTBEGIN_S) $$< $$(U_CRTEND_S) $(MUSL)/lib/crtn.o
endef

# glibc ET_EXEC (Debian's glibc has no rcrt1.o, so no glibc static-PIE)
define u_glibc_exec_rule
$(UB)/$(1): $(call u_src,$(1)) $(U_HDRS)
	@mkdir -p $(UB)
	$(U_GLIBC) $(U_CFLAGS) -no-pie -fno-pie -DT_NAME='"$(1)"' -o $$@ $$<
endef

$(foreach p,$(U_MUSL_EXEC) $(U_BIN_MUSL),$(eval $(call u_musl_exec_rule,$(p))))
$(foreach p,$(U_MUSL_PIE),$(eval $(call u_musl_pie_rule,$(p))))
$(foreach p,$(U_GLIBC_EXEC),$(eval $(call u_glibc_exec_rule,$(p))))

$(B)/badelf/list: tools/mkbadelf.py
	python3 tools/mkbadelf.py $(B)/badelf

# Native programs (user/native): freestanding, no libc, started by
# process_spawn. Each links libsys's crt (user/lib/sys), lib/string.c for the
# memory functions gcc may call, and libmsg over lib/tlv.c. They land in
# /native in the initrd.
N_NAMES  := nat_hello nat_echo_srv nat_echo_cli nat_fs_cli nat_bench_srv
N_CFLAGS := -std=gnu11 -O2 $(U_WARN) -ffreestanding -fno-builtin -nostdlib -static -no-pie -fno-pie \
	    -fno-stack-protector -Iuapi -Ilib/include -Iuser/lib/sys -Iuser/lib/msg \
	    -Wl,--build-id=none -Wl,-z,separate-code
N_LIBSRC := user/lib/sys/crt.c lib/string.c lib/tlv.c user/lib/msg/msg.c
N_HDRS   := $(wildcard user/lib/sys/weft/*.h) user/lib/msg/msg.h user/native/demo.h $(wildcard uapi/weft/*.h)

$(UB)/native/%: user/native/%.c $(N_LIBSRC) $(N_HDRS)
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(N_CFLAGS) -o $@ $< $(N_LIBSRC)

# Linux test programs on librt (user/lib/rt) and libsys.
$(addprefix $(UB)/,$(U_RT_PROGS)): $(UB)/%: user/test/%.c user/lib/rt/rt.c user/lib/rt/rt.h \
		$(U_HDRS) $(N_HDRS) | $(MUSL_STAMP)
	@mkdir -p $(UB)
	$(U_MUSL) $(U_CFLAGS) -no-pie -fno-pie -DT_NAME='"$*"' -o $@ $< user/lib/rt/rt.c

# Linux test programs that speak native protocols link libmsg too.
U_MSG_LIBSRC := lib/tlv.c user/lib/msg/msg.c
$(foreach p,$(U_MUSL_NATIVE),$(eval $(UB)/$(p): $(U_MSG_LIBSRC) $(N_HDRS) user/test/t_native_abi.h))
$(addprefix $(UB)/,$(U_MUSL_NATIVE)): $(UB)/%: user/test/%.c $(U_HDRS) | $(MUSL_STAMP)
	@mkdir -p $(UB)
	$(U_MUSL) $(U_CFLAGS) -Ilib/include -Iuser/lib/msg -Iuser/native -no-pie -fno-pie \
		-DT_NAME='"$*"' -o $@ $< $(U_MSG_LIBSRC)

user: $(addprefix $(UB)/,$(U_PROGS)) $(addprefix $(UB)/native/,$(N_NAMES)) $(B)/badelf/list

# What goes into the initrd, as DEST=SRC pairs for tools/mkinitrd.sh.
U_INITRD_SPEC := bin/runtests=$(UB)/runtests bin/wsh=$(UB)/wsh \
		 test/manifest=user/test/manifest test/sh=user/test/sh test/disk=user/test/disk \
		 test/manifest.disk=user/test/manifest.disk \
		 test/manifest.diskverify=user/test/manifest.diskverify \
		 test/manifest.fsfault=user/test/manifest.fsfault \
		 test/manifest.rootfs=user/test/manifest.rootfs \
		 test/badelf=$(B)/badelf $(foreach t,$(U_TESTS),test/$(t)=$(UB)/$(t)) \
		 $(foreach n,$(N_NAMES),native/$(n)=$(UB)/native/$(n))
U_INITRD_DEPS := $(addprefix $(UB)/,$(U_PROGS)) $(addprefix $(UB)/native/,$(N_NAMES)) \
		 $(B)/badelf/list user/test/manifest \
		 $(wildcard user/test/manifest.* user/test/sh/* user/test/disk/*) \
		 tools/mkinitrd.sh

# EXTRA is a directory whose contents make does not track: with EXTRA set, the
# archive is rebuilt every time. The last EXTRA value is recorded, so dropping
# it (or changing it) also rebuilds.
U_EXTRA_NOTE := $(B)/initrd.extra
$(shell mkdir -p $(B) && (echo '$(EXTRA)' | cmp -s - $(U_EXTRA_NOTE) || echo '$(EXTRA)' >$(U_EXTRA_NOTE)))
ifneq ($(EXTRA),)
U_INITRD_FORCE := u-force
endif
.PHONY: u-force

# The busybox tree (user/busybox.mk, included after this file) comes first,
# then lua and sqlite3 (user/apps.mk, which adds its prerequisites), so Weft's
# own programs win any name clash.
$(B)/initrd.cpio: $(U_INITRD_DEPS) $(U_EXTRA_NOTE) $(U_INITRD_FORCE) $(B)/busybox-root/.stamp
	bash tools/mkinitrd.sh $(if $(EXTRA),--extra $(EXTRA)) $@ $(BUSYBOX_INITRD_SPEC) $(APPS_INITRD_SPEC) $(U_INITRD_SPEC)

$(B)/initrd-bad.cpio: $(U_INITRD_DEPS)
	bash tools/mkinitrd.sh --truncate bin/runtests $@ bin/runtests=$(UB)/runtests \
		test/manifest=user/test/manifest

# The same tree as an ext4 image (real mkfs.ext4): the root file system of
# "make run", and of the suite's run from a disk root in tools/test.sh.
$(B)/rootfs.ext4: $(U_INITRD_DEPS) $(U_EXTRA_NOTE) $(U_INITRD_FORCE) $(B)/busybox-root/.stamp
	bash tools/mkinitrd.sh --ext4 $(if $(EXTRA),--extra $(EXTRA)) $@ $(BUSYBOX_INITRD_SPEC) \
		$(APPS_INITRD_SPEC) $(U_INITRD_SPEC)

initrd: $(B)/initrd.cpio $(B)/initrd-bad.cpio $(B)/rootfs.ext4
