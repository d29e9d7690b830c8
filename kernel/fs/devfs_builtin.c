/*
 * The built-in devices of devfs: null, zero, full, random and urandom.
 *
 * None has state worth a lock except the random generator: an xorshift64*
 * sequence under its own spinlock, seeded with splitmix64 of the boot clock on
 * first use. Output is generated into a small stack buffer under the lock and
 * copied to the caller after dropping it. Not cryptographically secure.
 */
#include <fs/vfs.h>
#include <fs/devfs.h>
#include <core/spinlock.h>
#include <hal/cpu.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "devfs_impl.h"

#define RANDOM_CHUNK 256

static struct spinlock random_lock = SPINLOCK_INIT("devfs random");
static uint64_t random_state; /* random_lock; 0 means not seeded */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t random_next_locked(void)
{
	if (!random_state)
		random_state = splitmix64(hal_time_ns()) | 1;
	random_state ^= random_state >> 12;
	random_state ^= random_state << 25;
	random_state ^= random_state >> 27;
	return random_state * 0x2545f4914f6cdd1dULL;
}

void devfs_random_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;

	spin_lock(&random_lock);
	while (len) {
		uint64_t v = random_next_locked();
		size_t n = len < sizeof(v) ? len : sizeof(v);
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	spin_unlock(&random_lock);
}

static int random_read(struct file *f, struct uio *uio)
{
	unsigned char buf[RANDOM_CHUNK];
	int err = 0;

	while (uio->resid && !err) {
		size_t n = uio->resid < sizeof(buf) ? uio->resid : sizeof(buf);
		devfs_random_bytes(buf, n);
		err = uio_move(buf, n, uio, true);
	}
	return err;
}

/* Writes stir the generator; the bytes are not trusted as entropy. */
static int random_write(struct file *f, struct uio *uio)
{
	unsigned char buf[RANDOM_CHUNK];
	int err = 0;

	while (uio->resid && !err) {
		size_t n = uio->resid < sizeof(buf) ? uio->resid : sizeof(buf);
		err = uio_move(buf, n, uio, false);
		if (err)
			break;
		spin_lock(&random_lock);
		for (size_t i = 0; i < n; i++)
			random_state = splitmix64(random_state ^ buf[i]) | 1;
		spin_unlock(&random_lock);
	}
	return err;
}

static int zero_read(struct file *f, struct uio *uio)
{
	return uio_zero(uio->resid, uio);
}

static int null_read(struct file *f, struct uio *uio)
{
	return 0; /* end of file */
}

static int sink_write(struct file *f, struct uio *uio)
{
	uio_skip(uio->resid, uio);
	return 0;
}

static int full_write(struct file *f, struct uio *uio)
{
	return -ENOSPC;
}

/* Seeking these devices is allowed and always lands at 0, as on Linux. */
static int dev_lseek(struct file *f, int64_t off, int whence, uint64_t *newoff)
{
	*newoff = 0;
	return 0;
}

static const struct file_ops null_fops = {
    .read = null_read,
    .write = sink_write,
    .lseek = dev_lseek,
};
static const struct file_ops zero_fops = {
    .read = zero_read,
    .write = sink_write,
    .lseek = dev_lseek,
};
static const struct file_ops full_fops = {
    .read = zero_read,
    .write = full_write,
    .lseek = dev_lseek,
};
static const struct file_ops random_fops = {
    .read = random_read,
    .write = random_write,
    .lseek = dev_lseek,
};

int devfs_register_builtins(void)
{
	static const struct {
		const char *name;
		const struct file_ops *fops;
	} devs[] = {
	    {"null", &null_fops},     {"zero", &zero_fops},	 {"full", &full_fops},
	    {"random", &random_fops}, {"urandom", &random_fops},
	};
	int first = 0;

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		int err = devfs_register(devs[i].name, 0666, devs[i].fops, NULL);
		if (err && !first)
			first = err;
	}
	return first;
}
