/*
 * Host tests for kernel/fs/bcache.c and bdev.c over a RAM disk that records
 * every request: cache hits, write-back only at sync, sorted and merged write
 * runs, eviction of dirty blocks, range checks, read-only devices, invalidate,
 * and direct I/O staying coherent with cached blocks. A randomised run
 * compares the device against a shadow copy after every sync. Last, the undo
 * of one request after a fault (bcache_undo_request).
 */
#include "ht.h"
#include <fs/bcache.h>
#include <weft/errno.h>
#include <stdlib.h>

void fs_test_setup(void);

#define DISK_SECTORS 2048 /* 1 MiB */

static uint8_t disk[DISK_SECTORS * BDEV_SECTOR];
static unsigned nsubmit, nwrite_bios, nflush, fail_next;

static int ram_submit(struct bdev *bd, struct bio *bio)
{
	(void)bd;
	nsubmit++;
	if (fail_next) {
		fail_next--;
		return -EIO;
	}
	if (bio->op == BIO_FLUSH) {
		nflush++;
		return 0;
	}
	uint8_t *p = disk + bio->sector * BDEV_SECTOR;
	if (bio->op == BIO_WRITE)
		nwrite_bios++;
	for (unsigned i = 0; i < bio->nseg; i++) {
		if (bio->op == BIO_READ)
			memcpy(bio->seg[i].buf, p, bio->seg[i].len);
		else
			memcpy(p, bio->seg[i].buf, bio->seg[i].len);
		p += bio->seg[i].len;
	}
	return 0;
}

static const struct bdev_ops ram_ops = {.submit = ram_submit};
static struct bdev ram = {.name = "ram0", .ops = &ram_ops, .nsectors = DISK_SECTORS};

static void reset(void)
{
	fs_test_setup();
	if (!bdev_find("ram0"))
		bdev_register(&ram);
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 7 + i / 4096);
	nsubmit = nwrite_bios = nflush = fail_next = 0;
	ram.readonly = false;
}

HT_TEST(registry)
{
	reset();
	HT_CHECK(bdev_find("ram0") == &ram);
	HT_CHECK(bdev_find("/dev/ram0") == &ram);
	HT_CHECK(bdev_find("ram1") == NULL);
	HT_CHECK_EQ(bdev_register(&ram), -EEXIST);
}

HT_TEST(read_hits_and_writeback)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 1024, 16);
	struct buf *b, *b2;
	HT_CHECK(bc != NULL);
	HT_CHECK_EQ(bcache_read(bc, 3, &b), 0);
	HT_CHECK(!memcmp(b->data, disk + 3 * 1024, 1024));
	HT_CHECK_EQ(bcache_read(bc, 3, &b2), 0);
	HT_CHECK(b == b2);
	HT_CHECK_EQ(bc->st.hits, 1);
	HT_CHECK_EQ(nsubmit, 1);
	memset(b->data, 0xab, 1024);
	bcache_dirty(b);
	bcache_put(b);
	bcache_put(b2);
	HT_CHECK(disk[3 * 1024] != 0xab); /* not written until sync */
	HT_CHECK_EQ(bcache_sync(bc), 0);
	HT_CHECK_EQ(disk[3 * 1024], 0xab);
	HT_CHECK_EQ(disk[4 * 1024 - 1], 0xab);
	HT_CHECK_EQ(nflush, 1);
	HT_CHECK_EQ(bc->st.dirty, 0);
	bcache_destroy(bc);
}

HT_TEST(sync_sorts_and_merges)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 512, 64);
	static const unsigned order[] = {9, 3, 5, 4, 10, 8, 20};
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct buf *b;
		HT_CHECK_EQ(bcache_get(bc, order[i], &b), 0);
		HT_CHECK_EQ(b->data[0], 0); /* bcache_get gives zeros, no read */
		b->data[0] = (uint8_t)order[i];
		bcache_dirty(b);
		bcache_put(b);
	}
	HT_CHECK_EQ(nsubmit, 0);
	HT_CHECK_EQ(bcache_sync(bc), 0);
	/* runs 3-5, 8-10, 20: three write requests and a flush */
	HT_CHECK_EQ(nwrite_bios, 3);
	HT_CHECK_EQ(nflush, 1);
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		HT_CHECK_EQ(disk[order[i] * 512], order[i]);
	bcache_destroy(bc);
}

HT_TEST(eviction_writes_dirty)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 4096, 4);
	for (unsigned i = 0; i < 10; i++) {
		struct buf *b;
		HT_CHECK_EQ(bcache_read(bc, i, &b), 0);
		b->data[1] = (uint8_t)(0xc0 + i);
		bcache_dirty(b);
		bcache_put(b);
	}
	HT_CHECK(bc->nbufs <= 4);
	HT_CHECK_EQ(bc->st.evictions, 6);
	for (unsigned i = 0; i < 6; i++) /* evicted ones reached the disk */
		HT_CHECK_EQ(disk[i * 4096 + 1], 0xc0 + i);
	HT_CHECK_EQ(bcache_sync(bc), 0);
	for (unsigned i = 0; i < 10; i++)
		HT_CHECK_EQ(disk[i * 4096 + 1], 0xc0 + i);
	bcache_destroy(bc);
}

HT_TEST(referenced_blocks_are_not_evicted)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 512, 2);
	struct buf *held[5];
	for (unsigned i = 0; i < 5; i++)
		HT_CHECK_EQ(bcache_read(bc, 100 + i, &held[i]), 0);
	for (unsigned i = 0; i < 5; i++) {
		HT_CHECK_EQ(held[i]->blkno, 100 + i);
		HT_CHECK(!memcmp(held[i]->data, disk + (100 + i) * 512, 512));
		bcache_put(held[i]);
	}
	bcache_destroy(bc);
}

HT_TEST(errors)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 1024, 8);
	struct buf *b;
	HT_CHECK(bcache_create(&ram, 1000, 8) == NULL);
	HT_CHECK_EQ(bcache_read(bc, DISK_SECTORS / 2, &b), -EIO); /* past the end */
	HT_CHECK_EQ(bcache_read(bc, DISK_SECTORS / 2 - 1, &b), 0);
	bcache_put(b);
	fail_next = 1;
	HT_CHECK_EQ(bcache_read(bc, 7, &b), -EIO);
	HT_CHECK_EQ(bc->nbufs, 1); /* the failed buffer is not kept */
	HT_CHECK_EQ(ram.nr_errors, 1);
	HT_CHECK_EQ(bcache_read(bc, 7, &b), 0);
	bcache_put(b);
	uint8_t big[2048];
	HT_CHECK_EQ(bdev_rw(&ram, false, DISK_SECTORS - 2, big, 4), -EIO);
	struct bio bad = {.op = BIO_READ, .sector = 0, .nseg = 1};
	bad.seg[0].buf = big;
	bad.seg[0].len = 100;
	HT_CHECK_EQ(bdev_submit(&ram, &bad), -EINVAL);
	bcache_destroy(bc);
}

HT_TEST(readonly_device)
{
	reset();
	ram.readonly = true;
	struct bcache *bc = bcache_create(&ram, 1024, 8);
	struct buf *b;
	HT_CHECK_EQ(bcache_read(bc, 1, &b), 0);
	b->data[0] ^= 0xff;
	bcache_dirty(b);
	HT_CHECK(!b->dirty);
	bcache_put(b);
	HT_CHECK_EQ(bcache_sync(bc), 0);
	HT_CHECK_EQ(nwrite_bios, 0);
	HT_CHECK_EQ(bcache_write_direct(bc, 1, 1, disk), -EROFS);
	HT_CHECK_EQ(bdev_rw(&ram, true, 0, disk, 1), -EROFS);
	bcache_destroy(bc);
}

HT_TEST(invalidate_drops_changes)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 1024, 8);
	struct buf *b;
	uint8_t before = disk[2 * 1024];
	HT_CHECK_EQ(bcache_read(bc, 2, &b), 0);
	b->data[0] = (uint8_t)~before;
	bcache_dirty(b);
	bcache_put(b);
	HT_CHECK_EQ(bcache_invalidate(bc), 1);
	HT_CHECK_EQ(bc->nbufs, 0);
	HT_CHECK_EQ(bcache_read(bc, 2, &b), 0);
	HT_CHECK_EQ(b->data[0], before);
	bcache_put(b);
	bcache_destroy(bc);
}

HT_TEST(direct_io_is_coherent)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 1024, 8);
	struct buf *b;
	static uint8_t io[4 * 1024];
	HT_CHECK_EQ(bcache_read(bc, 11, &b), 0);
	memset(b->data, 0x5a, 1024);
	bcache_dirty(b);
	bcache_put(b);
	/* A direct read of blocks 10..13 sees the dirty cached block 11. */
	HT_CHECK_EQ(bcache_read_direct(bc, 10, 4, io), 0);
	HT_CHECK(!memcmp(io, disk + 10 * 1024, 1024));
	HT_CHECK_EQ(io[1024], 0x5a);
	HT_CHECK(!memcmp(io + 2048, disk + 12 * 1024, 2048));
	/* A direct write over it updates the cached copy and makes it clean. */
	memset(io, 0x33, sizeof(io));
	HT_CHECK_EQ(bcache_write_direct(bc, 10, 4, io), 0);
	HT_CHECK_EQ(bc->st.dirty, 0);
	HT_CHECK_EQ(bcache_read(bc, 11, &b), 0);
	HT_CHECK_EQ(b->data[5], 0x33);
	bcache_put(b);
	HT_CHECK_EQ(disk[13 * 1024 + 1023], 0x33);
	bcache_destroy(bc);
}

HT_TEST(random_against_shadow)
{
	reset();
	static uint8_t shadow[sizeof(disk)];
	struct bcache *bc = bcache_create(&ram, 2048, 24);
	unsigned nblk = sizeof(disk) / 2048;
	memcpy(shadow, disk, sizeof(disk));
	srand(42);
	for (int step = 0; step < 20000; step++) {
		unsigned blk = (unsigned)rand() % nblk, off = (unsigned)rand() % 2048;
		struct buf *b;
		if (rand() % 3) {
			HT_CHECK_EQ(bcache_read(bc, blk, &b), 0);
			HT_CHECK_EQ(b->data[off], shadow[blk * 2048 + off]);
		} else {
			HT_CHECK_EQ(bcache_read(bc, blk, &b), 0);
			b->data[off] = shadow[blk * 2048 + off] = (uint8_t)rand();
			bcache_dirty(b);
		}
		bcache_put(b);
		if (step % 997 == 0) {
			HT_CHECK_EQ(bcache_sync(bc), 0);
			HT_CHECK(!memcmp(disk, shadow, sizeof(disk)));
		}
	}
	HT_CHECK_EQ(bcache_sync(bc), 0);
	HT_CHECK(!memcmp(disk, shadow, sizeof(disk)));
	bcache_destroy(bc);
}


/* Undo of one request (bcache_begin_request / bcache_undo_request). These run
 * last: the request number stays set for the rest of the program. */
HT_TEST(undo_keeps_earlier_requests_and_drops_the_failed_ones_changes)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 1024, 16);
	struct buf *b, *c;
	uint8_t disk1 = disk[1 * 1024], disk2 = disk[2 * 1024];

	bcache_begin_request(); /* a request that succeeds: block 1 changed, not synced */
	HT_CHECK_EQ(bcache_read(bc, 1, &b), 0);
	b->data[0] = 0xa1;
	bcache_dirty(b);
	bcache_put(b);

	bcache_begin_request(); /* one that faults half-way */
	HT_CHECK_EQ(bcache_read(bc, 1, &b), 0); /* dirty: copied */
	b->data[0] = 0xb1;			/* changed, not yet marked */
	HT_CHECK_EQ(bcache_read(bc, 2, &c), 0); /* clean: noted */
	c->data[0] = (uint8_t)~disk2;
	bcache_dirty(c);
	HT_CHECK(bcache_undo_request(bc)); /* both still held */

	HT_CHECK_EQ(bcache_read(bc, 1, &b), 0);
	HT_CHECK_EQ(b->data[0], 0xa1); /* the earlier request's change stays */
	HT_CHECK(b->dirty);
	HT_CHECK_EQ(b->refs, 1); /* the failed request's reference is gone */
	bcache_put(b);
	HT_CHECK_EQ(bcache_read(bc, 2, &c), 0);
	HT_CHECK_EQ(c->data[0], disk2); /* read again from the disk */
	HT_CHECK(!c->dirty);
	bcache_put(c);
	HT_CHECK_EQ(bc->st.dirty, 1);
	HT_CHECK_EQ(bcache_sync(bc), 0);
	HT_CHECK_EQ(disk[1 * 1024], 0xa1);
	HT_CHECK_EQ(disk[2 * 1024], disk2);
	HT_CHECK(disk1 != 0xa1);
	bcache_destroy(bc);
}

HT_TEST(undo_of_a_request_that_took_nothing_keeps_everything)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 1024, 16);
	struct buf *b;

	bcache_begin_request();
	HT_CHECK_EQ(bcache_read(bc, 3, &b), 0);
	b->data[5] = 0x55;
	bcache_dirty(b);
	bcache_put(b);
	bcache_begin_request(); /* faults at its start */
	HT_CHECK(bcache_undo_request(bc));
	HT_CHECK_EQ(bcache_read(bc, 3, &b), 0);
	HT_CHECK_EQ(b->data[5], 0x55);
	HT_CHECK(b->dirty);
	bcache_put(b);
	bcache_destroy(bc);
}

HT_TEST(undo_after_a_changed_block_was_written_drops_everything)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 1024, 16);
	struct buf *b, *c;

	bcache_begin_request();
	HT_CHECK_EQ(bcache_read(bc, 4, &c), 0);
	c->data[0] = 0x44;
	bcache_dirty(c);
	bcache_put(c);
	bcache_begin_request();
	HT_CHECK_EQ(bcache_read(bc, 5, &b), 0); /* clean when taken */
	b->data[0] = 0x55;
	bcache_dirty(b);
	HT_CHECK_EQ(bcache_sync(bc), 0); /* the disk no longer has its old contents */
	HT_CHECK(!bcache_undo_request(bc));
	HT_CHECK_EQ(bc->nbufs, 0); /* every block dropped, the held one too */
	HT_CHECK_EQ(bc->st.dirty, 0);
	bcache_destroy(bc);
}

HT_TEST(undo_of_a_request_bigger_than_the_cache_drops_everything)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 1024, 8);
	struct buf *b;

	bcache_begin_request();
	HT_CHECK_EQ(bcache_read(bc, 1, &b), 0);
	b->data[0] ^= 1;
	bcache_dirty(b);
	bcache_put(b);
	bcache_begin_request();
	for (uint64_t i = 10; i < 30; i++) { /* evicts blocks it took */
		HT_CHECK_EQ(bcache_read(bc, i, &b), 0);
		bcache_put(b);
	}
	HT_CHECK(!bcache_undo_request(bc));
	HT_CHECK_EQ(bc->nbufs, 0);
	/* The next request is undone exactly again. */
	bcache_begin_request();
	HT_CHECK_EQ(bcache_read(bc, 2, &b), 0);
	HT_CHECK(bcache_undo_request(bc));
	HT_CHECK_EQ(bc->nbufs, 0);
	bcache_destroy(bc);
}

HT_TEST(undo_copies_overflow_is_reported)
{
	reset();
	struct bcache *bc = bcache_create(&ram, 512, 2 * BCACHE_UNDO_COPIES);
	struct buf *b;

	bcache_begin_request();
	for (uint64_t i = 0; i <= BCACHE_UNDO_COPIES; i++) {
		HT_CHECK_EQ(bcache_read(bc, i, &b), 0);
		b->data[0] ^= 1;
		bcache_dirty(b);
		bcache_put(b);
	}
	bcache_begin_request(); /* takes one dirty block more than it can copy */
	for (uint64_t i = 0; i <= BCACHE_UNDO_COPIES; i++) {
		HT_CHECK_EQ(bcache_read(bc, i, &b), 0);
		bcache_put(b);
	}
	HT_CHECK(!bcache_undo_request(bc));
	bcache_destroy(bc);
}

HT_MAIN(HT_CASE(registry), HT_CASE(read_hits_and_writeback), HT_CASE(sync_sorts_and_merges),
	HT_CASE(eviction_writes_dirty), HT_CASE(referenced_blocks_are_not_evicted), HT_CASE(errors),
	HT_CASE(readonly_device), HT_CASE(invalidate_drops_changes), HT_CASE(direct_io_is_coherent),
	HT_CASE(random_against_shadow),
	HT_CASE(undo_keeps_earlier_requests_and_drops_the_failed_ones_changes),
	HT_CASE(undo_of_a_request_that_took_nothing_keeps_everything),
	HT_CASE(undo_after_a_changed_block_was_written_drops_everything),
	HT_CASE(undo_of_a_request_bigger_than_the_cache_drops_everything),
	HT_CASE(undo_copies_overflow_is_reported))
