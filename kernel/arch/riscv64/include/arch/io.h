/*
 * RISC-V half of <hal/io.h>: register accesses and DMA barriers as fences.
 * A register write is preceded by "fence w,o" (memory writes before the
 * device output); a register read is followed by "fence i,r" (the device input
 * before later memory reads), which is what the RISC-V memory model asks of
 * MMIO ordered against memory.
 */
#ifndef ARCH_IO_H
#define ARCH_IO_H

#include <stdint.h>

static inline uint8_t hal_mmio_read8(const volatile void *reg)
{
	uint8_t v = *(const volatile uint8_t *)reg;

	__asm__ volatile("fence i,r" ::: "memory");
	return v;
}

static inline uint16_t hal_mmio_read16(const volatile void *reg)
{
	uint16_t v = *(const volatile uint16_t *)reg;

	__asm__ volatile("fence i,r" ::: "memory");
	return v;
}

static inline uint32_t hal_mmio_read32(const volatile void *reg)
{
	uint32_t v = *(const volatile uint32_t *)reg;

	__asm__ volatile("fence i,r" ::: "memory");
	return v;
}

static inline void hal_mmio_write32(volatile void *reg, uint32_t v)
{
	__asm__ volatile("fence w,o" ::: "memory");
	*(volatile uint32_t *)reg = v;
}

static inline void hal_dma_wmb(void)
{
	__asm__ volatile("fence w,w" ::: "memory");
}

static inline void hal_dma_rmb(void)
{
	__asm__ volatile("fence r,r" ::: "memory");
}

static inline void hal_dma_mb(void)
{
	__asm__ volatile("fence rw,rw" ::: "memory");
}

#endif
