/*
 * Shared by the virtio-blk kernel test (ktest_blk.c) and its throughput part
 * (ktest_blkbench.c): where things lie on the scratch disk, in 512-byte
 * sectors. tools/blkcheck.py uses the same numbers and patterns.
 */
#ifndef INIT_KTEST_BLK_H
#define INIT_KTEST_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <dev/bdev.h>

#define BENCH_START   32768		    /* the bench region: [BENCH_START, + BENCH_LEN) */
#define BENCH_LEN     131072		    /* 64 MiB */
#define MAGIC_BENCH   0x5745465442454e00ull /* word 0 of a bench sector, | run */
#define BENCH_FILL    0x5a5a5a5a5a5a5a5aull /* words 2..63 of a bench sector */
#define BENCH_THREADS 8			    /* the last run, whose pattern stays on disk */

/* Sequential write and read of the bench region with 1 and BENCH_THREADS
 * threads, then 4 KiB read latency; the figures go to detail. False if any
 * request failed or read back wrong. Runs in a kernel thread. */
bool ktest_blk_bench(struct bdev *bd, char *detail, size_t len);

#endif
