/*
 * FAT32 images with corrupted metadata. The fixtures (made by mkfs.fat and
 * mtools, 512-byte and 4 KiB clusters) are mapped copy-on-write; each round
 * corrupts a few random bytes of the boot sector, FSInfo, FATs (the used part
 * of both copies) or directory clusters (found by a separate little parser
 * here), mounts the image,
 * walks everything (getdents of every directory, stat and read of every
 * file), then, if the instance still thinks the image is sound, makes a few
 * changes, and unmounts. Every round must end in a clean error or success,
 * never a sanitizer report, crash or hang (an alarm kills a hang), and an
 * instance that found the image inconsistent must not write to it after
 * that point (a walk that found it so: no write at all).
 */
#include "ht.h"
#include "fat_util.h"
#include <weft/errno.h>
#include <core/klog.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define SMALL  "build/host/fixtures/fat-small.img"
#define BIG    "build/host/fixtures/fat-big.img"
#define ROUNDS 1000

static uint8_t *pristine, *img;
static uint64_t img_size;

struct range {
	uint64_t off, len;
};
static struct range ranges[512];
static unsigned nranges;

static uint32_t le(const uint8_t *p, int n)
{
	uint32_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void add_range(uint64_t off, uint64_t len)
{
	if (nranges < sizeof(ranges) / sizeof(ranges[0]))
		ranges[nranges++] = (struct range){off, len};
}

/* An independent reading of the fixture: where its metadata is. */
struct geo {
	uint32_t bps, cs, nfats;
	uint64_t fat, fatbytes, data;
};

static uint32_t next_clu(const struct geo *g, uint32_t c)
{
	return le(pristine + g->fat + (uint64_t)c * 4, 4) & 0x0fffffff;
}

static void find_dirs(const struct geo *g, uint32_t start, int depth)
{
	for (uint32_t c = start, n = 0; c >= 2 && c < 0x0ffffff8 && n < 10000;
	     c = next_clu(g, c), n++) {
		uint64_t off = g->data + (uint64_t)(c - 2) * g->cs;
		add_range(off, g->cs);
		for (uint32_t o = 0; o < g->cs && depth < 8; o += 32) {
			const uint8_t *e = pristine + off + o;
			if (e[0] == 0)
				return;
			if (e[0] == 0xe5 || e[0] == '.' || (e[11] & 0x3f) == 0x0f ||
			    !(e[11] & 0x10))
				continue;
			find_dirs(g, le(e + 26, 2) | le(e + 20, 2) << 16, depth + 1);
		}
	}
}

static void find_metadata(void)
{
	const uint8_t *b = pristine;
	struct geo g = {.bps = le(b + 11, 2), .nfats = b[16]};
	g.cs = g.bps * b[13];
	g.fat = (uint64_t)le(b + 14, 2) * g.bps;
	g.fatbytes = (uint64_t)le(b + 36, 4) * g.bps;
	g.data = g.fat + g.nfats * g.fatbytes;
	add_range(0, 512);		       /* boot sector */
	add_range(le(b + 48, 2) * g.bps, 512); /* FSInfo */
	uint32_t used = 2;
	for (uint32_t c = 2; c < g.fatbytes / 4; c++)
		if (next_clu(&g, c))
			used = c + 1;
	for (uint32_t k = 0; k < g.nfats; k++)
		add_range(g.fat + k * g.fatbytes, (uint64_t)used * 4 + 64);
	find_dirs(&g, le(b + 44, 4), 0);
}

static uint64_t touched[16];
static unsigned ntouched;

static const uint8_t interesting[] = {0x00, 0xff, 0xe5, 0x0f, 0x10, 0x2e, 0x01, 0x80, 0x7f, 0x41};

/* Corrupt a few bytes; the first ranges (boot sector, FSInfo, FATs) are
 * picked as often as directory bytes. */
static void corrupt(void)
{
	unsigned k = 1 + (unsigned)rand() % 4;

	for (unsigned i = 0; i < k; i++) {
		unsigned fixed = 2 + 2; /* boot, FSInfo, two FATs */
		const struct range *r = rand() % 2
					    ? &ranges[(unsigned)rand() % fixed]
					    : &ranges[fixed + (unsigned)rand() % (nranges - fixed)];
		uint64_t off = r->off + (uint64_t)rand() % r->len;
		touched[ntouched++] = off;
		switch (rand() % 3) {
		case 0:
			img[off] = (uint8_t)rand();
			break;
		case 1:
			img[off] = interesting[(unsigned)rand() % sizeof(interesting)];
			break;
		default:
			img[off] ^= (uint8_t)(1 << rand() % 8);
		}
	}
}

static bool fs_readonly(void)
{
	struct vfs_statfs sf;
	fatt_mount()->fstype->statfs(fatt_mount(), &sf);
	return sf.readonly;
}

static unsigned walked;

static void walk(const char *path, int depth)
{
	static char dbuf[1024], data[65536];
	struct file *f;

	if (depth > 12 || fatt_open(path, VFS_O_RDONLY | VFS_O_DIRECTORY, &f))
		return;
	for (int guard = 0; guard < 10000; guard++) {
		struct uio u;
		uio_init_kernel(&u, dbuf, sizeof(dbuf), 0);
		long n = vfs_getdents(f, &u);
		if (n <= 0)
			break;
		for (long o = 0; o < n;) {
			struct vfs_dirent64 *d = (struct vfs_dirent64 *)(dbuf + o);
			char p[4096];
			o += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			snprintf(p, sizeof(p), "%s/%s", path, d->d_name);
			walked++;
			if (d->d_type == VFS_DT_DIR)
				walk(p, depth + 1);
			else
				fatt_get(p, data, sizeof(data));
			struct vnode *vn;
			if (!vfs_lookup(fatt_root(), fatt_root(), p, 0, &vn)) {
				struct vfs_stat st;
				vfs_stat(vn, &st);
				vnode_put(vn);
			}
		}
	}
	file_put(f);
}

/* A few changes; stop once the instance found the image inconsistent. */
static unsigned long changes(void)
{
	static char buf[9000];
	int step = 0;

	memset(buf, 'z', sizeof(buf));
	for (; step < 6 && !fs_readonly(); step++) {
		switch (step) {
		case 0:
			fatt_put("/mnt/fuzz new file.txt", buf, sizeof(buf));
			break;
		case 1:
			vfs_mkdir(fatt_root(), fatt_root(), "/mnt/dir1/fuzzdir", 0755);
			break;
		case 2:
			vfs_rename(fatt_root(), fatt_root(), "/mnt/hello.txt", "/mnt/dir1/moved");
			break;
		case 3:
			vfs_unlink(fatt_root(), fatt_root(), "/mnt/data.bin");
			break;
		case 4:
			vfs_rename(fatt_root(), fatt_root(), "/mnt/many", "/mnt/dir1/fuzzdir/m");
			break;
		default:
			fatt_put("/mnt/many/f001.txt", buf, 3000);
			break;
		}
	}
	return fs_readonly() ? fatt_disk.writes : ~0ul;
}

static void restore(void)
{
	for (uint64_t pg = 0; pg < img_size / 4096; pg++)
		if (fatt_disk.written[pg]) {
			memcpy(img + pg * 4096, pristine + pg * 4096, 4096);
			fatt_disk.written[pg] = 0;
		}
	while (ntouched) {
		ntouched--;
		img[touched[ntouched]] = pristine[touched[ntouched]];
	}
}

/* rounds corrupted copies of the image file path (mapped copy-on-write, so
 * only the pages touched cost memory). */
static void fuzz(const char *path, int rounds, unsigned seed)
{
	unsigned mounted = 0, broken_walk = 0, broken_change = 0;
	int fd = open(path, O_RDONLY);
	struct stat st;

	HT_CHECK(fd >= 0 && !fstat(fd, &st));
	if (fd < 0)
		return;
	img_size = (uint64_t)st.st_size;
	pristine = mmap(NULL, img_size, PROT_READ, MAP_PRIVATE, fd, 0);
	img = mmap(NULL, img_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	HT_CHECK(pristine != MAP_FAILED && img != MAP_FAILED);
	fatt_disk.written = calloc(img_size / 4096 + 1, 1);
	nranges = ntouched = 0;
	find_metadata();
	HT_CHECK(nranges > 10);
	fatt_root();
	klog_level = KL_ERR; /* every round logs what it found */
	unsigned long vnodes = vfs_vnode_count();
	srand(seed);
	for (int round = 0; round < rounds; round++) {
		corrupt();
		alarm(60);
		if (fatt_mount_mem(img, img_size, NULL) == 0) {
			mounted++;
			walk("/mnt", 0);
			bool broke = fs_readonly();
			unsigned long at = broke ? 0 : changes();
			struct mount *m = fatt_mount();
			fatt_umount();
			HT_CHECK(m->priv == NULL); /* every node was freed with the instance */
			if (broke) {
				broken_walk++;
				HT_CHECK_EQ(fatt_disk.writes, 0);
			} else if (at != ~0ul) {
				broken_change++;
				HT_CHECK_EQ(fatt_disk.writes, at); /* none after it was found */
			}
		}
		alarm(0);
		restore();
	}
	HT_CHECK_EQ(vfs_vnode_count(), vnodes);
	fprintf(stderr,
		"  %s, %d rounds: %u mounted, %u found inconsistent while reading, %u while "
		"writing, %u entries walked\n",
		path, rounds, mounted, broken_walk, broken_change, walked);
	HT_CHECK(mounted > (unsigned)rounds / 2);
	HT_CHECK(broken_walk > 0);
	munmap(pristine, img_size);
	munmap(img, img_size);
	free(fatt_disk.written);
	fatt_disk.written = NULL;
}

HT_TEST(corrupted_512b_clusters)
{
	fuzz(SMALL, 1000, 20261121);
}

HT_TEST(corrupted_4k_clusters)
{
	fuzz(BIG, 500, 7);
}

HT_MAIN(HT_CASE(corrupted_512b_clusters), HT_CASE(corrupted_4k_clusters))
