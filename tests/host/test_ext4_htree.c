/*
 * Host tests of ext4 hash-indexed directories growing and changing: thousands
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
		snprintf(s, sizeof(s), "%s%s-%u-%.*s", i % 5 == 0 ? "\xc3\xa9t\xc3\xa9-" : "", tag, i,
			 (int)pad, "abcdefghijklmnopqrstuvwxyz0123456789");
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
	fprintf(stderr, "  %s: %u names, %u indirect levels, %.2f blocks read per lookup, %llu at most\n",
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
			HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, path_of(from, "/d", names[i - 2])), 0);
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

HT_MAIN(HT_CASE(grow_1k_two_levels), HT_CASE(grow_4k), HT_CASE(grow_1k_nocsum),
	HT_CASE(grow_1k_tea_unsigned), HT_CASE(grow_1k_legacy))
