/*
 * What bench/wbench.c (the figures both kernels run, and the driver) and
 * bench/wbench_native.c (the Weft-only figures of the native ABI: channels,
 * AsyncQ batches) share. A figure function runs its operation n times and
 * returns the time of one in the figure's unit, or a negative errno.
 */
#ifndef WBENCH_H
#define WBENCH_H

/*
 * Profile window markers for tools/prof (make prof): HINT instructions that
 * the RISC-V spec leaves to custom use, no-ops on any hart, which the QEMU
 * plugin tools/prof/weftprof.c sees as "open" and "close". run_figure puts
 * them around each repetition of a figure.
 */
#define PROF_OPEN()  __asm__ volatile("slti zero, zero, 0x571" ::: "memory")
#define PROF_CLOSE() __asm__ volatile("slti zero, zero, 0x572" ::: "memory")

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
