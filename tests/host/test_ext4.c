/*
 * Host tests of kernel/fs/ext4 on images made by mkfs.ext4 (default
 * features, 4 KiB and 1 KiB blocks): reading everything the generator put in
 * (ext4_tree.h) through the VFS, write workloads whose result e2fsck -fn must
 * find clean and which must read back after a remount, and the mount policy
 * (journal needing recovery, unknown features, bad superblock checksum).
 */
#include "ht.h"
#include "ext4_tree.h"
#include "ext4_util.h"
#include "ext4_seeded.h"
#include "ext4_impl.h"
#include <fs/ext4.h>
#include <core/pmm.h>
#include <hal/mmu.h>
#include <weft/errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int extent_depth(const char *path)
{
	struct vnode *vn;
	if (vfs_lookup(e4u_root, e4u_root, path, 0, &vn))
		return -1;
	int d = get16(ext4_ip(vn)->raw + I_BLOCK, 6);
	vnode_put(vn);
	return d;
}

static bool readlink_is(const char *path, const char *want)
{
	char buf[512];
	struct uio u;
	uio_init_kernel(&u, buf, sizeof(buf), 0);
	long n = vfs_readlink(e4u_root, e4u_root, path, &u);
	return n == (long)strlen(want) && !memcmp(buf, want, (size_t)n);
}

/* ---- reading the populated images ---- */

static void check_sparse(void)
{
	uint8_t *buf = xbuf(E4T_SPARSE_SIZE), *want = calloc(1, E4T_SPARSE_SIZE);
	struct vfs_stat st;

	for (size_t i = 0; i < sizeof(e4t_sparse) / sizeof(e4t_sparse[0]); i++)
		fill(want + e4t_sparse[i][0], "sparse", e4t_sparse[i][0], e4t_sparse[i][1]);
	HT_CHECK_EQ(e4u_read("/sparse", buf, E4T_SPARSE_SIZE, 0), E4T_SPARSE_SIZE);
	HT_CHECK(!memcmp(buf, want, E4T_SPARSE_SIZE));
	HT_CHECK_EQ(e4u_stat("/sparse", &st), 0);
	HT_CHECK(st.blocks < 200); /* the holes take no blocks */
	free(buf);
	free(want);
}

static void check_frag(void)
{
	uint64_t size = (E4T_FRAG_N - 1) * E4T_FRAG_STEP + E4T_FRAG_BLOCK;
	uint8_t *buf = xbuf(size);
	uint32_t seed = e4t_seed("frag");
	bool ok = e4u_read("/frag", buf, size, 0) == (long)size;

	for (uint64_t i = 0; ok && i < size; i++)
		ok = buf[i] == (i % E4T_FRAG_STEP < E4T_FRAG_BLOCK ? e4t_byte(seed, i) : 0);
	HT_CHECK(ok);
	HT_CHECK(extent_depth("/frag") >= 1);
	free(buf);
}

static void mark_big(const char *name, uint64_t ino, unsigned dtype, void *arg)
{
	uint8_t *seen = arg;
	unsigned i;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return;
	if (sscanf(name, "entry-with-a-longish-name-%5x", &i) == 1 && i < E4T_BIG &&
	    dtype == VFS_DT_REG)
		seen[i]++;
	else
		seen[E4T_BIG]++;
}

static void check_bigdir(void)
{
	uint8_t *seen = calloc(1, E4T_BIG + 1);
	char path[64], name[32];
	struct vfs_stat st;
	bool ok = true;

	HT_CHECK_EQ(e4u_list("/bigdir", mark_big, seen), E4T_BIG + 2);
	for (unsigned i = 0; i < E4T_BIG; i++)
		ok &= seen[i] == 1;
	HT_CHECK(ok && !seen[E4T_BIG]);
	for (unsigned i = 0; i < E4T_BIG; i += 7) {
		e4t_bigname(name, i);
		snprintf(path, sizeof(path), "/bigdir/%s", name);
		ok &= !e4u_stat(path, &st) && st.size == (i % 7) * 13u;
	}
	HT_CHECK(ok);
	e4t_bigname(name, E4T_BIG - 1);
	snprintf(path, sizeof(path), "/bigdir/%s", name);
	HT_CHECK(file_is(path, name, ((E4T_BIG - 1) % 7) * 13));
	HT_CHECK_EQ(e4u_stat("/bigdir/no-such-entry", &st), -ENOENT);
	free(seen);
}

/* getpage: a private copy of the file's page, zeros past the end. */
static void check_getpage(void)
{
	struct vnode *vn;
	paddr_t pa;

	HT_CHECK_EQ(vfs_lookup(e4u_root, e4u_root, "/f4097", 0, &vn), 0);
	HT_CHECK_EQ(vfs_getpage(vn, 4096, false, &pa), 0);
	uint8_t *p = hal_pa_to_kva(pa);
	bool ok = p[0] == e4t_byte(e4t_seed("f4097"), 4096);
	for (unsigned i = 1; i < PAGE_SIZE; i++)
		ok &= p[i] == 0;
	HT_CHECK(ok);
	pmm_unref(pa);
	HT_CHECK_EQ(vfs_getpage(vn, 8192, false, &pa), -ENXIO);
	vnode_put(vn);
}

static void check_tree(void)
{
	struct vfs_stat st, st2;
	char path[256] = "/deep";

	for (size_t i = 0; i < E4T_NFILES; i++) {
		snprintf(path, sizeof(path), "/%s", e4t_files[i].path);
		HT_CHECK(file_is(path, e4t_files[i].path, e4t_files[i].size));
	}
	check_sparse();
	check_frag();
	check_getpage();
	HT_CHECK(readlink_is("/lshort", E4T_LSHORT));
	HT_CHECK(readlink_is("/llong", E4T_LLONG));
	HT_CHECK(file_is("/llong", "dir1/dir2/nested", 5000)); /* followed */
	HT_CHECK_EQ(e4u_stat("/hl", &st), 0);
	HT_CHECK_EQ(e4u_stat("/f65537", &st2), 0);
	HT_CHECK(st.ino == st2.ino && st.nlink == 2);
	HT_CHECK_EQ(e4u_stat("/dir1/dir2", &st), 0);
	HT_CHECK_EQ(st.mode, VFS_S_IFDIR | 0750);
	HT_CHECK_EQ(e4u_list("/emptydir", NULL, NULL), 2);
	check_bigdir();
	strcpy(path, "/deep");
	for (int i = 0; i < E4T_DEPTH; i++)
		strcat(path, "/d");
	strcat(path, "/leaf");
	HT_CHECK(file_is(path, "leaf", 777));
	HT_CHECK_EQ(e4u_stat("/deep/d/d/..", &st), 0);
	HT_CHECK_EQ(e4u_stat("/deep/d", &st2), 0);
	HT_CHECK_EQ(st.ino, st2.ino);
}

static void read_image(const char *name)
{
	char img[4096];
	struct vfs_statfs sf;

	e4u_fixture(img, name);
	HT_CHECK_EQ(e4u_mount_file(img, "ro"), 0);
	if (!e4u_root)
		return;
	check_tree();
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &sf), 0);
	HT_CHECK(sf.magic == 0xEF53 && sf.readonly && sf.bfree < sf.blocks);
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/nope", 0755), -EROFS);
	e4u_umount();
	HT_CHECK_EQ(e4u_dev.writes, 0);
}

HT_TEST(read_4k)
{
	read_image("ext4-tree-4k.img");
}

HT_TEST(read_1k)
{
	read_image("ext4-tree-1k.img");
}

HT_TEST(read_tea_hash)
{
	read_image("ext4-tree-tea.img");
}

/* ---- write workloads ---- */

static void wl_deep_and_many(void)
{
	char path[512] = "";
	char name[64];

	for (int i = 0; i < 25; i++) {
		strcat(path, "/w");
		HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, path, 0755), 0);
	}
	strcat(path, "/bottom");
	HT_CHECK_EQ(write_content(path, "bottom", 0, 3000, 0), 3000);
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/many", 0755), 0);
	for (int i = 0; i < 1500; i++) {
		snprintf(name, sizeof(name), "/many/file-%04d", i);
		HT_CHECK_EQ(write_content(name, name, 0, 100 + i % 300, 0), 100 + i % 300);
	}
	for (int i = 0; i < 1500; i += 3) {
		snprintf(name, sizeof(name), "/many/file-%04d", i);
		HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, name), 0);
	}
	for (int i = 1; i < 1500; i += 3) {
		char to[64];
		snprintf(name, sizeof(name), "/many/file-%04d", i);
		snprintf(to, sizeof(to), "/many/renamed-%04d", i);
		HT_CHECK_EQ(vfs_rename(e4u_root, e4u_root, name, to), 0);
	}
	HT_CHECK_EQ(e4u_list("/many", NULL, NULL), 1000 + 2);
}

static void check_many(void)
{
	char name[64], seedname[64];
	bool ok = true;

	HT_CHECK_EQ(e4u_list("/many", NULL, NULL), 999 + 2); /* file-0002 moved to /d1 */
	for (int i = 1; i < 1500; i += 3) {
		snprintf(name, sizeof(name), "/many/renamed-%04d", i);
		snprintf(seedname, sizeof(seedname), "/many/file-%04d", i);
		ok &= file_is(name, seedname, 100 + i % 300);
		snprintf(name, sizeof(name), "/many/file-%04d", i + 1);
		ok &= i + 1 == 2 || file_is(name, name, 100 + (i + 1) % 300);
	}
	HT_CHECK(ok);
}

#define LARGE (20u << 20)

static void wl_large(void)
{
	uint8_t *buf = xbuf(65536);
	for (uint64_t off = 0; off < LARGE; off += 65536) {
		fill(buf, "large", off, 65536);
		HT_CHECK_EQ(e4u_write("/large", buf, 65536, off, 0), 65536);
	}
	free(buf);
	HT_CHECK(file_is("/large", "large", LARGE));
	/* shrink to a partial block, grow again: the tail reads as zeros */
	struct vnode *vn;
	HT_CHECK_EQ(vfs_lookup(e4u_root, e4u_root, "/large", 0, &vn), 0);
	HT_CHECK_EQ(vfs_truncate(vn, (5u << 20) + 123), 0);
	HT_CHECK_EQ(vfs_truncate(vn, 7u << 20), 0);
	vnode_put(vn);
	HT_CHECK_EQ(e4u_write("/large", "xyz", 3, 6u << 20, 0), 3);
}

static void check_large(void)
{
	uint32_t n = 7u << 20;
	uint8_t *buf = xbuf(n);
	uint32_t seed = e4t_seed("large");
	bool ok = e4u_read("/large", buf, n, 0) == (long)n;

	for (uint32_t i = 0; ok && i < (5u << 20) + 123; i++)
		ok = buf[i] == e4t_byte(seed, i);
	for (uint32_t i = (5u << 20) + 123; ok && i < n; i++)
		ok = buf[i] == (i - (6u << 20) < 3 ? "xyz"[i - (6u << 20)] : 0);
	HT_CHECK(ok);
	free(buf);
}

/* Two files appended to in turn, one block each: their blocks interleave. */
static void wl_frag(uint32_t bs)
{
	uint8_t *buf = xbuf(bs);
	for (uint32_t i = 0; i < 400; i++) {
		fill(buf, "frag1", (uint64_t)i * bs, bs);
		HT_CHECK_EQ(e4u_write("/frag1", buf, bs, 0, VFS_O_APPEND), bs);
		fill(buf, "frag2", (uint64_t)i * bs, bs);
		HT_CHECK_EQ(e4u_write("/frag2", buf, bs, 0, VFS_O_APPEND), bs);
	}
	free(buf);
	HT_CHECK(extent_depth("/frag1") >= (bs == 1024 ? 2 : 1));
	HT_CHECK(file_is("/frag1", "frag1", 400 * bs));
	struct vnode *vn;
	HT_CHECK_EQ(vfs_lookup(e4u_root, e4u_root, "/frag2", 0, &vn), 0);
	HT_CHECK_EQ(vfs_truncate(vn, 150 * bs + 7), 0);
	vnode_put(vn);
}

static void check_frag_files(uint32_t bs)
{
	HT_CHECK(file_is("/frag1", "frag1", 400 * bs));
	HT_CHECK(file_is("/frag2", "frag2", 150 * bs + 7));
}

static void wl_sparse(void)
{
	struct vfs_stat st;
	HT_CHECK_EQ(write_content("/sp", "sp", (10u << 20) + 5, 100, 0), 100);
	HT_CHECK_EQ(write_content("/sp", "sp", 3u << 20, 5000, 0), 5000);
	HT_CHECK_EQ(write_content("/sp", "sp", 0, 10, 0), 10);
	HT_CHECK_EQ(e4u_stat("/sp", &st), 0);
	HT_CHECK_EQ(st.size, (10u << 20) + 105);
	HT_CHECK(st.blocks < 64);
}

static void check_sp(void)
{
	uint32_t n = (10u << 20) + 105;
	uint8_t *buf = xbuf(n), *want = calloc(1, n);
	fill(want + ((10u << 20) + 5), "sp", (10u << 20) + 5, 100);
	fill(want + (3u << 20), "sp", 3u << 20, 5000);
	fill(want, "sp", 0, 10);
	HT_CHECK_EQ(e4u_read("/sp", buf, n + 10, 0), n);
	HT_CHECK(!memcmp(buf, want, n));
	for (uint32_t i = 0; i < n; i++)
		if (buf[i] != want[i]) {
			fprintf(stderr, "sp differs at %u: %02x want %02x\n", i, buf[i], want[i]);
			break;
		}
	free(buf);
	free(want);
}

static void wl_names(void)
{
	struct vfs_stat st, st2;
	struct vfs_setattr sa = {.mask = VFS_ATTR_MODE | VFS_ATTR_UID | VFS_ATTR_GID,
				 .mode = 0600,
				 .uid = 1000,
				 .gid = 100};
	struct vnode *vn;

	HT_CHECK_EQ(write_content("/r1", "r1", 0, 5000, 0), 5000);
	HT_CHECK_EQ(write_content("/r2", "r2", 0, 7000, 0), 7000);
	HT_CHECK_EQ(vfs_rename(e4u_root, e4u_root, "/r1", "/r2"), 0); /* over a file */
	HT_CHECK_EQ(e4u_stat("/r1", &st), -ENOENT);
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/d1", 0755), 0);
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/d1/sub", 0755), 0);
	HT_CHECK_EQ(write_content("/d1/sub/inner", "inner", 0, 10, 0), 10);
	HT_CHECK_EQ(vfs_rename(e4u_root, e4u_root, "/d1/sub", "/w/sub"), 0); /* dir across dirs */
	HT_CHECK_EQ(vfs_rename(e4u_root, e4u_root, "/w", "/w/sub/x"), -EINVAL);
	HT_CHECK_EQ(vfs_rename(e4u_root, e4u_root, "/many/file-0002", "/d1/moved"), 0);
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/e1", 0755), 0);
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/e2", 0755), 0);
	HT_CHECK_EQ(vfs_rename(e4u_root, e4u_root, "/e1", "/e2"), 0); /* dir over empty dir */
	HT_CHECK_EQ(vfs_rename(e4u_root, e4u_root, "/e2", "/d1"), -ENOTEMPTY);
	HT_CHECK_EQ(vfs_rmdir(e4u_root, e4u_root, "/d1"), -ENOTEMPTY);
	HT_CHECK_EQ(vfs_rmdir(e4u_root, e4u_root, "/r2"), -ENOTDIR);
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/gone", 0755), 0);
	HT_CHECK_EQ(vfs_rmdir(e4u_root, e4u_root, "/gone"), 0);
	HT_CHECK_EQ(vfs_link(e4u_root, e4u_root, "/r2", "/d1/r2link"), 0);
	HT_CHECK_EQ(e4u_stat("/r2", &st), 0);
	HT_CHECK_EQ(st.nlink, 2);
	HT_CHECK_EQ(vfs_symlink(e4u_root, e4u_root, "r2", "/s1"), 0);
	struct vfs_statfs sf1, sf2;
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &sf1), 0);
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/s1", 0755), -EEXIST);
	HT_CHECK_EQ(vfs_symlink(e4u_root, e4u_root, "x", "/d1"), -EEXIST);
	HT_CHECK_EQ(vfs_link(e4u_root, e4u_root, "/r2", "/s1"), -EEXIST);
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0); /* frees what the failed ops allocated */
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &sf2), 0);
	HT_CHECK(sf1.ffree == sf2.ffree && sf1.bfree == sf2.bfree);
	HT_CHECK_EQ(vfs_symlink(e4u_root, e4u_root, E4T_LLONG E4T_LLONG, "/s2"), 0);
	HT_CHECK_EQ(vfs_lookup(e4u_root, e4u_root, "/r2", 0, &vn), 0);
	uint64_t mtime = vn->mtime_ns;
	HT_CHECK_EQ(vfs_setattr(vn, &sa), 0);
	vnode_put(vn);
	usleep(2000);
	HT_CHECK_EQ(write_content("/r2", "r1", 0, 5000, 0), 5000);
	HT_CHECK_EQ(e4u_stat("/r2", &st2), 0);
	HT_CHECK(st2.mtime_ns > mtime && st2.ctime_ns >= st2.mtime_ns);
	HT_CHECK_EQ(write_content("/app", "app", 0, 1000, VFS_O_APPEND), 1000);
	HT_CHECK_EQ(write_content("/app", "app", 1000, 3000, VFS_O_APPEND), 3000);
	/* a short read fills the read-ahead window; a write must not leave it stale */
	uint8_t small[10];
	HT_CHECK_EQ(e4u_read("/app", small, 10, 0), 10);
	HT_CHECK_EQ(e4u_write("/app", "QQQQ", 4, 2, 0), 4);
	HT_CHECK_EQ(e4u_read("/app", small, 10, 0), 10);
	HT_CHECK(!memcmp(small + 2, "QQQQ", 4));
	HT_CHECK_EQ(write_content("/app", "app", 2, 4, 0), 4);
}

static void check_names(void)
{
	struct vfs_stat st, st2;

	HT_CHECK(file_is("/r2", "r1", 5000));
	HT_CHECK(file_is("/d1/r2link", "r1", 5000));
	HT_CHECK_EQ(e4u_stat("/r2", &st), 0);
	HT_CHECK(st.nlink == 2 && st.mode == (VFS_S_IFREG | 0600) && st.uid == 1000 &&
		 st.gid == 100);
	HT_CHECK(file_is("/w/sub/inner", "inner", 10));
	HT_CHECK_EQ(e4u_stat("/w/sub/..", &st), 0);
	HT_CHECK_EQ(e4u_stat("/w", &st2), 0);
	HT_CHECK(st.ino == st2.ino && st2.nlink == 4); /* ".", "..", w and sub */
	HT_CHECK_EQ(e4u_stat("/d1", &st), 0);
	HT_CHECK_EQ(st.nlink, 2);
	HT_CHECK(file_is("/d1/moved", "/many/file-0002", 102));
	HT_CHECK_EQ(e4u_stat("/e1", &st), -ENOENT);
	HT_CHECK_EQ(e4u_stat("/e2", &st), 0);
	HT_CHECK(readlink_is("/s1", "r2"));
	HT_CHECK(readlink_is("/s2", E4T_LLONG E4T_LLONG));
	HT_CHECK(file_is("/app", "app", 4000));
}

/* An unlinked file lives while open; its blocks come back after the close. */
static void wl_ghost(void)
{
	struct vfs_statfs before, after;
	struct file *f;
	struct uio u;
	uint8_t *buf = xbuf(1 << 20);

	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &before), 0);
	HT_CHECK_EQ(vfs_open(e4u_root, e4u_root, "/ghost", VFS_O_RDWR | VFS_O_CREAT, 0644, &f), 0);
	fill(buf, "ghost", 0, 1 << 20);
	uio_init_kernel(&u, buf, 1 << 20, 0);
	HT_CHECK_EQ(vfs_pwrite(f, &u), 1 << 20);
	HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, "/ghost"), 0);
	memset(buf, 0, 1 << 20);
	uio_init_kernel(&u, buf, 1 << 20, 0);
	HT_CHECK_EQ(vfs_pread(f, &u), 1 << 20);
	HT_CHECK_EQ(buf[12345], e4t_byte(e4t_seed("ghost"), 12345));
	file_put(f);
	free(buf);
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &after), 0);
	HT_CHECK_EQ(after.bfree, before.bfree);
	HT_CHECK_EQ(after.ffree, before.ffree);
}

static void workload(const char *fixture, uint32_t bs)
{
	char img[4096];
	struct vfs_statfs sf;

	e4u_scratch(img, fixture, "wl");
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	wl_deep_and_many();
	wl_large();
	wl_frag(bs);
	wl_sparse();
	wl_names();
	wl_ghost();
	check_many();
	check_large();
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &sf), 0);
	HT_CHECK(sf.magic == 0xEF53 && !sf.readonly && sf.bsize == bs);
	e4u_umount();
	HT_CHECK_EQ(e4u_system("e2fsck -fn '%s' >/dev/null 2>&1", img), 0);
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	check_many();
	check_large();
	check_frag_files(bs);
	check_sp();
	check_names();
	e4u_umount();
	check_fsck(img);
}

HT_TEST(write_4k)
{
	workload("ext4-empty-4k.img", 4096);
}

HT_TEST(write_1k)
{
	workload("ext4-empty-1k.img", 1024);
}

HT_TEST(write_gdtcsum_1k)
{
	workload("ext4-gdtcsum-1k.img", 1024);
}

HT_TEST(write_32bit_4k)
{
	workload("ext4-32bit-4k.img", 4096);
}

/* Change the populated image: the htree directory gets entries added (its
 * index is dropped) and removed; files are rewritten and cut. */
static void modify_populated(const char *fixture)
{
	char img[4096], name[32], path[64];

	e4u_scratch(img, fixture, "mod");
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	for (unsigned i = 0; i < E4T_BIG; i += 2) {
		e4t_bigname(name, i);
		snprintf(path, sizeof(path), "/bigdir/%s", name);
		HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, path), 0);
	}
	for (unsigned i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/bigdir/new-%u", i);
		HT_CHECK_EQ(write_content(path, path, 0, i, 0), i);
	}
	HT_CHECK_EQ(vfs_rename(e4u_root, e4u_root, "/big", "/bigdir/big"), 0);
	HT_CHECK_EQ(write_content("/f4097", "f4097", 4097, 100000, 0), 100000);
	HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, "/sparse"), 0);
	HT_CHECK_EQ(vfs_rmdir(e4u_root, e4u_root, "/emptydir"), 0);
	HT_CHECK(file_is("/xattr0", "xattr0", 100));
	HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, "/xattr0"), 0); /* frees its xattr block */
	HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, "/xattr1"), 0);
	e4u_umount();
	HT_CHECK_EQ(e4u_system("e2fsck -fn '%s' >/dev/null 2>&1", img), 0);
	HT_CHECK_EQ(e4u_mount_file(img, "ro"), 0);
	if (!e4u_root)
		return;
	HT_CHECK_EQ(e4u_list("/bigdir", NULL, NULL), E4T_BIG / 2 + 300 + 1 + 2);
	HT_CHECK(file_is("/bigdir/big", "big", 3158073));
	HT_CHECK(file_is("/f4097", "f4097", 104097));
	HT_CHECK(file_is("/bigdir/new-299", "/bigdir/new-299", 299));
	e4t_bigname(name, 1);
	snprintf(path, sizeof(path), "/bigdir/%s", name);
	HT_CHECK(file_is(path, name, 13));
	e4u_umount();
	check_fsck(img);
}

HT_TEST(modify_htree_4k)
{
	modify_populated("ext4-tree-4k.img");
}

HT_TEST(modify_htree_1k)
{
	modify_populated("ext4-tree-1k.img");
}

/* More inodes than the first group has: the next group's inode bitmap and
 * table are taken into use (INODE_UNINIT); then they are all freed again. */
HT_TEST(inodes_across_groups)
{
	char img[4096], path[64];
	struct vfs_stat st;

	e4u_scratch(img, "ext4-empty-1k.img", "ig");
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	uint32_t ipg = ((struct ext4_fs *)e4u_mnt.priv)->ipg;
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/g", 0755), 0);
	for (uint32_t i = 0; i < ipg + 100; i++) {
		snprintf(path, sizeof(path), "/g/%u", i);
		HT_CHECK_EQ(e4u_write(path, "", 0, 0, 0), 0);
	}
	snprintf(path, sizeof(path), "/g/%u", ipg + 99);
	HT_CHECK_EQ(e4u_stat(path, &st), 0);
	HT_CHECK(st.ino > ipg);
	e4u_umount();
	HT_CHECK_EQ(e4u_system("e2fsck -fn '%s' >/dev/null 2>&1", img), 0);
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	for (uint32_t i = 0; i < ipg + 100; i += 2) {
		snprintf(path, sizeof(path), "/g/%u", i);
		HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, path), 0);
	}
	e4u_umount();
	check_fsck(img);
}

/* ---- release from another thread ---- */

#define RQ_SIZE 64
static struct vnode *rq[RQ_SIZE];
static unsigned rq_head, rq_tail; /* rq_lock */
static bool rq_done;		  /* rq_lock */
static pthread_mutex_t rq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rq_cond = PTHREAD_COND_INITIALIZER;

static void rq_push(struct vnode *vn)
{
	pthread_mutex_lock(&rq_lock);
	while (rq_head - rq_tail == RQ_SIZE)
		pthread_cond_wait(&rq_cond, &rq_lock);
	rq[rq_head++ % RQ_SIZE] = vn;
	pthread_cond_broadcast(&rq_cond);
	pthread_mutex_unlock(&rq_lock);
}

/* Drop every pushed reference, so releases race with the ops of the main thread. */
void host_set_cpu(unsigned id);

static void *rq_drain(void *arg)
{
	host_set_cpu(1); /* the host HAL's spinlocks check the owner by CPU */
	pthread_mutex_lock(&rq_lock);
	for (;;) {
		while (rq_head == rq_tail && !rq_done)
			pthread_cond_wait(&rq_cond, &rq_lock);
		if (rq_head == rq_tail)
			break;
		struct vnode *vn = rq[rq_tail++ % RQ_SIZE];
		pthread_cond_broadcast(&rq_cond);
		pthread_mutex_unlock(&rq_lock);
		vnode_put(vn);
		pthread_mutex_lock(&rq_lock);
	}
	pthread_mutex_unlock(&rq_lock);
	return arg;
}

HT_TEST(release_from_other_thread)
{
	char img[4096], path[64];
	struct vfs_statfs before, after;
	pthread_t t;

	e4u_scratch(img, "ext4-empty-4k.img", "rel");
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/c", 0755), 0);
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &before), 0);
	rq_head = rq_tail = 0;
	rq_done = false;
	pthread_create(&t, NULL, rq_drain, NULL);
	for (int i = 0; i < 2000; i++) {
		struct vnode *vn;
		snprintf(path, sizeof(path), "/c/n%d", i);
		HT_CHECK_EQ(write_content(path, path, 0, 5000, 0), 5000);
		HT_CHECK_EQ(vfs_lookup(e4u_root, e4u_root, path, 0, &vn), 0);
		rq_push(vn);
		vfs_dcache_flush(); /* the queued reference may now be the last */
		if (i % 2)
			HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, path), 0);
		if (i % 3 == 0 && i)
			HT_CHECK_EQ(e4u_stat(path, &(struct vfs_stat){0}), i % 2 ? -ENOENT : 0);
	}
	pthread_mutex_lock(&rq_lock);
	rq_done = true;
	pthread_cond_broadcast(&rq_cond);
	pthread_mutex_unlock(&rq_lock);
	pthread_join(t, NULL);
	for (int i = 0; i < 2000; i += 2) {
		snprintf(path, sizeof(path), "/c/n%d", i);
		HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, path), 0);
	}
	HT_CHECK_EQ(vfs_rmdir(e4u_root, e4u_root, "/c"), 0);
	vfs_dcache_flush();
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &after), 0);
	HT_CHECK_EQ(after.ffree, before.ffree + 1);
	HT_CHECK(after.bfree > before.bfree); /* the files' blocks and /c's came back */
	e4u_umount();
	check_fsck(img);
}

/* ---- mount policy ---- */

HT_TEST(journal_needs_recovery_is_readonly)
{
	char img[4096];
	struct vfs_statfs sf;

	e4u_scratch(img, "ext4-empty-1k.img", "jr");
	HT_CHECK_EQ(e4u_system("debugfs -w -R 'feature needs_recovery' '%s' >/dev/null 2>&1", img),
		    0);
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	HT_CHECK_EQ(write_content("/x", "x", 0, 10, 0), -EROFS);
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &sf), 0);
	HT_CHECK(sf.readonly);
	e4u_umount();
	HT_CHECK_EQ(e4u_dev.writes, 0);
	unlink(img);
}

HT_TEST(unknown_incompat_refused)
{
	char img[4096];

	e4u_scratch(img, "ext4-empty-1k.img", "inl");
	HT_CHECK_EQ(e4u_system("mkfs.ext4 -q -F -O inline_data '%s' 4M >/dev/null 2>&1", img), 0);
	HT_CHECK_EQ(e4u_mount_file(img, NULL), -EINVAL);
	unlink(img);
}

HT_TEST(bad_superblock_checksum_refused)
{
	char img[4096];

	e4u_scratch(img, "ext4-empty-1k.img", "sb");
	HT_CHECK_EQ(e4u_system("printf 'X' | dd of='%s' bs=1 seek=%d conv=notrunc 2>/dev/null", img,
			       1024 + 0x78),
		    0); /* the volume name */
	HT_CHECK_EQ(e4u_mount_file(img, NULL), -EUCLEAN);
	HT_CHECK_EQ(e4u_dev.writes, 0);
	unlink(img);
}

HT_MAIN(HT_CASE(read_4k), HT_CASE(read_1k), HT_CASE(read_tea_hash), HT_CASE(write_4k),
	HT_CASE(write_1k), HT_CASE(write_gdtcsum_1k), HT_CASE(write_32bit_4k),
	HT_CASE(modify_htree_4k), HT_CASE(modify_htree_1k), HT_CASE(inodes_across_groups), HT_CASE(release_from_other_thread),
	HT_CASE(journal_needs_recovery_is_readonly), HT_CASE(unknown_incompat_refused),
	HT_CASE(bad_superblock_checksum_refused))
