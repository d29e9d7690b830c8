/*
 * Real-time clock devices.
 */
#ifndef DEV_RTC_H
#define DEV_RTC_H

#include <stdint.h>
#include <hal/mmu.h>

/* Nanoseconds since 1970 from the Goldfish RTC registers at base. */
uint64_t goldfish_rtc_read_ns(paddr_t base);

#endif
