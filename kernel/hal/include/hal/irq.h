/*
 * HAL: device interrupts. A driver registers a handler for its interrupt line
 * (as the device tree numbers it); the handler runs with interrupts off on
 * whichever CPU took the interrupt.
 */
#ifndef HAL_IRQ_H
#define HAL_IRQ_H

int hal_irq_register(unsigned irq, void (*fn)(void *arg), void *arg);

/* Console output hook: once a console driver is up, klog writes through it. */
extern void (*hal_console_hook)(const char *s, unsigned long n);

/* Power off the machine (failure != 0 reports an error exit to the host). */
void hal_poweroff(int failure) __attribute__((noreturn));

#endif
