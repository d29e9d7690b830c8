/*
 * What bench/wbench.c (the figures both kernels run, and the driver) and
 * bench/wbench_native.c (the Weft-only figures of the native ABI: channels,
 * AsyncQ batches) share. A figure function runs its operation n times and
 * returns the time of one in the figure's unit, or a negative errno.
 */
#ifndef WBENCH_H
#define WBENCH_H

/* CLOCK_MONOTONIC in ns. */
long long now_ns(void);

double b_chan_msg(long n);
double b_chan_rtt(long n);
double b_chan_rtt_wait(long n);
double b_null_native(long n);
double b_aq_nop_batch(long n);
double b_aq_timer_batch(long n);
double b_aq_nop_gain(long n);
double b_aq_timer_gain(long n);

#endif
