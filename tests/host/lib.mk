# Host tests for the freestanding library lib/ (string, fmt, fdt, cpio, elf, ring).
# Fixtures (QEMU device trees, cpio archives, riscv64 binaries) are generated into
# $(B)/host/fixtures by the rules below; each test reads them at run time, so the
# test binary depends on its fixtures.

HOST_TESTS += string
HT_string_SRCS := tests/host/test_string.c lib/string.c

HOST_TESTS += fmt
HT_fmt_SRCS := tests/host/test_fmt.c lib/fmt.c

# Fixtures live in $(B)/host/fixtures; a test finds them beside its own binary
# (through /proc/self/exe). They are order-only prerequisites of the test, so
# they are made first but never passed to gcc.
LIB_FIX := $(B)/host/fixtures

# Device trees dumped by QEMU's virt machine: one plain, one with an initrd
# (6 bytes), a command line and a dummy kernel (-append and -initrd need one).
$(LIB_FIX)/virt.dtb:
	@mkdir -p $(dir $@)
	qemu-system-riscv64 -machine virt,dumpdtb=$@ -m 256M -smp 4 -nographic -bios default 2>/dev/null
$(LIB_FIX)/virt-initrd.dtb:
	@mkdir -p $(dir $@)
	head -c 8192 /dev/zero > $(LIB_FIX)/dummy-kernel.bin
	printf 'hello\n' > $(LIB_FIX)/dummy-initrd.txt
	qemu-system-riscv64 -machine virt,dumpdtb=$@ -m 256M -smp 4 -nographic -bios default \
		-kernel $(LIB_FIX)/dummy-kernel.bin -initrd $(LIB_FIX)/dummy-initrd.txt \
		-append "init=/bin/x a b" 2>/dev/null

HOST_TESTS += fdt
HT_fdt_SRCS := tests/host/test_fdt.c lib/fdt.c
$(B)/host/fdt: | $(LIB_FIX)/virt.dtb $(LIB_FIX)/virt-initrd.dtb

# cpio archives written by the real cpio(1), newc ("070701") and crc ("070702"),
# from a tree with a directory, a symlink, an empty file and files of 1 to 5 bytes
# (every padding case), plus one 3000-byte file. Fixed mtimes keep them stable.
# One recipe makes both ("&:"): as two targets of an ordinary rule, a parallel
# make ran it twice at once, and one run removed the other's tree.
$(LIB_FIX)/test.cpio $(LIB_FIX)/test-crc.cpio &:
	rm -rf $(LIB_FIX)/cpio-tree && mkdir -p $(LIB_FIX)/cpio-tree/dir
	cd $(LIB_FIX)/cpio-tree && printf 'hello\n' > hello.txt && : > empty && \
		printf a > n1 && printf ab > n2 && printf abc > n3 && printf abcd > n4 && \
		printf abcde > n5 && ln -s hello.txt link && \
		awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%c", 65 + i % 26 }' > dir/big && \
		find . -exec touch -h -d @1000000000 {} + && \
		find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort > ../cpio-list && \
		cpio -o -H newc --quiet < ../cpio-list > ../test.cpio && \
		cpio -o -H crc --quiet < ../cpio-list > ../test-crc.cpio

HOST_TESTS += cpio
HT_cpio_SRCS := tests/host/test_cpio.c lib/cpio.c
$(B)/host/cpio: | $(LIB_FIX)/test.cpio $(LIB_FIX)/test-crc.cpio

# Real riscv64 executables: a glibc static ET_EXEC; a static PIE (ET_DYN without
# interpreter; Debian's cross glibc has no rcrt1.o, so it is a libc-free program
# linked with --no-dynamic-linker); and an ordinary dynamic PIE, which has a
# PT_INTERP and must be refused. For each, readelf's view of the PT_LOADs
# ("offset vaddr filesz memsz flags" per line, after an "entry" line) is saved
# beside it so the test checks elf_check against an independent reader.
LIB_RVCC := riscv64-linux-gnu-gcc
LIB_ELF_FIX := $(addprefix $(LIB_FIX)/,elf-exec elf-pie elf-interp)
LIB_READELF_LOADS = { riscv64-linux-gnu-readelf -hW $(1) | awk '/Entry point/ { print "entry", $$4 }'; \
	riscv64-linux-gnu-readelf -lW $(1) | awk '$$1 == "LOAD" { f = ""; for (i = 7; i < NF; i++) f = f $$i; \
	print $$2, $$3, $$5, $$6, f }'; } > $(1).loads

$(LIB_FIX)/elf-main.c:
	@mkdir -p $(dir $@)
	printf 'int big[5000] = { 1 };\nint main(void) { return big[0] - 1; }\n' > $@
$(LIB_FIX)/elf-start.c:
	@mkdir -p $(dir $@)
	printf '%s\n' 'static int three = 3;' 'int data[1000] = { 1 };' 'void _start(void)' '{' \
		'	register long a0 __asm__("a0") = three + data[0];' \
		'	register long a7 __asm__("a7") = 93;' \
		'	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7));' '	for (;;)' '		;' '}' > $@
$(LIB_FIX)/elf-exec: $(LIB_FIX)/elf-main.c
	$(LIB_RVCC) -static -O2 -no-pie -fno-pie -Wl,--build-id=none -o $@ $<
	$(call LIB_READELF_LOADS,$@)
$(LIB_FIX)/elf-pie: $(LIB_FIX)/elf-start.c
	$(LIB_RVCC) -O2 -fpie -static-pie -nostdlib -ffreestanding -Wl,--no-dynamic-linker -o $@ $<
	$(call LIB_READELF_LOADS,$@)
$(LIB_FIX)/elf-interp: $(LIB_FIX)/elf-main.c
	$(LIB_RVCC) -O2 -o $@ $<
	$(call LIB_READELF_LOADS,$@)

HOST_TESTS += elf
HT_elf_SRCS := tests/host/test_elf.c lib/elf.c
$(B)/host/elf: | $(LIB_ELF_FIX)

HOST_TESTS += ring
HT_ring_SRCS := tests/host/test_ring.c lib/ring.c

# The same ring test under ThreadSanitizer, which checks the acquire/release
# pairing that x86's strong ordering would hide. Not a HOST_TESTS entry (those
# are built with ASan); run it with: make build/host/ring-tsan && build/host/ring-tsan
$(B)/host/ring-tsan: tests/host/test_ring.c lib/ring.c tests/host/ht.c
	@mkdir -p $(dir $@)
	$(HCC) -std=gnu11 -O1 -g $(WARN) -fsanitize=thread -DWEFT_HOST -pthread -Iuapi -Ilib/include \
		-Itests/host -o $@ $^

# The ELF segment loader the two personalities share (kernel/core/elf_load.c),
# over a stand-in address space defined by the test.
HOST_TESTS += elf_load
HT_elf_load_SRCS := tests/host/test_elf_load.c kernel/core/elf_load.c
