/*
 * Helpers for the ext4 host tests (see ext4_util.h).
 */
#include "ext4_util.h"
#include "ht.h"
#include "ext4_impl.h"
#include <fs/bcache.h>
#include <fs/ext4.h>
#include <weft/errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void fs_test_setup(void);

struct e4u_dev e4u_dev = {.fd = -1};
struct mount e4u_mnt;
struct vnode *e4u_root;
static unsigned long vnodes_before;

static int dev_submit(struct bdev *bd, struct bio *bio)
{
	uint64_t off = bio->sector * BDEV_SECTOR;

	if (bio->op == BIO_FLUSH)
		return 0;
	if (bio->op == BIO_WRITE) {
		struct ext4_fs *fs = e4u_mnt.priv;
		e4u_dev.writes++;
		e4u_dev.writes_broken += fs && fs->broken;
	}
	for (unsigned i = 0; i < bio->nseg; i++) {
		void *b = bio->seg[i].buf;
		size_t n = bio->seg[i].len;
		if (e4u_dev.mem && bio->op == BIO_READ)
			memcpy(b, e4u_dev.mem + off, n);
		else if (e4u_dev.mem)
			memcpy(e4u_dev.mem + off, b, n);
		else if (bio->op == BIO_READ && pread(e4u_dev.fd, b, n, (off_t)off) != (ssize_t)n)
			return -EIO;
		else if (bio->op == BIO_WRITE && pwrite(e4u_dev.fd, b, n, (off_t)off) != (ssize_t)n)
			return -EIO;
		off += n;
	}
	return 0;
}

static const struct bdev_ops dev_ops = {.submit = dev_submit};
static struct bdev dev = {.name = "e4t", .ops = &dev_ops};

void e4u_fixture(char *buf, const char *name)
{
	ssize_t n = readlink("/proc/self/exe", buf, 4096 - 256);
	if (n < 0)
		abort();
	buf[n] = 0;
	strcpy(strrchr(buf, '/'), "/fixtures/");
	strcat(buf, name);
}

void e4u_scratch(char *buf, const char *name, const char *suffix)
{
	char src[4096];
	e4u_fixture(src, name);
	if (snprintf(buf, 4096, "%s.%s.%d", src, suffix, (int)getpid()) >= 4096 ||
	    e4u_system("cp --sparse=always '%s' '%s'", src, buf))
		abort();
}

int e4u_system(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int mount_dev(const char *opts)
{
	fs_test_setup();
	if (!bdev_find("e4t"))
		bdev_register(&dev);
	dev.nsectors = e4u_dev.size / BDEV_SECTOR;
	e4u_dev.writes = e4u_dev.writes_broken = 0;
	vnodes_before = vfs_vnode_count();
	memset(&e4u_mnt, 0, sizeof(e4u_mnt));
	spin_init(&e4u_mnt.rename_lock, "e4u rename");
	list_init(&e4u_mnt.link);
	e4u_mnt.fstype = &ext4_fstype;
	e4u_mnt.dev = 77;
	int err = ext4_fstype.mount(&e4u_mnt, "/dev/e4t", opts, &e4u_root);
	if (err)
		e4u_root = NULL;
	return err;
}

int e4u_mount_file(const char *path, const char *opts)
{
	struct stat st;

	e4u_dev.mem = NULL;
	e4u_dev.fd = open(path, O_RDWR);
	if (e4u_dev.fd < 0 || fstat(e4u_dev.fd, &st))
		abort();
	e4u_dev.size = (uint64_t)st.st_size;
	int err = mount_dev(opts);
	if (err) {
		close(e4u_dev.fd);
		e4u_dev.fd = -1;
	}
	return err;
}

int e4u_mount_mem(uint8_t *mem, uint64_t size, const char *opts)
{
	e4u_dev.mem = mem;
	e4u_dev.size = size;
	return mount_dev(opts);
}

void e4u_umount(void)
{
	vfs_dcache_flush();
	vnode_put(e4u_root);
	e4u_root = NULL;
	HT_CHECK_EQ(vfs_vnode_count(), vnodes_before);
	ext4_fstype.unmount(&e4u_mnt);
	if (e4u_dev.fd >= 0)
		close(e4u_dev.fd);
	e4u_dev.fd = -1;
}

long e4u_read(const char *path, void *buf, size_t len, uint64_t off)
{
	struct file *f;
	struct uio u;
	int err = vfs_open(e4u_root, e4u_root, path, VFS_O_RDONLY, 0, &f);

	if (err)
		return err;
	uio_init_kernel(&u, buf, len, off);
	long n = vfs_pread(f, &u);
	file_put(f);
	return n;
}

long e4u_write(const char *path, const void *buf, size_t len, uint64_t off, unsigned oflags)
{
	struct file *f;
	struct uio u;
	int err = vfs_open(e4u_root, e4u_root, path, VFS_O_WRONLY | VFS_O_CREAT | oflags, 0644, &f);

	if (err)
		return err;
	uio_init_kernel(&u, (void *)buf, len, off);
	long n = (oflags & VFS_O_APPEND) ? vfs_write(f, &u) : vfs_pwrite(f, &u);
	file_put(f);
	return n;
}

int e4u_stat(const char *path, struct vfs_stat *st)
{
	struct vnode *vn;
	int err = vfs_lookup(e4u_root, e4u_root, path, 0, &vn);

	if (err)
		return err;
	err = vfs_stat(vn, st);
	vnode_put(vn);
	return err;
}

long e4u_list(const char *path, void (*fn)(const char *, uint64_t, unsigned, void *), void *arg)
{
	static char buf[4096];
	struct file *f;
	long count = 0, n;
	int err = vfs_open(e4u_root, e4u_root, path, VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &f);

	if (err)
		return err;
	for (;;) {
		struct uio u;
		uio_init_kernel(&u, buf, sizeof(buf), 0);
		n = vfs_getdents(f, &u);
		if (n <= 0)
			break;
		for (long off = 0; off < n;) {
			struct vfs_dirent64 *d = (struct vfs_dirent64 *)(buf + off);
			if (fn)
				fn(d->d_name, d->d_ino, d->d_type, arg);
			count++;
			off += d->d_reclen;
		}
	}
	file_put(f);
	return n < 0 ? n : count;
}
