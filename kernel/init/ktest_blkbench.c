/*
 * Throughput and latency of the virtio-blk driver, part of ktest=blkbench
 * (see ktest_blk.c): the bench region of the scratch disk written and read
 * sequentially in 128 KiB requests by 1 and by BENCH_THREADS kernel threads
 * taking the next chunk in turn, each request's sectors stamped (written) or
 * checked (read) by their first two words; then 4 KiB reads at random places,
 * one at a time. The 8-thread write's pattern stays on the disk for the
 * host's check.
 */
#include "ktest_blk.h"
#include <fs/bcache.h>
#include <core/completion.h>
#include <core/kthread.h>
#include <core/klog.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <lib/fmt.h>

#define BENCH_REQ    (128 * 1024)
#define BENCH_ORDER  5 /* one 128 KiB block per thread */
#define BENCH_CHUNKS (BENCH_LEN * BDEV_SECTOR / BENCH_REQ)
#define LAT_READS    2000

struct bench {
	struct bdev *bd;
	bool write;
	unsigned run;	      /* threads in this run; also the pattern's run tag */
	unsigned written_run; /* reads expect what this run wrote */
	uint64_t next;	      /* next chunk to do (atomic) */
	unsigned bad;	      /* atomic */
};

struct bench_thread {
	struct bench *b;
	struct completion done;
};

static bool bench_chunk(struct bench *b, uint64_t *buf, uint64_t sector)
{
	unsigned spr = BENCH_REQ / BDEV_SECTOR;

	if (b->write)
		for (unsigned k = 0; k < spr; k++) {
			buf[k * 64] = MAGIC_BENCH | b->run;
			buf[k * 64 + 1] = sector + k;
		}
	if (bdev_rw(b->bd, b->write, sector, buf, spr))
		return false;
	if (!b->write)
		for (unsigned k = 0; k < spr; k++)
			if (buf[k * 64] != (MAGIC_BENCH | b->written_run) ||
			    buf[k * 64 + 1] != sector + k || buf[k * 64 + 63] != BENCH_FILL)
				return false;
	return true;
}

static void bench_main(void *arg)
{
	struct bench_thread *t = arg;
	struct bench *b = t->b;
	paddr_t pa = pmm_alloc(BENCH_ORDER);
	uint64_t *buf = pa ? hal_pa_to_kva(pa) : NULL;
	uint64_t c;

	for (unsigned i = 0; buf && i < BENCH_REQ / 8; i++)
		buf[i] = BENCH_FILL; /* words 0 and 1 of each sector are stamped per request */
	while (buf && (c = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED)) < BENCH_CHUNKS)
		if (!bench_chunk(b, buf, BENCH_START + c * (BENCH_REQ / BDEV_SECTOR)))
			__atomic_add_fetch(&b->bad, 1, __ATOMIC_RELAXED);
	if (!buf)
		__atomic_add_fetch(&b->bad, 1, __ATOMIC_RELAXED);
	else
		pmm_free(pa, BENCH_ORDER);
	completion_signal(&t->done, 0);
}

/* One sequential pass over the bench region; MiB/s times 10. */
static unsigned long bench_pass(struct bench *b, unsigned nthreads)
{
	static struct bench_thread ts[BENCH_THREADS];
	uint64_t t0 = hal_time_ns(), ns;

	b->run = nthreads;
	b->next = 0;
	for (unsigned i = 0; i < nthreads; i++) {
		ts[i].b = b;
		completion_init(&ts[i].done);
		if (!kthread_create("ktest-blk-bench", bench_main, &ts[i]))
			panic("ktest blk: out of memory");
	}
	for (unsigned i = 0; i < nthreads; i++)
		completion_wait(&ts[i].done);
	ns = hal_time_ns() - t0;
	return (unsigned long)((uint64_t)BENCH_LEN * BDEV_SECTOR * 10 * 1000000000ull / ns >> 20);
}

static uint64_t timed_flush(struct bench *b)
{
	struct bio bio = {.op = BIO_FLUSH};
	uint64_t t0 = hal_time_ns();

	if (bdev_submit(b->bd, &bio))
		b->bad++;
	return hal_time_ns() - t0;
}

/* 4 KiB reads at random places of the bench region, one at a time. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void read_latency(struct bdev *bd, uint64_t *avg, uint64_t *min, uint64_t *max, bool *ok)
{
	uint8_t *buf = kmalloc(4096);
	uint64_t rng = 42, total = 0;

	*min = UINT64_MAX;
	*max = 0;
	*ok = buf != NULL;
	for (unsigned i = 0; i < LAT_READS && *ok; i++) {
		uint64_t s = BENCH_START + rnd(&rng) % (BENCH_LEN / 8) * 8, t0 = hal_time_ns(), d;

		*ok = !bdev_rw(bd, false, s, buf, 8) && ((uint64_t *)buf)[1] == s;
		d = hal_time_ns() - t0;
		total += d;
		*min = d < *min ? d : *min;
		*max = d > *max ? d : *max;
	}
	*avg = total / LAT_READS;
	kfree(buf);
}

bool ktest_blk_bench(struct bdev *bd, char *detail, size_t len)
{
	struct bench b = {.bd = bd, .write = true};
	unsigned long w1, r1, w8, r8;
	uint64_t f1, f8, avg, min, max;
	bool lat_ok;

	w1 = bench_pass(&b, 1);
	f1 = timed_flush(&b);
	b.write = false;
	b.written_run = 1;
	r1 = bench_pass(&b, 1);
	b.write = true;
	w8 = bench_pass(&b, BENCH_THREADS);
	f8 = timed_flush(&b);
	b.write = false;
	b.written_run = BENCH_THREADS;
	r8 = bench_pass(&b, BENCH_THREADS);
	read_latency(bd, &avg, &min, &max, &lat_ok);
	fmt_snprintf(detail, len,
		     "(64 MiB in 128 KiB requests: write 1 thread %lu.%lu MiB/s, read 1 thread "
		     "%lu.%lu MiB/s, write 8 threads %lu.%lu MiB/s, read 8 threads %lu.%lu MiB/s; "
		     "flush %lu/%lu us; 4 KiB read latency avg %lu us, min %lu, max %lu)",
		     w1 / 10, w1 % 10, r1 / 10, r1 % 10, w8 / 10, w8 % 10, r8 / 10, r8 % 10,
		     (unsigned long)(f1 / 1000), (unsigned long)(f8 / 1000),
		     (unsigned long)(avg / 1000), (unsigned long)(min / 1000),
		     (unsigned long)(max / 1000));
	return !b.bad && lat_ok;
}
