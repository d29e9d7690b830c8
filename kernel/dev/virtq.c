/*
 * Split virtqueues (see <dev/virtq.h>).
 *
 * The three parts sit in one block of zeroed pages, in the legacy layout that
 * both transport versions accept: the descriptor table at the start, the
 * available ring right after it, the used ring at the next page boundary.
 * Free descriptors form a list through their next fields, so a chain taken off
 * the front is already linked. Each in-flight chain remembers its length by
 * head, so freeing it never trusts memory the device can write.
 *
 * Ordering (spec 2.7.13): descriptors and the ring slot are written before
 * avail->idx (write barrier); avail->idx is written before used->flags is read
 * to decide on a notification (full barrier); used->idx is read before the
 * used entries it covers (read barrier).
 */
#include <dev/virtq.h>
#include <hal/io.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/klog.h>
#include <weft/errno.h>

static size_t used_offset(unsigned num)
{
	return PAGE_ROUND_UP(16ul * num + 6 + 2ul * num);
}

static unsigned area_order(unsigned num)
{
	size_t bytes = used_offset(num) + 6 + 8ul * num;
	unsigned order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static int alloc_area(struct virtq *vq)
{
	uint8_t *base;

	vq->area_order = area_order(vq->num);
	vq->area = pmm_alloc_zeroed(vq->area_order);
	vq->cookie = kzalloc(vq->num * sizeof(void *));
	vq->chain_len = kzalloc(vq->num * sizeof(uint16_t));
	if (!vq->area || !vq->cookie || !vq->chain_len) {
		if (vq->area)
			pmm_free(vq->area, vq->area_order);
		kfree(vq->cookie);
		kfree(vq->chain_len);
		return -ENOMEM;
	}
	base = hal_pa_to_kva(vq->area);
	vq->desc = (struct virtq_desc *)base;
	vq->avail = (struct virtq_avail *)(base + 16ul * vq->num);
	vq->used = (struct virtq_used *)(base + used_offset(vq->num));
	return 0;
}

int virtq_init(struct virtq *vq, struct vmmio_dev *dev, unsigned index, unsigned max)
{
	unsigned dev_max = vmmio_queue_max(dev, index);
	unsigned num = 1;
	paddr_t avail_pa, used_pa;
	int r;

	if (!dev_max)
		return -ENODEV;
	if (dev_max < max)
		max = dev_max;
	while (num * 2 <= max && num * 2 <= 32768)
		num *= 2;
	waitq_init(&vq->room, "virtq");
	vq->dev = dev;
	vq->index = index;
	vq->num = (uint16_t)num;
	r = alloc_area(vq);
	if (r)
		return r;
	for (unsigned i = 0; i < num; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->nfree = vq->num;
	avail_pa = vq->area + 16ul * num;
	used_pa = vq->area + used_offset(num);
	r = vmmio_queue_set(dev, index, num, vq->area, avail_pa, used_pa);
	return r ? -EIO : 0;
}

/* Block (a kernel thread) until n descriptors are free; lock held throughout
 * except while blocked. */
static void wait_room_locked(struct virtq *vq, unsigned n)
{
	struct thread *t = current();

	if (vq->nfree >= n)
		return;
	vq->nr_room_waits++;
	kassert(t && t->kind == THREAD_KERNEL);
	while (vq->nfree < n) {
		waitq_park_locked(&vq->room, t, NULL, 0);
		spin_unlock(&vq->room.lock);
		sched_block_kthread();
		spin_lock(&vq->room.lock);
	}
}

/* Take n descriptors off the free list and fill them from segs; the head. */
static uint16_t chain_locked(struct virtq *vq, const struct virtq_seg *segs, unsigned n)
{
	uint16_t head = vq->free_head, i = head;

	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *d = &vq->desc[i];

		d->addr = segs[k].pa;
		d->len = segs[k].len;
		d->flags = (segs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
			   (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		i = d->next; /* the free list's link is the chain's link */
	}
	vq->free_head = i;
	vq->nfree -= (uint16_t)n;
	vq->chain_len[head] = (uint16_t)n;
	return head;
}

/* Make the chain at head visible to the device; whether to notify it. */
static bool publish_locked(struct virtq *vq, uint16_t head)
{
	vq->avail->ring[vq->avail_idx & (vq->num - 1)] = head;
	hal_dma_wmb();
	vq->avail_idx++;
	*(volatile uint16_t *)&vq->avail->idx = vq->avail_idx;
	hal_dma_mb();
	vq->nr_added++;
	return !(*(volatile uint16_t *)&vq->used->flags & VIRTQ_USED_F_NO_NOTIFY);
}

int virtq_add(struct virtq *vq, const struct virtq_seg *segs, unsigned n, void *cookie)
{
	uint16_t head;
	bool kick;

	if (!n || n > vq->num || !cookie)
		return -EINVAL;
	spin_lock(&vq->room.lock);
	wait_room_locked(vq, n);
	head = chain_locked(vq, segs, n);
	vq->cookie[head] = cookie;
	if (++vq->inflight > vq->inflight_max)
		vq->inflight_max = vq->inflight;
	kick = publish_locked(vq, head);
	if (kick)
		vq->nr_notifies++;
	spin_unlock(&vq->room.lock);
	if (kick)
		vmmio_notify(vq->dev, vq->index);
	return 0;
}

static void free_chain_locked(struct virtq *vq, uint16_t head)
{
	uint16_t tail = head;

	for (unsigned k = 1; k < vq->chain_len[head]; k++)
		tail = vq->desc[tail].next;
	vq->desc[tail].next = vq->free_head;
	vq->free_head = head;
	vq->nfree += vq->chain_len[head];
	vq->chain_len[head] = 0;
	vq->cookie[head] = NULL;
	vq->inflight--;
}

unsigned virtq_collect(struct virtq *vq, void **cookies, unsigned max)
{
	unsigned n = 0;

	spin_lock(&vq->room.lock);
	while (n < max) {
		uint16_t idx = *(volatile uint16_t *)&vq->used->idx;
		struct virtq_used_elem e;

		if (idx == vq->last_used)
			break;
		hal_dma_rmb();
		e = vq->used->ring[vq->last_used & (vq->num - 1)];
		vq->last_used++;
		if (e.id >= vq->num || !vq->chain_len[e.id]) {
			/* Not a chain in flight: a device bug; count it, skip it. */
			if (!vq->nr_bad_used++)
				pr_warn("virtq %u: device returned descriptor %u, not in flight",
					vq->index, e.id);
			continue;
		}
		cookies[n++] = vq->cookie[e.id];
		free_chain_locked(vq, (uint16_t)e.id);
	}
	spin_unlock(&vq->room.lock);
	if (n)
		waitq_wake(&vq->room, -1, 0);
	return n;
}
