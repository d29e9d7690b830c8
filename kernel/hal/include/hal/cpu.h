/*
 * HAL: the CPU contract that arch/ fulfils for the portable core.
 *
 * The portable layers (core/, obj/, fs/, lib/) reach the processor only through
 * these calls, so that they also build on the host (host/hal.c) where a "CPU" is a
 * pthread and interrupts do not exist.
 */
#ifndef HAL_CPU_H
#define HAL_CPU_H

#include <stdint.h>
#include <stdbool.h>

#define NCPU_MAX 8

/* Index (0..NCPU_MAX-1) of the CPU running the caller; stable while irqs are off. */
unsigned hal_cpu_id(void);

/* Disable interrupts on this CPU; return the previous state for hal_irq_restore. */
unsigned long hal_irq_save(void);
void hal_irq_restore(unsigned long flags);
void hal_irq_enable(void);

/* Hint to the CPU that we are spinning. */
void hal_cpu_relax(void);

/* Monotonic time in nanoseconds since boot. */
uint64_t hal_time_ns(void);

/* Write raw bytes to the early console (used by klog). Never blocks for long. */
void hal_console_write(const char *s, unsigned long n);

/* Stop the machine after a panic (all CPUs). */
void hal_halt(void) __attribute__((noreturn));

#endif
