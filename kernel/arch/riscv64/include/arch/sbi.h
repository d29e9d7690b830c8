/*
 * Supervisor Binary Interface calls (SBI spec v1.0) used by Weft: timer, IPI,
 * hart state management, system reset, and the legacy console for early output.
 */
#ifndef ARCH_SBI_H
#define ARCH_SBI_H

#include <stdint.h>

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(long ext, long fid, unsigned long a0, unsigned long a1,
		       unsigned long a2);
void sbi_set_timer(uint64_t stime);
void sbi_send_ipi(unsigned long hart_mask, unsigned long base);
long sbi_hart_start(unsigned long hartid, unsigned long start_pa, unsigned long opaque);
void sbi_shutdown(int failure) __attribute__((noreturn));
void sbi_console_putchar(int c);

#endif
