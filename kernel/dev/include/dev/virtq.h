/*
 * Split virtqueues (virtio spec 2.7): a descriptor table, an available ring the
 * driver fills and a used ring the device fills, in memory both can reach.
 *
 * A request is a chain of descriptors, one per physically contiguous buffer,
 * buffers the device reads first, then buffers it writes. virtq_add takes free
 * descriptors for the chain, publishes its head in the available ring and
 * notifies the device; when too few descriptors are free, the submitter (a
 * kernel thread) blocks until completions free some. The interrupt handler
 * calls virtq_collect, which takes finished chains off the used ring, frees
 * their descriptors, wakes blocked submitters and returns each chain's
 * cookie; what a cookie means belongs to the driver.
 *
 * Indirect descriptors are not used: chains here are short (a header, the data
 * buffers, a status byte), so direct chains in a 256-entry ring keep many
 * requests in flight without allocating a table per request.
 *
 * Locking: vq->room.lock guards all the driver's state of the queue; it is
 * taken from threads and from the interrupt handler (spinlocks disable
 * interrupts). The device is notified after the lock is dropped.
 */
#ifndef DEV_VIRTQ_H
#define DEV_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <core/waitq.h>
#include <dev/virtio_mmio.h>

#define VIRTQ_DESC_F_NEXT      1
#define VIRTQ_DESC_F_WRITE     2 /* the device writes this buffer */
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;  /* head of the finished chain */
	uint32_t len; /* bytes the device wrote */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* One buffer of a request, by physical address. */
struct virtq_seg {
	paddr_t pa;
	uint32_t len;
	bool device_writes;
};

struct virtq {
	struct waitq room; /* lock for all below; submitters waiting for descriptors */
	struct vmmio_dev *dev;
	unsigned index; /* queue number on the device */
	uint16_t num;	/* entries, a power of two */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	paddr_t area; /* the pages holding the three parts */
	unsigned area_order;
	uint16_t free_head; /* free descriptors, linked by next */
	uint16_t nfree;
	uint16_t avail_idx;  /* our copy of avail->idx */
	uint16_t last_used;  /* used->idx up to which chains were collected */
	uint16_t *chain_len; /* by head: descriptors in its chain (0: not in flight) */
	void **cookie;	     /* by head: the submitter's cookie */
	uint16_t inflight;   /* chains the device holds */
	/* Statistics (lock). */
	uint16_t inflight_max;
	uint64_t nr_added, nr_room_waits, nr_notifies, nr_bad_used;
};

/* Set up queue index of dev with at most max entries (rounded down to a power
 * of two, capped by the device). 0, -ENODEV (no such queue), -ENOMEM or -EIO.
 * Boot only. */
int virtq_init(struct virtq *vq, struct vmmio_dev *dev, unsigned index, unsigned max);

/* Submit a chain of n segments (device-readable ones first) with cookie (not
 * NULL), blocking while fewer than n descriptors are free. 0, or -EINVAL when
 * n is 0 or larger than the queue. Kernel threads only (may block). */
int virtq_add(struct virtq *vq, const struct virtq_seg *segs, unsigned n, void *cookie);

/* Take up to max finished chains off the used ring: their cookies go to
 * cookies[], their descriptors back to the free list. Returns how many. Any
 * context (the interrupt handler calls it until it returns less than max). */
unsigned virtq_collect(struct virtq *vq, void **cookies, unsigned max);

#endif
