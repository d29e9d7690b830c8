/*
 * The system console on the NS16550 UART: polled output (klog and user writes
 * share it), interrupt-driven input into a ring that readers drain. A reader that
 * finds the ring empty parks on console_waitq (see waitq.h for the protocol:
 * check console_input_ready under the waitq lock, then park).
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
/* Move up to n buffered input bytes to buf; returns the count (0 if none). */
size_t console_read(char *buf, size_t n);
/* True if input is waiting (or end-of-file was typed). */
int console_input_ready(void);

#endif
