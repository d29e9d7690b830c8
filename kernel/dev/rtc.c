/*
 * The Goldfish real-time clock of QEMU virt: a 64-bit count of nanoseconds
 * since the epoch, read low word first (which latches the high word).
 */
#include <dev/rtc.h>
#include <hal/mmu.h>

#define TIME_LOW  0x00
#define TIME_HIGH 0x04

uint64_t goldfish_rtc_read_ns(paddr_t base)
{
	volatile uint32_t *r = hal_pa_to_kva(base);
	uint64_t lo = r[TIME_LOW / 4];
	uint64_t hi = r[TIME_HIGH / 4];

	return hi << 32 | lo;
}
