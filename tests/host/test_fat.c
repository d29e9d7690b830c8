/*
 * FAT32 through the VFS on images made by mkfs.fat and filled by mtools
 * (tests/host/fat_fixture.sh): reading what mtools wrote (long, short,
 * mixed-case and UTF-8 names, multi-cluster files, nested and large
 * directories) on 512-byte and 4 KiB clusters; write workloads (create, write,
 * append, truncate, rename within and across directories and over files,
 * unlink of open files, large files, >1000 files in one directory, deep
 * trees) after which fsck.fat -n must find nothing and a remount must read the
 * same data; name rules; read-only mounts; a full disk.
 */
#include "ht.h"
#include "fat_util.h"
#include "fat_gen.h"
#include "../../kernel/fs/fat/fat_impl.h"
#include <fs/fat.h>
#include <core/pmm.h>
#include <hal/mmu.h>
#include <weft/errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <pthread.h>
#include <sched.h>

#define BIG  "build/host/fixtures/fat-big.img"
#define WORK "build/host/fat-work.img"

static const char root_names[] = "A long file name with spaces.txt\nMixedCase.Txt\nREADME\n"
				 "café ☕.txt\ndata.bin\ndir1\nempty\nhello.txt\nlower.txt\nmany\n";

static uint8_t data_byte(size_t i)
{
	return (uint8_t)((i * 7 + i / 251) & 255);
}

static void check_fixture_contents(bool root_list)
{
	static char buf[8192];
	char *d = big_buf(200001);

	if (root_list) {
		HT_CHECK_EQ(fatt_list("/mnt", buf, sizeof(buf)), 10);
		HT_CHECK(!strcmp(buf, root_names));
	}
	HT_CHECK_EQ(fatt_get("/mnt/hello.txt", buf, sizeof(buf)), 11);
	HT_CHECK(!memcmp(buf, "hello, fat\n", 11));
	HT_CHECK_EQ(fatt_get("/mnt/A long file name with spaces.txt", buf, sizeof(buf)), 10);
	HT_CHECK_EQ(fatt_get("/mnt/café ☕.txt", buf, sizeof(buf)), 8);
	HT_CHECK(!memcmp(buf, "unicode\n", 8));
	HT_CHECK_EQ(fatt_get("/mnt/empty", buf, sizeof(buf)), 0);
	HT_CHECK_EQ(fatt_get("/mnt/dir1/sub dir/deep/file.txt", buf, sizeof(buf)), 5);
	HT_CHECK_EQ(fatt_get("/mnt/data.bin", d, 200001), 200000);
	size_t bad = 0;
	for (size_t i = 0; i < 200000; i++)
		bad += (uint8_t)d[i] != data_byte(i);
	HT_CHECK_EQ(bad, 0);
	/* Names match without case, and short names find their files. */
	HT_CHECK_EQ(fatt_get("/mnt/HELLO.TXT", buf, sizeof(buf)), 11);
	HT_CHECK_EQ(fatt_get("/mnt/mixedcase.txt", buf, sizeof(buf)), 6);
	HT_CHECK_EQ(fatt_get("/mnt/ALONGF~1.TXT", buf, sizeof(buf)), 10);
	HT_CHECK_EQ(fatt_get("/mnt/nothere", buf, sizeof(buf)), -ENOENT);
	HT_CHECK_EQ(fatt_list("/mnt/many", NULL, 0), 300);
	for (int i = 0; i < 300; i += 37) {
		char p[64], want[32];
		snprintf(p, sizeof(p), "/mnt/many/f%03d.txt", i);
		snprintf(want, sizeof(want), "f%03d.txt", i);
		HT_CHECK_EQ(fatt_get(p, buf, sizeof(buf)), 8);
		HT_CHECK(!memcmp(buf, want, 8));
	}
	struct vfs_stat st;
	HT_CHECK_EQ(stat_path("/mnt/data.bin", &st), 0);
	HT_CHECK_EQ(st.size, 200000);
	HT_CHECK_EQ(st.mode, VFS_S_IFREG | 0755);
	HT_CHECK(st.mtime_ns > 1700000000ull * 1000000000ull);
	HT_CHECK_EQ(stat_path("/mnt/dir1", &st), 0);
	HT_CHECK_EQ(st.mode, VFS_S_IFDIR | 0755);
	HT_CHECK_EQ(st.nlink, 3); /* ".", its entry, "sub dir/.." */
	free(d);
}

static void read_fixture(const char *img)
{
	struct vfs_statfs sf;

	HT_CHECK_EQ(fatt_copy(img, WORK), 0);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	check_fixture_contents(true);
	HT_CHECK_EQ(fatt_mount()->fstype->statfs(fatt_mount(), &sf), 0);
	HT_CHECK_EQ(sf.magic, 0x4d44);
	HT_CHECK(sf.bfree > 0 && sf.bfree < sf.blocks);
	HT_CHECK_EQ(fatt_umount(), 0);
	HT_CHECK_EQ(fatt_disk.writes, 0); /* reading writes nothing */
	check_fsck(WORK);
}

HT_TEST(read_small)
{
	read_fixture(SMALL);
}

HT_TEST(read_big)
{
	read_fixture(BIG);
}

HT_TEST(names)
{
	struct file *f;
	char buf[512];

	HT_CHECK_EQ(fatt_copy(SMALL, WORK), 0);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	static const char *bad[] = {"a:b",	   "a*b",     "q?",	 "x<y", "x>y",	  "p|q",
				    "back\\slash", "quo\"te", "ctl\001", "...", "bad\xff"};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "/mnt/%s", bad[i]);
		HT_CHECK_EQ(fatt_open(buf, VFS_O_CREAT | VFS_O_WRONLY, &f), -EINVAL);
	}
	/* Short names keep their case through NTRes, long ones get ~N names. */
	static const char *good[] = {"UPPER.TXT",
				     "lower2.txt",
				     "Mixed.txt",
				     "a",
				     "x.y.z",
				     ".hidden",
				     "with space",
				     "plus+semi;.txt",
				     "日本語のファイル名.テキスト",
				     "emoji 😀.txt",
				     "LONGFILENAME1.TXT",
				     "longfilename2.txt"};
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(buf, sizeof(buf), "/mnt/n/%s", good[i]);
		if (i == 0)
			HT_CHECK_EQ(vfs_mkdir(fatt_root(), fatt_root(), "/mnt/n", 0755), 0);
		HT_CHECK_EQ(fatt_put(buf, good[i], strlen(good[i])), (long)strlen(good[i]));
	}
	HT_CHECK_EQ(fatt_put("/mnt/n/upper.txt", "x", 1), 1); /* the same file, another case */
	struct vnode *dir, *vn;
	HT_CHECK_EQ(vfs_lookup(fatt_root(), fatt_root(), "/mnt/n", 0, &dir), 0);
	HT_CHECK_EQ(dir->ops->create(dir, "Upper.Txt", 0644, &vn), -EEXIST);
	HT_CHECK_EQ(dir->ops->create(dir, "LONGFI~1.TXT", 0644, &vn), -EEXIST);
	HT_CHECK_EQ(dir->ops->mkdir(dir, "mixed.TXT", 0755, &vn), -EEXIST);
	vnode_put(dir);
	HT_CHECK_EQ(fatt_put("/mnt/n/trailing.", "t", 1), 1); /* stored as "trailing" */
	static char list[2048];
	HT_CHECK_EQ(fatt_list("/mnt/n", list, sizeof(list)), 13);
	HT_CHECK(!strcmp(list,
			 ".hidden\nLONGFILENAME1.TXT\nMixed.txt\nUPPER.TXT\na\nemoji 😀.txt\n"
			 "longfilename2.txt\nlower2.txt\nplus+semi;.txt\ntrailing\nwith space\n"
			 "x.y.z\n日本語のファイル名.テキスト\n"));
	HT_CHECK_EQ(fatt_get("/mnt/n/LONGFI~1.TXT", buf, sizeof(buf)), 17);
	HT_CHECK(!memcmp(buf, "LONGFILENAME1.TXT", 17));
	HT_CHECK_EQ(fatt_get("/mnt/n/LONGFI~2.TXT", buf, sizeof(buf)), 17);
	HT_CHECK_EQ(fatt_get("/mnt/n/upper.TXT", buf, sizeof(buf)), 1);
	char longname[300];
	memset(longname, 'n', sizeof(longname));
	memcpy(longname, "/mnt/n/", 7);
	longname[7 + 255] = 0;
	HT_CHECK_EQ(fatt_put(longname, "L", 1), 1);
	HT_CHECK_EQ(fatt_umount(), 0);
	check_fsck(WORK);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	HT_CHECK_EQ(fatt_list("/mnt/n", list, sizeof(list)), 14);
	HT_CHECK_EQ(fatt_get("/mnt/n/emoji 😀.txt", buf, sizeof(buf)), 14);
	HT_CHECK_EQ(fatt_get(longname, buf, sizeof(buf)), 1);
	HT_CHECK_EQ(fatt_umount(), 0);
	/* mtools agrees on the names we wrote. */
	HT_CHECK_EQ(
	    system("MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8 mtype -i " WORK
		   " '::/n/日本語のファイル名.テキスト' | grep -q '^日本語のファイル名.テキスト$'"),
	    0);
	HT_CHECK_EQ(system("MTOOLS_SKIP_CHECK=1 mdir -i " WORK " ::/n | grep -qi 'lower2 *txt'"),
		    0);
}

/* ---- write workloads ---- */

struct shadow {
	char path[1024];
	unsigned seed;
	size_t size;
};
static struct shadow files[64];
static unsigned nfiles;

static void keep(const char *path, unsigned seed, size_t size)
{
	struct shadow *f = &files[nfiles++];
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->seed = seed;
	f->size = size;
}

static void check_kept(void)
{
	for (unsigned i = 0; i < nfiles; i++)
		HT_CHECK(check_gen(files[i].path, files[i].seed, files[i].size));
}

static void sizes_and_appends(void)
{
	static const size_t sizes[] = {0, 1, 511, 512, 513, 4095, 4096, 4097, 65536, 100001};
	char p[128];
	struct file *f;

	HT_CHECK_EQ(mkd("/mnt/w"), 0);
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(p, sizeof(p), "/mnt/w/size %zu.bin", sizes[i]);
		HT_CHECK_EQ(put_gen(p, i + 1, sizes[i]), (long)sizes[i]);
		keep(p, i + 1, sizes[i]);
	}
	HT_CHECK_EQ(put_gen("/mnt/w/large.bin", 99, 3 << 20), 3 << 20);
	keep("/mnt/w/large.bin", 99, 3 << 20);
	/* Appends in odd pieces. */
	HT_CHECK_EQ(fatt_open("/mnt/w/log", VFS_O_CREAT | VFS_O_WRONLY | VFS_O_APPEND, &f), 0);
	char *b = big_buf(20000);
	for (size_t i = 0; i < 20000; i++)
		b[i] = (char)gen(7, i);
	for (size_t done = 0, step = 1; done < 20000; done += step, step = step * 3 % 1999 + 1) {
		size_t n = done + step > 20000 ? 20000 - done : step;
		HT_CHECK_EQ(fatt_write(f, b + done, n), (long)n);
	}
	file_put(f);
	free(b);
	keep("/mnt/w/log", 7, 20000);
	check_kept();
}

static void truncate_and_holes(void)
{
	struct file *f;
	struct vnode *vn;
	char b[16384];
	struct uio u;

	HT_CHECK_EQ(put_gen("/mnt/w/t", 5, 1000), 1000);
	HT_CHECK_EQ(vfs_lookup(fatt_root(), fatt_root(), "/mnt/w/t", 0, &vn), 0);
	HT_CHECK_EQ(vfs_truncate(vn, 50000), 0);
	HT_CHECK_EQ(vfs_read_kernel(vn, 0, b, sizeof(b)), (long)sizeof(b));
	bool ok = true;
	for (size_t i = 0; i < sizeof(b); i++)
		ok &= (uint8_t)b[i] == (i < 1000 ? gen(5, i) : 0);
	HT_CHECK(ok);
	HT_CHECK_EQ(vfs_truncate(vn, 10), 0);
	HT_CHECK_EQ(vfs_truncate(vn, 0), 0);
	HT_CHECK_EQ(vfs_truncate(vn, 3000), 0); /* old bytes must not come back */
	HT_CHECK_EQ(vfs_read_kernel(vn, 0, b, 3000), 3000);
	ok = true;
	for (size_t i = 0; i < 3000; i++)
		ok &= b[i] == 0;
	HT_CHECK(ok);
	vnode_put(vn);
	/* A write past the end fills the gap with zeros. */
	HT_CHECK_EQ(put_gen("/mnt/w/gap", 6, 100), 100);
	HT_CHECK_EQ(fatt_open("/mnt/w/gap", VFS_O_WRONLY, &f), 0);
	uio_init_kernel(&u, "END", 3, 10000);
	HT_CHECK_EQ(vfs_pwrite(f, &u), 3);
	file_put(f);
	HT_CHECK_EQ(fatt_get("/mnt/w/gap", b, sizeof(b)), 10003);
	ok = !memcmp(b + 10000, "END", 3);
	for (size_t i = 100; i < 10000; i++)
		ok &= b[i] == 0;
	HT_CHECK(ok);
	/* getpage copies file bytes, zeros past the end. */
	paddr_t pa;
	HT_CHECK_EQ(vfs_lookup(fatt_root(), fatt_root(), "/mnt/w/gap", 0, &vn), 0);
	HT_CHECK_EQ(vfs_getpage(vn, 8192, false, &pa), 0);
	uint8_t *pg = hal_pa_to_kva(pa);
	HT_CHECK(!memcmp(pg + 10000 - 8192, "END", 3) && pg[4095] == 0 && pg[0] == 0);
	pmm_unref(pa);
	HT_CHECK_EQ(vfs_getpage(vn, 16384, false, &pa), -ENXIO);
	vnode_put(vn);
}

static void renames(void)
{
	struct file *f;
	char b[64];

	HT_CHECK_EQ(mkd("/mnt/r"), 0);
	HT_CHECK_EQ(mkd("/mnt/r/a"), 0);
	HT_CHECK_EQ(mkd("/mnt/r/b"), 0);
	HT_CHECK_EQ(put_gen("/mnt/r/a/one", 11, 3000), 3000);
	HT_CHECK_EQ(
	    vfs_rename(fatt_root(), fatt_root(), "/mnt/r/a/one", "/mnt/r/a/One Renamed.txt"), 0);
	HT_CHECK_EQ(
	    vfs_rename(fatt_root(), fatt_root(), "/mnt/r/a/One Renamed.txt", "/mnt/r/b/two"), 0);
	HT_CHECK_EQ(fatt_get("/mnt/r/a/one", b, sizeof(b)), -ENOENT);
	HT_CHECK(check_gen("/mnt/r/b/two", 11, 3000));
	/* Over an existing file: its data goes, its clusters are freed. */
	HT_CHECK_EQ(put_gen("/mnt/r/b/victim", 12, 70000), 70000);
	uint64_t before = bfree();
	HT_CHECK_EQ(vfs_rename(fatt_root(), fatt_root(), "/mnt/r/b/two", "/mnt/r/b/victim"), 0);
	HT_CHECK(bfree() > before);
	HT_CHECK(check_gen("/mnt/r/b/victim", 11, 3000));
	HT_CHECK_EQ(fatt_get("/mnt/r/b/two", b, sizeof(b)), -ENOENT);
	/* Case-only rename keeps the file. */
	HT_CHECK_EQ(vfs_rename(fatt_root(), fatt_root(), "/mnt/r/b/victim", "/mnt/r/b/VICTIM"), 0);
	static char list[256];
	HT_CHECK_EQ(fatt_list("/mnt/r/b", list, sizeof(list)), 1);
	HT_CHECK(!strcmp(list, "VICTIM\n"));
	/* A directory moves with an open file in it. */
	HT_CHECK_EQ(mkd("/mnt/r/a/sub"), 0);
	HT_CHECK_EQ(put_gen("/mnt/r/a/sub/f", 13, 5000), 5000);
	HT_CHECK_EQ(fatt_open("/mnt/r/a/sub/f", VFS_O_RDWR, &f), 0);
	HT_CHECK_EQ(vfs_rename(fatt_root(), fatt_root(), "/mnt/r/a/sub", "/mnt/r/b/moved"), 0);
	HT_CHECK_EQ(vfs_rename(fatt_root(), fatt_root(), "/mnt/r/b", "/mnt/r/b/moved/x"), -EINVAL);
	HT_CHECK_EQ(fatt_write(f, "HEAD", 4), 4);
	file_put(f);
	HT_CHECK_EQ(fatt_get("/mnt/r/b/moved/f", b, sizeof(b)), 64);
	HT_CHECK(!memcmp(b, "HEAD", 4));
	HT_CHECK_EQ(fatt_list("/mnt/r/b/moved/..", list, sizeof(list)),
		    2); /* ".." after the move */
	HT_CHECK(!strcmp(list, "VICTIM\nmoved\n"));
	/* Type rules. */
	HT_CHECK_EQ(vfs_rename(fatt_root(), fatt_root(), "/mnt/r/b/VICTIM", "/mnt/r/b/moved"),
		    -EISDIR);
	HT_CHECK_EQ(vfs_rename(fatt_root(), fatt_root(), "/mnt/r/a", "/mnt/r/b/VICTIM"), -ENOTDIR);
	HT_CHECK_EQ(vfs_rename(fatt_root(), fatt_root(), "/mnt/r/a", "/mnt/r/b"), -ENOTEMPTY);
	HT_CHECK_EQ(vfs_rmdir(fatt_root(), fatt_root(), "/mnt/r/b"), -ENOTEMPTY);
	HT_CHECK_EQ(vfs_rmdir(fatt_root(), fatt_root(), "/mnt/r/b/VICTIM"), -ENOTDIR);
	HT_CHECK_EQ(vfs_unlink(fatt_root(), fatt_root(), "/mnt/r/a"), -EISDIR);
	HT_CHECK_EQ(vfs_rename(fatt_root(), fatt_root(), "/mnt/r/a", "/mnt/r/b/moved/a2"), 0);
	keep("/mnt/r/b/VICTIM", 11, 3000);
}

static void unlink_open(void)
{
	struct file *f;
	char b[100];

	uint64_t before = bfree();
	HT_CHECK_EQ(put_gen("/mnt/w/doomed", 21, 40000), 40000);
	HT_CHECK_EQ(fatt_open("/mnt/w/doomed", VFS_O_RDWR, &f), 0);
	HT_CHECK_EQ(vfs_unlink(fatt_root(), fatt_root(), "/mnt/w/doomed"), 0);
	HT_CHECK_EQ(fatt_get("/mnt/w/doomed", b, sizeof(b)), -ENOENT);
	HT_CHECK_EQ(fatt_read(f, b, sizeof(b)), 100);
	HT_CHECK_EQ((uint8_t)b[99], gen(21, 99));
	HT_CHECK_EQ(fatt_write(f, "more", 4), 4);
	HT_CHECK(bfree() < before);
	HT_CHECK_EQ(put_gen("/mnt/w/doomed", 22, 10), 10); /* a new file of that name */
	file_put(f);
	HT_CHECK_EQ(vfs_unlink(fatt_root(), fatt_root(), "/mnt/w/doomed"), 0);
	HT_CHECK_EQ(bfree(), before);
}

static void many_files(const char *dir, unsigned n)
{
	char p[160];

	HT_CHECK_EQ(mkd(dir), 0);
	for (unsigned i = 0; i < n; i++) {
		if (i % 3)
			snprintf(p, sizeof(p), "%s/file number %04u with a long name.txt", dir, i);
		else
			snprintf(p, sizeof(p), "%s/F%05u.DAT", dir, i);
		HT_CHECK_EQ(fatt_put(p, p, strlen(p)), (long)strlen(p));
	}
	HT_CHECK_EQ(fatt_list(dir, NULL, 0), n);
	for (unsigned i = 0; i < n; i += 2) { /* free every other one, then refill */
		if (i % 3)
			snprintf(p, sizeof(p), "%s/file number %04u with a long name.txt", dir, i);
		else
			snprintf(p, sizeof(p), "%s/F%05u.DAT", dir, i);
		HT_CHECK_EQ(vfs_unlink(fatt_root(), fatt_root(), p), 0);
	}
	for (unsigned i = 0; i < n; i += 2) {
		snprintf(p, sizeof(p), "%s/again %u", dir, i);
		HT_CHECK_EQ(fatt_put(p, p, strlen(p)), (long)strlen(p));
	}
	HT_CHECK_EQ(fatt_list(dir, NULL, 0), n);
	char b[160];
	snprintf(p, sizeof(p), "%s/file number %04u with a long name.txt", dir, n - 1);
	HT_CHECK_EQ(fatt_get(p, b, sizeof(b)), (long)strlen(p));
	HT_CHECK(!memcmp(b, p, strlen(p)));
}

static void deep_tree(unsigned depth)
{
	char p[1024] = "/mnt/deep";

	HT_CHECK_EQ(mkd(p), 0);
	for (unsigned i = 0; i < depth; i++) {
		size_t l = strlen(p);
		snprintf(p + l, sizeof(p) - l, "/level %u", i);
		HT_CHECK_EQ(mkd(p), 0);
	}
	strcat(p, "/leaf");
	HT_CHECK_EQ(put_gen(p, 31, 777), 777);
	keep(p, 31, 777);
	HT_CHECK_EQ(mkd("/mnt/deep/gone"), 0);
	HT_CHECK_EQ(vfs_rmdir(fatt_root(), fatt_root(), "/mnt/deep/gone"), 0);
	HT_CHECK_EQ(mkd("/mnt/deep/gone"), 0); /* the name is free again */
}

static void attrs(void)
{
	struct vnode *vn;
	struct vfs_stat st;
	struct vfs_setattr a = {.mask = VFS_ATTR_MTIME | VFS_ATTR_MODE,
				.mode = 0444,
				.mtime_ns =
				    1614834368ull * 1000000000ull + 5}; /* 2021-03-04 05:06:08 */

	HT_CHECK_EQ(put_gen("/mnt/w/stamped", 41, 10), 10);
	HT_CHECK_EQ(vfs_lookup(fatt_root(), fatt_root(), "/mnt/w/stamped", 0, &vn), 0);
	HT_CHECK_EQ(vfs_stat(vn, &st), 0);
	HT_CHECK(st.mtime_ns / 1000000000ull + 5 >= (uint64_t)time(NULL));
	HT_CHECK_EQ(vfs_setattr(vn, &a), 0);
	HT_CHECK_EQ(vfs_stat(vn, &st), 0);
	HT_CHECK_EQ(st.mtime_ns, 1614834368ull * 1000000000ull);
	HT_CHECK_EQ(st.mode, VFS_S_IFREG | 0555);
	a.mask = VFS_ATTR_UID;
	a.uid = 1000;
	HT_CHECK_EQ(vfs_setattr(vn, &a), -EPERM);
	vnode_put(vn);
	HT_CHECK_EQ(vfs_symlink(fatt_root(), fatt_root(), "x", "/mnt/w/link"), -EPERM);
	HT_CHECK_EQ(vfs_link(fatt_root(), fatt_root(), "/mnt/w/stamped", "/mnt/w/hard"), -EPERM);
}

static void workload(const char *img, unsigned nmany, unsigned depth)
{
	nfiles = 0;
	HT_CHECK_EQ(fatt_copy(img, WORK), 0);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	sizes_and_appends();
	truncate_and_holes();
	renames();
	unlink_open();
	many_files("/mnt/many files", nmany);
	deep_tree(depth);
	attrs();
	uint64_t free_before = bfree();
	HT_CHECK_EQ(fatt_umount(), 0);
	check_fsck(WORK);
	HT_CHECK_EQ(
	    system("MTOOLS_SKIP_CHECK=1 mdir -i " WORK " ::/w | grep -q '2021-03-04   5:06'"), 0);
	/* Everything reads back after a remount; the fixture files too. */
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	HT_CHECK_EQ(bfree(), free_before);
	check_kept();
	check_fixture_contents(false);
	HT_CHECK_EQ(fatt_list("/mnt/many files", NULL, 0), nmany);
	HT_CHECK_EQ(fatt_umount(), 0);
	check_fsck(WORK);
}

HT_TEST(workload_small)
{
	workload(SMALL, 1100, 40);
}

HT_TEST(workload_big)
{
	workload(BIG, 300, 10);
}

/* ---- special cases ---- */

static uint8_t disk_byte(const char *img, long off)
{
	FILE *fp = fopen(img, "rb");
	int c = EOF;
	if (fp && !fseek(fp, off, SEEK_SET))
		c = fgetc(fp);
	if (fp)
		fclose(fp);
	return (uint8_t)c;
}

HT_TEST(dirty_flag_and_inos)
{
	struct vnode *vn, *vn2;
	struct vfs_stat st;
	char buf[64];

	HT_CHECK_EQ(fatt_copy(SMALL, WORK), 0);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	HT_CHECK_EQ(disk_byte(WORK, 0x41) & 1, 0);
	HT_CHECK_EQ(fatt_put("/mnt/x", "x", 1), 1);
	HT_CHECK_EQ(disk_byte(WORK, 0x41) & 1, 1); /* set before anything changes on disk */
	HT_CHECK_EQ(fatt_mount()->fstype->sync(fatt_mount()), 0);
	HT_CHECK_EQ(disk_byte(WORK, 0x41) & 1, 0); /* clean once synced */
	check_fsck(WORK);
	/* An ino stays with its file across a rename; readdir reports it. */
	HT_CHECK_EQ(vfs_lookup(fatt_root(), fatt_root(), "/mnt/x", 0, &vn), 0);
	uint64_t ino = vn->ino;
	HT_CHECK_EQ(vfs_rename(fatt_root(), fatt_root(), "/mnt/x", "/mnt/dir1/y"), 0);
	HT_CHECK_EQ(fatt_put("/mnt/x", "new", 3), 3);
	HT_CHECK_EQ(vfs_lookup(fatt_root(), fatt_root(), "/mnt/x", 0, &vn2), 0);
	HT_CHECK(vn2->ino != ino);
	HT_CHECK_EQ(vfs_stat(vn, &st), 0);
	HT_CHECK_EQ(st.ino, ino);
	HT_CHECK_EQ(st.size, 1);
	vnode_put(vn2);
	HT_CHECK_EQ(vfs_lookup(fatt_root(), fatt_root(), "/mnt/dir1/y", 0, &vn2), 0);
	HT_CHECK(vn2 == vn); /* the cached node followed its entry */
	vnode_put(vn2);
	vnode_put(vn);
	/* Limits. */
	struct file *f;
	struct uio u;
	HT_CHECK_EQ(fatt_open("/mnt/x", VFS_O_WRONLY, &f), 0);
	uio_init_kernel(&u, buf, 1, 1ull << 32);
	HT_CHECK_EQ(vfs_pwrite(f, &u), -EFBIG);
	file_put(f);
	HT_CHECK_EQ(fatt_umount(), 0);
	check_fsck(WORK);
}

HT_TEST(read_only)
{
	struct file *f;
	char buf[64];

	HT_CHECK_EQ(fatt_copy(SMALL, WORK), 0);
	HT_CHECK_EQ(fatt_mount_file(WORK, "ro"), 0);
	HT_CHECK_EQ(fatt_get("/mnt/hello.txt", buf, sizeof(buf)), 11);
	HT_CHECK_EQ(fatt_put("/mnt/new", "x", 1), -EROFS);
	HT_CHECK_EQ(fatt_open("/mnt/hello.txt", VFS_O_WRONLY, &f), 0);
	HT_CHECK_EQ(fatt_write(f, "x", 1), -EROFS);
	file_put(f);
	HT_CHECK_EQ(vfs_mkdir(fatt_root(), fatt_root(), "/mnt/d", 0755), -EROFS);
	HT_CHECK_EQ(vfs_unlink(fatt_root(), fatt_root(), "/mnt/hello.txt"), -EROFS);
	HT_CHECK_EQ(vfs_rename(fatt_root(), fatt_root(), "/mnt/hello.txt", "/mnt/h"), -EROFS);
	struct vfs_statfs sf;
	HT_CHECK_EQ(fatt_mount()->fstype->statfs(fatt_mount(), &sf), 0);
	HT_CHECK(sf.readonly);
	HT_CHECK_EQ(fatt_umount(), 0);
	HT_CHECK_EQ(fatt_disk.writes, 0);
}

HT_TEST(full_disk)
{
	struct file *f;
	char *b = big_buf(1 << 20);
	long total = 0, r;

	memset(b, 0x5a, 1 << 20);
	HT_CHECK_EQ(fatt_copy(SMALL, WORK), 0);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	HT_CHECK_EQ(fatt_open("/mnt/filler", VFS_O_CREAT | VFS_O_WRONLY, &f), 0);
	uint64_t free0 = bfree();
	while ((r = fatt_write(f, b, 1 << 20)) > 0)
		total += r;
	HT_CHECK_EQ(r, -ENOSPC);
	file_put(f);
	HT_CHECK_EQ(bfree(), 0);
	HT_CHECK_EQ((uint64_t)total, free0 * 512);
	HT_CHECK_EQ(fatt_put("/mnt/one more", "x", 1), -ENOSPC);
	HT_CHECK_EQ(vfs_mkdir(fatt_root(), fatt_root(), "/mnt/dir1/nospace", 0755), -ENOSPC);
	HT_CHECK_EQ(fatt_umount(), 0);
	check_fsck(WORK);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	HT_CHECK_EQ(bfree(), 0);
	HT_CHECK_EQ(vfs_unlink(fatt_root(), fatt_root(), "/mnt/filler"), 0);
	HT_CHECK_EQ(bfree(), free0);
	HT_CHECK_EQ(fatt_umount(), 0);
	check_fsck(WORK);
	free(b);
}

/* The last references go on another thread while ops run (the release op's
 * contract): unlinked files' clusters are freed by a later op, nothing is lost
 * or leaked, and the image stays clean. */
#define NREL 300

void host_set_cpu(unsigned id);

struct rel_arg {
	struct vnode *v[NREL];
};

static void *releaser(void *p)
{
	struct rel_arg *a = p;

	host_set_cpu(1); /* another CPU than the test's */
	for (int i = 0; i < NREL; i++) {
		vnode_put(a->v[i]);
		if (i % 7 == 0)
			sched_yield();
	}
	return NULL;
}

HT_TEST(release_concurrent)
{
	static struct rel_arg a;
	char p[64];

	HT_CHECK_EQ(fatt_copy(SMALL, WORK), 0);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	HT_CHECK_EQ(mkd("/mnt/c"), 0);
	uint64_t free0 = bfree();
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < NREL; i++) {
			snprintf(p, sizeof(p), "/mnt/c/file %d", i);
			HT_CHECK_EQ(put_gen(p, (unsigned)i, 1500), 1500);
			HT_CHECK_EQ(vfs_lookup(fatt_root(), fatt_root(), p, 0, &a.v[i]), 0);
		}
		for (int i = 0; i < NREL; i += 2) { /* open and unlinked */
			snprintf(p, sizeof(p), "/mnt/c/file %d", i);
			HT_CHECK_EQ(vfs_unlink(fatt_root(), fatt_root(), p), 0);
		}
		pthread_t th;
		pthread_create(&th, NULL, releaser, &a);
		for (int i = 0; i < NREL; i++) { /* ops meanwhile */
			snprintf(p, sizeof(p), "/mnt/c/other %d", i % 10);
			put_gen(p, (unsigned)i, (size_t)i * 13);
			if (i % 3 == 0)
				vfs_unlink(fatt_root(), fatt_root(), p);
		}
		pthread_join(th, NULL);
		for (int i = 1; i < NREL; i += 2) {
			snprintf(p, sizeof(p), "/mnt/c/file %d", i);
			HT_CHECK(check_gen(p, (unsigned)i, 1500));
			HT_CHECK_EQ(vfs_unlink(fatt_root(), fatt_root(), p), 0);
		}
		for (int i = 0; i < 10; i++) {
			snprintf(p, sizeof(p), "/mnt/c/other %d", i);
			vfs_unlink(fatt_root(), fatt_root(), p);
		}
	}
	HT_CHECK_EQ(fatt_mount()->fstype->sync(fatt_mount()), 0);
	struct vfs_stat st;
	HT_CHECK_EQ(stat_path("/mnt/c", &st), 0);
	HT_CHECK_EQ(bfree() + st.size / 512 - 1, free0); /* all freed; the directory grew */
	HT_CHECK_EQ(fatt_umount(), 0);
	check_fsck(WORK);
}

/* Unmounted with a file still open: it stays readable, changes are -EIO, and
 * the instance goes with its last file. */
HT_TEST(unmount_busy)
{
	struct file *f;
	char buf[16];

	HT_CHECK_EQ(fatt_copy(SMALL, WORK), 0);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	HT_CHECK_EQ(fatt_open("/mnt/dir1/sub dir/deep/file.txt", VFS_O_RDWR, &f), 0);
	HT_CHECK_EQ(fatt_read(f, buf, sizeof(buf)), 5);
	struct mount *m = fatt_mount();
	HT_CHECK_EQ(fatt_umount(), 0);
	HT_CHECK(m->priv != NULL); /* kept for the open file */
	struct uio u;
	uio_init_kernel(&u, buf, sizeof(buf), 0);
	HT_CHECK_EQ(vfs_pread(f, &u), 5); /* from the cache: the image is closed */
	HT_CHECK(!memcmp(buf, "deep\n", 5));
	HT_CHECK_EQ(fatt_write(f, "x", 1), -EIO);
	file_put(f);
	HT_CHECK(m->priv == NULL); /* gone with the last file */
	check_fsck(WORK);
}

HT_MAIN(HT_CASE(read_small), HT_CASE(read_big), HT_CASE(names), HT_CASE(workload_small),
	HT_CASE(workload_big), HT_CASE(dirty_flag_and_inos), HT_CASE(read_only), HT_CASE(full_disk),
	HT_CASE(release_concurrent), HT_CASE(unmount_busy))
