/*
 * virtio-mmio transport (see <dev/virtio_mmio.h>): the register protocol of
 * the virtio spec's MMIO chapter, version 1 (legacy) and version 2 (modern),
 * and the probe that hands each slot to its driver.
 *
 * Registers are little-endian 32-bit words; RISC-V is little-endian, so they
 * are read as they are. Every access goes through <hal/io.h>, which orders it
 * against the rings in memory. Setup runs at boot on one CPU, without locks.
 */
#include <stddef.h>
#include <dev/virtio_mmio.h>
#include <dev/virtio_blk.h>
#include <hal/io.h>
#include <core/klog.h>
#include <weft/errno.h>

#define REG_MAGIC	     0x000
#define REG_VERSION	     0x004
#define REG_DEVICE_ID	     0x008
#define REG_DEVICE_FEATURES  0x010
#define REG_DEVICE_FEAT_SEL  0x014
#define REG_DRIVER_FEATURES  0x020
#define REG_DRIVER_FEAT_SEL  0x024
#define REG_GUEST_PAGE_SIZE  0x028 /* legacy */
#define REG_QUEUE_SEL	     0x030
#define REG_QUEUE_NUM_MAX    0x034
#define REG_QUEUE_NUM	     0x038
#define REG_QUEUE_ALIGN	     0x03c /* legacy */
#define REG_QUEUE_PFN	     0x040 /* legacy */
#define REG_QUEUE_READY	     0x044 /* modern */
#define REG_QUEUE_NOTIFY     0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK    0x064
#define REG_STATUS	     0x070
#define REG_QUEUE_DESC_LO    0x080 /* modern, the next five too */
#define REG_QUEUE_DESC_HI    0x084
#define REG_QUEUE_AVAIL_LO   0x090
#define REG_QUEUE_AVAIL_HI   0x094
#define REG_QUEUE_USED_LO    0x0a0
#define REG_QUEUE_USED_HI    0x0a4
#define REG_CONFIG_GEN	     0x0fc
#define REG_CONFIG	     0x100

#define VIRTIO_MAGIC 0x74726976u /* "virt" */

/* Device status bits. */
#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER	   2u
#define STATUS_DRIVER_OK   4u
#define STATUS_FEATURES_OK 8u
#define STATUS_FAILED	   128u

#define RESET_SPINS  1000000 /* status reads before a reset counts as failed */
#define CONFIG_TRIES 1000    /* reads of a configuration field that keeps changing */

static uint32_t rd(struct vmmio_dev *d, unsigned off)
{
	return hal_mmio_read32(d->regs + off);
}

static void wr(struct vmmio_dev *d, unsigned off, uint32_t v)
{
	hal_mmio_write32(d->regs + off, v);
}

int vmmio_probe(struct vmmio_dev *d, paddr_t base, uint64_t size, unsigned irq)
{
	if (size < REG_CONFIG)
		return -EINVAL;
	d->regs = hal_pa_to_kva(base);
	d->base = base;
	d->irq = irq;
	d->offered = d->features = 0;
	if (rd(d, REG_MAGIC) != VIRTIO_MAGIC)
		return -EINVAL;
	d->version = rd(d, REG_VERSION);
	if (d->version != 1 && d->version != 2)
		return -EINVAL;
	d->device_id = rd(d, REG_DEVICE_ID);
	return d->device_id ? 0 : -ENODEV;
}

static void add_status(struct vmmio_dev *d, uint32_t bits)
{
	wr(d, REG_STATUS, rd(d, REG_STATUS) | bits);
}

int vmmio_begin(struct vmmio_dev *d)
{
	unsigned spins = 0;

	wr(d, REG_STATUS, 0);
	/* A modern device may take time to reset: it reads 0 once done. */
	while (d->version == 2 && rd(d, REG_STATUS) != 0)
		if (++spins > RESET_SPINS)
			return -EIO;
	add_status(d, STATUS_ACKNOWLEDGE);
	add_status(d, STATUS_DRIVER);
	if (d->version == 1)
		wr(d, REG_GUEST_PAGE_SIZE, PAGE_SIZE);
	return 0;
}

/* Legacy devices have only the first 32 feature bits. */
static uint64_t read_features(struct vmmio_dev *d)
{
	uint64_t f;

	wr(d, REG_DEVICE_FEAT_SEL, 0);
	f = rd(d, REG_DEVICE_FEATURES);
	if (d->version == 1)
		return f;
	wr(d, REG_DEVICE_FEAT_SEL, 1);
	return f | (uint64_t)rd(d, REG_DEVICE_FEATURES) << 32;
}

static void write_features(struct vmmio_dev *d, uint64_t f)
{
	wr(d, REG_DRIVER_FEAT_SEL, 0);
	wr(d, REG_DRIVER_FEATURES, (uint32_t)f);
	if (d->version == 1)
		return;
	wr(d, REG_DRIVER_FEAT_SEL, 1);
	wr(d, REG_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

int vmmio_negotiate(struct vmmio_dev *d, uint64_t wanted)
{
	d->offered = read_features(d);
	if (d->version == 2) {
		if (!(d->offered >> VIRTIO_F_VERSION_1 & 1))
			return -EIO;
		wanted |= 1ull << VIRTIO_F_VERSION_1;
	}
	d->features = d->offered & wanted;
	write_features(d, d->features);
	/* Legacy devices have no FEATURES_OK step. */
	if (d->version == 1)
		return 0;
	add_status(d, STATUS_FEATURES_OK);
	return rd(d, REG_STATUS) & STATUS_FEATURES_OK ? 0 : -EIO;
}

void vmmio_driver_ok(struct vmmio_dev *d)
{
	add_status(d, STATUS_DRIVER_OK);
}

void vmmio_fail(struct vmmio_dev *d)
{
	add_status(d, STATUS_FAILED);
}

unsigned vmmio_queue_max(struct vmmio_dev *d, unsigned idx)
{
	wr(d, REG_QUEUE_SEL, idx);
	if (rd(d, d->version == 1 ? REG_QUEUE_PFN : REG_QUEUE_READY))
		return 0; /* already in use */
	return rd(d, REG_QUEUE_NUM_MAX);
}

static void wr64(struct vmmio_dev *d, unsigned lo, uint64_t v)
{
	wr(d, lo, (uint32_t)v);
	wr(d, lo + 4, (uint32_t)(v >> 32));
}

int vmmio_queue_set(struct vmmio_dev *d, unsigned idx, unsigned num, paddr_t desc, paddr_t avail,
		    paddr_t used)
{
	wr(d, REG_QUEUE_SEL, idx);
	wr(d, REG_QUEUE_NUM, num);
	if (d->version == 1) {
		/* One area: the device finds the rings from the page number alone. */
		paddr_t avail_end = avail + 6 + 2ull * num;
		if (desc % PAGE_SIZE || avail != desc + 16ull * num ||
		    used != PAGE_ROUND_UP(avail_end) || (desc >> PAGE_SHIFT) >> 32)
			return -EINVAL;
		wr(d, REG_QUEUE_ALIGN, PAGE_SIZE);
		wr(d, REG_QUEUE_PFN, (uint32_t)(desc >> PAGE_SHIFT));
		return 0;
	}
	wr64(d, REG_QUEUE_DESC_LO, desc);
	wr64(d, REG_QUEUE_AVAIL_LO, avail);
	wr64(d, REG_QUEUE_USED_LO, used);
	wr(d, REG_QUEUE_READY, 1);
	return 0;
}

void vmmio_notify(struct vmmio_dev *d, unsigned idx)
{
	wr(d, REG_QUEUE_NOTIFY, idx);
}

uint32_t vmmio_irq_ack(struct vmmio_dev *d)
{
	uint32_t st = rd(d, REG_INTERRUPT_STATUS);

	if (st)
		wr(d, REG_INTERRUPT_ACK, st);
	return st;
}

/* One field, read with accesses of its own width (8 bytes as two words). */
static void config_read_once(struct vmmio_dev *d, unsigned off, void *out, unsigned len)
{
	const volatile uint8_t *p = d->regs + REG_CONFIG + off;

	switch (len) {
	case 1:
		*(uint8_t *)out = hal_mmio_read8(p);
		break;
	case 2:
		*(uint16_t *)out = hal_mmio_read16(p);
		break;
	case 4:
		*(uint32_t *)out = hal_mmio_read32(p);
		break;
	default:
		*(uint64_t *)out = hal_mmio_read32(p) | (uint64_t)hal_mmio_read32(p + 4) << 32;
		break;
	}
}

void vmmio_config_read(struct vmmio_dev *d, unsigned off, void *out, unsigned len)
{
	uint32_t gen;

	if (d->version == 1) {
		config_read_once(d, off, out, len);
		return;
	}
	/* Modern: a field wider than one access is consistent only if the
	 * generation did not change around the reads (a device that never
	 * settles gets the last reading). */
	for (unsigned tries = 0; tries < CONFIG_TRIES; tries++) {
		gen = rd(d, REG_CONFIG_GEN);
		config_read_once(d, off, out, len);
		if (rd(d, REG_CONFIG_GEN) == gen)
			break;
	}
}

int virtio_mmio_attach(paddr_t base, uint64_t size, unsigned irq, struct bdev **bd)
{
	struct vmmio_dev probe;
	int r;

	*bd = NULL;
	r = vmmio_probe(&probe, base, size, irq);
	if (r == -EINVAL)
		pr_warn("virtio-mmio at %#lx: not a virtio device, skipped", (unsigned long)base);
	if (r)
		return r;
	switch (probe.device_id) {
	case VIRTIO_ID_BLOCK:
		return vblk_attach(&probe, bd);
	default:
		pr_debug("virtio-mmio at %#lx: device id %u has no driver", (unsigned long)base,
			 probe.device_id);
		return 0;
	}
}
