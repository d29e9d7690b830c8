/*
 * virtio over memory-mapped I/O: the transport under every virtio driver.
 *
 * Both register layouts of QEMU's virtio-mmio are handled: version 1 (legacy,
 * QEMU's default: 32 feature bits, guest page size, one contiguous queue area
 * named by its page number) and version 2 (modern: 64 feature bits,
 * VERSION_1 required, FEATURES_OK, separate ring addresses, QueueReady, a
 * configuration generation counter).
 *
 * A driver's life on one slot: vmmio_probe (is there a device, which one),
 * vmmio_begin (reset, ACKNOWLEDGE, DRIVER), vmmio_negotiate (features; on
 * modern also FEATURES_OK), queue setup (virtq_init, see <dev/virtq.h>),
 * vmmio_driver_ok. On any failure the driver calls vmmio_fail. Interrupts are
 * acknowledged with vmmio_irq_ack from the driver's handler.
 *
 * Setup runs once at boot on one CPU, so these calls take no lock; after
 * DRIVER_OK only vmmio_notify, vmmio_irq_ack and configuration reads are used,
 * and those are single register accesses that are safe from any CPU.
 */
#ifndef DEV_VIRTIO_MMIO_H
#define DEV_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>
#include <hal/mmu.h>

struct bdev;

/* Device ids (virtio spec 5). */
#define VIRTIO_ID_NET	1
#define VIRTIO_ID_BLOCK 2

/* Feature bits shared by every device type. */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1     32

/* Bits of InterruptStatus. */
#define VIRTIO_INT_USED	  1u /* a used ring was updated */
#define VIRTIO_INT_CONFIG 2u /* the configuration space changed */

struct vmmio_dev {
	volatile uint8_t *regs;
	paddr_t base;
	unsigned irq;
	uint32_t version;   /* 1 legacy, 2 modern */
	uint32_t device_id; /* VIRTIO_ID_* */
	uint64_t offered;   /* features the device offers */
	uint64_t features;  /* features accepted (a subset of offered) */
};

/* Look at the slot at base (size bytes of registers, interrupt irq): 0 and
 * *d filled when it holds a device, -ENODEV when it is empty (device id 0),
 * -EINVAL when it is no virtio-mmio device or an unknown version. */
int vmmio_probe(struct vmmio_dev *d, paddr_t base, uint64_t size, unsigned irq);
/* Reset the device and announce a driver (ACKNOWLEDGE, DRIVER). 0, or -EIO
 * when a modern device never finishes its reset. */
int vmmio_begin(struct vmmio_dev *d);
/* Accept the features in `wanted` that the device offers (VERSION_1 added on
 * modern). 0, or -EIO when the device refuses them or a modern device lacks
 * VERSION_1. */
int vmmio_negotiate(struct vmmio_dev *d, uint64_t wanted);
static inline bool vmmio_has(const struct vmmio_dev *d, unsigned bit)
{
	return (d->features >> bit) & 1;
}
/* Set DRIVER_OK: the device is live. */
void vmmio_driver_ok(struct vmmio_dev *d);
/* Give up on the device: set FAILED. */
void vmmio_fail(struct vmmio_dev *d);

/* Queue registers (for virtq.c). vmmio_queue_max returns the largest size the
 * device allows for queue idx, 0 if the queue does not exist or is in use. */
unsigned vmmio_queue_max(struct vmmio_dev *d, unsigned idx);
/* Tell the device where queue idx of num entries lives. The legacy layout is
 * one area at desc (page-aligned) with the used ring at the next page
 * boundary after the available ring; modern takes the three addresses. */
int vmmio_queue_set(struct vmmio_dev *d, unsigned idx, unsigned num, paddr_t desc, paddr_t avail,
		    paddr_t used);
void vmmio_notify(struct vmmio_dev *d, unsigned idx);
/* Read and acknowledge InterruptStatus: the VIRTIO_INT_* bits that were set. */
uint32_t vmmio_irq_ack(struct vmmio_dev *d);

/* Read len (1, 2, 4 or 8) bytes of device configuration at off into out, as
 * one consistent snapshot (the generation counter is re-checked on modern). */
void vmmio_config_read(struct vmmio_dev *d, unsigned off, void *out, unsigned len);

/* Probe the slot and start the driver for what it holds. A disk comes back
 * in *bd for the caller to register; other devices, or none, leave *bd NULL.
 * 0, -ENODEV (empty slot), or an error when the device could not be started
 * (it is then marked FAILED and logged). Boot only, one CPU. */
int virtio_mmio_attach(paddr_t base, uint64_t size, unsigned irq, struct bdev **bd);

#endif
