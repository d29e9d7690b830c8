/*
 * devfs (null, zero, full, random, registered devices, "would block") and
 * initrd unpacking from an archive written by the real cpio(1), from
 * hand-made archives with unsafe names, and from malformed archives.
 */
#include "ht.h"
#include <fs/vfs.h>
#include <fs/devfs.h>
#include <fs/initrd.h>
#include <weft/errno.h>
#include <stdlib.h>
#include <unistd.h>

void fs_test_setup(void);

static struct vnode *R(void)
{
	fs_test_setup();
	return vfs_root();
}

static int openf(const char *path, unsigned flags, struct file **f)
{
	return vfs_open(R(), R(), path, flags, 0644, f);
}

static long io(struct file *f, void *buf, size_t n, bool write)
{
	struct uio u;

	uio_init_kernel(&u, buf, n, 0);
	return write ? vfs_write(f, &u) : vfs_read(f, &u);
}

static int all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

HT_TEST(test_null_zero_full)
{
	unsigned char buf[5000];
	struct vfs_stat s;
	struct file *f;
	uint64_t off;

	R();
	HT_CHECK_EQ(openf("/dev/null", VFS_O_RDWR, &f), 0);
	HT_CHECK_EQ(vfs_stat(f->vn, &s), 0);
	HT_CHECK_EQ(s.mode & VFS_S_IFMT, VFS_S_IFCHR);
	HT_CHECK_EQ(io(f, buf, sizeof(buf), false), 0);
	HT_CHECK_EQ(io(f, buf, sizeof(buf), true), (long)sizeof(buf));
	HT_CHECK_EQ(vfs_lseek(f, 100, VFS_SEEK_SET, &off), 0);
	HT_CHECK_EQ(off, 0);
	file_put(f);

	HT_CHECK_EQ(openf("/dev/zero", VFS_O_RDWR, &f), 0);
	memset(buf, 0xaa, sizeof(buf));
	HT_CHECK_EQ(io(f, buf, sizeof(buf) - 1, false), (long)sizeof(buf) - 1);
	HT_CHECK(all_bytes(buf, sizeof(buf) - 1, 0) && buf[sizeof(buf) - 1] == 0xaa);
	HT_CHECK_EQ(io(f, buf, 10, true), 10);
	file_put(f);

	HT_CHECK_EQ(openf("/dev/full", VFS_O_RDWR, &f), 0);
	HT_CHECK_EQ(io(f, buf, 10, true), -ENOSPC);
	memset(buf, 0xaa, 64);
	HT_CHECK_EQ(io(f, buf, 64, false), 64);
	HT_CHECK(all_bytes(buf, 64, 0));
	file_put(f);
	HT_CHECK_EQ(openf("/dev/nonexistent", VFS_O_RDWR, &f), -ENOENT);
	HT_CHECK_EQ(openf("/dev/newfile", VFS_O_CREAT | VFS_O_RDWR, &f), -EPERM);
}

HT_TEST(test_random)
{
	unsigned char a[600], b[600];
	struct file *f;

	R();
	HT_CHECK_EQ(openf("/dev/urandom", VFS_O_RDONLY, &f), 0);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	HT_CHECK_EQ(io(f, a, sizeof(a), false), (long)sizeof(a));
	HT_CHECK_EQ(io(f, b, sizeof(b), false), (long)sizeof(b));
	HT_CHECK(memcmp(a, b, sizeof(a)) != 0);
	HT_CHECK(!all_bytes(a + 500, 100, 0));
	file_put(f);
	HT_CHECK_EQ(openf("/dev/random", VFS_O_RDWR, &f), 0);
	HT_CHECK_EQ(io(f, a, 16, true), 16);
	file_put(f);
}

/* A test device: counts opens/releases, echoes priv, can say "would block". */
struct tdev {
	int opens, releases;
	bool empty;
};

static int tdev_open(struct file *f)
{
	((struct tdev *)f->priv)->opens++;
	return 0;
}

static int tdev_read(struct file *f, struct uio *uio)
{
	struct tdev *t = f->priv;

	if (t->empty)
		return -EAGAIN;
	return uio_move("dev!", 4, uio, true);
}

static void tdev_release(struct file *f)
{
	((struct tdev *)f->priv)->releases++;
}

static long tdev_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	return cmd == 42 ? (long)arg + 1 : -ENOTTY;
}

static const struct file_ops tdev_fops = {
    .open = tdev_open,
    .read = tdev_read,
    .release = tdev_release,
    .ioctl = tdev_ioctl,
};

HT_TEST(test_register)
{
	static struct tdev t;
	char buf[8], dents[1024];
	struct file *f, *g;
	struct uio u;
	long n;
	uint64_t off;
	int found = 0;

	R();
	HT_CHECK_EQ(devfs_register("tdev", 0600, &tdev_fops, &t), 0);
	HT_CHECK_EQ(devfs_register("tdev", 0600, &tdev_fops, &t), -EEXIST);
	HT_CHECK_EQ(devfs_register("a/b", 0600, &tdev_fops, &t), -EINVAL);
	HT_CHECK_EQ(devfs_register("", 0600, &tdev_fops, &t), -EINVAL);
	HT_CHECK_EQ(devfs_register("0123456789012345678901234567890123", 0600, &tdev_fops, &t),
		    -EINVAL);
	HT_CHECK_EQ(openf("/dev/tdev", VFS_O_RDWR, &f), 0);
	HT_CHECK_EQ(t.opens, 1);
	HT_CHECK_EQ(io(f, buf, sizeof(buf), false), 4);
	HT_CHECK(!memcmp(buf, "dev!", 4));
	HT_CHECK_EQ(io(f, buf, 1, true), -EINVAL); /* no write op */
	HT_CHECK_EQ(vfs_ioctl(f, 42, 9), 10);
	HT_CHECK_EQ(vfs_ioctl(f, 1, 0), -ENOTTY);
	HT_CHECK_EQ(vfs_lseek(f, 0, VFS_SEEK_SET, &off), -ESPIPE);
	HT_CHECK_EQ(vfs_poll(f), VFS_POLLIN | VFS_POLLOUT);
	t.empty = true;
	HT_CHECK_EQ(io(f, buf, sizeof(buf), false), -EAGAIN);
	g = file_get(f);
	file_put(f);
	HT_CHECK_EQ(t.releases, 0);
	file_put(g);
	HT_CHECK_EQ(t.releases, 1);

	/* /dev lists the built-ins and the new node. */
	HT_CHECK_EQ(openf("/dev", VFS_O_RDONLY, &f), 0);
	uio_init_kernel(&u, dents, sizeof(dents), 0);
	n = vfs_getdents(f, &u);
	HT_CHECK(n > 0);
	for (long o = 0; o < n;) {
		struct vfs_dirent64 *d = (struct vfs_dirent64 *)(dents + o);
		const char *names[] = {"null", "zero", "full", "random", "urandom", "tdev"};
		for (int i = 0; i < 6; i++)
			if (!strcmp(d->d_name, names[i]) && d->d_type == VFS_DT_CHR)
				found |= 1 << i;
		o += d->d_reclen;
	}
	HT_CHECK_EQ(found, 0x3f);
	uio_init_kernel(&u, dents, sizeof(dents), 0);
	HT_CHECK_EQ(vfs_getdents(f, &u), 0); /* end of directory */
	file_put(f);
}

/* ---- initrd ---- */

static void *load_fixture(const char *name, size_t *len)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 64);
	FILE *fp;
	void *data;

	if (n < 0)
		return NULL;
	path[n] = 0;
	strcpy(strrchr(path, '/'), "/fixtures/");
	strcat(path, name);
	fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	*len = (size_t)ftell(fp);
	fseek(fp, 0, SEEK_SET);
	data = malloc(*len);
	if (fread(data, 1, *len, fp) != *len) {
		free(data);
		data = NULL;
	}
	fclose(fp);
	return data;
}

static const char *cat(const char *path, char *buf, size_t size)
{
	struct file *f;
	long n;

	if (openf(path, VFS_O_RDONLY, &f))
		return NULL;
	n = io(f, buf, size - 1, false);
	file_put(f);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

static int stat_path(const char *path, unsigned flags, struct vfs_stat *s)
{
	struct vnode *vn;
	int err = vfs_lookup(R(), R(), path, flags, &vn);

	if (!err) {
		err = vfs_stat(vn, s);
		vnode_put(vn);
	}
	return err;
}

HT_TEST(test_initrd_real_cpio)
{
	static char buf[12000];
	const char *why = "unset";
	struct vfs_stat s;
	size_t len;
	void *data = load_fixture("vfs-initrd.cpio", &len);

	HT_CHECK(data != NULL);
	if (!data)
		return;
	R();
	HT_CHECK_EQ(initrd_unpack(data, len, &why), 0);
	HT_CHECK(!strcmp(why, "unset"));
	HT_CHECK(cat("/etc/passwd", buf, sizeof(buf)) &&
		 !strcmp(buf, "root:x:0:0::/root:/bin/sh\n"));
	HT_CHECK(cat("/etc/rc/rcS", buf, sizeof(buf)) && !strcmp(buf, "#!/bin/sh\necho boot\n"));
	HT_CHECK(cat("/etc/empty", buf, sizeof(buf)) && !strcmp(buf, ""));
	HT_CHECK(cat("/deep/er/file", buf, sizeof(buf)) && !strcmp(buf, "deep\n"));
	HT_CHECK(cat("/bin/sh", buf, sizeof(buf)) != NULL); /* through the symlink */
	HT_CHECK_EQ(strlen(buf), 10000);
	for (int i = 0; i < 10000; i++)
		if (buf[i] != 97 + i % 23) {
			HT_CHECK(!"busybox contents differ");
			break;
		}
	HT_CHECK(cat("/passwd-link", buf, sizeof(buf)) && !strncmp(buf, "root:", 5));
	HT_CHECK_EQ(stat_path("/etc/rc/rcS", 0, &s), 0);
	HT_CHECK_EQ(s.mode, VFS_S_IFREG | 0750);
	HT_CHECK_EQ(s.mtime_ns, 1234567890ULL * 1000000000ULL);
	HT_CHECK_EQ(stat_path("/etc/rc", 0, &s), 0);
	HT_CHECK_EQ(s.mode, VFS_S_IFDIR | 0700);
	HT_CHECK_EQ(stat_path("/bin/busybox", 0, &s), 0);
	HT_CHECK_EQ(s.mode, VFS_S_IFREG | 0755);
	HT_CHECK_EQ(s.size, 10000);
	HT_CHECK_EQ(stat_path("/bin/sh", 0, &s), 0);
	HT_CHECK_EQ(s.mode & VFS_S_IFMT, VFS_S_IFLNK);
	HT_CHECK_EQ(stat_path("/deep/er", 0, &s), 0);
	HT_CHECK_EQ(s.mode, VFS_S_IFDIR | 0755);
	/* Unpacking again replaces files in place. */
	HT_CHECK_EQ(initrd_unpack(data, len, &why), 0);
	HT_CHECK(cat("/etc/passwd", buf, sizeof(buf)) &&
		 !strcmp(buf, "root:x:0:0::/root:/bin/sh\n"));
	free(data);
}

/* Append one newc entry to an archive being built in a[]. */
static size_t put_entry(char *a, size_t at, const char *name, unsigned mode, const char *data)
{
	size_t dlen = strlen(data), nlen = strlen(name) + 1;

	at +=
	    (size_t)sprintf(a + at, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
			    1u, mode, 0u, 0u, 1u, 0u, dlen, 0u, 0u, 0u, 0u, nlen, 0u);
	memcpy(a + at, name, nlen);
	at += nlen;
	while (at % 4)
		a[at++] = 0;
	memcpy(a + at, data, dlen);
	at += dlen;
	while (at % 4)
		a[at++] = 0;
	return at;
}

/* Run initrd_unpack with stderr captured into log. */
static int unpack_logged(const void *a, size_t len, const char **why, char *log, size_t size)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), err;
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	err = initrd_unpack(a, len, why);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(log, 1, size - 1, tmp);
	log[n] = 0;
	fclose(tmp);
	return err;
}

HT_TEST(test_initrd_unsafe_and_malformed)
{
	static char a[4096], log[4096];
	const char *why = NULL;
	struct vfs_stat s;
	size_t len = 0;

	R();
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/sandbox", 0755), 0);
	len = put_entry(a, len, "../evil1", VFS_S_IFREG | 0644, "x");
	len = put_entry(a, len, "sandbox/../../evil2", VFS_S_IFREG | 0644, "x");
	len = put_entry(a, len, "sandbox/..", VFS_S_IFDIR | 0777, "");
	len = put_entry(a, len, "./sandbox/ok", VFS_S_IFREG | 0600, "fine");
	len = put_entry(a, len, "/sandbox//abs", VFS_S_IFREG | 0600, "abs");
	len = put_entry(a, len, "sandbox/fifo", VFS_S_IFIFO | 0600, "");
	len = put_entry(a, len, "TRAILER!!!", 0, "");
	HT_CHECK_EQ(unpack_logged(a, len, &why, log, sizeof(log)), 0);
	HT_CHECK(strstr(log, "evil1") != NULL);
	HT_CHECK_EQ(stat_path("/evil1", 0, &s), -ENOENT);
	HT_CHECK_EQ(stat_path("/evil2", 0, &s), -ENOENT);
	HT_CHECK_EQ(stat_path("/sandbox", 0, &s), 0);
	HT_CHECK_EQ(s.mode, VFS_S_IFDIR | 0755);
	HT_CHECK_EQ(stat_path("/sandbox/ok", 0, &s), 0);
	HT_CHECK_EQ(s.mode, VFS_S_IFREG | 0600);
	HT_CHECK_EQ(stat_path("/sandbox/abs", 0, &s), 0);
	HT_CHECK_EQ(stat_path("/sandbox/fifo", 0, &s), -ENOENT);

	/* Malformed: the entries before the damage stay; the error is logged. */
	size_t good = put_entry(a, 0, "sandbox/first", VFS_S_IFREG | 0644, "1");
	len = put_entry(a, good, "sandbox/second", VFS_S_IFREG | 0644, "2");
	len = put_entry(a, len, "TRAILER!!!", 0, "");
	memcpy(a + good, "070799", 6); /* bad magic on the second entry */
	why = NULL;
	HT_CHECK_EQ(unpack_logged(a, len, &why, log, sizeof(log)), -EINVAL);
	HT_CHECK(why != NULL);
	HT_CHECK(strstr(log, "initrd:") && strstr(log, "malformed"));
	HT_CHECK_EQ(stat_path("/sandbox/first", 0, &s), 0);
	HT_CHECK_EQ(stat_path("/sandbox/second", 0, &s), -ENOENT);

	/* Truncated real archive, and no trailer at all. */
	size_t rlen;
	char *real = load_fixture("vfs-initrd.cpio", &rlen);
	HT_CHECK(real != NULL);
	if (real) {
		why = NULL;
		HT_CHECK_EQ(unpack_logged(real, rlen / 2, &why, log, sizeof(log)), -EINVAL);
		HT_CHECK(why != NULL && strstr(log, "malformed"));
		free(real);
	}
	why = NULL;
	HT_CHECK_EQ(unpack_logged(a, good, &why, log, sizeof(log)), -EINVAL);
	HT_CHECK(why != NULL);
}

HT_MAIN(HT_CASE(test_null_zero_full), HT_CASE(test_random), HT_CASE(test_register),
	HT_CASE(test_initrd_real_cpio), HT_CASE(test_initrd_unsafe_and_malformed))
