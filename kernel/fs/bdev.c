/*
 * The registry of block devices, and the checked submit every user goes
 * through. Devices register at boot and never go away, so lookups return
 * borrowed pointers.
 */
#include <fs/bcache.h>
#include <core/spinlock.h>
#include <lib/string.h>
#include <weft/errno.h>

#define BDEV_MAX 16

static struct spinlock bdev_lock = SPINLOCK_INIT("bdev");
static struct bdev *bdevs[BDEV_MAX]; /* bdev_lock; never shrinks */
static unsigned nbdevs;		     /* bdev_lock */

int bdev_register(struct bdev *bd)
{
	int r = 0;

	spin_lock(&bdev_lock);
	for (unsigned i = 0; i < nbdevs; i++)
		if (!strcmp(bdevs[i]->name, bd->name))
			r = -EEXIST;
	if (!r && nbdevs == BDEV_MAX)
		r = -ENOMEM;
	if (!r)
		bdevs[nbdevs++] = bd;
	spin_unlock(&bdev_lock);
	return r;
}

struct bdev *bdev_find(const char *name)
{
	struct bdev *found = NULL;

	if (!strncmp(name, "/dev/", 5))
		name += 5;
	spin_lock(&bdev_lock);
	for (unsigned i = 0; i < nbdevs && !found; i++)
		if (!strcmp(bdevs[i]->name, name))
			found = bdevs[i];
	spin_unlock(&bdev_lock);
	return found;
}

int bdev_foreach(int (*fn)(struct bdev *bd, void *arg), void *arg)
{
	for (unsigned i = 0;; i++) {
		struct bdev *bd = NULL;

		spin_lock(&bdev_lock);
		if (i < nbdevs)
			bd = bdevs[i];
		spin_unlock(&bdev_lock);
		if (!bd)
			return 0;
		int r = fn(bd, arg);
		if (r)
			return r;
	}
}

static int bio_check(const struct bdev *bd, const struct bio *bio)
{
	uint64_t n = 0;

	if (bio->op == BIO_FLUSH)
		return bio->nseg ? -EINVAL : 0;
	if (bio->op != BIO_READ && bio->op != BIO_WRITE)
		return -EINVAL;
	if (!bio->nseg || bio->nseg > BIO_MAX_SEGS)
		return -EINVAL;
	for (unsigned i = 0; i < bio->nseg; i++) {
		if (!bio->seg[i].len || bio->seg[i].len % BDEV_SECTOR)
			return -EINVAL;
		n += bio->seg[i].len / BDEV_SECTOR;
	}
	if (bio->sector >= bd->nsectors || n > bd->nsectors - bio->sector)
		return -EIO;
	if (bio->op == BIO_WRITE && bd->readonly)
		return -EROFS;
	return 0;
}

int bdev_submit(struct bdev *bd, struct bio *bio)
{
	int r = bio_check(bd, bio);
	uint64_t *ctr = bio->op == BIO_READ ? &bd->nr_reads
			: bio->op == BIO_WRITE ? &bd->nr_writes : &bd->nr_flushes;

	if (!r)
		r = bd->ops->submit(bd, bio);
	__atomic_add_fetch(r ? &bd->nr_errors : ctr, 1, __ATOMIC_RELAXED);
	return r;
}

int bdev_rw(struct bdev *bd, bool write, uint64_t sector, void *buf, uint32_t nsect)
{
	struct bio bio = {.op = write ? BIO_WRITE : BIO_READ, .sector = sector, .nseg = 1};

	bio.seg[0].buf = buf;
	bio.seg[0].len = nsect * BDEV_SECTOR;
	return bdev_submit(bd, &bio);
}
