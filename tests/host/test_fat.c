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
#include <fs/fat.h>
#include <weft/errno.h>
#include <stdio.h>
#include <stdlib.h>

#define SMALL "build/host/fixtures/fat-small.img"
#define BIG   "build/host/fixtures/fat-big.img"
#define WORK  "build/host/fat-work.img"

static const char root_names[] = "A long file name with spaces.txt\nMixedCase.Txt\nREADME\n"
				 "café ☕.txt\ndata.bin\ndir1\nempty\nhello.txt\nlower.txt\nmany\n";

static uint8_t data_byte(size_t i)
{
	return (uint8_t)((i * 7 + i / 251) & 255);
}

static char *big_buf(size_t n)
{
	char *p = malloc(n);
	if (!p)
		abort();
	return p;
}

static void check_fsck(const char *img)
{
	const char *rep;
	int r = fatt_fsck(img, &rep);
	HT_CHECK_EQ(r, 0);
	if (r)
		fprintf(stderr, "%s", rep);
}

static int stat_path(const char *path, struct vfs_stat *st)
{
	struct vnode *vn;
	int r = vfs_lookup(fatt_root(), fatt_root(), path, 0, &vn);

	if (r)
		return r;
	r = vfs_stat(vn, st);
	vnode_put(vn);
	return r;
}

static void check_fixture_contents(void)
{
	static char buf[8192];
	char *d = big_buf(200001);

	HT_CHECK_EQ(fatt_list("/mnt", buf, sizeof(buf)), 10);
	HT_CHECK(!strcmp(buf, root_names));
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
	check_fixture_contents();
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
	static const char *bad[] = {"a:b", "a*b", "q?", "x<y", "x>y", "p|q", "back\\slash", "quo\"te",
				    "ctl\001", "...", "bad\xff"};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "/mnt/%s", bad[i]);
		HT_CHECK_EQ(fatt_open(buf, VFS_O_CREAT | VFS_O_WRONLY, &f), -EINVAL);
	}
	/* Short names keep their case through NTRes, long ones get ~N names. */
	static const char *good[] = {"UPPER.TXT", "lower2.txt", "Mixed.txt", "a", "x.y.z",
				     ".hidden", "with space", "plus+semi;.txt", "日本語のファイル名.テキスト",
				     "emoji 😀.txt", "LONGFILENAME1.TXT", "longfilename2.txt"};
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(buf, sizeof(buf), "/mnt/n/%s", good[i]);
		if (i == 0)
			HT_CHECK_EQ(vfs_mkdir(fatt_root(), fatt_root(), "/mnt/n", 0755), 0);
		HT_CHECK_EQ(fatt_put(buf, good[i], strlen(good[i])), (long)strlen(good[i]));
	}
	HT_CHECK_EQ(fatt_put("/mnt/n/upper.txt", "x", 1), 1); /* the same file, another case */
	HT_CHECK_EQ(fatt_put("/mnt/n/trailing.", "t", 1), 1); /* stored as "trailing" */
	static char list[2048];
	HT_CHECK_EQ(fatt_list("/mnt/n", list, sizeof(list)), 13);
	HT_CHECK(!strcmp(list, ".hidden\nLONGFILENAME1.TXT\nMixed.txt\nUPPER.TXT\na\nemoji 😀.txt\n"
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
	HT_CHECK_EQ(system("MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8 mtype -i " WORK
			   " '::/n/日本語のファイル名.テキスト' | grep -q '^日本語のファイル名.テキスト$'"),
		    0);
	HT_CHECK_EQ(system("MTOOLS_SKIP_CHECK=1 mdir -i " WORK " ::/n | grep -qi 'lower2 *txt'"), 0);
}

HT_MAIN(HT_CASE(read_small), HT_CASE(read_big), HT_CASE(names))
