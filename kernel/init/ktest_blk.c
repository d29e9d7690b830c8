/*
 * In-kernel test of the virtio-blk driver: command line `ktest=blk` (or
 * `ktest=blkbench`, which adds throughput and latency figures), run instead of
 * init. It needs the two disks tools/blkcheck.py makes: vda, a scratch disk
 * holding the host's pattern below PATTERN_END, and vdb, attached read-only,
 * holding the host's pattern throughout. After the run the host checks that
 * every write landed where it should and nowhere else (blkcheck.py check).
 *
 * Parts, each printing one "ktest blk: <part>: PASS|FAIL" line:
 *   setup      both disks present with the expected sizes and flags;
 *   concurrent NWRITERS kernel threads at once, each rewriting its own region
 *              NPASS times with requests of 1..128 sectors in 1..32 segments
 *              (buffers at odd offsets of a contiguous block, small kmalloc'd
 *              ones, and ones on the thread's stack across a page boundary),
 *              reading back parts of it and of the host's region with other
 *              shapes and checking every sector, flushing now and then;
 *   oddruns    one bio over a kernel stack's separately mapped pages, cut
 *              across each page boundary at odd offsets: the driver must split
 *              it at every physical gap and, when a request holds fewer runs,
 *              end a request inside a segment on a sector boundary;
 *   errors     past the end -> -EIO without a device request (through
 *              bdev_submit and the driver), the device's own -EIO when the
 *              driver's check is bypassed, malformed bios -> -EINVAL;
 *   flush      0, and one device request when VIRTIO_BLK_F_FLUSH was accepted;
 *   readonly   vdb: readable, writes refused by the kernel (-EROFS) and by the
 *              device (-EIO), its contents unchanged;
 *   queue      with a small queue (vblk.qsize=8), submitters must have waited
 *              for descriptors and bios must have been split;
 *   bench      (ktest=blkbench) sequential 64 MiB write and read in 128 KiB
 *              requests with 1 and 8 threads, 4 KiB read latency.
 * Then "ktest blk: N passed, M failed" and power off.
 *
 * A sector's pattern names what wrote it (host, writer thread and pass, bench
 * run) and which sector it is, so a misplaced or torn write shows. Layout:
 * ktest_blk.h and below; the bench is in ktest_blkbench.c.
 */
#include "ktest_blk.h"
#include <dev/virtio_blk.h>
#include <fs/bcache.h>
#include <core/kstack.h>
#include <core/kthread.h>
#include <core/completion.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/klog.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <linux/lx.h>
#include <stdarg.h>
#include <weft/errno.h>

/* Disk layout in 512-byte sectors; tools/blkcheck.py uses the same numbers. */
#define HOSTRD_LEN	2048 /* [0, 2048): host pattern, only read */
#define NWRITERS	8
#define WR_START	2048 /* writer i owns [WR_START + i * WR_LEN, + WR_LEN) */
#define WR_LEN		2048
#define PATTERN_END	32768 /* the host's pattern lies below; [18432, 32768) untouched */
#define SCRATCH_SECTORS (BENCH_START + BENCH_LEN)
#define RO_SECTORS	2048
#define NPASS		3

#define TAG_SCRATCH  'S'
#define TAG_RO	     'R'
#define MAGIC_HOST   0x57454654484f5354ull /* "WEFTHOST" ^ tag */
#define MAGIC_WRITER 0x5745465457520000ull /* | writer << 8 | pass */
#define MIX_A	     0x9e3779b97f4a7c15ull
#define MIX_B	     0xbf58476d1ce4e5b9ull
#define MIX_C	     0x94d049bb133111ebull

#define BUF_ORDER   6 /* 256 KiB per writer */
#define BUF_BYTES   (PAGE_SIZE << BUF_ORDER)
#define MAX_REPORTS 12

enum kind { K_HOST, K_WRITER };

struct expect {
	enum kind kind;
	unsigned who; /* host: tag; writer: its index */
	unsigned gen; /* writer: pass */
};

struct writer {
	unsigned id;
	uint64_t rng;
	struct bdev *bd;
	uint8_t *buf;  /* BUF_BYTES, one buddy block */
	unsigned gen;  /* current pass */
	unsigned upto; /* sectors of the region written in this pass */
	unsigned bad;
	unsigned long requests;
	unsigned long straddles, noncontig; /* stack buffers across pages, and of them
					       those whose pages are not contiguous */
	struct completion done;
};

static unsigned reports;
static unsigned parts_passed, parts_failed;
static struct vblk_info conc_delta; /* what the concurrent part made the driver do */

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED) >= MAX_REPORTS)
		return;
	va_start(ap, fmt);
	kvlog(KL_ERR, fmt, ap);
	va_end(ap);
}

static void part(const char *name, bool ok, const char *detail)
{
	kprintf("ktest blk: %s: %s%s%s\n", name, ok ? "PASS" : "FAIL", *detail ? " " : "", detail);
	if (ok)
		parts_passed++;
	else
		parts_failed++;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- patterns ---- */

static void make_sector(uint64_t *w, uint64_t sector, const struct expect *e)
{
	uint64_t salt = e->kind == K_HOST ? e->who : ((uint64_t)e->who << 32 | e->gen) * MIX_C;

	w[0] = e->kind == K_HOST ? MAGIC_HOST ^ e->who : MAGIC_WRITER | e->who << 8 | e->gen;
	w[1] = sector;
	for (unsigned i = 2; i < 64; i++)
		w[i] = sector * MIX_A + i * MIX_B + salt;
}

static bool check_sector(const void *p, uint64_t sector, const struct expect *e, const char *what)
{
	uint64_t want[64], got[2];

	make_sector(want, sector, e);
	if (!memcmp(p, want, sizeof(want)))
		return true;
	memcpy(got, p, sizeof(got));
	report("ktest blk: %s: sector %lu holds %016lx %016lx, expected %016lx %016lx", what,
	       (unsigned long)sector, (unsigned long)got[0], (unsigned long)got[1],
	       (unsigned long)want[0], (unsigned long)want[1]);
	return false;
}

/* Sector k of the bio's buffers. */
static uint8_t *bio_sector(const struct bio *bio, unsigned k)
{
	for (unsigned i = 0; i < bio->nseg; i++) {
		unsigned n = bio->seg[i].len / BDEV_SECTOR;
		if (k < n)
			return (uint8_t *)bio->seg[i].buf + k * BDEV_SECTOR;
		k -= n;
	}
	return NULL;
}

/* ---- the concurrent part ---- */

/* What sector s (absolute) of w's region should hold right now. */
static struct expect writer_expect(const struct writer *w, uint64_t s)
{
	unsigned rel = (unsigned)(s - (WR_START + w->id * WR_LEN));

	if (rel < w->upto)
		return (struct expect){K_WRITER, w->id, w->gen};
	if (w->gen > 0)
		return (struct expect){K_WRITER, w->id, w->gen - 1};
	return (struct expect){K_HOST, TAG_SCRATCH, 0};
}

static bool in_buf(const struct writer *w, const void *p)
{
	return (const uint8_t *)p >= w->buf && (const uint8_t *)p < w->buf + BUF_BYTES;
}

/* Cut n sectors into segments of random number and sizes, placed at random
 * 8-byte offsets of w's block with gaps, some in small kmalloc'd buffers. */
static void shape_bio(struct writer *w, struct bio *bio, enum bio_op op, uint64_t sector,
		      unsigned n)
{
	static const unsigned caps[] = {1, 4, 32};
	unsigned cap = caps[rnd(&w->rng) % 3], lens[BIO_MAX_SEGS];
	size_t pos = rnd(&w->rng) % 64 * 8;

	bio->op = op;
	bio->sector = sector;
	bio->nseg = 1 + (unsigned)(rnd(&w->rng) % (n < cap ? n : cap));
	for (unsigned i = 0; i < bio->nseg; i++)
		lens[i] = 1;
	for (unsigned k = bio->nseg; k < n; k++)
		lens[rnd(&w->rng) % bio->nseg]++;
	for (unsigned i = 0; i < bio->nseg; i++) {
		uint32_t len = lens[i] * BDEV_SECTOR;
		void *p = NULL;

		if (len <= 2048 && rnd(&w->rng) % 8 == 0)
			p = kmalloc(len);
		if (!p) {
			p = w->buf + pos;
			pos += len + rnd(&w->rng) % 128 * 8;
		}
		bio->seg[i] = (struct bio_seg){p, len};
	}
}

static void unshape_bio(struct writer *w, struct bio *bio)
{
	for (unsigned i = 0; i < bio->nseg; i++)
		if (!in_buf(w, bio->seg[i].buf))
			kfree(bio->seg[i].buf);
}

static void fill_bio(struct bio *bio, unsigned n, const struct expect *e)
{
	for (unsigned k = 0; k < n; k++)
		make_sector((uint64_t *)bio_sector(bio, k), bio->sector + k, e);
}

static int submit(struct writer *w, struct bio *bio)
{
	int r = bdev_submit(w->bd, bio);

	w->requests++;
	if (r) {
		report("ktest blk: writer %u: %s of sector %lu (%u segs) failed: %d", w->id,
		       bio->op == BIO_WRITE  ? "write"
		       : bio->op == BIO_READ ? "read"
					     : "flush",
		       (unsigned long)bio->sector, bio->nseg, r);
		w->bad++;
	}
	return r;
}

/* One sector through buffers on this thread's stack that straddle a page
 * boundary (kernel stack pages need not be physically contiguous). */
static void __attribute__((noinline))
stack_rw(struct writer *w, enum bio_op op, uint64_t s, const struct expect *e)
{
	uint8_t area[PAGE_SIZE + 2 * BDEV_SECTOR] __attribute__((aligned(8)));
	uint8_t *p = (uint8_t *)PAGE_ROUND_UP((uintptr_t)area + 256) - 256;
	paddr_t lo = hal_kmap_lookup(PAGE_ROUND_DOWN((uintptr_t)p));
	paddr_t hi = hal_kmap_lookup(PAGE_ROUND_UP((uintptr_t)p));
	struct bio bio = {.op = op, .sector = s, .nseg = 1};

	/* The driver must cut the buffer in two where the pages are apart. */
	w->straddles++;
	w->noncontig += hi != lo + PAGE_SIZE;
	bio.seg[0] = (struct bio_seg){p, BDEV_SECTOR};
	if (op == BIO_WRITE)
		make_sector((uint64_t *)p, s, e);
	else
		memset(p, 0, BDEV_SECTOR);
	if (!submit(w, &bio) && op == BIO_READ && !check_sector(p, s, e, "stack read"))
		w->bad++;
}

static void write_range(struct writer *w, uint64_t s, unsigned n)
{
	struct expect e = {K_WRITER, w->id, w->gen};
	struct bio bio;

	if (n == 1 && rnd(&w->rng) % 2) {
		stack_rw(w, BIO_WRITE, s, &e);
		return;
	}
	shape_bio(w, &bio, BIO_WRITE, s, n);
	fill_bio(&bio, n, &e);
	submit(w, &bio);
	unshape_bio(w, &bio);
}

/* Read n sectors at s with a random shape and check each against expect_fn. */
static void read_check(struct writer *w, uint64_t s, unsigned n, bool own)
{
	struct bio bio;

	if (own && n == 1 && rnd(&w->rng) % 2) {
		struct expect e = writer_expect(w, s);
		stack_rw(w, BIO_READ, s, &e);
		return;
	}
	shape_bio(w, &bio, BIO_READ, s, n);
	for (unsigned i = 0; i < bio.nseg; i++)
		memset(bio.seg[i].buf, 0xee, bio.seg[i].len);
	if (!submit(w, &bio)) {
		for (unsigned k = 0; k < n; k++) {
			struct expect e =
			    own ? writer_expect(w, s + k) : (struct expect){K_HOST, TAG_SCRATCH, 0};
			if (!check_sector(bio_sector(&bio, k), s + k, &e, "read")) {
				w->bad++;
				break;
			}
		}
	}
	unshape_bio(w, &bio);
}

static unsigned pick(struct writer *w, unsigned max, unsigned left)
{
	unsigned n = 1 + (unsigned)(rnd(&w->rng) % max);

	return n < left ? n : left;
}

static void writer_pass(struct writer *w)
{
	uint64_t base = WR_START + w->id * WR_LEN;

	for (w->upto = 0; w->upto < WR_LEN && !w->bad;) {
		unsigned n = pick(w, rnd(&w->rng) % 4 ? 16 : 128, WR_LEN - w->upto);
		unsigned at;

		write_range(w, base + w->upto, n);
		w->upto += n;
		if (rnd(&w->rng) % 2) {
			at = (unsigned)(rnd(&w->rng) % WR_LEN);
			read_check(w, base + at, pick(w, 64, WR_LEN - at), true);
		}
		if (rnd(&w->rng) % 4 == 0) {
			at = (unsigned)(rnd(&w->rng) % HOSTRD_LEN);
			read_check(w, at, pick(w, 64, HOSTRD_LEN - at), false);
		}
	}
	for (unsigned at = 0; at < WR_LEN && !w->bad;) {
		unsigned n = pick(w, 256, WR_LEN - at);

		read_check(w, base + at, n, true);
		at += n;
	}
}

static void writer_main(void *arg)
{
	struct writer *w = arg;

	for (w->gen = 0; w->gen < NPASS && !w->bad; w->gen++) {
		writer_pass(w);
		if ((w->gen + w->id) % 2 == 0) {
			struct bio flush = {.op = BIO_FLUSH};
			submit(w, &flush);
		}
	}
	completion_signal(&w->done, 0);
}

static void test_concurrent(struct bdev *bd)
{
	static struct writer ws[NWRITERS];
	struct vblk_info before, after;
	unsigned long requests = 0, straddles = 0, noncontig = 0, page_splits;
	unsigned bad = 0;
	char detail[256];

	vblk_get_info(bd, &before);
	for (unsigned i = 0; i < NWRITERS; i++) {
		struct writer *w = &ws[i];
		paddr_t pa = pmm_alloc(BUF_ORDER);

		*w = (struct writer){.id = i, .rng = 0x1234567ull * (i + 1), .bd = bd};
		completion_init(&w->done);
		w->buf = pa ? hal_pa_to_kva(pa) : NULL;
		if (!w->buf || !kthread_create("ktest-blk-w", writer_main, w))
			panic("ktest blk: out of memory");
	}
	for (unsigned i = 0; i < NWRITERS; i++) {
		completion_wait(&ws[i].done);
		bad += ws[i].bad;
		requests += ws[i].requests;
		straddles += ws[i].straddles;
		noncontig += ws[i].noncontig;
		pmm_free(hal_kva_to_pa(ws[i].buf), BUF_ORDER);
	}
	vblk_get_info(bd, &after);
	conc_delta.split_bios = after.split_bios - before.split_bios;
	conc_delta.room_waits = after.room_waits - before.room_waits;
	/* Every other buffer is in the direct map: only the stack ones split. */
	page_splits = (unsigned long)(after.page_splits - before.page_splits);
	fmt_snprintf(detail, sizeof(detail),
		     "(%u threads, %lu bios, %lu device requests, %lu split, %lu waits for "
		     "descriptors, up to %u in flight, %lu stack buffers across pages, %lu "
		     "of them split at a physical gap (%lu expected), %u bad)",
		     NWRITERS, requests, (unsigned long)(after.requests - before.requests),
		     (unsigned long)conc_delta.split_bios, (unsigned long)conc_delta.room_waits,
		     after.inflight_max, straddles, page_splits, noncontig, bad);
	part("concurrent", !bad && page_splits == noncontig, detail);
}

/* ---- buffers cut at odd places ---- */

static bool expect_rc(const char *what, int got, int want)
{
	if (got == want)
		return true;
	report("ktest blk: %s returned %d, expected %d", what, got, want);
	return false;
}

/* A bio over a kernel stack's pages (mapped one by one, so neighbours are
 * usually apart in physical memory): segments that cross each page boundary
 * at odd offsets, so runs are not whole sectors and, with a small queue, a
 * device request must end inside a segment. Writes writer 0's last pattern
 * (what the host expects there) and reads it back the same way. */
static void test_odd_runs(struct bdev *bd)
{
	static const uint32_t at[] = {0, PAGE_SIZE - 300, 2 * PAGE_SIZE - 100, 3 * PAGE_SIZE - 700};
	static const uint32_t len[] = {512, 1024, 512, 1536};
	struct expect e = {K_WRITER, 0, NPASS - 1};
	uint8_t *k = kstack_alloc();
	struct vblk_info a, b;
	struct bio bio = {.sector = WR_START + 100, .nseg = 4};
	unsigned runs = 4, nsect = 0, bad = 0;
	char detail[160];

	if (!k)
		panic("ktest blk: out of memory");
	for (unsigned i = 1; i < 4; i++)
		runs += hal_kmap_lookup((vaddr_t)k + i * PAGE_SIZE) !=
			hal_kmap_lookup((vaddr_t)k + (i - 1) * PAGE_SIZE) + PAGE_SIZE;
	for (unsigned i = 0; i < 4; i++) {
		bio.seg[i] = (struct bio_seg){k + at[i], len[i]};
		nsect += len[i] / BDEV_SECTOR;
	}
	vblk_get_info(bd, &a);
	bio.op = BIO_WRITE;
	fill_bio(&bio, nsect, &e);
	bad += !expect_rc("write of odd runs", bdev_submit(bd, &bio), 0);
	memset(k, 0, KSTACK_SIZE);
	bio.op = BIO_READ;
	bad += !expect_rc("read of odd runs", bdev_submit(bd, &bio), 0);
	for (unsigned s = 0; s < nsect && !bad; s++)
		bad += !check_sector(bio_sector(&bio, s), bio.sector + s, &e, "odd runs");
	vblk_get_info(bd, &b);
	kstack_free(k);
	fmt_snprintf(detail, sizeof(detail),
		     "(%u runs for %u sectors, %u per request: %lu page splits, %lu split bios)",
		     runs, nsect, a.max_data, (unsigned long)(b.page_splits - a.page_splits),
		     (unsigned long)(b.split_bios - a.split_bios));
	part("oddruns",
	     !bad && b.page_splits - a.page_splits == 2 * (runs - 4) &&
		 b.split_bios - a.split_bios == 2u * (runs > a.max_data),
	     detail);
}

/* ---- error paths ---- */

static struct bio one_seg(enum bio_op op, uint64_t sector, void *buf, uint32_t len)
{
	struct bio bio = {.op = op, .sector = sector, .nseg = 1};

	bio.seg[0] = (struct bio_seg){buf, len};
	return bio;
}

/* Requests the kernel must refuse without sending anything to the device. */
static bool refused_without_io(struct bdev *bd, uint8_t *buf)
{
	uint64_t cap = bd->nsectors;
	struct bio b;
	bool ok = true;

	ok &= expect_rc("read at the end", bdev_rw(bd, false, cap, buf, 1), -EIO);
	ok &= expect_rc("write across the end", bdev_rw(bd, true, cap - 1, buf, 2), -EIO);
	b = one_seg(BIO_READ, cap - 1, buf, 2 * BDEV_SECTOR);
	ok &= expect_rc("driver read across the end", bd->ops->submit(bd, &b), -EIO);
	b = one_seg(BIO_WRITE, UINT64_MAX - 1, buf, 4 * BDEV_SECTOR);
	ok &= expect_rc("driver write at a huge sector", bd->ops->submit(bd, &b), -EIO);
	b = one_seg(BIO_READ, 0, buf, 100);
	ok &= expect_rc("driver read of 100 bytes", bd->ops->submit(bd, &b), -EINVAL);
	b.nseg = 0;
	ok &= expect_rc("driver read of no segments", bd->ops->submit(bd, &b), -EINVAL);
	b = one_seg(BIO_READ, 0, NULL, BDEV_SECTOR);
	ok &= expect_rc("driver read into NULL", bd->ops->submit(bd, &b), -EINVAL);
	b = one_seg(BIO_READ, 0, (void *)0x10000, BDEV_SECTOR);
	ok &= expect_rc("driver read into a user address", bd->ops->submit(bd, &b), -EINVAL);
	b = one_seg(BIO_FLUSH, 0, buf, BDEV_SECTOR);
	ok &= expect_rc("driver flush with a segment", bd->ops->submit(bd, &b), -EINVAL);
	return ok;
}

static void test_errors(struct bdev *bd)
{
	uint8_t *buf = kmalloc(4 * BDEV_SECTOR);
	struct vblk_info a, b, c;
	struct bio bio;
	bool ok, no_io, dev_err;

	if (!buf)
		panic("ktest blk: out of memory");
	vblk_get_info(bd, &a);
	ok = refused_without_io(bd, buf);
	vblk_get_info(bd, &b);
	no_io = b.requests == a.requests;
	/* Past the driver's check, the device must answer with a bad status. */
	bio = one_seg(BIO_READ, bd->nsectors, buf, BDEV_SECTOR);
	ok &= expect_rc("device read at the end", vblk_submit_unchecked(bd, &bio), -EIO);
	vblk_get_info(bd, &c);
	dev_err = c.requests == b.requests + 1 && c.device_errors == b.device_errors + 1;
	ok &= expect_rc("read of the last sector", bdev_rw(bd, false, bd->nsectors - 1, buf, 1), 0);
	kfree(buf);
	part("errors", ok && no_io && dev_err,
	     no_io ? (dev_err ? "" : "(the device's error was not counted)")
		   : "(a refused request reached the device)");
}

static void test_flush(struct bdev *bd)
{
	struct bio bio = {.op = BIO_FLUSH};
	struct vblk_info a, b;
	bool has = false, ok;

	vblk_get_info(bd, &a);
	has = a.features >> 9 & 1; /* VIRTIO_BLK_F_FLUSH */
	ok = expect_rc("flush", bdev_submit(bd, &bio), 0);
	vblk_get_info(bd, &b);
	ok &= b.requests == a.requests + (has ? 1 : 0);
	part("flush", ok, has ? "(VIRTIO_BLK_F_FLUSH: one device request)" : "(no flush feature)");
}

/* ---- the read-only disk ---- */

static bool read_ro_disk(struct bdev *bd, uint8_t *buf, uint64_t from, unsigned n)
{
	struct expect e = {K_HOST, TAG_RO, 0};

	if (!expect_rc("read of the read-only disk", bdev_rw(bd, false, from, buf, n), 0))
		return false;
	for (unsigned k = 0; k < n; k++)
		if (!check_sector(buf + k * BDEV_SECTOR, from + k, &e, "read-only disk"))
			return false;
	return true;
}

static void test_readonly(struct bdev *bd)
{
	uint8_t *buf = kmalloc(128 * 1024);
	struct vblk_info a, b, c;
	struct bio bio;
	bool ok = bd->readonly, no_io, dev_err;

	if (!buf)
		panic("ktest blk: out of memory");
	for (uint64_t s = 0; s < bd->nsectors && ok; s += 256)
		ok = read_ro_disk(bd, buf, s, 256);
	memset(buf, 0xab, BDEV_SECTOR);
	vblk_get_info(bd, &a);
	ok &= expect_rc("write to the read-only disk", bdev_rw(bd, true, 5, buf, 1), -EROFS);
	bio = one_seg(BIO_WRITE, 5, buf, BDEV_SECTOR);
	ok &= expect_rc("driver write to the read-only disk", bd->ops->submit(bd, &bio), -EROFS);
	vblk_get_info(bd, &b);
	no_io = a.requests == b.requests;
	/* The device itself refuses too, and the sector stays as it was. */
	ok &=
	    expect_rc("device write to the read-only disk", vblk_submit_unchecked(bd, &bio), -EIO);
	vblk_get_info(bd, &c);
	dev_err = c.device_errors == b.device_errors + 1;
	ok &= read_ro_disk(bd, buf, 0, 16);
	kfree(buf);
	part("readonly", ok && no_io && dev_err,
	     no_io ? (dev_err ? "" : "(the device's refusal was not counted)")
		   : "(a refused write reached the device)");
}

/* With a tiny queue, bios must have been split and submitters must have
 * waited for descriptors. */
static void test_small_queue(const struct vblk_info *info)
{
	char detail[96];

	fmt_snprintf(detail, sizeof(detail), "(queue %u, %u segs/request: %lu split, %lu waits)",
		     info->queue_size, info->max_data, (unsigned long)conc_delta.split_bios,
		     (unsigned long)conc_delta.room_waits);
	part("queue", conc_delta.split_bios > 0 && conc_delta.room_waits > 0, detail);
}

/* ---- driver ---- */

static bool setup(struct bdev *vda, struct bdev *vdb, struct vblk_info *info)
{
	char detail[160] = "(need vda: 80 MiB scratch, vdb: 1 MiB read-only)";
	bool ok = vda && vdb && vda->nsectors == SCRATCH_SECTORS && !vda->readonly &&
		  vdb->nsectors == RO_SECTORS && vdb->readonly;

	if (ok) {
		vblk_get_info(vda, info);
		fmt_snprintf(detail, sizeof(detail),
			     "(vda %s, queue %u, %u segs/request, features %#lx; vdb read-only)",
			     info->modern ? "modern" : "legacy", info->queue_size, info->max_data,
			     (unsigned long)info->features);
	}
	part("setup", ok, detail);
	return ok;
}

static void controller(void *arg)
{
	struct bdev *vda = bdev_find("vda"), *vdb = bdev_find("vdb");
	struct vblk_info info;

	if (setup(vda, vdb, &info)) {
		test_concurrent(vda);
		test_odd_runs(vda);
		test_errors(vda);
		test_flush(vda);
		test_readonly(vdb);
		if (info.queue_size <= 16)
			test_small_queue(&info);
		if (arg) {
			char detail[256];
			bool ok = ktest_blk_bench(vda, detail, sizeof(detail));
			part("bench", ok, detail);
		}
	}
	kprintf("ktest blk: %u passed, %u failed\n", parts_passed, parts_failed);
	weft_shutdown(parts_failed != 0);
}

void ktest_blk(bool with_bench)
{
	if (!kthread_create("ktest-blk", controller, with_bench ? (void *)1 : NULL))
		panic("ktest blk: out of memory");
}
