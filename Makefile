# Weft build. Plain GNU Make; each folder contributes a build.mk fragment.
#
#   make            kernel image, user programs and the initrd
#   make run        boot Weft in QEMU on the console
#   make test       host unit tests, then the in-QEMU suites at -smp 1 and -smp 4
#   make bench      benchmarks: Weft against the Linux kernel in ../shared/linux
#   make debug      QEMU halted with its gdb stub, and gdb-multiarch attached
#
# Variables: MODE=hybrid|monolithic, SMP=n, MEM=size, INIT="/path args", EXTRA=dir.

MODE   ?= hybrid
SMP    ?= 1
MEM    ?= 256M
CROSS  ?= riscv64-linux-gnu-
B      := build$(if $(filter monolithic,$(MODE)),-monolithic)
# V=1 shows every command.
Q      := $(if $(V),,@)
SHELL  := /bin/bash
# Version-pinned heavy builds (musl) live outside the clone, keyed by version.
CACHE  ?= $(HOME)/.cache/weft

KCC     := $(CROSS)gcc
KLD     := $(CROSS)ld
KOBJCOPY := $(CROSS)objcopy
KNM     := $(CROSS)nm

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter
KCFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -nostdlib -fno-pie -fno-pic \
	   -mcmodel=medany -mno-relax -march=rv64imac_zicsr_zifencei -mabi=lp64 -fno-omit-frame-pointer \
	   -fno-stack-protector -fno-common -MMD -MP -DWEFT_KERNEL \
	   -DWEFT_MODE_$(shell echo $(MODE) | tr a-z A-Z)=1 -flto -flto-partition=one $(KEXTRA)

# -flto in one partition: under QEMU every return and indirect call is an unchained
# jump; inlining across files took the null syscall from 730 to ~550 ns (docs/kernel.md).

HCC     := gcc
HCFLAGS := -std=gnu11 -O1 -g $(WARN) -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all -MMD -MP -DWEFT_HOST -pthread

# Include paths by layer: a layer sees only itself and the layers below it.
INC_lib   := -Iuapi -Ilib/include
INC_core  := $(INC_lib) -Ikernel/hal/include -Ikernel/core/include
INC_arch  := $(INC_core) -Ikernel/arch/riscv64/include
INC_obj   := $(INC_core) -Ikernel/obj/include
INC_dev   := $(INC_obj) -Ikernel/dev/include
INC_fs    := $(INC_dev) -Ikernel/fs/include
INC_svc   := $(INC_fs) -Ikernel/svc/include
INC_linux := $(INC_svc) -Ikernel/linux/include
INC_native := $(INC_svc) -Ikernel/native/include
INC_init  := $(INC_linux) -Ikernel/native/include -Ikernel/arch/riscv64/include
# The HAL headers pull their arch half from <arch/...>.
INC_arch_hal := -Ikernel/arch/riscv64/include
INC_host_hal := -Ihost/include

KSRC      :=
HOST_TESTS :=

.PHONY: all kernel user initrd run run-initrd test test-host test-qemu bench debug clean deps distclean
all: kernel user initrd

include lib/build.mk
include kernel/arch/riscv64/build.mk
include kernel/core/build.mk
include kernel/obj/build.mk
include kernel/dev/build.mk
include kernel/fs/build.mk
include kernel/svc/build.mk
include kernel/linux/build.mk
include kernel/native/build.mk
include kernel/init/build.mk
include user/build.mk
-include user/busybox.mk
include user/apps.mk
include tests/build.mk
include bench/build.mk
include tools/prof/build.mk

layer_of = $(word 1,$(subst /, ,$(patsubst kernel/%,%,$(patsubst lib/%,lib/,$(1)))))
KOBJ := $(patsubst %.c,$(B)/k/%.o,$(filter %.c,$(KSRC))) $(patsubst %.S,$(B)/k/%.o,$(filter %.S,$(KSRC)))

$(B)/k/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(KCC) $(KCFLAGS) $(INC_$(call layer_of,$<)) $(INC_arch_hal) -c $< -o $@
$(B)/k/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(KCC) $(KCFLAGS) -D__ASSEMBLY__ $(INC_arch) -c $< -o $@

# Link twice: the second link embeds the function table of the first, so panics
# print symbolised backtraces (text comes first in the image, so it does not move).
KLDFLAGS := -nostdlib -static -Wl,--no-relax -Wl,--build-id=none -T kernel/arch/riscv64/kernel.ld
$(B)/weft.elf: $(KOBJ) $(B)/k/ksyms_empty.o kernel/arch/riscv64/kernel.ld tools/mksyms.sh
	@echo "  LD      $@"
	$(Q)$(KCC) $(KCFLAGS) $(KLDFLAGS) -o $(B)/weft.pass1.elf $(KOBJ) $(B)/k/ksyms_empty.o
	$(Q)sh tools/mksyms.sh $(KNM) $(B)/weft.pass1.elf > $(B)/ksyms.S
	$(Q)$(KCC) $(KCFLAGS) -c $(B)/ksyms.S -o $(B)/ksyms.o
	$(Q)$(KCC) $(KCFLAGS) $(KLDFLAGS) -o $@ $(KOBJ) $(B)/ksyms.o
	@cmp -s <($(KNM) -n $(B)/weft.pass1.elf | grep -i ' t ') <($(KNM) -n $@ | grep -i ' t ') || \
		{ echo "kernel text moved between links"; exit 1; }
$(B)/weft.bin: $(B)/weft.elf
	$(Q)$(KOBJCOPY) -O binary $< $@
$(B)/k/ksyms_empty.o: tools/ksyms_empty.S
	@mkdir -p $(dir $@)
	$(KCC) $(KCFLAGS) -c $< -o $@

kernel: deps $(B)/weft.bin

# Tools: install what is missing (a fresh Debian 12 machine has none of it).
deps:
	@bash tools/deps.sh

QEMU_BASE = qemu-system-riscv64 -machine virt -nographic -bios default -m $(MEM) -smp $(SMP) \
	-kernel $(B)/weft.bin
# busybox init reads /etc/inittab and starts a shell on the console. The root
# file system is ext4 on /dev/vda: $(B)/rootfs.ext4, the initrd's tree made into
# an image by mkfs.ext4 (changes made in a session stay until it is rebuilt).
# "make run-initrd" boots the same tree from the initrd into tmpfs instead.
INIT ?= /sbin/init
run: all
	$(QEMU_BASE) -drive file=$(B)/rootfs.ext4,if=none,format=raw,id=vda \
		-device virtio-blk-device,drive=vda -append "root=/dev/vda init=$(INIT)"

run-initrd: all
	$(QEMU_BASE) -initrd $(B)/initrd.cpio -append "init=$(INIT)"

debug: all
	$(QEMU_BASE) -initrd $(B)/initrd.cpio -append "init=$(INIT)" -s -S & \
	gdb-multiarch -q $(B)/weft.elf -ex 'target remote :1234' ; kill %1 2>/dev/null || true

test: deps
	@bash tools/test.sh

clean:
	rm -rf $(B)

-include $(shell find $(B) -type f -name '*.d' 2>/dev/null)
