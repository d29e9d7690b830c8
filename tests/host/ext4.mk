# Host tests of kernel/fs/ext4 against images made by the real mkfs.ext4 with
# its default features (extents, 64bit, flex_bg, metadata_csum, dir_index,
# huge_file, dir_nlink, extra_isize, has_journal ...), checked by e2fsck.
#
#   ext4       reads the populated images (4 KiB and 1 KiB blocks, the big
#              directory htree-indexed by e2fsck -fD), runs write workloads on
#              copies, runs e2fsck -fn on the result and reads it back.
#   ext4_fuzz  mounts and walks 3,000 copies of a small image with random
#              bytes of its metadata (found with e2image -r) corrupted.
#
# The tree put into the images is built by tests/host/ext4_tree.c from
# tests/host/ext4_tree.h, which the tests share to know what each file holds.

E4_FIX := $(B)/host/fixtures
E4_BS_4k := 4096
E4_BS_1k := 1024

$(E4_FIX)/ext4-treegen: tests/host/ext4_tree.c tests/host/ext4_tree.h
	@mkdir -p $(dir $@)
	$(HCC) -std=gnu11 -O1 $(WARN) -o $@ $<

# The populated images: mkfs.ext4 -d, then e2fsck -fyD (exit 1: it indexed
# directories), then e2fsck -fn must find nothing.
$(E4_FIX)/ext4-tree-%.img: $(E4_FIX)/ext4-treegen
	rm -rf $@.d $@ && $< $@.d
	truncate -s 64M $@ && mkfs.ext4 -q -F -b $(E4_BS_$*) -d $@.d $@
	e2fsck -fyD $@ >/dev/null 2>&1; [ $$? -le 1 ]
	e2fsck -fn $@ >/dev/null
	rm -rf $@.d

# Empty images for the write workloads.
$(E4_FIX)/ext4-empty-%.img:
	@mkdir -p $(dir $@)
	rm -f $@ && truncate -s 64M $@ && mkfs.ext4 -q -F -b $(E4_BS_$*) $@

# Extra variants: without metadata_csum (descriptors with the older crc16
# gdt_csum), and without 64bit (32-byte descriptors).
$(E4_FIX)/ext4-gdtcsum-1k.img:
	@mkdir -p $(dir $@)
	rm -f $@ && truncate -s 64M $@ && mkfs.ext4 -q -F -b 1024 -O ^metadata_csum,uninit_bg $@
$(E4_FIX)/ext4-32bit-4k.img:
	@mkdir -p $(dir $@)
	rm -f $@ && truncate -s 64M $@ && mkfs.ext4 -q -F -b 4096 -O ^64bit $@

# A small image for the corruption test, and its metadata-only copy.
$(E4_FIX)/ext4-fuzz.img:
	@mkdir -p $(dir $@)
	rm -rf $@.d $@ && mkdir -p $@.d/dir/sub $@.d/many
	cd $@.d && printf 'hello\n' > dir/hello && seq 1 20000 > dir/sub/numbers && \
		ln -s dir/hello short && ln -s "$$(printf 'x%.0s' $$(seq 1 90))/target" long && \
		cd many && touch $$(seq -f 'a-fairly-long-file-name-%04g' 1 150)
	for i in 0 1 2 3 4 5 6 7; do \
		dd if=/dev/urandom of=$@.d/frag bs=1024 count=1 seek=$$((i * 4)) conv=notrunc 2>/dev/null; done
	truncate -s 2M $@ && mkfs.ext4 -q -F -b 1024 -N 256 -d $@.d $@
	e2fsck -fyD $@ >/dev/null 2>&1; [ $$? -le 1 ]
	e2fsck -fn $@ >/dev/null
	e2image -r $@ $@.meta 2>/dev/null
	rm -rf $@.d

# Recursive (=): fs.mk, which defines FS_HT_*, is read after this file.
E4_HT_CFLAGS = $(FS_HT_CFLAGS) -Ikernel/fs/ext4

HOST_TESTS += ext4
HT_ext4_SRCS = tests/host/test_ext4.c tests/host/ext4_util.c $(FS_HT_SRCS)
$(B)/host/ext4: HCFLAGS += $(E4_HT_CFLAGS)
$(B)/host/ext4: | $(E4_FIX)/ext4-tree-4k.img $(E4_FIX)/ext4-tree-1k.img \
	$(E4_FIX)/ext4-empty-4k.img $(E4_FIX)/ext4-empty-1k.img \
	$(E4_FIX)/ext4-gdtcsum-1k.img $(E4_FIX)/ext4-32bit-4k.img

HOST_TESTS += ext4_fuzz
HT_ext4_fuzz_SRCS = tests/host/test_ext4_fuzz.c tests/host/ext4_util.c $(FS_HT_SRCS)
$(B)/host/ext4_fuzz: HCFLAGS += $(E4_HT_CFLAGS)
$(B)/host/ext4_fuzz: | $(E4_FIX)/ext4-fuzz.img
