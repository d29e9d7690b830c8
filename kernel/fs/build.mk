# Every C file in this folder and in the file systems' folders is part of the kernel.
KSRC += $(wildcard kernel/fs/*.c kernel/fs/fat/*.c kernel/fs/ext4/*.c)
