/*
 * Wall-clock time. The monotonic clock is hal_time_ns (time since boot); the
 * wall clock adds an offset set once at boot from the real-time clock device,
 * or a fixed date when there is none.
 */
#ifndef CORE_CLOCK_H
#define CORE_CLOCK_H

#include <stdint.h>

/* Nanoseconds since 1970-01-01 UTC. */
uint64_t clock_realtime_ns(void);
/* The wall clock reads now_ns at this moment. */
void clock_set_realtime(uint64_t now_ns);

#endif
