# Every C and assembly file in this folder is part of the kernel.
KSRC += $(wildcard kernel/arch/riscv64/*.c) $(wildcard kernel/arch/riscv64/*.S)
