/*
 * virtio-blk: disks on virtio-mmio, offered to the kernel as struct bdev
 * (<dev/bdev.h>) named vda, vdb, ... in probe order. The driver's submit is
 * synchronous for its caller and safe from many kernel threads at once; see
 * virtio_blk.c for how a bio becomes device requests.
 */
#ifndef DEV_VIRTIO_BLK_H
#define DEV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <dev/bdev.h>

struct vmmio_dev;

/* Entries per queue at most (power of two, at least 4). Set before probing
 * (command line vblk.qsize=N, used by tests to make descriptors run out);
 * the device's own maximum still applies. */
extern unsigned vblk_queue_limit;

/* Start the driver on the device probe found (copied) and return its bdev,
 * which the caller registers. 0, or -ENOMEM/-EIO/-ENODEV (the device is
 * marked FAILED and the reason logged). Boot only, one CPU. */
int vblk_attach(const struct vmmio_dev *probe, struct bdev **bd);

/* What a disk negotiated and has done (counters are approximate snapshots). */
struct vblk_info {
	bool modern;		/* virtio-mmio version 2 */
	uint64_t features;	/* accepted feature bits */
	unsigned queue_size;	/* descriptors in the queue */
	unsigned max_data;	/* data descriptors in one device request */
	uint32_t blk_size;	/* logical block, bytes (512 if not offered) */
	uint64_t requests;	/* device requests sent */
	uint64_t device_errors; /* requests the device answered with a bad status */
	uint64_t split_bios;	/* bios that needed more than one device request */
	uint64_t page_splits;	/* buffers cut where physical pages are not contiguous */
	uint64_t room_waits;	/* submitters that blocked for free descriptors */
	unsigned inflight_max;	/* most requests the device held at once */
};
void vblk_get_info(struct bdev *bd, struct vblk_info *info);

/* For tests only: submit bio with the bio's shape checked but not its range
 * nor the read-only flag, so that the device's own refusal (a bad status
 * byte, -EIO) can be observed. */
int vblk_submit_unchecked(struct bdev *bd, struct bio *bio);

#endif
