/*
 * virtio-blk driver (see <dev/virtio_blk.h>).
 *
 * One request queue per disk. A read or write bio is mapped to device
 * requests, each a descriptor chain: a 16-byte header the device reads, the
 * data buffers (one descriptor per physically contiguous run, at most size_max
 * bytes each), and a status byte the device writes. A bio with more runs than
 * one request may carry (seg_max, the queue size, VBLK_MAX_DATA) goes out as
 * several requests one after the other, each cut at a block boundary. A flush
 * is a header and a status byte; without VIRTIO_BLK_F_FLUSH the device writes
 * through and a flush is a no-op.
 *
 * Buffers are kernel addresses: the direct map and the kernel image translate
 * linearly; the kernel-stack region page by page through the page table. Each
 * page's physical address is checked, so a run is split wherever physical
 * memory is not contiguous (a kmalloc'd buffer is contiguous: slab objects up
 * to a page sit in one slab, larger ones are buddy blocks), and an address
 * that is not RAM makes the bio -EINVAL instead of reaching the device.
 *
 * A bio in flight is a batch: a count of its device requests plus one while
 * its submitter is still adding them, its first error, and the completion its
 * outcome goes to. Request records are kmalloc'd (so header and status are in
 * RAM the device can reach); the interrupt handler collects finished chains,
 * frees them and drops their batch's count; whoever drops the last one (often
 * the handler) signals the completion with 0 or the first error and frees the
 * batch. The synchronous submit waits for that completion on its own stack;
 * the asynchronous one (bdev_ops.submit_async, what the blk service's workers
 * use) hands it to the caller, so the interrupt wakes the client directly. A
 * submitter that faults half way never drops its own count: its batch is
 * never signalled (the fault handler fails the request) and leaks. Many
 * threads may submit at once; the queue's lock is the only lock.
 */
#include <dev/virtio_blk.h>
#include <dev/virtio_mmio.h>
#include <dev/virtq.h>
#include <core/completion.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/klog.h>
#include <hal/irq.h>
#include <weft/errno.h>

#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO	      5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9
#define VBLK_WANTED                                                                                \
	(1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_RO |  \
	 1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH)

/* Configuration space offsets. */
#define CFG_CAPACITY 0
#define CFG_SIZE_MAX 8
#define CFG_SEG_MAX  12
#define CFG_BLK_SIZE 20

#define VIRTIO_BLK_T_IN	   0
#define VIRTIO_BLK_T_OUT   1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_S_OK	   0

#define VBLK_MAX_DATA  64	  /* data descriptors per device request (stack array) */
#define VBLK_COLLECT   16	  /* chains taken off the used ring per call */
#define VBLK_MAX_BYTES (1u << 30) /* data bytes per device request */

BUILD_ASSERT(VBLK_MAX_DATA <= 64); /* map_group's gap mask */

unsigned vblk_queue_limit = 256;

struct vblk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* One bio in flight (see the top). */
struct vblk_batch {
	unsigned refs;		  /* atomic: device requests in flight, + 1 for the submitter */
	int err;		  /* atomic: 0 or the first error */
	struct completion *done;  /* signalled with err when refs reaches 0 */
};

/* One device request in flight; freed by the interrupt handler. */
struct vblk_req {
	struct vblk_hdr hdr; /* the device reads it */
	uint8_t status;	     /* the device writes it */
	struct vblk_batch *batch;
};

struct vblk {
	struct bdev bd;
	struct vmmio_dev dev;
	struct virtq vq;
	char name[8];
	uint32_t unit;	   /* bytes a request is a multiple of: blk_size */
	uint32_t size_max; /* bytes per data descriptor */
	unsigned max_data; /* data descriptors per request */
	/* Counters (atomic). */
	uint64_t nr_requests, nr_device_errors, nr_split, nr_page_splits;
};

static unsigned ndisks;

/* ---- DMA addresses ---- */

/* Physical address of kernel address va, or 0 when it is not RAM. */
static paddr_t kva_to_dma(uintptr_t va)
{
	unsigned long span;
	vaddr_t stacks = hal_kstack_region(&span);
	paddr_t pa;

	if (va - stacks < span) {
		pa = hal_kmap_lookup(va & PAGE_MASK);
		if (!pa)
			return 0;
		pa += va & ~PAGE_MASK;
	} else {
		pa = hal_kva_to_pa((const void *)va);
	}
	return pmm_page(pa) ? pa : 0;
}

/* Bytes from va (at most len) that are physically contiguous, and where they
 * start in *pa; 0 when va is not RAM. */
static uint32_t dma_run(const uint8_t *va, uint32_t len, paddr_t *pa)
{
	paddr_t first = kva_to_dma((uintptr_t)va);
	uint64_t run;

	if (!first)
		return 0;
	run = PAGE_SIZE - (first & ~PAGE_MASK);
	while (run < len && kva_to_dma((uintptr_t)va + run) == first + run)
		run += PAGE_SIZE;
	*pa = first;
	return run < len ? (uint32_t)run : len;
}

/* ---- requests ---- */

static void batch_fail(struct vblk_batch *b, int err)
{
	int none = 0;

	__atomic_compare_exchange_n(&b->err, &none, err, false, __ATOMIC_ACQ_REL,
				    __ATOMIC_RELAXED);
}

/* Drop one count of b; the last one signals its completion. Any context. */
static void batch_put(struct vblk_batch *b)
{
	if (__atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL))
		return;
	struct completion *done = b->done;
	int err = __atomic_load_n(&b->err, __ATOMIC_ACQUIRE);

	kfree(b);
	completion_signal(done, err);
}

static void vblk_irq(void *arg)
{
	struct vblk *vb = arg;
	void *done[VBLK_COLLECT];
	unsigned n;

	if (vmmio_irq_ack(&vb->dev) & VIRTIO_INT_CONFIG)
		pr_info("%s: configuration changed (ignored)", vb->name);
	do {
		n = virtq_collect(&vb->vq, done, VBLK_COLLECT);
		for (unsigned i = 0; i < n; i++) {
			struct vblk_req *req = done[i];
			struct vblk_batch *b = req->batch;

			if (req->status != VIRTIO_BLK_S_OK) {
				__atomic_add_fetch(&vb->nr_device_errors, 1, __ATOMIC_RELAXED);
				batch_fail(b, -EIO);
			}
			kfree(req);
			batch_put(b);
		}
	} while (n == VBLK_COLLECT);
}

/* Send one request of batch b: segs[1..ndata] are filled with the data,
 * segs[0] and segs[ndata + 1] are for the header and status. Does not wait. */
static int do_request(struct vblk *vb, struct vblk_batch *b, uint32_t type, uint64_t sector,
		      struct virtq_seg *segs, unsigned ndata)
{
	struct vblk_req *req = kmalloc(sizeof(*req));
	int r;

	if (!req)
		return -EIO;
	req->hdr = (struct vblk_hdr){.type = type, .sector = sector};
	req->status = 0xff;
	req->batch = b;
	segs[0] = (struct virtq_seg){kva_to_dma((uintptr_t)&req->hdr), sizeof(req->hdr), false};
	segs[ndata + 1] = (struct virtq_seg){kva_to_dma((uintptr_t)&req->status), 1, true};
	__atomic_add_fetch(&vb->nr_requests, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&b->refs, 1, __ATOMIC_ACQ_REL);
	r = virtq_add(&vb->vq, segs, ndata + 2, req);
	if (r) {
		kfree(req);
		batch_put(b); /* not the last: the submitter holds one */
	}
	return r;
}

/* Byte offset `at` of the bio as (segment, offset in it). */
static void locate(const struct bio *bio, uint64_t at, unsigned *seg, uint32_t *off)
{
	unsigned i = 0;

	while (i < bio->nseg && at >= bio->seg[i].len)
		at -= bio->seg[i++].len;
	*seg = i;
	*off = (uint32_t)at;
}

/* A request carries whole blocks: give the partial tail of out[0..n) back to
 * the next request. A run shortened here no longer ends at a physical gap
 * (gaps: bit k set when out[k] does). Returns the new n. */
static unsigned trim_group(struct vblk *vb, struct virtq_seg *out, unsigned n, uint32_t *total,
			   uint64_t *gaps)
{
	for (uint32_t excess = *total % vb->unit; excess;) {
		uint32_t cut = out[n - 1].len <= excess ? out[n - 1].len : excess;

		out[n - 1].len -= cut;
		*total -= cut;
		excess -= cut;
		*gaps &= ~(1ull << (n - 1));
		if (!out[n - 1].len)
			n--;
	}
	return n;
}

/* Map the bio's bytes from `at` into at most vb->max_data data segments,
 * ending on a multiple of vb->unit. The segments' count (0 when nothing could
 * be mapped) and, in *bytes, how much they cover; -EINVAL if a buffer is not
 * RAM. */
static int map_group(struct vblk *vb, const struct bio *bio, uint64_t at, struct virtq_seg *out,
		     uint32_t *bytes)
{
	bool dev_writes = bio->op == BIO_READ;
	unsigned i, n = 0, ngaps = 0;
	uint32_t off, total = 0;
	uint64_t gaps = 0;

	locate(bio, at, &i, &off);
	while (i < bio->nseg && n < vb->max_data) {
		paddr_t pa;
		uint32_t left = bio->seg[i].len - off;
		uint32_t run = dma_run((const uint8_t *)bio->seg[i].buf + off, left, &pa),
			 whole = run;

		if (!run)
			return -EINVAL;
		if (run > vb->size_max)
			run = vb->size_max;
		if (run > VBLK_MAX_BYTES - total)
			run = VBLK_MAX_BYTES - total; /* keeps the sum in 32 bits */
		if (!run)
			break;
		if (run == whole && run < left)
			gaps |= 1ull << n;
		out[n++] = (struct virtq_seg){pa, run, dev_writes};
		total += run;
		off += run;
		if (off == bio->seg[i].len) {
			i++;
			off = 0;
		}
	}
	n = trim_group(vb, out, n, &total, &gaps);
	for (; gaps; gaps &= gaps - 1)
		ngaps++;
	if (ngaps)
		__atomic_add_fetch(&vb->nr_page_splits, ngaps, __ATOMIC_RELAXED);
	*bytes = total;
	return (int)n;
}

static int do_rw(struct vblk *vb, struct vblk_batch *b, const struct bio *bio)
{
	uint32_t type = bio->op == BIO_READ ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT;
	struct virtq_seg segs[VBLK_MAX_DATA + 2];
	uint64_t total = 0, at = 0;

	for (unsigned i = 0; i < bio->nseg; i++)
		total += bio->seg[i].len;
	while (at < total) {
		uint32_t bytes;
		int n = map_group(vb, bio, at, segs + 1, &bytes), r;

		if (n <= 0)
			return n ? n : -EINVAL; /* not one block fits in max_data runs */
		if (at == 0 && at + bytes < total)
			__atomic_add_fetch(&vb->nr_split, 1, __ATOMIC_RELAXED);
		r = do_request(vb, b, type, bio->sector + at / BDEV_SECTOR, segs, (unsigned)n);
		if (r)
			return r;
		at += bytes;
	}
	return 0;
}

/* Shape checks: what makes a bio malformed for this disk. -EINVAL or 0. */
static int check_shape(const struct vblk *vb, const struct bio *bio)
{
	uint64_t spb = vb->unit / BDEV_SECTOR, n = 0;

	if (bio->op == BIO_FLUSH)
		return bio->nseg ? -EINVAL : 0;
	if ((bio->op != BIO_READ && bio->op != BIO_WRITE) || !bio->nseg || bio->nseg > BIO_MAX_SEGS)
		return -EINVAL;
	for (unsigned i = 0; i < bio->nseg; i++) {
		if (!bio->seg[i].len || bio->seg[i].len % BDEV_SECTOR)
			return -EINVAL;
		n += bio->seg[i].len / BDEV_SECTOR;
	}
	/* The device refuses requests that are not whole logical blocks. */
	return bio->sector % spb || n % spb ? -EINVAL : 0;
}

/*
 * Start a checked bio: its outcome goes to done. started(arg), if given, runs
 * with interrupts off just before the submitter's own count is dropped (the
 * blk service detaches its request there). 0, or -EIO with nothing started
 * and done untouched when memory is short.
 */
static int start_checked(struct vblk *vb, struct bio *bio, struct completion *done,
			 void (*started)(void *arg), void *arg)
{
	struct vblk_batch *b = kmalloc(sizeof(*b));
	unsigned long flags;
	int r = 0;

	if (!b)
		return -EIO;
	*b = (struct vblk_batch){.refs = 1, .done = done};
	if (bio->op != BIO_FLUSH) {
		r = do_rw(vb, b, bio);
	} else if (vmmio_has(&vb->dev, VIRTIO_BLK_F_FLUSH)) {
		struct virtq_seg segs[2];

		r = do_request(vb, b, VIRTIO_BLK_T_FLUSH, 0, segs, 0);
	} /* else a write-through device: nothing to flush */
	if (r)
		batch_fail(b, r);
	flags = hal_irq_save();
	if (started)
		started(arg);
	batch_put(b);
	hal_irq_restore(flags);
	return 0;
}

static int submit_checked(struct vblk *vb, struct bio *bio)
{
	struct completion done;

	completion_init(&done);
	int r = start_checked(vb, bio, &done, NULL, NULL);
	return r ? r : (int)completion_wait(&done);
}

int vblk_submit_unchecked(struct bdev *bd, struct bio *bio)
{
	struct vblk *vb = bd->priv;
	int r = check_shape(vb, bio);

	return r ? r : submit_checked(vb, bio);
}

/* Everything that makes a bio wrong for this disk: 0, -EINVAL, -EIO (past
 * the end), -EROFS. */
static int check_bio(struct bdev *bd, struct bio *bio)
{
	struct vblk *vb = bd->priv;
	int r = check_shape(vb, bio);
	uint64_t n = 0;

	if (r || bio->op == BIO_FLUSH)
		return r;
	for (unsigned i = 0; i < bio->nseg; i++)
		n += bio->seg[i].len / BDEV_SECTOR;
	if (bio->sector >= bd->nsectors || n > bd->nsectors - bio->sector)
		return -EIO;
	if (bio->op == BIO_WRITE && bd->readonly)
		return -EROFS;
	return 0;
}

static int vblk_submit(struct bdev *bd, struct bio *bio)
{
	int r = check_bio(bd, bio);

	return r ? r : submit_checked(bd->priv, bio);
}

static int vblk_submit_async(struct bdev *bd, struct bio *bio, struct completion *done,
			     void (*started)(void *arg), void *arg)
{
	int r = check_bio(bd, bio);

	return r ? r : start_checked(bd->priv, bio, done, started, arg);
}

static const struct bdev_ops vblk_ops = {.submit = vblk_submit, .submit_async = vblk_submit_async};

void vblk_get_info(struct bdev *bd, struct vblk_info *info)
{
	struct vblk *vb = bd->priv;

	info->modern = vb->dev.version == 2;
	info->features = vb->dev.features;
	info->queue_size = vb->vq.num;
	info->max_data = vb->max_data;
	info->blk_size = vb->unit;
	info->requests = __atomic_load_n(&vb->nr_requests, __ATOMIC_RELAXED);
	info->device_errors = __atomic_load_n(&vb->nr_device_errors, __ATOMIC_RELAXED);
	info->split_bios = __atomic_load_n(&vb->nr_split, __ATOMIC_RELAXED);
	info->page_splits = __atomic_load_n(&vb->nr_page_splits, __ATOMIC_RELAXED);
	spin_lock(&vb->vq.room.lock);
	info->room_waits = vb->vq.nr_room_waits;
	info->inflight_max = vb->vq.inflight_max;
	spin_unlock(&vb->vq.room.lock);
}

/* ---- setup ---- */

/* Capacity and the optional limits; the limits' defaults when not offered. */
static void read_config(struct vblk *vb)
{
	uint32_t v;

	vmmio_config_read(&vb->dev, CFG_CAPACITY, &vb->bd.nsectors, 8);
	vb->unit = BDEV_SECTOR;
	if (vmmio_has(&vb->dev, VIRTIO_BLK_F_BLK_SIZE)) {
		vmmio_config_read(&vb->dev, CFG_BLK_SIZE, &v, 4);
		if (v >= BDEV_SECTOR && v <= 65536 && !(v & (v - 1)))
			vb->unit = v;
		else
			pr_warn("%s: odd blk_size %u ignored", vb->name, v);
	}
	vb->size_max = UINT32_MAX;
	if (vmmio_has(&vb->dev, VIRTIO_BLK_F_SIZE_MAX)) {
		vmmio_config_read(&vb->dev, CFG_SIZE_MAX, &v, 4);
		if (v)
			vb->size_max = v;
	}
	vb->max_data = VBLK_MAX_DATA;
	if (vmmio_has(&vb->dev, VIRTIO_BLK_F_SEG_MAX)) {
		vmmio_config_read(&vb->dev, CFG_SEG_MAX, &v, 4);
		if (v && v < vb->max_data)
			vb->max_data = v;
	}
	vb->bd.readonly = vmmio_has(&vb->dev, VIRTIO_BLK_F_RO);
}

static void log_disk(struct vblk *vb)
{
	struct vmmio_dev *d = &vb->dev;

	pr_info("%s: virtio-blk at %#lx irq %u, %lu MiB (%lu sectors), %s, %s, features %#lx "
		"(%s%s%s%s), queue %u, blk_size %u, %u segs/request",
		vb->name, (unsigned long)d->base, d->irq, (unsigned long)(vb->bd.nsectors >> 11),
		(unsigned long)vb->bd.nsectors, d->version == 2 ? "modern" : "legacy",
		vb->bd.readonly ? "read-only" : "read-write", (unsigned long)d->features,
		vmmio_has(d, VIRTIO_BLK_F_FLUSH) ? "flush" : "no flush",
		vmmio_has(d, VIRTIO_BLK_F_SEG_MAX) ? " seg_max" : "",
		vmmio_has(d, VIRTIO_BLK_F_SIZE_MAX) ? " size_max" : "",
		vmmio_has(d, VIRTIO_BLK_F_BLK_SIZE) ? " blk_size" : "", vb->vq.num, vb->unit,
		vb->max_data);
}

static int vblk_start(struct vblk *vb)
{
	int r = vmmio_begin(&vb->dev);

	if (!r)
		r = vmmio_negotiate(&vb->dev, VBLK_WANTED);
	if (r)
		return r;
	read_config(vb);
	r = virtq_init(&vb->vq, &vb->dev, 0, vblk_queue_limit);
	if (!r && vb->vq.num < 4)
		r = -ENODEV; /* not even a header, one buffer and a status */
	if (r)
		return r;
	if (vb->max_data > vb->vq.num - 2u)
		vb->max_data = vb->vq.num - 2u;
	r = hal_irq_register(vb->dev.irq, vblk_irq, vb);
	if (r)
		return r;
	vmmio_driver_ok(&vb->dev);
	return 0;
}

int vblk_attach(const struct vmmio_dev *probe, struct bdev **bd)
{
	struct vblk *vb = kzalloc(sizeof(*vb));
	int r;

	if (!vb)
		return -ENOMEM;
	if (ndisks == 26) {
		kfree(vb);
		return -ENOSPC; /* vda .. vdz */
	}
	vb->dev = *probe;
	vb->name[0] = 'v';
	vb->name[1] = 'd';
	vb->name[2] = (char)('a' + ndisks);
	r = vblk_start(vb);
	if (r) {
		/* The device may still know our queue's address: vb stays allocated. */
		vmmio_fail(&vb->dev);
		pr_err("virtio-blk at %#lx: cannot start (error %d)", (unsigned long)probe->base,
		       r);
		return r;
	}
	ndisks++;
	vb->bd.name = vb->name;
	vb->bd.ops = &vblk_ops;
	vb->bd.priv = vb;
	log_disk(vb);
	*bd = &vb->bd;
	return 0;
}
