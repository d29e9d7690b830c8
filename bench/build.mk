# Benchmarks: "make bench" boots Weft and the Linux kernel in ../shared/linux
# under the same QEMU command line, with the same initrd, and compares them.
#
# bench/wbench.c (the benchmark, run as the first user program) and
# bench/bench_true.c (the tiny program its fork+execve figure runs) are static
# musl ET_EXEC binaries built like user/build.mk's. tools/mkinitrd.sh packs
# them as /bench and /bench_true (and the native channel echo server of the
# chan_rtt_us figure as /native/nat_bench_srv) into $(B)/bench/initrd.cpio, which serves
# both kernels: the command line names it as rdinit= for Linux and init= for
# Weft. tools/bench.py does the boots and writes the table, with each
# figure's target (issues 2 and 3) marked met or not, to $(B)/bench.txt.
# Every figure runs at every -smp value; a boot takes about 10 s of QEMU
# time, so the default 3 runs x 2 kernels x 2 -smp values take 2-3 minutes
# on 2 host cores (each figure stops repeating after 4 s and counts as hung
# after 20 s, so a bad boot cannot take much longer). At -smp 4 on 2 host
# cores, figures that wake another CPU (pipes, fork, threads) depend on how
# the host schedules QEMU's vCPU threads: compare them with care.
# Then tools/fsbench.py runs bench/fsbench.c (ext4 figures on a fresh image per
# boot) on the hybrid kernel, the monolithic one (build-monolithic) and Linux,
# into $(B)/fsbench.txt; "make fsbench" runs only that.
# Knobs: BENCH_RUNS (boots per kernel and -smp, default 3), BENCH_SMPS
# (default "1 4"), FSBENCH_SMPS (default 1), BENCH_ARGS (more tools/bench.py options). Not part of
# "make test".

.PHONY: bench bench-build fsbench

BENCH_B     := $(B)/bench
BENCH_LINUX ?= $(CURDIR)/../shared/linux/Image
BENCH_RUNS  ?= 3
BENCH_SMPS  ?= 1 4
FSBENCH_SMPS ?= 1
BENCH_ARGS  ?=

$(BENCH_B)/wbench: bench/wbench.c bench/wbench_native.c bench/wbench.h user/lib/sys/weft/sys.h \
		| $(MUSL_STAMP)
	@mkdir -p $(BENCH_B)
	$(U_MUSL) $(U_CFLAGS) -Ibench -no-pie -fno-pie -o $@ $(filter %.c,$^)

$(BENCH_B)/bench_true: bench/bench_true.c | $(MUSL_STAMP)
	@mkdir -p $(BENCH_B)
	$(U_MUSL) $(U_CFLAGS) -no-pie -fno-pie -o $@ $<

$(BENCH_B)/fsbench: bench/fsbench.c | $(MUSL_STAMP)
	@mkdir -p $(BENCH_B)
	$(U_MUSL) $(U_CFLAGS) -no-pie -fno-pie -o $@ $<

# The file-system benchmark's initrd: fsbench as /bench.
$(BENCH_B)/fs-initrd.cpio: $(BENCH_B)/fsbench tools/mkinitrd.sh
	bash tools/mkinitrd.sh $@ bench=$(BENCH_B)/fsbench

$(BENCH_B)/initrd.cpio: $(BENCH_B)/wbench $(BENCH_B)/bench_true $(UB)/native/nat_bench_srv tools/mkinitrd.sh
	bash tools/mkinitrd.sh $@ bench=$(BENCH_B)/wbench bench_true=$(BENCH_B)/bench_true \
		native/nat_bench_srv=$(UB)/native/nat_bench_srv

bench-build: kernel $(BENCH_B)/initrd.cpio $(BENCH_B)/fs-initrd.cpio
	$(MAKE) MODE=monolithic kernel

bench: bench-build
	python3 tools/bench.py --weft $(B)/weft.bin --linux $(BENCH_LINUX) \
		--initrd $(BENCH_B)/initrd.cpio --runs $(BENCH_RUNS) --smp "$(BENCH_SMPS)" \
		--out $(B)/bench.txt --logs $(BENCH_B)/logs $(BENCH_ARGS)
	python3 tools/fsbench.py --weft $(B)/weft.bin --weft-mono build-monolithic/weft.bin \
		--linux $(BENCH_LINUX) --initrd $(BENCH_B)/fs-initrd.cpio --runs $(BENCH_RUNS) \
		--smp "$(FSBENCH_SMPS)" --out $(B)/fsbench.txt --logs $(BENCH_B)/logs

# Only the file-system figures (issue 5).
fsbench: bench-build
	python3 tools/fsbench.py --weft $(B)/weft.bin --weft-mono build-monolithic/weft.bin \
		--linux $(BENCH_LINUX) --initrd $(BENCH_B)/fs-initrd.cpio --runs $(BENCH_RUNS) \
		--smp "$(FSBENCH_SMPS)" --out $(B)/fsbench.txt --logs $(BENCH_B)/logs
