/*
 * File and namespace operations on tmpfs through the VFS: open flags, read,
 * write, seek, append, truncate, sparse files, unlink of open files, rename and
 * rmdir rules, hard links, getdents, getpage, dentry cache eviction under
 * pressure, and reference counting (no vnode or page leaks).
 */
#include "ht.h"
#include <fs/vfs.h>
#include <fs/tmpfs.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <weft/errno.h>
#include <pthread.h>
#include <stdlib.h>

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

static long wr(struct file *f, const void *buf, size_t n)
{
	struct uio u;

	uio_init_kernel(&u, (void *)buf, n, 0);
	return vfs_write(f, &u);
}

static long rd(struct file *f, void *buf, size_t n)
{
	struct uio u;

	uio_init_kernel(&u, buf, n, 0);
	return vfs_read(f, &u);
}

static void mkfile(const char *path, const char *data)
{
	struct file *f;

	HT_CHECK_EQ(openf(path, VFS_O_CREAT | VFS_O_WRONLY | VFS_O_TRUNC, &f), 0);
	HT_CHECK_EQ(wr(f, data, strlen(data)), (long)strlen(data));
	file_put(f);
}

/* Whole contents of path as a string (static buffer), or NULL. */
static const char *cat(const char *path)
{
	static char buf[256];
	struct file *f;
	long n;

	if (openf(path, VFS_O_RDONLY, &f))
		return NULL;
	n = rd(f, buf, sizeof(buf) - 1);
	file_put(f);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	return buf;
}

static int st(const char *path, struct vfs_stat *s)
{
	struct vnode *vn;
	int err = vfs_lookup(R(), R(), path, 0, &vn);

	if (err)
		return err;
	err = vfs_stat(vn, s);
	vnode_put(vn);
	return err;
}

static int exists(const char *path)
{
	struct vfs_stat s;

	return st(path, &s) == 0;
}

static void stat_nop(const struct kmem_stat *st, void *arg)
{
	(void)st;
	(void)arg;
}

/* Live vnodes, and kernel heap bytes plus tmpfs pages in use, with the dentry
 * cache emptied first. */
static void census(unsigned long *vnodes, unsigned long *mem)
{
	vfs_dcache_flush();
	*vnodes = vfs_vnode_count();
	*mem = kmem_stats(stat_nop, NULL) + tmpfs_page_count() * PAGE_SIZE;
}

HT_TEST(test_open_flags)
{
	struct file *f;

	R();
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/o", 0755), 0);
	HT_CHECK_EQ(openf("/o/f", VFS_O_RDONLY, &f), -ENOENT);
	HT_CHECK_EQ(openf("/o/f", VFS_O_CREAT | VFS_O_RDWR, &f), 0);
	file_put(f);
	HT_CHECK_EQ(openf("/o/f", VFS_O_CREAT | VFS_O_EXCL | VFS_O_RDWR, &f), -EEXIST);
	HT_CHECK_EQ(openf("/o/f", VFS_O_RDONLY | VFS_O_DIRECTORY, &f), -ENOTDIR);
	HT_CHECK_EQ(openf("/o", VFS_O_WRONLY, &f), -EISDIR);
	HT_CHECK_EQ(openf("/o/", VFS_O_CREAT | VFS_O_WRONLY, &f), -EISDIR);
	HT_CHECK_EQ(openf("/o/new/", VFS_O_CREAT | VFS_O_WRONLY, &f), -EISDIR);
	HT_CHECK_EQ(openf("/o/f", 3, &f), -EINVAL);
	HT_CHECK_EQ(openf("/o/nodir/f", VFS_O_CREAT | VFS_O_WRONLY, &f), -ENOENT);
	HT_CHECK_EQ(openf("/o", VFS_O_RDONLY | VFS_O_DIRECTORY, &f), 0);
	HT_CHECK_EQ(rd(f, (char[4]){0}, 4), -EISDIR);
	file_put(f);
	HT_CHECK_EQ(vfs_symlink(R(), R(), "f", "/o/lnk"), 0);
	HT_CHECK_EQ(openf("/o/lnk", VFS_O_RDONLY | VFS_O_NOFOLLOW, &f), -ELOOP);
	HT_CHECK_EQ(openf("/o/lnk", VFS_O_CREAT | VFS_O_WRONLY | VFS_O_NOFOLLOW, &f), -ELOOP);
	/* O_CREAT through an existing symlink opens its target. */
	HT_CHECK_EQ(openf("/o/lnk", VFS_O_CREAT | VFS_O_WRONLY, &f), 0);
	HT_CHECK_EQ(wr(f, "via", 3), 3);
	file_put(f);
	HT_CHECK(cat("/o/f") && !strcmp(cat("/o/f"), "via"));
	/* O_TRUNC empties; read-only files refuse writes and vice versa. */
	HT_CHECK_EQ(openf("/o/f", VFS_O_WRONLY | VFS_O_TRUNC, &f), 0);
	HT_CHECK_EQ(rd(f, (char[4]){0}, 4), -EBADF);
	file_put(f);
	HT_CHECK(cat("/o/f") && !strcmp(cat("/o/f"), ""));
	HT_CHECK_EQ(openf("/o/f", VFS_O_RDONLY, &f), 0);
	HT_CHECK_EQ(wr(f, "x", 1), -EBADF);
	file_put(f);
}

HT_TEST(test_read_write_seek)
{
	struct file *f;
	char buf[32];
	uint64_t off;
	struct uio u;

	R();
	HT_CHECK_EQ(openf("/rw", VFS_O_CREAT | VFS_O_RDWR, &f), 0);
	HT_CHECK_EQ(wr(f, "hello world", 11), 11);
	HT_CHECK_EQ(rd(f, buf, sizeof(buf)), 0); /* at EOF */
	HT_CHECK_EQ(vfs_lseek(f, 6, VFS_SEEK_SET, &off), 0);
	HT_CHECK_EQ(rd(f, buf, 5), 5);
	HT_CHECK(!memcmp(buf, "world", 5));
	HT_CHECK_EQ(vfs_lseek(f, -5, VFS_SEEK_CUR, &off), 0);
	HT_CHECK_EQ(off, 6);
	HT_CHECK_EQ(vfs_lseek(f, -1, VFS_SEEK_END, &off), 0);
	HT_CHECK_EQ(off, 10);
	HT_CHECK_EQ(vfs_lseek(f, -100, VFS_SEEK_CUR, &off), -EINVAL);
	HT_CHECK_EQ(vfs_lseek(f, 0, 7, &off), -EINVAL);
	HT_CHECK_EQ(vfs_lseek(f, 0, VFS_SEEK_SET, &off), 0);
	HT_CHECK_EQ(wr(f, "J", 1), 1);
	/* pread/pwrite leave the offset alone. */
	uio_init_kernel(&u, buf, 5, 6);
	HT_CHECK_EQ(vfs_pread(f, &u), 5);
	HT_CHECK(!memcmp(buf, "world", 5));
	uio_init_kernel(&u, "W", 1, 6);
	HT_CHECK_EQ(vfs_pwrite(f, &u), 1);
	HT_CHECK_EQ(vfs_lseek(f, 0, VFS_SEEK_CUR, &off), 0);
	HT_CHECK_EQ(off, 1);
	file_put(f);
	HT_CHECK(!strcmp(cat("/rw"), "Jello World"));

	/* O_APPEND writes at the end whatever the offset. */
	HT_CHECK_EQ(openf("/rw", VFS_O_WRONLY | VFS_O_APPEND, &f), 0);
	HT_CHECK_EQ(vfs_lseek(f, 0, VFS_SEEK_SET, &off), 0);
	HT_CHECK_EQ(wr(f, "!", 1), 1);
	HT_CHECK_EQ(vfs_lseek(f, 0, VFS_SEEK_CUR, &off), 0);
	HT_CHECK_EQ(off, 12);
	file_put(f);
	HT_CHECK(!strcmp(cat("/rw"), "Jello World!"));
	HT_CHECK_EQ(vfs_unlink(R(), R(), "/rw"), 0);
}

/* Deterministic file contents for the big-file test. */
static unsigned char pattern(uint64_t i)
{
	return (unsigned char)((i * 2654435761u) >> 13);
}

HT_TEST(test_big_and_sparse)
{
	unsigned long pages0 = tmpfs_page_count(), v0, p0, v1, p1;
	const size_t big = 3 * 1024 * 1024 + 123; /* a two-level radix tree */
	unsigned char *buf = malloc(big), *back = malloc(big);
	struct vnode *vn;
	struct vfs_stat s;
	struct file *f;

	census(&v0, &p0);
	for (size_t i = 0; i < big; i++)
		buf[i] = pattern(i);
	HT_CHECK_EQ(openf("/big", VFS_O_CREAT | VFS_O_RDWR, &f), 0);
	/* Write in odd-sized pieces so that chunks straddle pages. */
	for (size_t off = 0; off < big; off += 7777)
		HT_CHECK_EQ(wr(f, buf + off, off + 7777 <= big ? 7777 : big - off),
			    (long)(off + 7777 <= big ? 7777 : big - off));
	HT_CHECK_EQ(tmpfs_page_count() - pages0, (big + PAGE_SIZE - 1) / PAGE_SIZE);
	HT_CHECK_EQ(vfs_read_kernel(f->vn, 0, back, big), (long)big);
	HT_CHECK(!memcmp(buf, back, big));
	HT_CHECK_EQ(vfs_read_kernel(f->vn, big - 10, back, 100), 10);

	/* Truncate into the middle of a page, then grow: the tail reads zeros. */
	HT_CHECK_EQ(vfs_truncate(f->vn, 5000), 0);
	HT_CHECK_EQ(tmpfs_page_count() - pages0, 2);
	HT_CHECK_EQ(vfs_truncate(f->vn, 9000), 0);
	HT_CHECK_EQ(vfs_read_kernel(f->vn, 0, back, 9000), 9000);
	HT_CHECK(!memcmp(back, buf, 5000));
	HT_CHECK(back[5000] == 0 && back[8191] == 0 && back[8999] == 0);

	/* A byte far out: holes read as zeros and cost no pages. */
	struct uio u;
	uio_init_kernel(&u, "Z", 1, 1ULL << 38);
	HT_CHECK_EQ(vfs_pwrite(f, &u), 1);
	HT_CHECK_EQ(tmpfs_page_count() - pages0, 3);
	HT_CHECK_EQ(vfs_read_kernel(f->vn, (1ULL << 38) - 2, back, 10), 3);
	HT_CHECK(back[0] == 0 && back[1] == 0 && back[2] == 'Z');
	HT_CHECK_EQ(vfs_read_kernel(f->vn, 1ULL << 30, back, 4096), 4096);
	HT_CHECK(back[0] == 0 && back[4095] == 0);
	HT_CHECK_EQ(st("/big", &s), 0);
	HT_CHECK_EQ(s.size, (1ULL << 38) + 1);
	uio_init_kernel(&u, "Z", 1, VFS_FILE_SIZE_MAX);
	HT_CHECK_EQ(vfs_pwrite(f, &u), -EFBIG);

	/* getpage: a reference for the caller; holes only on request. */
	paddr_t pa;
	HT_CHECK_EQ(vfs_getpage(f->vn, 0, false, &pa), 0);
	HT_CHECK_EQ(pmm_refcount(pa), 2);
	HT_CHECK(!memcmp(hal_pa_to_kva(pa), buf, 100));
	pmm_unref(pa);
	HT_CHECK_EQ(vfs_getpage(f->vn, 1ULL << 30, false, &pa), -ENOENT);
	HT_CHECK_EQ(vfs_getpage(f->vn, 1ULL << 30, true, &pa), 0);
	HT_CHECK_EQ(((unsigned char *)hal_pa_to_kva(pa))[17], 0);
	pmm_unref(pa);
	HT_CHECK_EQ(vfs_getpage(f->vn, 1ULL << 39, true, &pa), -ENXIO);
	HT_CHECK_EQ(vfs_getpage(f->vn, 12, true, &pa), -EINVAL);

	/* Unlink while open: the data stays until the last reference. */
	vn = vnode_get(f->vn);
	HT_CHECK_EQ(vfs_unlink(R(), R(), "/big"), 0);
	HT_CHECK(!exists("/big"));
	HT_CHECK_EQ(vfs_stat(vn, &s), 0);
	HT_CHECK_EQ(s.nlink, 0);
	HT_CHECK_EQ(vfs_read_kernel(vn, 0, back, 100), 100);
	HT_CHECK(!memcmp(back, buf, 100));
	file_put(f);
	HT_CHECK_EQ(tmpfs_page_count() - pages0, 4);
	vnode_put(vn);
	HT_CHECK_EQ(tmpfs_page_count(), pages0);
	census(&v1, &p1);
	HT_CHECK_EQ(v1, v0);
	HT_CHECK_EQ(p1, p0);
	free(buf);
	free(back);
}

HT_TEST(test_mkdir_rmdir_unlink)
{
	struct vfs_stat s;
	struct vnode *d;
	struct file *f;

	R();
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/m", 0700), 0);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/m", 0700), -EEXIST);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/m/sub/", 0700), 0); /* trailing slash is fine */
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/m/.", 0700), -EEXIST);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/", 0700), -EEXIST);
	HT_CHECK_EQ(st("/m", &s), 0);
	HT_CHECK_EQ(s.mode, VFS_S_IFDIR | 0700);
	HT_CHECK_EQ(s.nlink, 3);
	mkfile("/m/file", "x");
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/m"), -ENOTEMPTY);
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/m/file"), -ENOTDIR);
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/m/sub/."), -EINVAL);
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/m/sub/.."), -ENOTEMPTY);
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/m/none"), -ENOENT);
	HT_CHECK_EQ(vfs_unlink(R(), R(), "/m/sub"), -EISDIR);
	HT_CHECK_EQ(vfs_unlink(R(), R(), "/m/file/"), -ENOTDIR);
	HT_CHECK_EQ(vfs_unlink(R(), R(), "/m/none"), -ENOENT);
	HT_CHECK_EQ(vfs_unlink(R(), R(), "/m/file"), 0);
	HT_CHECK(!exists("/m/file"));

	/* A removed directory still open as a cwd: nothing can be created in it. */
	HT_CHECK_EQ(vfs_lookup(R(), R(), "/m/sub", 0, &d), 0);
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/m/sub"), 0);
	HT_CHECK(!exists("/m/sub"));
	HT_CHECK_EQ(vfs_open(R(), d, "new", VFS_O_CREAT | VFS_O_WRONLY, 0644, &f), -ENOENT);
	HT_CHECK_EQ(vfs_mkdir(R(), d, "new", 0755), -ENOENT);
	vnode_put(d);
	HT_CHECK_EQ(st("/m", &s), 0);
	HT_CHECK_EQ(s.nlink, 2);
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/m"), 0);
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/"), -EBUSY);
}

HT_TEST(test_rename)
{
	struct vfs_stat s;
	struct vnode *moved, *vn;
	uint64_t ino;

	R();
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/r", 0755), 0);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/r/d1", 0755), 0);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/r/d1/inner", 0755), 0);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/r/d2", 0755), 0);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/r/empty", 0755), 0);
	mkfile("/r/a", "A");
	mkfile("/r/b", "B");
	mkfile("/r/d1/inner/f", "F");

	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/none", "/r/x"), -ENOENT);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/a", "/r/d1"), -EISDIR);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/d1", "/r/a"), -ENOTDIR);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/d1", "/r/d2"), 0); /* over an empty dir */
	HT_CHECK(!exists("/r/d1") && exists("/r/d2/inner/f"));
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/r/d1", 0755), 0);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/d1", "/r/d2"), -ENOTEMPTY);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/d2", "/r/d2/inner/x"), -EINVAL);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/d2", "/r/d2"), 0);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/d2/inner/f", "/r/d2"), -EISDIR);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/d2/inner", "/r"), -ENOTEMPTY);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/a/", "/r/c"), -ENOTDIR);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/.", "/r/c"), -EINVAL);

	/* A file over a file: the victim's data goes, the name follows. */
	ino = 0;
	HT_CHECK_EQ(st("/r/a", &s), 0);
	ino = s.ino;
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/a", "/r/b"), 0);
	HT_CHECK(!exists("/r/a"));
	HT_CHECK_EQ(st("/r/b", &s), 0);
	HT_CHECK_EQ(s.ino, ino);
	HT_CHECK(!strcmp(cat("/r/b"), "A"));

	/* Moving a directory: "..", and both parents' link counts. */
	HT_CHECK_EQ(vfs_lookup(R(), R(), "/r/d2/inner", 0, &moved), 0);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/d2/inner", "/r/empty/in2"), 0);
	HT_CHECK(exists("/r/empty/in2/f") && !exists("/r/d2/inner"));
	HT_CHECK_EQ(vfs_lookup(R(), moved, "..", 0, &vn), 0);
	HT_CHECK_EQ(vn->ino, (st("/r/empty", &s), s.ino));
	HT_CHECK_EQ(s.nlink, 3);
	vnode_put(vn);
	vnode_put(moved);
	HT_CHECK_EQ(st("/r/d2", &s), 0);
	HT_CHECK_EQ(s.nlink, 2);

	/* Two names of one file: rename is a no-op that keeps both. */
	HT_CHECK_EQ(vfs_link(R(), R(), "/r/b", "/r/b2"), 0);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/r/b", "/r/b2"), 0);
	HT_CHECK(exists("/r/b") && exists("/r/b2"));
}

HT_TEST(test_hard_links)
{
	struct vfs_stat s;

	R();
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/h", 0755), 0);
	mkfile("/h/one", "shared");
	HT_CHECK_EQ(vfs_link(R(), R(), "/h/one", "/h/two"), 0);
	HT_CHECK_EQ(vfs_link(R(), R(), "/h/one", "/h/two"), -EEXIST);
	HT_CHECK_EQ(vfs_link(R(), R(), "/h", "/h/dirlink"), -EPERM);
	HT_CHECK_EQ(vfs_link(R(), R(), "/h/none", "/h/x"), -ENOENT);
	HT_CHECK_EQ(st("/h/two", &s), 0);
	HT_CHECK_EQ(s.nlink, 2);
	HT_CHECK_EQ(vfs_unlink(R(), R(), "/h/one"), 0);
	HT_CHECK_EQ(st("/h/two", &s), 0);
	HT_CHECK_EQ(s.nlink, 1);
	HT_CHECK(!strcmp(cat("/h/two"), "shared"));
}

/* Read a whole directory with a small buffer; count each name. */
static int scan_dir(const char *path, size_t bufsize, int *seen, int n, int *dots)
{
	char *buf = malloc(bufsize);
	struct file *f;
	struct uio u;
	long got;
	int records = 0;

	if (openf(path, VFS_O_RDONLY | VFS_O_DIRECTORY, &f))
		return -1;
	for (;;) {
		uio_init_kernel(&u, buf, bufsize, 0);
		got = vfs_getdents(f, &u);
		if (got <= 0)
			break;
		for (long off = 0; off < got;) {
			struct vfs_dirent64 *d = (struct vfs_dirent64 *)(buf + off);
			int i;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				(*dots)++;
			else if (sscanf(d->d_name, "e%d", &i) == 1 && i >= 0 && i < n)
				seen[i]++;
			off += d->d_reclen;
			records++;
		}
	}
	file_put(f);
	free(buf);
	return got < 0 ? (int)got : records;
}

HT_TEST(test_getdents)
{
	enum { N = 300 };
	int seen[N] = {0}, dots = 0;
	char name[32];
	struct file *f;
	struct uio u;
	char tiny[16];

	R();
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/g", 0755), 0);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "/g/e%d", i);
		mkfile(name, "");
	}
	HT_CHECK_EQ(scan_dir("/g", 200, seen, N, &dots), N + 2);
	HT_CHECK_EQ(dots, 2);
	for (int i = 0; i < N; i++)
		HT_CHECK_EQ(seen[i], 1);

	/* Removing entries between calls neither repeats nor skips survivors. */
	HT_CHECK_EQ(openf("/g", VFS_O_RDONLY, &f), 0);
	char buf[512];
	uio_init_kernel(&u, buf, sizeof(buf), 0);
	HT_CHECK(vfs_getdents(f, &u) > 0);
	for (int i = 0; i < N; i += 2) {
		snprintf(name, sizeof(name), "/g/e%d", i);
		HT_CHECK_EQ(vfs_unlink(R(), R(), name), 0);
	}
	uio_init_kernel(&u, tiny, sizeof(tiny), 0);
	HT_CHECK_EQ(vfs_getdents(f, &u), -EINVAL); /* no room for one record */
	file_put(f);
	memset(seen, 0, sizeof(seen));
	dots = 0;
	HT_CHECK_EQ(scan_dir("/g", 4096, seen, N, &dots), N / 2 + 2);
	for (int i = 0; i < N; i++)
		HT_CHECK_EQ(seen[i], i % 2);
	HT_CHECK_EQ(openf("/g/e1", VFS_O_RDONLY, &f), 0);
	uio_init_kernel(&u, buf, sizeof(buf), 0);
	HT_CHECK_EQ(vfs_getdents(f, &u), -ENOTDIR);
	file_put(f);
}

HT_TEST(test_dcache_pressure)
{
	enum { N = VFS_DCACHE_MAX + 1000 };
	static uint64_t inos[N];
	unsigned long v0, p0, v1, p1;
	char name[32];
	struct vnode *vn;

	R();
	census(&v0, &p0);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/many", 0755), 0);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "/many/f%d", i);
		mkfile(name, "");
	}
	HT_CHECK(vfs_dcache_count() <= VFS_DCACHE_MAX);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < N; i++) {
			snprintf(name, sizeof(name), "/many/f%d", i);
			HT_CHECK_EQ(vfs_lookup(R(), R(), name, 0, &vn), 0);
			if (pass == 0)
				inos[i] = vn->ino;
			else
				HT_CHECK_EQ(vn->ino, inos[i]);
			vnode_put(vn);
		}
		HT_CHECK_EQ(vfs_dcache_count(), VFS_DCACHE_MAX);
	}
	for (int i = 1; i < N; i++)
		HT_CHECK(inos[i] != inos[i - 1]);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "/many/f%d", i);
		HT_CHECK_EQ(vfs_unlink(R(), R(), name), 0);
		HT_CHECK_EQ(vfs_lookup(R(), R(), name, 0, &vn), -ENOENT);
	}
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/many"), 0);
	census(&v1, &p1);
	HT_CHECK_EQ(v1, v0);
	HT_CHECK_EQ(p1, p0);
}

HT_TEST(test_no_leaks)
{
	unsigned long v0, p0, v1, p1;
	struct file *f, *g;
	struct vnode *cwd;

	R();
	census(&v0, &p0);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/leak", 0755), 0);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/leak/d", 0755), 0);
	mkfile("/leak/d/f", "some data here");
	HT_CHECK_EQ(vfs_symlink(R(), R(), "d/f", "/leak/s"), 0);
	HT_CHECK_EQ(vfs_link(R(), R(), "/leak/d/f", "/leak/hard"), 0);
	HT_CHECK_EQ(openf("/leak/s", VFS_O_RDWR, &f), 0);
	g = file_get(f);
	HT_CHECK_EQ(vfs_lookup(R(), R(), "/leak/d", 0, &cwd), 0);
	HT_CHECK_EQ(vfs_rename(R(), R(), "/leak/d", "/leak/e"), 0);
	HT_CHECK_EQ(vfs_unlink(R(), R(), "/leak/hard"), 0);
	HT_CHECK_EQ(vfs_unlink(R(), R(), "/leak/e/f"), 0);
	HT_CHECK_EQ(wr(f, "more", 4), 4);
	file_put(f);
	HT_CHECK(vfs_vnode_count() > v0);
	file_put(g);
	HT_CHECK_EQ(vfs_unlink(R(), R(), "/leak/s"), 0);
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/leak/e"), 0);
	vnode_put(cwd);
	HT_CHECK_EQ(vfs_rmdir(R(), R(), "/leak"), 0);
	census(&v1, &p1);
	HT_CHECK_EQ(v1, v0);
	HT_CHECK_EQ(p1, p0);
}

/* ---- several CPUs at once ---- */

void host_set_cpu(unsigned id);

enum { STRESS_THREADS = 4, STRESS_ROUNDS = 1500 };

static void *stress_thread(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg, seed = id * 7919 + 1;
	char a[64], b[64], buf[300];
	struct file *f;
	struct uio u;

	host_set_cpu(id + 1);
	for (int k = 0; k < STRESS_ROUNDS; k++) {
		seed = seed * 1103515245 + 12345;
		unsigned r = seed >> 8;
		snprintf(a, sizeof(a), "/st/d%u/f%u", r % 3, id);
		snprintf(b, sizeof(b), "/st/d%u/n%u", (r >> 4) % 3, (r >> 8) % 5);
		if (!openf(a, VFS_O_CREAT | VFS_O_RDWR | VFS_O_APPEND, &f)) {
			wr(f, "0123456789", 10);
			file_put(f);
		}
		vfs_rename(R(), R(), a, b);
		snprintf(a, sizeof(a), "/st/d%u", (r >> 12) % 3);
		snprintf(b, sizeof(b), "/st/d%u/sub", (r >> 14) % 3);
		if ((r >> 16) % 4 == 0)
			vfs_rename(R(), R(), a, b); /* directory moves, loops refused */
		else if ((r >> 16) % 4 == 1)
			vfs_rename(R(), R(), b, a);
		if (!openf("/st/d0", VFS_O_RDONLY | VFS_O_DIRECTORY, &f)) {
			uio_init_kernel(&u, buf, sizeof(buf), 0);
			while (vfs_getdents(f, &u) > 0)
				uio_init_kernel(&u, buf, sizeof(buf), 0);
			file_put(f);
		}
		snprintf(b, sizeof(b), "/st/d%u/n%u", (r >> 18) % 3, (r >> 20) % 5);
		vfs_unlink(R(), R(), b);
		vfs_mkdir(R(), R(), "/st/d1/tmp", 0755);
		vfs_rmdir(R(), R(), "/st/d1/tmp");
		if ((r >> 22) % 16 == 0)
			vfs_dcache_flush();
	}
	host_set_cpu(0);
	return NULL;
}

/* Remove everything under path (depth first); returns entries removed. */
static int remove_tree(const char *path)
{
	char buf[4096], child[VFS_PATH_MAX + 300];
	struct file *f;
	struct uio u;
	long n;
	int removed = 0;

	if (openf(path, VFS_O_RDONLY | VFS_O_DIRECTORY, &f))
		return vfs_unlink(R(), R(), path) == 0;
	uio_init_kernel(&u, buf, sizeof(buf), 0);
	n = vfs_getdents(f, &u);
	file_put(f);
	for (long o = 0; o < n;) {
		struct vfs_dirent64 *d = (struct vfs_dirent64 *)(buf + o);
		o += d->d_reclen;
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, d->d_name);
		removed += remove_tree(child);
	}
	return removed + (vfs_rmdir(R(), R(), path) == 0);
}

HT_TEST(test_concurrent)
{
	pthread_t th[STRESS_THREADS];
	unsigned long v0, p0, v1, p1;

	R();
	census(&v0, &p0);
	HT_CHECK_EQ(vfs_mkdir(R(), R(), "/st", 0755), 0);
	for (int i = 0; i < 3; i++) {
		char d[32];
		snprintf(d, sizeof(d), "/st/d%d", i);
		HT_CHECK_EQ(vfs_mkdir(R(), R(), d, 0755), 0);
	}
	for (int i = 0; i < STRESS_THREADS; i++)
		pthread_create(&th[i], NULL, stress_thread, (void *)(uintptr_t)i);
	for (int i = 0; i < STRESS_THREADS; i++)
		pthread_join(th[i], NULL);
	HT_CHECK(remove_tree("/st") >= 1);
	HT_CHECK(!exists("/st"));
	census(&v1, &p1);
	HT_CHECK_EQ(v1, v0);
	HT_CHECK_EQ(p1, p0);
}

HT_MAIN(HT_CASE(test_open_flags), HT_CASE(test_read_write_seek), HT_CASE(test_big_and_sparse),
	HT_CASE(test_mkdir_rmdir_unlink), HT_CASE(test_rename), HT_CASE(test_hard_links),
	HT_CASE(test_getdents), HT_CASE(test_dcache_pressure), HT_CASE(test_no_leaks),
	HT_CASE(test_concurrent))
