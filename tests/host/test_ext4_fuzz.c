/*
 * ext4 on corrupted images: 1,500 copies each of three small mkfs.ext4
 * images (1 KiB and 4 KiB blocks with the default features, and 1 KiB
 * without metadata checksums; each with an htree directory, fast and slow
 * symlinks, a file with an extent tree of depth 1), each copy with a few
 * random bytes of its metadata changed. The metadata blocks are the non-zero blocks of the
 * image's metadata-only copy written by e2image -r. Each copy is mounted,
 * walked (every directory listed, every name looked up, every file read,
 * every symlink read), then written to (create, mkdir, rmdir, unlink, link,
 * symlink, rename of a file and a directory, a hole filled, truncate, sync).
 * Each must fail cleanly or work: errors are errno values, ASan/UBSan and the
 * vnode and memory leak checks stay quiet, nothing hangs (an alarm fires
 * otherwise), and once ext4 has found the image inconsistent no write
 * reaches it.
 */
#include "ht.h"
#include "ext4_util.h"
#include "ext4_impl.h"
#include <fs/ext4.h>
#include <weft/errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ITERATIONS 1500 /* per image */
#define WALK_DEPTH 8
#define READ_MAX   (64u << 10)

static uint8_t *pristine, *image;
static size_t image_size;
static uint32_t bs;
static uint32_t *meta_blocks, nmeta;
static uint64_t rng = 0x243F6A8885A308D3ull;
static unsigned bad_errors, found, refused, clean;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)((rng >> 16) % n);
}

static uint8_t *load(const char *name, size_t *len)
{
	char path[4096];
	e4u_fixture(path, name);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	*len = (size_t)ftell(fp);
	fseek(fp, 0, SEEK_SET);
	uint8_t *p = malloc(*len);
	if (!p || fread(p, 1, *len, fp) != *len)
		abort();
	fclose(fp);
	return p;
}

/* Errors a corrupted image may legitimately give. */
static void note(long err)
{
	switch (err) {
	case 0:
	case -ENOENT:
	case -ENOTDIR:
	case -EISDIR:
	case -EEXIST:
	case -ENOTEMPTY:
	case -EINVAL:
	case -ENOSPC:
	case -EROFS:
	case -ELOOP:
	case -EFBIG:
	case -EMLINK:
	case -ENAMETOOLONG:
	case -EOPNOTSUPP:
	case -EUCLEAN:
	case -EIO:
	case -EPERM: /* a hard link to what the damage made a directory */
		return;
	default:
		if (err > 0)
			return;
		if (bad_errors++ < 10)
			fprintf(stderr, "  unexpected error %ld\n", err);
	}
}

struct names {
	char (*v)[VFS_NAME_MAX + 1];
	unsigned n;
};

static void collect(const char *name, uint64_t ino, unsigned dtype, void *arg)
{
	struct names *ns = arg;
	if (ns->n < 512 && strcmp(name, ".") && strcmp(name, ".."))
		strcpy(ns->v[ns->n++], name);
}

static void walk(const char *dir, int depth)
{
	static uint8_t buf[READ_MAX];
	struct names ns = {malloc(512 * (VFS_NAME_MAX + 1)), 0};
	char path[1024];

	note(e4u_list(dir, collect, &ns));
	for (unsigned i = 0; i < ns.n; i++) {
		struct vfs_stat st;
		struct uio u;
		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", ns.v[i]);
		long err = e4u_stat(path, &st);
		note(err);
		if (err)
			continue;
		if ((st.mode & VFS_S_IFMT) == VFS_S_IFDIR && depth < WALK_DEPTH)
			walk(path, depth + 1);
		else if ((st.mode & VFS_S_IFMT) == VFS_S_IFREG)
			note(e4u_read(path, buf, READ_MAX, 0));
		uio_init_kernel(&u, buf, 4096, 0);
		if ((st.mode & VFS_S_IFMT) == VFS_S_IFLNK)
			note(vfs_readlink(e4u_root, e4u_root, path, &u));
	}
	free(ns.v);
}

static void write_some(void)
{
	static const char data[3000] = "fuzz";

	note(e4u_write("/fuzz-new", data, sizeof(data), 0, 0));
	note(vfs_mkdir(e4u_root, e4u_root, "/fuzz-dir", 0755));
	note(vfs_unlink(e4u_root, e4u_root, "/dir/hello"));
	note(vfs_rename(e4u_root, e4u_root, "/short", "/many/short2"));
	note(e4u_write("/many/added-by-fuzz", data, 10, 0, 0));
	note(e4u_write("/frag", data, sizeof(data), 5000, 0)); /* fills a hole: extent insert */
	note(vfs_link(e4u_root, e4u_root, "/dir/sub/numbers", "/numlink"));
	note(vfs_rename(e4u_root, e4u_root, "/dir/sub", "/many/sub"));
	note(vfs_symlink(e4u_root, e4u_root, "/many/sub/numbers", "/newlink"));
	struct vnode *vn;
	if (!vfs_lookup(e4u_root, e4u_root, "/numlink", 0, &vn)) {
		note(vfs_truncate(vn, 1000));
		vnode_put(vn);
	}
	note(vfs_rmdir(e4u_root, e4u_root, "/fuzz-dir"));
	note(vfs_unlink(e4u_root, e4u_root, "/frag"));
	note(ext4_fstype.sync(&e4u_mnt));
}

/* Change 1..8 bytes of metadata (one in 16 in the superblock or the first
 * descriptors, which every mount reads and checks first). */
static void corrupt(void)
{
	unsigned n = 1 + rnd(8);
	for (unsigned k = 0; k < n; k++) {
		size_t off = (size_t)meta_blocks[rnd(nmeta)] * bs + rnd(bs);
		if (!rnd(16))
			off = rnd(2) ? 1024 + rnd(1024) : (bs == 1024 ? 2048 : bs) + rnd(256);
		image[off] = rnd(2) ? (uint8_t)rnd(256) : image[off] ^ (uint8_t)(1u << rnd(8));
	}
}

static void one_image(void)
{
	memcpy(image, pristine, image_size);
	corrupt();
	int err = e4u_mount_mem(image, image_size, NULL);
	if (err) {
		refused++;
		note(err);
		HT_CHECK_EQ(e4u_dev.writes, 0);
		return;
	}
	walk("/", 0);
	write_some();
	struct ext4_fs *fs = e4u_mnt.priv;
	if (fs->broken)
		found++;
	else
		clean++;
	e4u_umount();
	HT_CHECK_EQ(e4u_dev.writes_broken, 0);
}

/* min_seen: copies where the damage must be noticed (refused or found). */
static void fuzz(const char *name, uint32_t block_size, unsigned min_seen)
{
	char meta_name[64];
	size_t mlen;

	snprintf(meta_name, sizeof(meta_name), "%s.meta", name);
	uint8_t *meta = load(meta_name, &mlen);
	pristine = load(name, &image_size);
	HT_CHECK(pristine && meta && mlen == image_size);
	if (!pristine || !meta)
		return;
	bs = block_size;
	image = malloc(image_size);
	meta_blocks = malloc(image_size / bs * sizeof(*meta_blocks));
	nmeta = refused = found = clean = 0;
	for (uint32_t b = 0; b < image_size / bs; b++)
		for (uint32_t i = 0; i < bs; i++)
			if (meta[(size_t)b * bs + i]) {
				meta_blocks[nmeta++] = b;
				break;
			}
	HT_CHECK(nmeta > 10);
	alarm(150); /* a hang fails the test */
	for (int i = 0; i < ITERATIONS; i++)
		one_image();
	alarm(0);
	fprintf(stderr,
		"  %s, %d copies: %u refused at mount, %u found inconsistent later, %u not\n", name,
		ITERATIONS, refused, found, clean);
	HT_CHECK_EQ(bad_errors, 0);
	HT_CHECK(refused + found >= min_seen);
	free(meta);
	free(pristine);
	free(image);
	free(meta_blocks);
}

HT_TEST(corrupted_1k)
{
	fuzz("ext4-fuzz-1k.img", 1024, ITERATIONS / 2);
}

HT_TEST(corrupted_4k)
{
	fuzz("ext4-fuzz-4k.img", 4096, ITERATIONS / 2);
}

/* The pristine image mounts, walks and takes writes without any error, and
 * stays clean for e2fsck. */
static void pristine_run(const char *name)
{
	char img[4096];

	e4u_scratch(img, name, "ok");
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	unsigned before = bad_errors;
	walk("/", 0);
	write_some();
	HT_CHECK(!((struct ext4_fs *)e4u_mnt.priv)->broken);
	HT_CHECK_EQ(bad_errors, before);
	e4u_umount();
	HT_CHECK_EQ(e4u_system("e2fsck -fn '%s' >/dev/null 2>&1", img), 0);
	unlink(img);
}

/* Without checksums only the structural checks can catch the damage. */
HT_TEST(corrupted_nocsum)
{
	fuzz("ext4-fuzz-nocsum.img", 1024, ITERATIONS / 20);
}

HT_TEST(pristine_images)
{
	pristine_run("ext4-fuzz-1k.img");
	pristine_run("ext4-fuzz-4k.img");
	pristine_run("ext4-fuzz-nocsum.img");
}

HT_MAIN(HT_CASE(pristine_images), HT_CASE(corrupted_1k), HT_CASE(corrupted_4k),
	HT_CASE(corrupted_nocsum))
