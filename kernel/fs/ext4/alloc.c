/*
 * ext4 block and inode allocation over the per-group bitmaps.
 *
 * A bitmap is read through the buffer cache and its checksum checked the
 * first time it is used (then remembered as good, like directory blocks, until
 * recovery: only we change it, and every change sets the checksum again); a group still marked BLOCK_UNINIT or INODE_UNINIT gets its
 * bitmap built in memory first (for blocks: the superblock backup, descriptor
 * table and reserved descriptor blocks of the group, plus every group's
 * bitmaps and inode table that lie inside it, with flex_bg anywhere). Every
 * change updates the bitmap checksum, the descriptor (free counts, flags,
 * checksum) and the superblock's free counts together. Callers checked that
 * the mount is writable.
 */
#include <weft/errno.h>
#include "ext4_impl.h"

static uint64_t group_start(const struct ext4_fs *fs, uint32_t g)
{
	return fs->first_data_block + (uint64_t)g * fs->bpg;
}

static bool bit_test(const uint8_t *map, uint32_t i)
{
	return map[i >> 3] & (1u << (i & 7));
}
static void bit_set(uint8_t *map, uint32_t i)
{
	map[i >> 3] |= (uint8_t)(1u << (i & 7));
}
static void bit_clear(uint8_t *map, uint32_t i)
{
	map[i >> 3] &= (uint8_t) ~(1u << (i & 7));
}

static uint32_t bitmap_csum(const struct ext4_fs *fs, const uint8_t *map, bool inode)
{
	return ext4_crc32c(fs->csum_seed, map, (inode ? fs->ipg : fs->bpg) / 8);
}

static unsigned csum_lo(bool inode)
{
	return inode ? GD_IBITMAP_CSUM_LO : GD_BBITMAP_CSUM_LO;
}
static unsigned csum_hi(bool inode)
{
	return inode ? GD_IBITMAP_CSUM_HI : GD_BBITMAP_CSUM_HI;
}

static void bitmap_csum_set(const struct ext4_fs *fs, uint8_t *d, const uint8_t *map, bool inode)
{
	if (!fs->csum)
		return;
	uint32_t c = bitmap_csum(fs, map, inode);
	put16(d, csum_lo(inode), (uint16_t)c);
	if (fs->desc_size >= 64)
		put16(d, csum_hi(inode), (uint16_t)(c >> 16));
}

static uint64_t bmp_key(uint64_t loc, bool inode)
{
	return 2 * loc + inode + 1;
}

static bool bitmap_known_good(const struct ext4_fs *fs, uint64_t loc, bool inode)
{
	return fs->bmp_ok[loc % EXT4_BMP_OK] == bmp_key(loc, inode);
}

static void bitmap_set_good(struct ext4_fs *fs, uint64_t loc, bool inode)
{
	fs->bmp_ok[loc % EXT4_BMP_OK] = bmp_key(loc, inode);
}

static bool bitmap_csum_ok(const struct ext4_fs *fs, const uint8_t *d, const uint8_t *map,
			   bool inode)
{
	if (!fs->csum)
		return true;
	uint32_t c = bitmap_csum(fs, map, inode);
	if (get16(d, csum_lo(inode)) != (uint16_t)c)
		return false;
	return fs->desc_size < 64 || get16(d, csum_hi(inode)) == (uint16_t)(c >> 16);
}

/* Mark [blk, blk+n) in group g's map where it overlaps the group. */
static void mark_range(const struct ext4_fs *fs, uint32_t g, uint8_t *map, uint64_t blk, uint64_t n)
{
	uint64_t s = group_start(fs, g), e = s + ext4_group_blocks(fs, g);

	for (uint64_t b = blk; b < blk + n; b++)
		if (b >= s && b < e)
			bit_set(map, (uint32_t)(b - s));
}

/* Build the block bitmap of a BLOCK_UNINIT group. */
static int init_block_bitmap(struct ext4_fs *fs, uint32_t g, uint8_t *map)
{
	uint64_t itb = ((uint64_t)fs->ipg * fs->inode_size + fs->bs - 1) >> fs->bs_bits;

	memset(map, 0, fs->bs);
	if (ext4_group_has_super(fs, g))
		mark_range(fs, g, map, group_start(fs, g),
			   1 + ext4_gdt_blocks(fs) + get16(fs->sb, SB_RESERVED_GDT));
	for (uint32_t h = 0; h < fs->ngroups; h++) {
		struct buf *b;
		uint8_t *d;
		int err = ext4_gd_get(fs, h, &b, &d);
		if (err)
			return err;
		mark_range(fs, g, map, ext4_gd_get64(fs, d, GD_BLOCK_BITMAP_LO, GD_BLOCK_BITMAP_HI),
			   1);
		mark_range(fs, g, map, ext4_gd_get64(fs, d, GD_INODE_BITMAP_LO, GD_INODE_BITMAP_HI),
			   1);
		mark_range(fs, g, map, ext4_gd_get64(fs, d, GD_INODE_TABLE_LO, GD_INODE_TABLE_HI),
			   itb);
		bcache_put(b);
	}
	for (uint32_t i = ext4_group_blocks(fs, g); i < fs->bs * 8; i++)
		bit_set(map, i);
	return 0;
}

/*
 * Group g's block (or inode) bitmap in *bb and its descriptor in *gb and *d,
 * built first if the group is still uninitialised.
 */
static int bitmap_get(struct ext4_fs *fs, uint32_t g, bool inode, struct buf **bb, struct buf **gb,
		      uint8_t **d)
{
	int err = ext4_gd_get(fs, g, gb, d);
	if (err)
		return err;
	uint64_t loc = inode ? ext4_gd_get64(fs, *d, GD_INODE_BITMAP_LO, GD_INODE_BITMAP_HI)
			     : ext4_gd_get64(fs, *d, GD_BLOCK_BITMAP_LO, GD_BLOCK_BITMAP_HI);
	uint16_t flags = get16(*d, GD_FLAGS);
	uint16_t uninit = inode ? BG_INODE_UNINIT : BG_BLOCK_UNINIT;

	if (loc <= fs->first_data_block || loc >= fs->nblocks) {
		err = ext4_corrupt(fs, 0, "bitmap outside the file system");
	} else if (flags & uninit) {
		err = bcache_get(fs->bc, loc, bb);
		if (!err && inode) {
			memset((*bb)->data, 0, fs->bs);
			for (uint32_t i = fs->ipg; i < fs->bs * 8; i++)
				bit_set((*bb)->data, i);
		} else if (!err) {
			err = init_block_bitmap(fs, g, (*bb)->data);
		}
		if (!err) {
			put16(*d, GD_FLAGS, flags & ~uninit);
			bitmap_csum_set(fs, *d, (*bb)->data, inode);
			bitmap_set_good(fs, loc, inode);
			bcache_dirty(*bb);
			ext4_gd_dirty(fs, g, *gb, *d);
		} else {
			bcache_put(*bb);
		}
	} else {
		err = bcache_read(fs->bc, loc, bb);
		if (!err && !bitmap_known_good(fs, loc, inode)) {
			if (bitmap_csum_ok(fs, *d, (*bb)->data, inode)) {
				bitmap_set_good(fs, loc, inode);
			} else {
				bcache_put(*bb);
				err = ext4_corrupt(fs, 0,
						   inode ? "inode bitmap checksum"
							 : "block bitmap checksum");
			}
		}
	}
	if (err)
		bcache_put(*gb);
	return err;
}

static void bitmap_put(struct ext4_fs *fs, uint32_t g, bool inode, struct buf *bb, struct buf *gb,
		       uint8_t *d)
{
	bitmap_csum_set(fs, d, bb->data, inode);
	bitmap_set_good(fs, bb->blkno, inode);
	bcache_dirty(bb);
	ext4_gd_dirty(fs, g, gb, d);
	bcache_put(bb);
	bcache_put(gb);
}

/* First clear bit in map[from..end), or end. */
static uint32_t find_zero(const uint8_t *map, uint32_t from, uint32_t end)
{
	uint32_t i = from;

	while (i < end) {
		if (!(i & 7) && map[i >> 3] == 0xff) {
			i += 8;
			continue;
		}
		if (!bit_test(map, i))
			return i;
		i++;
	}
	return end;
}

/* Take a run of up to want blocks from group g at or after bit from. */
static int balloc_group(struct ext4_fs *fs, uint32_t g, uint32_t from, uint32_t want,
			uint64_t *start, uint32_t *got)
{
	struct buf *bb, *gb;
	uint8_t *d;
	uint32_t end = ext4_group_blocks(fs, g), i, n = 0;
	int err = bitmap_get(fs, g, false, &bb, &gb, &d);

	if (err)
		return err;
	i = find_zero(bb->data, from, end);
	if (i == end && from)
		i = find_zero(bb->data, 0, end);
	while (i + n < end && n < want && !bit_test(bb->data, i + n))
		bit_set(bb->data, i + n++);
	if (!n) {
		bcache_put(bb);
		bcache_put(gb);
		return -ENOSPC;
	}
	uint32_t freeb = ext4_gd_get32(fs, d, GD_FREE_BLOCKS_LO, GD_FREE_BLOCKS_HI);
	ext4_gd_set32(fs, d, GD_FREE_BLOCKS_LO, GD_FREE_BLOCKS_HI, freeb >= n ? freeb - n : 0);
	bitmap_put(fs, g, false, bb, gb, d);
	ext4_sb_add_free_blocks(fs, -(int64_t)n);
	*start = group_start(fs, g) + i;
	*got = n;
	return 0;
}

int ext4_balloc(struct ext4_fs *fs, uint64_t goal, uint32_t want, uint64_t *start, uint32_t *got)
{
	if (goal <= fs->first_data_block || goal >= fs->nblocks)
		goal = fs->first_data_block;
	uint32_t g0 = (uint32_t)((goal - fs->first_data_block) / fs->bpg);

	for (uint32_t k = 0; k < fs->ngroups; k++) {
		uint32_t g = (g0 + k) % fs->ngroups;
		struct buf *gb;
		uint8_t *d;
		int err = ext4_gd_get(fs, g, &gb, &d);
		if (err)
			return err;
		uint32_t freeb = ext4_gd_get32(fs, d, GD_FREE_BLOCKS_LO, GD_FREE_BLOCKS_HI);
		bcache_put(gb);
		if (!freeb)
			continue;
		uint32_t from = k ? 0 : (uint32_t)(goal - group_start(fs, g));
		err = balloc_group(fs, g, from, want, start, got);
		if (err != -ENOSPC)
			return err;
	}
	return -ENOSPC;
}

int ext4_bfree(struct ext4_fs *fs, uint64_t start, uint32_t n)
{
	ext4_ra_forget(fs); /* the window may hold the blocks' old contents */
	ext4_dir_forget(fs, start, n);
	if (start <= fs->first_data_block || start >= fs->nblocks || n > fs->nblocks - start)
		return ext4_corrupt(fs, 0, "freeing blocks outside the file system");
	while (n) {
		uint32_t g = (uint32_t)((start - fs->first_data_block) / fs->bpg);
		uint32_t i = (uint32_t)(start - group_start(fs, g));
		uint32_t k = fs->bpg - i < n ? fs->bpg - i : n, j;
		struct buf *bb, *gb;
		uint8_t *d;
		int err = bitmap_get(fs, g, false, &bb, &gb, &d);
		if (err)
			return err;
		for (j = 0; j < k && bit_test(bb->data, i + j); j++)
			bit_clear(bb->data, i + j);
		uint32_t freeb = ext4_gd_get32(fs, d, GD_FREE_BLOCKS_LO, GD_FREE_BLOCKS_HI) + j;
		ext4_gd_set32(fs, d, GD_FREE_BLOCKS_LO, GD_FREE_BLOCKS_HI, freeb);
		bitmap_put(fs, g, false, bb, gb, d);
		ext4_sb_add_free_blocks(fs, j);
		if (j < k)
			return ext4_corrupt(fs, 0, "freeing a free block");
		start += k;
		n -= k;
	}
	return 0;
}

/* Take a free inode of group g: 0, -ENOSPC, or an error. */
static int ialloc_group(struct ext4_fs *fs, uint32_t g, bool dir, uint32_t *ino)
{
	struct buf *bb, *gb;
	uint8_t *d;
	uint32_t first = g ? 0 : fs->first_ino - 1;
	int err = bitmap_get(fs, g, true, &bb, &gb, &d);

	if (err)
		return err;
	uint32_t i = find_zero(bb->data, first, fs->ipg);
	if (i == fs->ipg) {
		bcache_put(bb);
		bcache_put(gb);
		return -ENOSPC;
	}
	bit_set(bb->data, i);
	uint32_t v = ext4_gd_get32(fs, d, GD_FREE_INODES_LO, GD_FREE_INODES_HI);
	ext4_gd_set32(fs, d, GD_FREE_INODES_LO, GD_FREE_INODES_HI, v ? v - 1 : 0);
	if (dir) {
		v = ext4_gd_get32(fs, d, GD_USED_DIRS_LO, GD_USED_DIRS_HI);
		ext4_gd_set32(fs, d, GD_USED_DIRS_LO, GD_USED_DIRS_HI, v + 1);
	}
	v = ext4_gd_get32(fs, d, GD_ITABLE_UNUSED_LO, GD_ITABLE_UNUSED_HI);
	if (i >= fs->ipg - v)
		ext4_gd_set32(fs, d, GD_ITABLE_UNUSED_LO, GD_ITABLE_UNUSED_HI, fs->ipg - i - 1);
	bitmap_put(fs, g, true, bb, gb, d);
	ext4_sb_add_free_inodes(fs, -1);
	*ino = g * fs->ipg + i + 1;
	return 0;
}

int ext4_ialloc(struct ext4_fs *fs, uint32_t pgroup, bool dir, uint32_t *ino)
{
	for (uint32_t k = 0; k < fs->ngroups; k++) {
		uint32_t g = (pgroup + k) % fs->ngroups;
		struct buf *gb;
		uint8_t *d;
		int err = ext4_gd_get(fs, g, &gb, &d);
		if (err)
			return err;
		uint32_t freei = ext4_gd_get32(fs, d, GD_FREE_INODES_LO, GD_FREE_INODES_HI);
		bcache_put(gb);
		if (!freei)
			continue;
		err = ialloc_group(fs, g, dir, ino);
		if (err != -ENOSPC)
			return err;
	}
	return -ENOSPC;
}

int ext4_ifree(struct ext4_fs *fs, uint32_t ino, bool dir)
{
	uint32_t g = (ino - 1) / fs->ipg, i = (ino - 1) % fs->ipg;
	struct buf *bb, *gb;
	uint8_t *d;
	int err = bitmap_get(fs, g, true, &bb, &gb, &d);

	if (err)
		return err;
	bool was = bit_test(bb->data, i);
	bit_clear(bb->data, i);
	uint32_t v = ext4_gd_get32(fs, d, GD_FREE_INODES_LO, GD_FREE_INODES_HI);
	ext4_gd_set32(fs, d, GD_FREE_INODES_LO, GD_FREE_INODES_HI, v + was);
	if (dir && was) {
		v = ext4_gd_get32(fs, d, GD_USED_DIRS_LO, GD_USED_DIRS_HI);
		ext4_gd_set32(fs, d, GD_USED_DIRS_LO, GD_USED_DIRS_HI, v ? v - 1 : 0);
	}
	bitmap_put(fs, g, true, bb, gb, d);
	if (!was)
		return ext4_corrupt(fs, ino, "freeing a free inode");
	ext4_sb_add_free_inodes(fs, 1);
	return 0;
}

int ext4_iused(struct ext4_fs *fs, uint32_t ino, bool *used)
{
	uint32_t g = (ino - 1) / fs->ipg, i = (ino - 1) % fs->ipg;
	struct buf *bb, *gb;
	uint8_t *d;
	int err = ext4_gd_get(fs, g, &gb, &d);

	if (err)
		return err;
	bool uninit = get16(d, GD_FLAGS) & BG_INODE_UNINIT;
	bcache_put(gb);
	if (uninit) { /* nothing in the group was ever allocated */
		*used = false;
		return 0;
	}
	err = bitmap_get(fs, g, true, &bb, &gb, &d);
	if (err)
		return err;
	*used = bit_test(bb->data, i);
	bcache_put(bb);
	bcache_put(gb);
	return 0;
}
