/*
 * The system console on the NS16550 UART: polled output (klog and user writes
 * share it) and interrupt-driven input, handed byte by byte to the tty layer
 * (console_rx_hook). Readers park on console_waitq; the tty keeps its state
 * under that queue's lock, so a test-then-park never misses input.
 */
#ifndef DEV_CONSOLE_H
#define DEV_CONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include <hal/mmu.h>
#include <core/waitq.h>

extern struct waitq console_waitq;

/* Map the UART at base and take its interrupt line irq (0: polled only). */
void console_init(paddr_t base, unsigned irq);
void console_write(const char *s, size_t n);
/* Write bytes exactly as given (no newline translation). */
void console_write_raw(const char *s, size_t n);
/* If set, every received byte goes to the hook (from the interrupt, with
 * console_waitq.lock held) instead of the raw ring: the tty layer's input. */
extern void (*console_rx_hook)(char c);

#endif
