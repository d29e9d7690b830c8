# Benchmarks: "make bench" boots Weft and the Linux kernel in ../shared/linux
# under the same QEMU command line, with the same initrd, and compares them.
#
# bench/wbench.c (the benchmark, run as the first user program) and
# bench/bench_true.c (the tiny program its fork+execve figure runs) are static
# musl ET_EXEC binaries built like user/build.mk's. tools/mkinitrd.sh packs
# them as /bench and /bench_true into $(B)/bench/initrd.cpio, which serves
# both kernels: the command line names it as rdinit= for Linux and init= for
# Weft. tools/bench.py does the boots and writes the table to $(B)/bench.txt.
# Knobs: BENCH_RUNS (boots per kernel and -smp, default 3), BENCH_SMPS
# (default "1 4"), BENCH_ARGS (more tools/bench.py options). Not part of
# "make test".

.PHONY: bench bench-build

BENCH_B     := $(B)/bench
BENCH_LINUX ?= $(CURDIR)/../shared/linux/Image
BENCH_RUNS  ?= 3
BENCH_SMPS  ?= 1 4
BENCH_ARGS  ?=

$(BENCH_B)/wbench: bench/wbench.c | $(MUSL_STAMP)
	@mkdir -p $(BENCH_B)
	$(U_MUSL) $(U_CFLAGS) -no-pie -fno-pie -o $@ $<

$(BENCH_B)/bench_true: bench/bench_true.c | $(MUSL_STAMP)
	@mkdir -p $(BENCH_B)
	$(U_MUSL) $(U_CFLAGS) -no-pie -fno-pie -o $@ $<

$(BENCH_B)/initrd.cpio: $(BENCH_B)/wbench $(BENCH_B)/bench_true tools/mkinitrd.sh
	bash tools/mkinitrd.sh $@ bench=$(BENCH_B)/wbench bench_true=$(BENCH_B)/bench_true

bench-build: kernel $(BENCH_B)/initrd.cpio

bench: bench-build
	python3 tools/bench.py --weft $(B)/weft.bin --linux $(BENCH_LINUX) \
		--initrd $(BENCH_B)/initrd.cpio --runs $(BENCH_RUNS) --smp "$(BENCH_SMPS)" \
		--out $(B)/bench.txt --logs $(BENCH_B)/logs $(BENCH_ARGS)
