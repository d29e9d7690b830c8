# Every C file in this folder is part of the kernel.
KSRC += $(wildcard kernel/fs/*.c kernel/fs/fat/*.c)
