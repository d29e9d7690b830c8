/*
 * Kernel stacks for kernel threads and per-CPU use: KSTACK_SIZE bytes, mapped in
 * the kernel stack region with an unmapped guard page below each, so an overflow
 * faults instead of corrupting memory. User threads never get one.
 */
#ifndef CORE_KSTACK_H
#define CORE_KSTACK_H

#define KSTACK_PAGES 4
#define KSTACK_SIZE  (KSTACK_PAGES * 4096UL)

/* Base (lowest address) of a new stack, or NULL when out of memory. */
void *kstack_alloc(void);
void kstack_free(void *base);
/* Stacks allocated and not yet freed. */
unsigned long kstack_in_use(void);

#endif
