# Host tests of kernel/fs/ext4 against images made by the real mkfs.ext4 with
# its default features (extents, 64bit, flex_bg, metadata_csum, dir_index,
# huge_file, dir_nlink, extra_isize, has_journal ...), checked by e2fsck.
#
#   ext4       reads the populated images (4 KiB and 1 KiB blocks, the big
#              directory htree-indexed by e2fsck -fD), runs write workloads on
#              copies, runs e2fsck -fn on the result and reads it back.
#   ext4_dirs  mknod of every kind (unmount, remount, e2fsck, debugfs);
#              grows hash-indexed directories (thousands of names, exact
#              hash collisions, deletes, renames, every hash kind), checks
#              e2fsck -fn, the index flag and that lookups use the index;
#              corrupted indexes must give -EUCLEAN.
#   ext4_orphan  files unlinked while open: the on-disk orphan list after a
#              crash, read by e2fsck and by our next mount
#   ext4_recover  recovery after a fault in the fs service: all unsynced
#              changes dropped, or (numbered requests) the failed one undone
#   ext4_fuzz  mounts and walks 4,500 copies of three small images (1 KiB
#              and 4 KiB blocks, and one without checksums) with random
#              bytes of their metadata (found with e2image -r) corrupted.
#
# The tree put into the images is built by tests/host/ext4_tree.c from
# tests/host/ext4_tree.h, which the tests share to know what each file holds.

E4_FIX := $(B)/host/fixtures
E4_BS_4k := 4096
E4_BS_1k := 1024
E4_BS_tea := 1024
E4_TUNE_tea := -E hash_alg=tea

$(E4_FIX)/ext4-treegen: tests/host/ext4_tree.c tests/host/ext4_tree.h
	@mkdir -p $(dir $@)
	$(HCC) -std=gnu11 -O1 $(WARN) -o $@ $<

# The populated images: mkfs.ext4 -d, then e2fsck -fyD (exit 1: it indexed
# directories), then e2fsck -fn must find nothing. "tea" indexes with the
# TEA hash instead of the default half-MD4.
$(E4_FIX)/ext4-tree-%.img: $(E4_FIX)/ext4-treegen
	rm -rf $@.d $@ && $< $@.d
	truncate -s 64M $@ && mkfs.ext4 -q -F -b $(E4_BS_$*) -d $@.d $@ || { rm -f $@; false; }
	$(if $(E4_TUNE_$*),tune2fs $(E4_TUNE_$*) $@ >/dev/null)
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

# Small images for the corruption test (1 KiB and 4 KiB blocks), each with
# its metadata-only copy (e2image -r) that tells the test where metadata is.
# nocsum: 1 KiB blocks without any checksums, so corruption must be caught
# by the structural checks alone.
E4_FUZZ_SIZE_1k := 2M
E4_FUZZ_SIZE_4k := 8M
E4_FUZZ_SIZE_nocsum := 2M
E4_BS_nocsum := 1024
E4_FUZZ_OPT_nocsum := -O ^metadata_csum
$(E4_FIX)/ext4-fuzz-%.img:
	@mkdir -p $(dir $@)
	rm -rf $@.d $@ && mkdir -p $@.d/dir/sub $@.d/many
	cd $@.d && printf 'hello\n' > dir/hello && seq 1 20000 > dir/sub/numbers && \
		ln -s dir/hello short && ln -s "$$(printf 'x%.0s' $$(seq 1 90))/target" long && \
		cd many && touch $$(seq -f 'a-fairly-long-file-name-%04g' 1 300)
	for i in 0 1 2 3 4 5 6 7; do \
		dd if=/dev/urandom of=$@.d/frag bs=1024 count=1 seek=$$((i * 8)) conv=notrunc 2>/dev/null; done
	truncate -s $(E4_FUZZ_SIZE_$*) $@ && mkfs.ext4 -q -F -b $(E4_BS_$*) -N 512 $(E4_FUZZ_OPT_$*) -d $@.d $@
	e2fsck -fyD $@ >/dev/null 2>&1; [ $$? -le 1 ]
	e2fsck -fn $@ >/dev/null
	e2image -r $@ $@.meta 2>/dev/null
	rm -rf $@.d

E4_HT_CFLAGS = $(FS_HT_CFLAGS) -Ikernel/fs/ext4

HOST_TESTS += ext4
HT_ext4_SRCS = tests/host/test_ext4.c tests/host/ext4_util.c $(FS_HT_SRCS)
$(B)/host/ext4: HCFLAGS += $(E4_HT_CFLAGS)
$(B)/host/ext4: | $(E4_FIX)/ext4-tree-4k.img $(E4_FIX)/ext4-tree-1k.img $(E4_FIX)/ext4-tree-tea.img \
	$(E4_FIX)/ext4-empty-4k.img $(E4_FIX)/ext4-empty-1k.img \
	$(E4_FIX)/ext4-gdtcsum-1k.img $(E4_FIX)/ext4-32bit-4k.img

HOST_TESTS += ext4_dirs
HT_ext4_dirs_SRCS = tests/host/test_ext4_dirs.c tests/host/ext4_util.c $(FS_HT_SRCS)
$(B)/host/ext4_dirs: HCFLAGS += $(E4_HT_CFLAGS)
$(B)/host/ext4_dirs: | $(E4_FIX)/ext4-empty-4k.img $(E4_FIX)/ext4-empty-1k.img \
	$(E4_FIX)/ext4-gdtcsum-1k.img $(E4_FIX)/ext4-tree-4k.img

HOST_TESTS += ext4_fuzz
HT_ext4_fuzz_SRCS = tests/host/test_ext4_fuzz.c tests/host/ext4_util.c $(FS_HT_SRCS)
$(B)/host/ext4_fuzz: HCFLAGS += $(E4_HT_CFLAGS)
$(B)/host/ext4_fuzz: | $(E4_FIX)/ext4-fuzz-1k.img $(E4_FIX)/ext4-fuzz-4k.img \
	$(E4_FIX)/ext4-fuzz-nocsum.img

HOST_TESTS += ext4_recover
HT_ext4_recover_SRCS = tests/host/test_ext4_recover.c tests/host/ext4_util.c $(FS_HT_SRCS)
$(B)/host/ext4_recover: HCFLAGS += $(E4_HT_CFLAGS)
$(B)/host/ext4_recover: | $(E4_FIX)/ext4-empty-4k.img $(E4_FIX)/ext4-empty-1k.img

HOST_TESTS += ext4_orphan
HT_ext4_orphan_SRCS = tests/host/test_ext4_orphan.c tests/host/ext4_util.c $(FS_HT_SRCS)
$(B)/host/ext4_orphan: HCFLAGS += $(E4_HT_CFLAGS)
$(B)/host/ext4_orphan: | $(E4_FIX)/ext4-empty-4k.img $(E4_FIX)/ext4-empty-1k.img
