# Every C file in this folder and in ext4/ is part of the kernel.
KSRC += $(wildcard kernel/fs/*.c) $(wildcard kernel/fs/ext4/*.c)
