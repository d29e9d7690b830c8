/*
 * FAT host test helpers (see fat_util.h). The device "fat0" is registered
 * once; each mount points it at a new image file or buffer.
 */
#include "fat_util.h"
#include <fs/bcache.h>
#include <core/clock.h>
#include <weft/errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void fs_test_setup(void);

struct fatt_disk fatt_disk = {.fd = -1};
static struct mount *mounted;

static int disk_submit(struct bdev *bd, struct bio *bio)
{
	uint64_t off = bio->sector * BDEV_SECTOR;

	if (bio->op == BIO_FLUSH)
		return 0;
	for (unsigned i = 0; i < bio->nseg; i++) {
		uint8_t *p = bio->seg[i].buf;
		size_t n = bio->seg[i].len;
		if (off + n > fatt_disk.size)
			return -EIO;
		if (bio->op == BIO_WRITE) {
			fatt_disk.writes++;
			for (uint64_t pg = off / 4096;
			     fatt_disk.written && pg <= (off + n - 1) / 4096; pg++)
				fatt_disk.written[pg] = 1;
		} else
			fatt_disk.reads++;
		if (fatt_disk.mem) {
			if (bio->op == BIO_WRITE)
				memcpy(fatt_disk.mem + off, p, n);
			else
				memcpy(p, fatt_disk.mem + off, n);
		} else {
			ssize_t k = bio->op == BIO_WRITE ? pwrite(fatt_disk.fd, p, n, (off_t)off)
							 : pread(fatt_disk.fd, p, n, (off_t)off);
			if (k != (ssize_t)n)
				return -EIO;
		}
		off += n;
	}
	return 0;
}

static const struct bdev_ops disk_ops = {.submit = disk_submit};
static struct bdev disk = {.name = "fat0", .ops = &disk_ops};

struct vnode *fatt_root(void)
{
	static int done;

	fs_test_setup();
	if (!done) {
		bdev_register(&disk);
		clock_set_realtime((uint64_t)time(NULL) * 1000000000ull);
		vfs_mkdir(vfs_root(), vfs_root(), "/mnt", 0755);
		done = 1;
	}
	return vfs_root();
}

int fatt_copy(const char *src, const char *dst)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cp --sparse=always '%s' '%s'", src, dst);
	return system(cmd) == 0 ? 0 : -1;
}

static int do_mount(const char *opts)
{
	struct vnode *vn;
	int r;

	disk.nsectors = fatt_disk.size / BDEV_SECTOR;
	fatt_disk.reads = fatt_disk.writes = 0;
	r = vfs_mount("vfat", "/mnt", "/dev/fat0", opts);
	if (r)
		return r;
	r = vfs_lookup(fatt_root(), fatt_root(), "/mnt", VFS_LOOKUP_FOLLOW, &vn);
	if (r)
		return r;
	mounted = vn->mnt;
	vnode_put(vn);
	return 0;
}

int fatt_mount_file(const char *path, const char *opts)
{
	struct stat st;
	int r;

	fatt_root();
	fatt_disk.mem = NULL;
	fatt_disk.fd = open(path, O_RDWR);
	if (fatt_disk.fd < 0 || fstat(fatt_disk.fd, &st))
		return -EIO;
	fatt_disk.size = (uint64_t)st.st_size;
	r = do_mount(opts);
	if (r) {
		close(fatt_disk.fd);
		fatt_disk.fd = -1;
	}
	return r;
}

int fatt_mount_mem(uint8_t *mem, uint64_t size, const char *opts)
{
	fatt_root();
	fatt_disk.fd = -1;
	fatt_disk.mem = mem;
	fatt_disk.size = size;
	return do_mount(opts);
}

struct mount *fatt_mount(void)
{
	return mounted;
}

int fatt_umount(void)
{
	struct mount *m = mounted;
	int r = m->fstype->sync(m);
	int u = vfs_umount_at(fatt_root(), fatt_root(), "/mnt", false);

	if (u)
		fprintf(stderr, "  umount: %d\n", u);
	m->fstype->unmount(m);
	mounted = NULL;
	if (fatt_disk.fd >= 0)
		close(fatt_disk.fd);
	fatt_disk.fd = -1;
	return r ? r : u;
}

int fatt_fsck(const char *path, const char **report)
{
	static char out[8192];
	char cmd[512];
	size_t n = 0;
	int lines = 0;

	snprintf(cmd, sizeof(cmd), "fsck.fat -n '%s' 2>&1", path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	int rc = pclose(p);
	for (size_t i = 0; i < n; i++)
		lines += out[i] == '\n';
	if (report)
		*report = out;
	/* A clean check prints its version and one summary line, nothing else. */
	return rc == 0 && lines == 2 && !strstr(out, "\n\n") ? 0 : -1;
}

int fatt_open(const char *path, unsigned flags, struct file **f)
{
	return vfs_open(fatt_root(), fatt_root(), path, flags, 0644, f);
}

long fatt_write(struct file *f, const void *buf, size_t n)
{
	struct uio u;

	uio_init_kernel(&u, (void *)buf, n, 0);
	return vfs_write(f, &u);
}

long fatt_read(struct file *f, void *buf, size_t n)
{
	struct uio u;

	uio_init_kernel(&u, buf, n, 0);
	return vfs_read(f, &u);
}

long fatt_put(const char *path, const void *data, size_t n)
{
	struct file *f;
	long r = fatt_open(path, VFS_O_CREAT | VFS_O_WRONLY | VFS_O_TRUNC, &f);

	if (r)
		return r;
	size_t done = 0;
	while (done < n) {
		r = fatt_write(f, (const uint8_t *)data + done, n - done);
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	file_put(f);
	return r < 0 ? r : (long)done;
}

long fatt_get(const char *path, void *buf, size_t cap)
{
	struct file *f;
	long r = fatt_open(path, VFS_O_RDONLY, &f);
	size_t done = 0;

	if (r)
		return r;
	while (done < cap) {
		r = fatt_read(f, (uint8_t *)buf + done, cap - done);
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	file_put(f);
	return r < 0 ? r : (long)done;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

long fatt_list(const char *path, char *out, size_t cap)
{
	static char dbuf[4096];
	struct file *f;
	char **names = NULL;
	long count = 0, r = fatt_open(path, VFS_O_RDONLY | VFS_O_DIRECTORY, &f);

	if (r)
		return r;
	for (;;) {
		struct uio u;
		uio_init_kernel(&u, dbuf, sizeof(dbuf), 0);
		r = vfs_getdents(f, &u);
		if (r <= 0)
			break;
		for (long o = 0; o < r;) {
			struct vfs_dirent64 *d = (struct vfs_dirent64 *)(dbuf + o);
			o += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			names = realloc(names, (size_t)(count + 1) * sizeof(*names));
			names[count++] = strdup(d->d_name);
		}
	}
	file_put(f);
	qsort(names, (size_t)count, sizeof(*names), cmp_str);
	size_t k = 0;
	for (long i = 0; i < count; i++) {
		size_t l = strlen(names[i]);
		if (out && k + l + 2 <= cap) {
			memcpy(out + k, names[i], l);
			out[k + l] = '\n';
			k += l + 1;
		}
		free(names[i]);
	}
	if (out && cap)
		out[k < cap ? k : cap - 1] = 0;
	free(names);
	return r < 0 ? r : count;
}
