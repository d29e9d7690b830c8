/*
 * devfs: the /dev directory of device nodes.
 *
 * A driver registers a name with a file_ops table and a private pointer; opening
 * /dev/NAME gives a struct file whose fops and priv are those. devfs is one flat
 * directory, mounted on /dev by vfs_init; there is a single instance. Names can
 * be registered before or after it is mounted, and never go away.
 *
 * Built in: null (reads EOF, swallows writes), zero (reads zeros), full (reads
 * zeros, writes fail with -ENOSPC), random and urandom. The last two are a plain
 * xorshift generator seeded from hal_time_ns, NOT cryptographically secure; fine
 * for AT_RANDOM-style needs of test programs, to be replaced by a real entropy
 * source.
 */
#ifndef FS_DEVFS_H
#define FS_DEVFS_H

#include <fs/vfs.h>

#define DEVFS_NAME_MAX 31

extern const struct vfs_fstype devfs_fstype;

/*
 * Add /dev/name (mode: permission bits; the node is a character device). fops
 * and priv must stay valid forever; every open of the node gets them (fops->open
 * may refine priv per open). 0, -EINVAL (empty or too long name, or a '/'),
 * -EEXIST or -ENOMEM. Takes the devfs lock; never sleeps.
 */
int devfs_register(const char *name, uint32_t mode, const struct file_ops *fops, void *priv);

/* Fill buf with len pseudo-random bytes from the /dev/urandom generator. */
void devfs_random_bytes(void *buf, size_t len);

#endif
