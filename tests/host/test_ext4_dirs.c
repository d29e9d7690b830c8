/*
 * Host tests of ext4 directories: special files made by mknod, and
 * hash-indexed directories growing and changing. mknod: FIFOs, sockets and
 * character and block devices (old and new device number forms), checked
 * after an unmount and remount in the same run, by e2fsck and debugfs.
 * Indexes: thousands
 * of names (among them pairs whose hashes collide exactly, found by hashing
 * two million candidates, and names with bytes above 0x7f) created in one
 * directory with interleaved deletes and renames, on 1 KiB and 4 KiB images,
 * with metadata_csum and without, with the half-MD4, TEA and legacy hashes
 * and unsigned characters. After each workload the image is unmounted,
 * e2fsck -fn must find it clean, and after a remount the directory must still
 * be indexed (EXT4_INDEX_FL, an indirect level where the names need one) and
 * every lookup must go through the index: the mount's counters show no lookup
 * that scanned the whole directory, and at most the root, a node and a leaf
 * (plus a collision's next leaf) read per lookup. Then corrupted indexes (counts,
 * limits, depth, block numbers, in the root and in a node) must give
 * -EUCLEAN and nothing written, never a crash (ASan/UBSan watch).
 */
#include "ht.h"
#include "ext4_util.h"
#include "ext4_impl.h"
#include <fs/ext4.h>
#include <weft/errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NAME_MAX_LEN 64

static struct ext4_fs *mfs(void)
{
	return e4u_mnt.priv;
}

/* ---- names ---- */

static char (*names)[NAME_MAX_LEN];
static unsigned nnames;

static void name_add(const char *s)
{
	names = realloc(names, (nnames + 1) * sizeof(*names));
	if (!names)
		abort();
	snprintf(names[nnames++], NAME_MAX_LEN, "%s", s);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Pairs of names with equal hashes for the mounted fs and hash version:
 * candidates "c<number>-x" are hashed, sorted, and equal neighbours kept. */
static unsigned add_collisions(unsigned version, unsigned candidates, unsigned max_pairs)
{
	uint64_t *h = malloc(sizeof(*h) * candidates);
	unsigned pairs = 0;
	char a[NAME_MAX_LEN], b[NAME_MAX_LEN];

	if (!h)
		abort();
	for (unsigned i = 0; i < candidates; i++) {
		uint32_t hash;
		snprintf(a, sizeof(a), "c%u-x", i);
		HT_CHECK_EQ(ext4_dx_hash(mfs(), version, a, strlen(a), &hash), 0);
		h[i] = (uint64_t)hash << 32 | i;
	}
	qsort(h, candidates, sizeof(*h), cmp_u64);
	for (unsigned i = 1; i < candidates && pairs < max_pairs; i++) {
		if (h[i] >> 32 != h[i - 1] >> 32)
			continue;
		snprintf(a, sizeof(a), "c%u-x", (unsigned)h[i - 1]);
		snprintf(b, sizeof(b), "c%u-x", (unsigned)h[i]);
		name_add(a);
		name_add(b);
		pairs++;
		i++; /* a third equal one starts the next pair, if any */
	}
	free(h);
	return pairs;
}

/* n ordinary names of varied length, some with bytes above 0x7f. */
static void add_plain(unsigned n, const char *tag)
{
	char s[NAME_MAX_LEN];
	for (unsigned i = 0; i < n; i++) {
		unsigned pad = (i * 7) % 30;
		snprintf(s, sizeof(s), "%s%s-%u-%.*s", i % 5 == 0 ? "\xc3\xa9t\xc3\xa9-" : "", tag,
			 i, (int)pad, "abcdefghijklmnopqrstuvwxyz0123456789");
		name_add(s);
	}
}

static void names_reset(void)
{
	free(names);
	names = NULL;
	nnames = 0;
}

/* ---- the directory ---- */

static struct ext4_inode *dir_ip(const char *path, struct vnode **vn)
{
	if (vfs_lookup(e4u_root, e4u_root, path, 0, vn))
		return NULL;
	return ext4_ip(*vn);
}

/* Is the directory indexed; its indirect levels in *levels. */
static bool dir_indexed(const char *path, unsigned *levels)
{
	struct vnode *vn;
	struct ext4_inode *ip = dir_ip(path, &vn);
	struct buf *b;
	bool ok = ip && (get32(ip->raw, I_FLAGS) & IFL_INDEX);

	if (ok && !ext4_dir_block_raw(mfs(), ip, 0, &b)) {
		*levels = b->data[DX_ROOT_INFO + 6];
		bcache_put(b);
	} else {
		ok = false;
	}
	if (ip)
		vnode_put(vn);
	return ok;
}

static char *path_of(char *buf, const char *dir, const char *name)
{
	snprintf(buf, 4096, "%s/%s", dir, name);
	return buf;
}

/* Every name with live[] set must be found, the others not, each through
 * the index, reading the root, the nodes and a leaf (a collision may go on
 * in the next leaf, which may be under the next node). */
static void check_lookups(const char *dir, const uint8_t *live)
{
	char path[4096];
	unsigned levels = 9, bad = 0;
	struct vfs_stat st;

	HT_CHECK(dir_indexed(dir, &levels));
	vfs_dcache_flush();
	HT_CHECK_EQ(e4u_stat(dir, &st), 0); /* the directory itself is cached now */
	uint64_t l0 = mfs()->dx_lookups, s0 = mfs()->dx_scans, r0 = mfs()->dir_reads, most = 0;
	for (unsigned i = 0; i < nnames; i++) {
		uint64_t r = mfs()->dir_reads;
		int err = e4u_stat(path_of(path, dir, names[i]), &st);
		if (err != (live[i] ? 0 : -ENOENT) && bad++ < 5)
			fprintf(stderr, "  lookup of %s: %d\n", names[i], err);
		if (mfs()->dir_reads - r > most)
			most = mfs()->dir_reads - r;
	}
	HT_CHECK_EQ(bad, 0);
	HT_CHECK_EQ(mfs()->dx_lookups - l0, nnames);
	HT_CHECK_EQ(mfs()->dx_scans - s0, 0);
	HT_CHECK(most <= 2 * levels + 3); /* a collision's next leaf may be under the next node */
	HT_CHECK(mfs()->dir_reads - r0 <= (uint64_t)nnames * (levels + 2) + nnames / 8);
	fprintf(stderr,
		"  %s: %u names, %u indirect levels, %.2f blocks read per lookup, %llu at most\n",
		dir, nnames, levels, (double)(mfs()->dir_reads - r0) / nnames,
		(unsigned long long)most);
}

static int create(const char *dir, const char *name)
{
	char path[4096];
	return (int)e4u_write(path_of(path, dir, name), name, strlen(name) % 17, 0, 0);
}

static void check_fsck_keep(const char *img)
{
	int st = e4u_system("e2fsck -fn '%s' >'%s.fsck' 2>&1", img, img);
	HT_CHECK_EQ(st, 0);
	if (st)
		e4u_system("head -30 '%s.fsck' >&2", img);
	e4u_system("rm -f '%s.fsck'", img);
}

/* Unmount, e2fsck, remount. */
static void cycle(const char *img)
{
	e4u_umount();
	check_fsck_keep(img);
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
}

/*
 * The workload: names created in /d (becoming indexed on the way), a third
 * deleted, names renamed into /d from /src and within /d, more created, each
 * phase followed by an unmount, e2fsck and the lookup check.
 */
static void workload(const char *img, unsigned version, unsigned plain, unsigned want_levels)
{
	char from[4096], to[4096];
	uint8_t *live;
	unsigned levels = 0;

	names_reset();
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	unsigned pairs = add_collisions(version, 2000000, 600);
	fprintf(stderr, "  %u pairs of names with equal hashes\n", pairs);
	HT_CHECK(pairs >= 200);
	add_plain(plain, "plain");
	unsigned first = nnames;
	add_plain(300, "moved-in");
	live = calloc(nnames, 1);
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/d", 0755), 0);
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/src", 0755), 0);
	for (unsigned i = 0; i < first; i++) {
		HT_CHECK_EQ(create("/d", names[i]), (int)(strlen(names[i]) % 17));
		live[i] = 1;
		if (i % 4 == 3) { /* interleaved deletes */
			HT_CHECK_EQ(
			    vfs_unlink(e4u_root, e4u_root, path_of(from, "/d", names[i - 2])), 0);
			live[i - 2] = 0;
		}
	}
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, path_of(from, "/d", names[0]), 0755), -EEXIST);
	HT_CHECK_EQ(vfs_symlink(e4u_root, e4u_root, "x", path_of(from, "/d", names[first - 1])),
		    -EEXIST);
	for (unsigned i = first; i < nnames; i++)
		HT_CHECK_EQ(create("/src", names[i]), (int)(strlen(names[i]) % 17));
	cycle(img);
	check_lookups("/d", live);
	HT_CHECK(dir_indexed("/d", &levels) && levels == want_levels);
	/* renames into the indexed directory, and within it */
	for (unsigned i = first; i < nnames; i++) {
		HT_CHECK_EQ(vfs_rename(e4u_root, e4u_root, path_of(from, "/src", names[i]),
				       path_of(to, "/d", names[i])),
			    0);
		live[i] = 1;
	}
	for (unsigned i = 0; i < first; i += 7) {
		if (!live[i] || i + 2 >= first || live[i + 2])
			continue;
		HT_CHECK_EQ(vfs_rename(e4u_root, e4u_root, path_of(from, "/d", names[i]),
				       path_of(to, "/d", names[i + 2])),
			    0);
		live[i] = 0;
		live[i + 2] = 1;
	}
	cycle(img);
	check_lookups("/d", live);
	/* the deleted names come back */
	for (unsigned i = 0; i < first; i++)
		if (!live[i]) {
			HT_CHECK_EQ(create("/d", names[i]), (int)(strlen(names[i]) % 17));
			live[i] = 1;
		}
	cycle(img);
	check_lookups("/d", live);
	HT_CHECK_EQ(e4u_list("/d", NULL, NULL), nnames + 2);
	e4u_umount();
	check_fsck_keep(img);
	free(live);
	names_reset();
}

static void run(const char *fixture, const char *tune, unsigned version, unsigned plain,
		unsigned want_levels)
{
	char img[4096];

	e4u_scratch(img, fixture, "htree");
	if (tune)
		HT_CHECK_EQ(e4u_system("IMG='%s'; %s >/dev/null 2>&1", img, tune), 0);
	workload(img, version, plain, want_levels);
	unlink(img);
}

HT_TEST(grow_1k_two_levels)
{
	run("ext4-empty-1k.img", NULL, EXT4_DX_HALF_MD4, 4000, 1);
}

HT_TEST(grow_4k)
{
	run("ext4-empty-4k.img", NULL, EXT4_DX_HALF_MD4, 4000, 0);
}

HT_TEST(grow_1k_nocsum)
{
	run("ext4-gdtcsum-1k.img", NULL, EXT4_DX_HALF_MD4, 4000, 1);
}

HT_TEST(grow_1k_tea_unsigned)
{
	run("ext4-empty-1k.img",
	    "debugfs -w -R 'ssv flags 2' $IMG && debugfs -w -R 'ssv def_hash_version tea' $IMG",
	    EXT4_DX_TEA, 3500, 1);
}

HT_TEST(grow_1k_legacy)
{
	run("ext4-empty-1k.img", "tune2fs -E hash_alg=legacy $IMG", EXT4_DX_LEGACY, 3500, 1);
}

/* The directory e2fsck -D indexed in the populated image takes new names
 * into its index. */
HT_TEST(populated_stays_indexed)
{
	char img[4096], path[64];
	unsigned levels;
	uint8_t *live;

	e4u_scratch(img, "ext4-tree-4k.img", "pop");
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	names_reset();
	add_plain(2000, "new");
	for (unsigned i = 0; i < nnames; i++)
		HT_CHECK_EQ(create("/bigdir", names[i]), (int)(strlen(names[i]) % 17));
	cycle(img);
	live = malloc(nnames);
	memset(live, 1, nnames);
	check_lookups("/bigdir", live);
	HT_CHECK(dir_indexed("/bigdir", &levels));
	snprintf(path, sizeof(path), "/bigdir/%s", "entry-with-a-longish-name-00bb7");
	HT_CHECK_EQ(e4u_stat(path, &(struct vfs_stat){0}), 0);
	e4u_umount();
	check_fsck_keep(img);
	unlink(img);
	free(live);
	names_reset();
}

/* A directory read while names are added (leaves splitting under it) still
 * returns every name that was there before and stays: none is missed (a
 * moved one may come twice). */
HT_TEST(readdir_during_splits)
{
	char img[4096], name[64], buf[256];
	enum { OLD = 800 };
	uint8_t seen[OLD] = {0};
	unsigned added = 0, twice = 0, levels;
	struct file *f;
	long n;

	e4u_scratch(img, "ext4-empty-1k.img", "rdsplit");
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/r", 0755), 0);
	for (unsigned i = 0; i < OLD; i++) {
		snprintf(name, sizeof(name), "old-%u", i);
		HT_CHECK_EQ(create("/r", name), (int)(strlen(name) % 17));
	}
	HT_CHECK(dir_indexed("/r", &levels));
	HT_CHECK_EQ(vfs_open(e4u_root, e4u_root, "/r", VFS_O_RDONLY | VFS_O_DIRECTORY, 0, &f), 0);
	do {
		struct uio u;
		uio_init_kernel(&u, buf, sizeof(buf), 0);
		n = vfs_getdents(f, &u);
		for (long off = 0; off < n;) {
			struct vfs_dirent64 *d = (struct vfs_dirent64 *)(buf + off);
			unsigned i;
			if (sscanf(d->d_name, "old-%u", &i) == 1 && i < OLD)
				twice += seen[i]++ > 0;
			off += d->d_reclen;
		}
		for (unsigned k = 0; k < 15 && n > 0 && added < 3 * OLD; k++, added++) {
			snprintf(name, sizeof(name), "new-%u-with-a-longer-name", added);
			HT_CHECK_EQ(create("/r", name), (int)(strlen(name) % 17));
		}
	} while (n > 0);
	file_put(f);
	HT_CHECK_EQ(n, 0);
	unsigned missed = 0;
	for (unsigned i = 0; i < OLD; i++)
		missed += !seen[i];
	fprintf(stderr, "  %u names added during the read: %u old names missed, %u seen twice\n",
		added, missed, twice);
	HT_CHECK_EQ(missed, 0);
	HT_CHECK(added > OLD);
	e4u_umount();
	check_fsck_keep(img);
	unlink(img);
}

/* ---- corrupted indexes ---- */

static char base_img[4096];
static uint64_t root_pblk, node_pblk;
static uint32_t img_bs;

/* A 1 KiB image without checksums (so the structural checks alone must
 * catch what follows) whose /d has an indirect level. */
static void corrupt_base(const char *fixture)
{
	struct vnode *vn;
	struct buf *b;
	uint32_t len;
	unsigned flags, levels = 0;

	e4u_scratch(base_img, fixture, "cbase");
	HT_CHECK_EQ(e4u_mount_file(base_img, NULL), 0);
	names_reset();
	add_plain(4000, "n");
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/d", 0755), 0);
	for (unsigned i = 0; i < nnames; i++)
		HT_CHECK_EQ(create("/d", names[i]), (int)(strlen(names[i]) % 17));
	HT_CHECK(dir_indexed("/d", &levels) && levels == 1);
	struct ext4_inode *ip = dir_ip("/d", &vn);
	HT_CHECK(ip != NULL);
	HT_CHECK_EQ(ext4_map(mfs(), ip, 0, &root_pblk, &len, &flags), 0);
	HT_CHECK_EQ(ext4_dir_block_raw(mfs(), ip, 0, &b), 0);
	uint32_t node = get32(b->data, DX_ROOT_TABLE + 4);
	bcache_put(b);
	HT_CHECK_EQ(ext4_map(mfs(), ip, node, &node_pblk, &len, &flags), 0);
	img_bs = mfs()->bs;
	vnode_put(vn);
	e4u_umount();
	check_fsck_keep(base_img);
}

/* Write n bytes of v (little-endian) at off of block blk of a copy of the
 * base image; mount it; look every name up and add one. Lookups must give
 * 0, -ENOENT or -EUCLEAN, at least one -EUCLEAN when must_find says so, and
 * nothing may be written once the image was found inconsistent. */
static void corrupt_case(const char *what, uint64_t blk, unsigned off, unsigned n, uint32_t v,
			 bool must_find)
{
	char img[4200], path[4096];
	unsigned found = 0, other = 0;

	snprintf(img, sizeof(img), "%s.c", base_img);
	HT_CHECK_EQ(e4u_system("cp --sparse=always '%s' '%s'", base_img, img), 0);
	int fd = open(img, O_RDWR);
	HT_CHECK(fd >= 0 && pwrite(fd, &v, n, (off_t)(blk * img_bs + off)) == (ssize_t)n);
	close(fd);
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	for (unsigned i = 0; i < nnames; i += 3) {
		int err = e4u_stat(path_of(path, "/d", names[i]), &(struct vfs_stat){0});
		found += err == -EUCLEAN;
		other += err && err != -EUCLEAN && err != -ENOENT;
	}
	int err = create("/d", "added-after-the-damage"); /* bytes written, or an error */
	found += err == -EUCLEAN;
	if (err < 0 && err != -EUCLEAN && err != -EROFS)
		fprintf(stderr, "  %s: adding a name: %d\n", what, err);
	HT_CHECK(err >= 0 || err == -EUCLEAN || err == -EROFS);
	HT_CHECK_EQ(other, 0);
	if (must_find && !found)
		fprintf(stderr, "  %s: not found\n", what);
	HT_CHECK(found || !must_find);
	e4u_umount();
	HT_CHECK_EQ(e4u_dev.writes_broken, 0);
	unlink(img);
}

static void corrupt_all(const char *fixture)
{
	corrupt_base(fixture);
	unsigned rl = DX_ROOT_TABLE, nl = DX_NODE_TABLE;
	corrupt_case("root count 0", root_pblk, rl + 2, 2, 0, true);
	corrupt_case("root count > limit", root_pblk, rl + 2, 2, 0x7fff, true);
	corrupt_case("root limit", root_pblk, rl, 2, 0x7fff, true);
	corrupt_case("root limit small", root_pblk, rl, 2, 1, true);
	corrupt_case("root levels 2", root_pblk, DX_ROOT_INFO + 6, 1, 2, true);
	corrupt_case("root levels 200", root_pblk, DX_ROOT_INFO + 6, 1, 200, true);
	corrupt_case("root levels 0", root_pblk, DX_ROOT_INFO + 6, 1, 0, true);
	corrupt_case("root info length", root_pblk, DX_ROOT_INFO + 5, 1, 9, true);
	corrupt_case("root reserved", root_pblk, DX_ROOT_INFO, 4, 1, true);
	corrupt_case("root hash version", root_pblk, DX_ROOT_INFO + 4, 1, 77, false);
	corrupt_case("root block 0", root_pblk, rl + 4, 4, 0, true);
	corrupt_case("root block past the end", root_pblk, rl + 4, 4, 0x7fffffff, true);
	corrupt_case("root dotdot length", root_pblk, 12 + 4, 2, 12, true);
	corrupt_case("node count 0", node_pblk, nl + 2, 2, 0, true);
	corrupt_case("node count > limit", node_pblk, nl + 2, 2, 0xffff, true);
	corrupt_case("node limit", node_pblk, nl, 2, 3, true);
	corrupt_case("node block past the end", node_pblk, nl + 4, 4, 1u << 30, true);
	corrupt_case("node entry length", node_pblk, 4, 2, 8, true);
	corrupt_case("node block 0", node_pblk, nl + 4, 4, 0, true);
	unlink(base_img);
	names_reset();
}

HT_TEST(corrupt_index_nocsum)
{
	corrupt_all("ext4-gdtcsum-1k.img");
}

HT_TEST(corrupt_index_csum)
{
	corrupt_all("ext4-empty-1k.img");
}

/* ---- special files ---- */

/* Device numbers as a C library's dev_t (low half): minor bits 0-7, major
 * bits 8-19, the minor's higher bits above. */
#define MKDEV(major, minor) (((minor)&0xffu) | ((major)&0xfffu) << 8 | ((minor) & ~0xffu) << 12)

static const struct {
	const char *path;
	uint32_t mode, rdev;
	unsigned dtype;
	const char *debugfs; /* what debugfs says about it */
} nodes[] = {
    {"/fifo", VFS_S_IFIFO | 0640, 0, VFS_DT_FIFO, "Type: FIFO"},
    {"/null", VFS_S_IFCHR | 0666, MKDEV(1, 3), VFS_DT_CHR, "Device major/minor number: 01:03"},
    {"/big", VFS_S_IFCHR | 0600, MKDEV(300, 70000), VFS_DT_CHR,
     "Device major/minor number: 300:70000"},
    {"/vda", VFS_S_IFBLK | 0660, MKDEV(254, 0), 6, "Device major/minor number: 254:00"},
    {"/sock", VFS_S_IFSOCK | 0755, 0, 12, "Type: socket"},
    {"/d/fifo-in-an-indexed-dir", VFS_S_IFIFO | 0600, 0, VFS_DT_FIFO, "Type: FIFO"},
};
#define NNODES (sizeof(nodes) / sizeof(nodes[0]))

static void dtype_of(const char *name, uint64_t ino, unsigned dtype, void *arg)
{
	for (size_t i = 0; i < NNODES; i++)
		if (!strcmp(strrchr(nodes[i].path, '/') + 1, name))
			((unsigned *)arg)[i] = dtype;
}

static void check_nodes(void)
{
	unsigned dtypes[NNODES] = {0};
	struct vfs_stat st;

	HT_CHECK(e4u_list("/", dtype_of, dtypes) > 0 && e4u_list("/d", dtype_of, dtypes) > 0);
	for (size_t i = 0; i < NNODES; i++) {
		uint32_t rdev = nodes[i].rdev;
		HT_CHECK_EQ(e4u_stat(nodes[i].path, &st), 0);
		HT_CHECK_EQ(st.mode, nodes[i].mode);
		HT_CHECK_EQ(st.rdev, rdev);
		HT_CHECK_EQ(st.size, 0);
		HT_CHECK_EQ(st.blocks, 0);
		HT_CHECK_EQ(dtypes[i], nodes[i].dtype);
	}
}

/* mknod of every kind, in a linear and in an indexed directory; they survive
 * an unmount and remount in the same run, e2fsck finds them right (debugfs
 * shows the device numbers as Linux stores them), a FIFO opened on the disk
 * is a pipe, a device node reaches no driver, and unlinking frees them. */
HT_TEST(mknod_kinds)
{
	char img[4096], path[64];
	struct vfs_statfs before, after;
	struct vfs_stat st;
	struct file *f;
	struct uio u;
	char buf[16];

	e4u_scratch(img, "ext4-empty-1k.img", "mknod");
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &before), 0);
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/d", 0755), 0);
	for (unsigned i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "filler-%u", i);
		HT_CHECK_EQ(create("/d", path), (int)(strlen(path) % 17));
	}
	for (size_t i = 0; i < NNODES; i++)
		HT_CHECK_EQ(
		    vfs_mknod(e4u_root, e4u_root, nodes[i].path, nodes[i].mode, nodes[i].rdev), 0);
	HT_CHECK_EQ(vfs_mknod(e4u_root, e4u_root, "/fifo", VFS_S_IFIFO | 0600, 0), -EEXIST);
	HT_CHECK_EQ(vfs_mknod(e4u_root, e4u_root, "/dir", VFS_S_IFDIR | 0600, 0), -EINVAL);
	check_nodes();
	/* the same run: unmount, remount, look up */
	e4u_umount();
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	check_nodes();
	unsigned levels;
	HT_CHECK(dir_indexed("/d", &levels));
	e4u_umount();
	check_fsck_keep(img);
	for (size_t i = 0; i < NNODES; i++)
		HT_CHECK_EQ(e4u_system("debugfs -R 'stat %s' '%s' 2>/dev/null | grep -q '%s'",
				       nodes[i].path, img, nodes[i].debugfs),
			    0);
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	/* a FIFO on the disk is a pipe: what goes in comes out */
	HT_CHECK_EQ(vfs_open(e4u_root, e4u_root, "/fifo", VFS_O_RDWR, 0, &f), 0);
	uio_init_kernel(&u, "through", 7, 0);
	HT_CHECK_EQ(vfs_write(f, &u), 7);
	uio_init_kernel(&u, buf, sizeof(buf), 0);
	HT_CHECK_EQ(vfs_read(f, &u), 7);
	HT_CHECK(!memcmp(buf, "through", 7));
	file_put(f);
	HT_CHECK_EQ(e4u_stat("/fifo", &st), 0);
	HT_CHECK_EQ(st.size, 0);
	/* a device node: a name only */
	HT_CHECK_EQ(e4u_read("/null", buf, sizeof(buf), 0), -EINVAL);
	HT_CHECK_EQ(e4u_write("/vda", "x", 1, 0, 0), -EINVAL);
	HT_CHECK(!mfs()->broken);
	for (size_t i = 0; i < NNODES; i++)
		HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, nodes[i].path), 0);
	for (unsigned i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/d/filler-%u", i);
		HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, path), 0);
	}
	HT_CHECK_EQ(vfs_rmdir(e4u_root, e4u_root, "/d"), 0);
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &after), 0);
	HT_CHECK_EQ(after.ffree, before.ffree);
	HT_CHECK_EQ(after.bfree, before.bfree);
	e4u_umount();
	check_fsck_keep(img);
	unlink(img);
}

HT_MAIN(HT_CASE(mknod_kinds), HT_CASE(readdir_during_splits), HT_CASE(grow_1k_two_levels),
	HT_CASE(grow_4k), HT_CASE(grow_1k_nocsum), HT_CASE(grow_1k_tea_unsigned),
	HT_CASE(grow_1k_legacy), HT_CASE(populated_stays_indexed), HT_CASE(corrupt_index_nocsum),
	HT_CASE(corrupt_index_csum))
