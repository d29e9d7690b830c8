/*
 * The Sv39 virtual address map.
 *
 *   0x0000000000000000 .. 0x0000004000000000   user space (256 GiB), per process
 *   0xffffffc000000000 .. +64 GiB               direct map of physical memory (RW, NX)
 *   0xffffffd000000000 .. +1 GiB                kernel stacks, each below an unmapped guard page
 *   0xffffffff80000000 .. +1 GiB                kernel image (text RX, rodata R, data RW)
 *
 * The kernel half's root entries are fixed after boot, so every process root
 * table shares them by copying those 256 entries once.
 */
#ifndef ARCH_MEMLAYOUT_H
#define ARCH_MEMLAYOUT_H

#define USER_TOP        0x4000000000UL
#define DIRECT_MAP_BASE 0xffffffc000000000UL
#define KSTACK_BASE     0xffffffd000000000UL
#define KSTACK_SPAN     0x40000000UL
#define KERNEL_VBASE    0xffffffff80000000UL
#define KERNEL_PBASE    0x80000000UL
#define KERNEL_OFFSET   (KERNEL_VBASE - KERNEL_PBASE)

#endif
