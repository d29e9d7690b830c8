/*
 * The wall clock as an offset from the monotonic clock (see clock.h). Until a
 * real-time clock is read, it starts at 2026-01-01T00:00:00Z.
 */
#include <core/clock.h>
#include <hal/cpu.h>

static uint64_t boot_epoch_ns = 1767225600ull * 1000000000ull;

uint64_t clock_realtime_ns(void)
{
	return hal_time_ns() + __atomic_load_n(&boot_epoch_ns, __ATOMIC_RELAXED);
}

void clock_set_realtime(uint64_t now_ns)
{
	uint64_t up = hal_time_ns();

	if (now_ns > up)
		__atomic_store_n(&boot_epoch_ns, now_ns - up, __ATOMIC_RELAXED);
}
