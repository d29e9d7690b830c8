# Host tests for kernel/fs/fat (FAT32 with long names) over images made by the
# real mkfs.fat and filled by mtools (tests/host/fat_fixture.sh): reading what
# mtools put in, write workloads checked by fsck.fat -n and a remount, and
# images with corrupted metadata that must give clean errors (fat_fuzz), and
# recovery after a fault (fat_recover: unsynced changes dropped, or only the
# failed request undone). They link the
# whole of kernel/fs like the other fs tests (FS_HT_SRCS in fs.mk, which is
# read after this file: hence the recursive '=' below).

FAT_FIX := $(B)/host/fixtures
FAT_HT_SRCS = tests/host/fat_util.c $(FS_HT_SRCS)
FAT_FIXTURES := $(FAT_FIX)/fat-small.img $(FAT_FIX)/fat-big.img

# 33 MiB with 512-byte clusters, and 272 MiB with 4 KiB clusters (the smallest
# sizes mkfs.fat makes FAT32 of without warnings about too few clusters).
$(FAT_FIX)/fat-small.img: tests/host/fat_fixture.sh
	@mkdir -p $(FAT_FIX)
	bash tests/host/fat_fixture.sh $@ 33792 1
$(FAT_FIX)/fat-big.img: tests/host/fat_fixture.sh
	@mkdir -p $(FAT_FIX)
	bash tests/host/fat_fixture.sh $@ 278528 8

HOST_TESTS += fat
HT_fat_SRCS = tests/host/test_fat.c $(FAT_HT_SRCS)

HOST_TESTS += fat_recover
HT_fat_recover_SRCS = tests/host/test_fat_recover.c $(FAT_HT_SRCS)

HOST_TESTS += fat_fuzz
HT_fat_fuzz_SRCS = tests/host/test_fat_fuzz.c $(FAT_HT_SRCS)

$(B)/host/fat $(B)/host/fat_recover $(B)/host/fat_fuzz: HCFLAGS += -Ikernel/arch/riscv64/include
$(B)/host/fat $(B)/host/fat_recover $(B)/host/fat_fuzz: | $(FAT_FIXTURES)
