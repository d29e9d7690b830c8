# Guest profiler: "make prof FIG=getppid" boots Weft and the Linux kernel in
# ../shared/linux with the bench initrd under QEMU with the TCG plugin
# tools/prof/weftprof.c loaded, runs only the figures whose name contains
# FIG (each repetition is a profile window, see bench/wbench.h), and writes
# for each kernel the raw profile $(PROF_B)/<kernel>-<fig>.prof and the
# report of tools/prof/report.py next to it as .txt (also printed).
# Knobs: FIG (default getppid), PROF_KERNELS (default "weft linux"),
# PROF_SMP (default 1: the plugin's counters are not atomic), PROF_OPTS
# (plugin options, default time=on; add mem=on for MMIO counts), PROF_TOP.
# QEMU's plugin header comes from Debian's qemu source package
# (tools/prof/qemu-plugin-h.sh, cached in $(CACHE)); Linux's symbols come
# from its /proc/kallsyms, read once by tools/prof/linux-ksyms.sh.
# Under the plugin the guest runs several times slower: the figures it
# prints then are not comparable with make bench's.

.PHONY: prof prof-plugin fsprof

PROF_B       := $(B)/prof
PROF_SO      := $(PROF_B)/weftprof.so
PROF_HDR_DIR  = $(CACHE)/qemu-plugin-7.2
FIG          ?= getppid
PROF_KERNELS ?= weft linux
PROF_SMP     ?= 1
PROF_OPTS    ?= time=on
PROF_TOP     ?= 25

$(PROF_HDR_DIR)/.weft-complete:
	bash tools/prof/qemu-plugin-h.sh $(CACHE) >/dev/null

$(PROF_SO): tools/prof/weftprof.c $(PROF_HDR_DIR)/.weft-complete
	@mkdir -p $(dir $@)
	gcc -O2 -g -std=gnu11 -Wall -Wextra -Werror -fPIC -shared -I$(PROF_HDR_DIR) -o $@ $< -lpthread

$(PROF_B)/linux.ksyms: $(BENCH_LINUX) tools/prof/linux-ksyms.sh | $(BUSYBOX_STAMP)
	bash tools/prof/linux-ksyms.sh $(BENCH_LINUX) $(BUSYBOX_DIR)/busybox $@

prof-plugin: $(PROF_SO)

prof_comma       := ,
prof_empty       :=
prof_space       := $(prof_empty) $(prof_empty)
prof_syms_weft    = --kernel $(B)/weft.elf
prof_syms_linux   = --ksyms $(PROF_B)/linux.ksyms

prof: kernel $(BENCH_B)/initrd.cpio $(PROF_SO) $(if $(filter linux,$(PROF_KERNELS)),$(PROF_B)/linux.ksyms)
	@for k in $(PROF_KERNELS); do \
		case $$k in weft) kern=$(B)/weft.bin; syms="$(prof_syms_weft)" ;; \
		linux) kern=$(BENCH_LINUX); syms="$(prof_syms_linux)" ;; \
		*) echo "prof: unknown kernel $$k"; exit 1 ;; esac; \
		out=$(PROF_B)/$$k-$(FIG); \
		echo "prof: $$k, figures matching '$(FIG)' -> $$out.prof"; \
		timeout --signal=TERM 600 qemu-system-riscv64 -machine virt -nographic -bios default \
			-m 512M -smp $(PROF_SMP) -kernel $$kern -initrd $(BENCH_B)/initrd.cpio \
			-append "console=ttyS0 quiet rdinit=/bench init=/bench $(FIG)" \
			-plugin $(PROF_SO),out=$$out.prof,$(subst $(prof_space),$(prof_comma),$(strip $(PROF_OPTS))) \
			</dev/null >$$out.log 2>&1 || { echo "prof: QEMU failed, see $$out.log"; exit 1; }; \
		grep '^BENCH ' $$out.log || true; \
		python3 tools/prof/report.py $$out.prof $$syms --user $(BENCH_B)/wbench \
			--user $(BENCH_B)/bench_true --fig $(FIG) --top $(PROF_TOP) --label $$k \
			>$$out.txt || exit 1; \
		cat $$out.txt; echo; \
	done

# The file-system figures (bench/fsbench.c): "make fsprof FIG=create_delete_us"
# boots the hybrid kernel and the monolithic one (FSPROF_KERNELS, default
# "hybrid monolithic"; also "linux") on a fresh mkfs.ext4 image with the
# plugin, the timed part of figure FIG (its full name) as the one window, and
# writes $(PROF_B)/fs-<kernel>-<fig>.{prof,log,txt}. FSPROF_ITERS gives the
# report's per-iteration counts (default 1000: create_delete_us's files; 2000
# for rand_read_4k_us).
FSPROF_KERNELS ?= hybrid monolithic
FSPROF_ITERS   ?= 1000

fsprof: bench-build $(PROF_SO) $(if $(filter linux,$(FSPROF_KERNELS)),$(PROF_B)/linux.ksyms)
	@for k in $(FSPROF_KERNELS); do \
		case $$k in hybrid) kern=$(B)/weft.bin; syms="--kernel $(B)/weft.elf" ;; \
		monolithic) kern=build-monolithic/weft.bin; syms="--kernel build-monolithic/weft.elf" ;; \
		linux) kern=$(BENCH_LINUX); syms="$(prof_syms_linux)" ;; \
		*) echo "fsprof: unknown kernel $$k"; exit 1 ;; esac; \
		out=$(PROF_B)/fs-$$k-$(FIG); img=$(PROF_B)/fsprof.ext4; \
		rm -f $$img; mkfs.ext4 -q -F $$img 256M || exit 1; \
		echo "fsprof: $$k, figure $(FIG) -> $$out.prof"; \
		timeout --signal=TERM 900 qemu-system-riscv64 -machine virt -nographic -bios default \
			-m 512M -smp $(PROF_SMP) -kernel $$kern -initrd $(BENCH_B)/fs-initrd.cpio \
			-append "console=ttyS0 quiet rdinit=/bench init=/bench $(FIG)" \
			-drive file=$$img,if=none,format=raw,id=vd0 -device virtio-blk-device,drive=vd0 \
			-plugin $(PROF_SO),out=$$out.prof,$(subst $(prof_space),$(prof_comma),$(strip $(PROF_OPTS))) \
			</dev/null >$$out.log 2>&1 || { echo "fsprof: QEMU failed, see $$out.log"; exit 1; }; \
		grep '^BENCH ' $$out.log || true; \
		python3 tools/prof/report.py $$out.prof $$syms --user $(BENCH_B)/fsbench \
			--iters $(FSPROF_ITERS) --top $(PROF_TOP) --label $$k >$$out.txt || exit 1; \
		cat $$out.txt; echo; \
	done
