/*
 * Block devices: what a disk driver (virtio-blk) offers to the block cache and
 * the file systems above it.
 *
 * A request (struct bio) names a starting 512-byte sector and a list of kernel
 * buffers; submit performs it and returns when it is done: 0 or -EIO. It may
 * sleep, so it is called only from a context that may block (a service thread,
 * or a borrowed stack in MODE=monolithic, or the host test build). Many callers
 * may submit at once; the driver keeps as many requests in flight as its queue
 * holds. Reads and writes past the end of the device are -EIO without I/O.
 * A driver may also offer submit_async, which starts the request and returns:
 * the outcome is signalled on a completion, from the interrupt handler.
 */
#ifndef DEV_BDEV_H
#define DEV_BDEV_H

#include <stdbool.h>
#include <stdint.h>

#define BDEV_SECTOR 512u
#define BIO_MAX_SEGS 32 /* buffers in one request */

enum bio_op { BIO_READ, BIO_WRITE, BIO_FLUSH };

struct bio_seg {
	void *buf;    /* kernel address */
	uint32_t len; /* multiple of BDEV_SECTOR */
};

struct bio {
	enum bio_op op;
	uint64_t sector; /* first sector (ignored by FLUSH) */
	unsigned nseg;	 /* 0 for FLUSH */
	struct bio_seg seg[BIO_MAX_SEGS];
};

struct bdev;
struct completion;

struct bdev_ops {
	/* Do the request; 0 or -EIO (or -EINVAL for a malformed bio). May sleep. */
	int (*submit)(struct bdev *bd, struct bio *bio);
	/* Optional: start the request without waiting for it. 0 when started:
	 * done is then signalled once, from any context, with what submit would
	 * have returned, and the bio and its buffers must stay valid until then;
	 * started(arg), if not NULL, runs with interrupts off just before the
	 * driver lets that happen (the caller may give the request away there).
	 * Or an error with nothing started and done untouched. May sleep (for
	 * room in the queue). */
	int (*submit_async)(struct bdev *bd, struct bio *bio, struct completion *done,
			    void (*started)(void *arg), void *arg);
};

struct bdev {
	const char *name;	    /* "vda": found as /dev/vda and by bdev_find */
	const struct bdev_ops *ops;
	uint64_t nsectors;	    /* capacity in 512-byte sectors */
	bool readonly;
	void *priv;		    /* driver's */
	/* Counters, updated by bdev_submit (atomic). */
	uint64_t nr_reads, nr_writes, nr_flushes, nr_errors;
};

#endif
