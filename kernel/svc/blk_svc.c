/*
 * The blk service: block requests go through its workers to the drivers.
 * svc_boot puts it in front of every registered device by swapping the
 * device's ops for a proxy that makes each submit a service call; the
 * driver's own ops are kept here. With a driver that can start a request
 * without waiting (submit_async), a worker only starts it: the worker's code
 * (the driver's checks, mapping and queueing) stays contained, and the
 * request is detached from the worker once it is on the device, so the
 * driver's interrupt wakes the client directly, with no hop back through the
 * worker. Several workers keep several requests in flight. In the monolithic
 * build the devices keep their own ops and callers reach the driver
 * directly.
 */
#include <svc/services.h>
#include <core/klog.h>
#include <fs/bcache.h>
#include <fs/procfs.h>
#include <weft/errno.h>

#define BLK_MAX 16
#define BLK_WATCHDOG_NS (10ull * 1000 * 1000 * 1000)

static struct {
	struct bdev *bd;
	const struct bdev_ops *ops;
} drivers[BLK_MAX]; /* written at boot only */
static unsigned ndrivers;

struct service svc_blk = {
    .name = "blk",
    .nworkers = 4,
    .watchdog_ns = BLK_WATCHDOG_NS,
};

struct blk_call {
	struct bdev *bd;
	const struct bdev_ops *ops;
	struct bio *bio;
};

static void detach(void *r)
{
	svc_req_detach(r);
}

static long blk_do(struct svc_req *r)
{
	struct blk_call *c = r->arg;

	if (c->ops->submit_async)
		return c->ops->submit_async(c->bd, c->bio, r->done, detach, r);
	return c->ops->submit(c->bd, c->bio);
}

static int proxy_submit(struct bdev *bd, struct bio *bio)
{
	for (unsigned i = 0; i < ndrivers; i++)
		if (drivers[i].bd == bd) {
			struct blk_call c = {bd, drivers[i].ops, bio};
			return (int)svc_call(&svc_blk, blk_do, &c);
		}
	return -EIO;
}

static const struct bdev_ops proxy_ops = {.submit = proxy_submit};

static int attach(struct bdev *bd, void *arg)
{
	(void)arg;
	if (ndrivers == BLK_MAX || bd->ops == &proxy_ops)
		return 0;
	drivers[ndrivers].bd = bd;
	drivers[ndrivers].ops = bd->ops;
	ndrivers++;
	bd->ops = &proxy_ops;
	return 0;
}

void svc_boot(void)
{
	svc_procfs_init();
	if (svc_start(&svc_fs) || svc_start(&svc_blk))
		panic("svc: cannot start the fs and blk services");
	if (!svc_monolithic())
		bdev_foreach(attach, NULL);
	pr_info("svc: fs and blk services started (%s)", svc_monolithic() ? "monolithic" : "hybrid");
}
