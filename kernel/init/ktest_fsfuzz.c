/*
 * In-kernel test of disk images as untrusted input (`ktest=fsfuzz`): the
 * harness attaches a small ext4 image (mkfs.ext4 -d, as vda) and a small
 * FAT32 image (mkfs.fat + mtools, as vdb), read-only. For each file system,
 * 1,000 times: a disk that reads through to the pristine image and keeps what
 * is written in memory (so each round starts afresh) gets 1 to 8 random bytes
 * of its metadata area (the first blocks: superblock, descriptors, bitmaps,
 * inode table or FATs, the first directories) are overwritten, and the fs
 * service mounts it, walks it (every directory read, every file read, every
 * symlink read), creates, writes and removes a file, and unmounts it. Each
 * outcome is counted (refused at mount, errors during the walk, clean). The
 * test fails if the kernel panics or hangs (the harness sees that), or if any
 * of those requests faulted inside the file system (the fs service contains
 * such a fault, so it is counted, not fatal).
 */
#include <core/klog.h>
#include <core/kthread.h>
#include <core/slab.h>
#include <fs/bcache.h>
#include <fs/vfs.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <svc/services.h>
#include <weft/errno.h>
#include "ktest.h"

#define ROUNDS	   1000
#define MNT	   "/fuzzmnt"
#define OV_PAGE	   4096
#define OV_MAX	   512 /* pages an image may change in one round */

/*
 * A disk that reads through to a read-only base device and keeps every page
 * written or corrupted in memory: each round starts again from the base.
 */
struct overlay {
	struct bdev bd;
	struct bdev *base;
	unsigned n;
	struct {
		uint64_t page;
		uint8_t *data;
	} pages[OV_MAX];
};

static uint8_t *ov_page(struct overlay *ov, uint64_t page, bool create)
{
	for (unsigned i = 0; i < ov->n; i++)
		if (ov->pages[i].page == page)
			return ov->pages[i].data;
	if (!create || ov->n == OV_MAX)
		return NULL;
	uint8_t *d = kmalloc(OV_PAGE);
	if (!d || bdev_rw(ov->base, false, page * (OV_PAGE / BDEV_SECTOR), d,
			  OV_PAGE / BDEV_SECTOR)) {
		kfree(d);
		return NULL;
	}
	ov->pages[ov->n].page = page;
	ov->pages[ov->n++].data = d;
	return d;
}

static int ov_submit(struct bdev *bd, struct bio *bio)
{
	struct overlay *ov = bd->priv;
	uint64_t at = bio->sector * BDEV_SECTOR;

	if (bio->op == BIO_FLUSH)
		return 0;
	for (unsigned i = 0; i < bio->nseg; i++) {
		uint8_t *buf = bio->seg[i].buf;
		for (uint32_t done = 0; done < bio->seg[i].len;) {
			uint64_t off = at % OV_PAGE;
			uint32_t n = (uint32_t)(OV_PAGE - off);
			if (n > bio->seg[i].len - done)
				n = bio->seg[i].len - done;
			uint8_t *p = ov_page(ov, at / OV_PAGE, bio->op == BIO_WRITE);
			if (bio->op == BIO_WRITE && !p)
				return -EIO;
			if (bio->op == BIO_WRITE)
				memcpy(p + off, buf + done, n);
			else if (p)
				memcpy(buf + done, p + off, n);
			else if (bdev_rw(ov->base, false, at / BDEV_SECTOR, buf + done, n / BDEV_SECTOR))
				return -EIO;
			done += n;
			at += n;
		}
	}
	return 0;
}

static const struct bdev_ops ov_ops = {.submit = ov_submit};

struct fuzz {
	const char *fstype;
	struct overlay ov;
	uint64_t meta_bytes; /* corrupt within [0, meta_bytes) */
	unsigned refused, walk_errors, clean, writes_ok;
	uint64_t seed;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Read every file and directory below path (depth-limited); count errors. */
static unsigned walk(char *path, size_t len, int depth)
{
	struct vnode *root = vfs_root();
	struct file *f;
	unsigned errors = 0;
	static char dbuf[2048];
	int err = vfs_open(root, root, path, VFS_O_RDONLY, 0, &f);

	if (err)
		return 1;
	if (!f->vn || f->vn->type != VDIR) {
		char buf[1024];
		struct uio u;
		long n;
		do {
			uio_init_kernel(&u, buf, sizeof(buf), 0);
			n = vfs_read(f, &u);
		} while (n > 0);
		file_put(f);
		return n < 0;
	}
	for (;;) {
		struct uio u;
		uio_init_kernel(&u, dbuf, sizeof(dbuf), 0);
		long n = vfs_getdents(f, &u);
		if (n <= 0) {
			errors += n < 0;
			break;
		}
		/* Copy the names out first: the recursion reuses dbuf. */
		char names[16][64];
		unsigned k = 0;
		for (long at = 0; at < n && k < 16;) {
			struct vfs_dirent64 *d = (struct vfs_dirent64 *)(dbuf + at);
			if (!d->d_reclen)
				break;
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
			    strlen(d->d_name) < sizeof(names[0]))
				strlcpy(names[k++], d->d_name, sizeof(names[0]));
			at += d->d_reclen;
		}
		for (unsigned i = 0; i < k; i++) {
			if (depth >= 6 || len + strlen(names[i]) + 2 >= VFS_PATH_MAX / 8)
				continue;
			size_t l2 = len;
			path[l2++] = '/';
			strlcpy(path + l2, names[i], VFS_PATH_MAX / 8 - l2);
			errors += walk(path, l2 + strlen(names[i]), depth + 1);
			path[len] = 0;
		}
	}
	file_put(f);
	return errors;
}

static long fuzz_one(struct svc_req *r)
{
	struct fuzz *z = r->arg;
	struct vnode *root = vfs_root();
	char path[VFS_PATH_MAX / 8] = MNT;
	struct file *f;

	if (vfs_mount_at(root, root, z->fstype, MNT, z->ov.bd.name, NULL)) {
		z->refused++;
		return 0;
	}
	unsigned errors = walk(path, strlen(path), 0);
	if (!vfs_open(root, root, MNT "/fuzz-new", VFS_O_RDWR | VFS_O_CREAT, 0644, &f)) {
		struct uio u;
		char data[600];
		memset(data, 'z', sizeof(data));
		uio_init_kernel(&u, data, sizeof(data), 0);
		z->writes_ok += vfs_write(f, &u) == (long)sizeof(data);
		file_put(f);
		vfs_unlink(root, root, MNT "/fuzz-new");
	}
	if (errors)
		z->walk_errors++;
	else
		z->clean++;
	vfs_umount_at(root, root, MNT, false);
	return 0;
}

static int setup(struct fuzz *z, const char *fstype, const char *name, struct bdev *base,
		 uint64_t meta_bytes)
{
	uint64_t bytes = base->nsectors * BDEV_SECTOR;

	z->fstype = fstype;
	z->meta_bytes = meta_bytes < bytes ? meta_bytes : bytes;
	z->ov.base = base;
	z->ov.bd = (struct bdev){.name = name, .ops = &ov_ops, .nsectors = base->nsectors,
				 .priv = &z->ov};
	return bdev_register(&z->ov.bd);
}

/* Forget what the last round changed, then corrupt 1..8 bytes. */
static void corrupt(struct fuzz *z)
{
	for (unsigned i = 0; i < z->ov.n; i++)
		kfree(z->ov.pages[i].data);
	z->ov.n = 0;
	unsigned n = 1 + (unsigned)(rnd(&z->seed) % 8);
	for (unsigned i = 0; i < n; i++) {
		/* Half of them in the first 32 KiB: the superblock or boot
		 * sector, descriptors or FSInfo, the start of the tables. */
		uint64_t span = rnd(&z->seed) & 1 && z->meta_bytes > (32 << 10) ? 32 << 10
										    : z->meta_bytes;
		uint64_t at = rnd(&z->seed) % span;
		uint8_t *p = ov_page(&z->ov, at / OV_PAGE, true);
		if (p)
			p[at % OV_PAGE] = (uint8_t)rnd(&z->seed);
	}
}

static bool run(struct fuzz *z)
{
	uint64_t faults0 = svc_fs.nr_faults;

	for (int i = 0; i < ROUNDS; i++) {
		corrupt(z);
		svc_call(&svc_fs, fuzz_one, z);
	}
	unsigned faults = (unsigned)(svc_fs.nr_faults - faults0);
	bool ok = faults == 0 && z->refused + z->walk_errors + z->clean == ROUNDS;
	kprintf("ktest fsfuzz: %s: %d corrupted images: %u refused at mount, %u with errors in the "
		"walk, %u clean, %u accepted a write; %u faults in the fs service: %s\n",
		z->fstype, ROUNDS, z->refused, z->walk_errors, z->clean, z->writes_ok, faults,
		ok ? "PASS" : "FAIL");
	return ok;
}

static void fuzzer(void *arg)
{
	static struct fuzz e4 = {.seed = 0x9e3779b97f4a7c15ull}, fat = {.seed = 0xd1b54a32d192ed03ull};
	struct bdev *vda = bdev_find("vda"), *vdb = bdev_find("vdb");
	struct vnode *root = vfs_root();
	bool ok;

	(void)arg;
	vfs_mkdir(root, root, MNT, 0755);
	if (!vda || !vdb || setup(&e4, "ext4", "ram0", vda, 512 << 10) ||
	    setup(&fat, "vfat", "ram1", vdb, 1 << 20)) {
		kprintf("ktest fsfuzz: needs an ext4 image as vda and a FAT32 one as vdb: FAIL\n");
		weft_shutdown(1);
	}
	ok = run(&e4);
	ok = run(&fat) && ok;
	kprintf("ktest fsfuzz: %s\n", ok ? "PASS" : "FAIL");
	weft_shutdown(!ok);
}

void ktest_fsfuzz(void)
{
	if (!kthread_create("ktest-fsfuzz", fuzzer, NULL))
		panic("ktest fsfuzz: out of memory");
}
