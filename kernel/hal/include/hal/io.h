/*
 * HAL: device registers and memory shared with devices (DMA).
 *
 * hal_mmio_readN and hal_mmio_writeN access one memory-mapped device register of
 * that width. Ordering: a register write happens after every earlier memory
 * write of this CPU (so a device told to look at a ring sees it filled), and a
 * register read happens before every later memory read (so data a device
 * wrote before raising its status is seen).
 *
 * Between plain memory accesses to a ring a device reads or writes:
 * hal_dma_wmb orders earlier writes before later writes, hal_dma_rmb earlier
 * reads before later reads, hal_dma_mb every earlier access before every later
 * one. The arch half is <arch/io.h>.
 */
#ifndef HAL_IO_H
#define HAL_IO_H

#include <stdint.h>
#include <arch/io.h>

#endif
