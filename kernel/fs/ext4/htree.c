/*
 * ext4 hash-indexed (htree) directories: walking the index, and lookups.
 *
 * An indexed directory's block 0 holds, behind "." and "..", a sorted table
 * of (hash, block) pairs; with indirect levels, those blocks are further
 * tables (index nodes: one empty entry spanning the block, then the table);
 * the last level points at ordinary leaf blocks holding the names whose
 * hashes fall in that range. Entry 0 of a table has no hash (its slot holds
 * the table's limit and count). A hash with bit 0 set marks a leaf that
 * continues the previous one's last hash (names colliding across a split).
 * With metadata_csum every table ends in a tail whose checksum covers the
 * block up to the last entry in use.
 *
 * A walk checks every table before using it: the root's header, each
 * table's limit (exactly what the block holds, as mke2fs, e2fsck and Linux
 * make it) and count, its checksum, and every block number against the
 * directory's size; bad ones are -EUCLEAN. A lookup hashes the name the way
 * the directory says (dx_hash.c), walks to the leaf and scans it, then the
 * following leaves while they continue the same hash. Names the index
 * cannot answer for (".", "..", an unknown hash) are left to the linear
 * scan (-EOPNOTSUPP). Callers hold the mount's op serialisation.
 */
#include <weft/errno.h>
#include "ext4_impl.h"

#define DX_TAIL_LEN 8 /* dt_reserved, dt_checksum */

uint32_t ext4_dx_hash_at(const struct ext4_dx_frame *f, unsigned i)
{
	return i ? get32(f->b->data + f->off + 8 * i, 0) : 0;
}

uint32_t ext4_dx_block_at(const struct ext4_dx_frame *f, unsigned i)
{
	return get32(f->b->data + f->off + 8 * i, 4);
}

uint32_t ext4_dx_leaf(const struct ext4_dx_path *p)
{
	const struct ext4_dx_frame *f = &p->f[p->levels];
	return ext4_dx_block_at(f, f->at);
}

unsigned ext4_dx_limit(const struct ext4_fs *fs, unsigned off)
{
	return (fs->bs - off - (fs->csum ? DX_TAIL_LEN : 0)) / 8;
}

unsigned ext4_dx_max_levels(const struct ext4_fs *fs)
{
	return (get32(fs->sb, SB_FEATURE_INCOMPAT) & INCOMPAT_LARGEDIR) ? 3 : 2;
}

/* The checksum of the table at off of blk: the block up to the last entry
 * in use, then the tail with its checksum field taken as zero. */
static uint32_t dx_csum(const struct ext4_fs *fs, const struct ext4_inode *dir, const uint8_t *blk,
			unsigned off)
{
	static const uint8_t zero4[4];
	unsigned count = get16(blk, off + 2), tail = off + 8 * get16(blk, off);
	uint32_t c = ext4_inode_seed(fs, dir->ino, get32(dir->raw, I_GENERATION));

	c = ext4_crc32c(c, blk, off + 8 * count);
	c = ext4_crc32c(c, blk + tail, 4);
	return ext4_crc32c(c, zero4, 4);
}

void ext4_dx_block_done(struct ext4_fs *fs, struct ext4_inode *dir, struct buf *b, unsigned off)
{
	if (fs->csum)
		put32(b->data, off + 8 * get16(b->data, off) + 4, dx_csum(fs, dir, b->data, off));
	ext4_dir_set_checked(fs, b->blkno, dir->ino);
	bcache_dirty(b);
}

/* Check the table at byte off of f->b and load its header into f. */
static int dx_table_load(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_dx_frame *f,
			 unsigned off)
{
	const uint8_t *blk = f->b->data;
	unsigned limit = get16(blk, off), count = get16(blk, off + 2);

	if (limit != ext4_dx_limit(fs, off) || !count || count > limit)
		return ext4_corrupt(fs, dir->ino, "htree index counts");
	if (fs->csum && !ext4_dir_checked(fs, f->b->blkno, dir->ino)) {
		if (get32(blk, off + 8 * limit + 4) != dx_csum(fs, dir, blk, off))
			return ext4_corrupt(fs, dir->ino, "htree index checksum");
		ext4_dir_set_checked(fs, f->b->blkno, dir->ino);
	}
	f->off = off;
	f->limit = limit;
	f->count = count;
	f->at = 0;
	return 0;
}

/* Frame k: the index node at lblk. */
static int dx_node_load(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_dx_path *p,
			unsigned k, uint32_t lblk)
{
	struct ext4_dx_frame *f = &p->f[k];
	int err = ext4_dir_block_raw(fs, dir, lblk, &f->b);

	if (err) {
		f->b = NULL;
		return err;
	}
	f->lblk = lblk;
	if (get32(f->b->data, 0) || ext4_rec_len(fs, f->b->data) != fs->bs)
		return ext4_corrupt(fs, dir->ino, "htree index node");
	return dx_table_load(fs, dir, f, DX_NODE_TABLE);
}

/* The last entry of a table whose hash is at most hash. */
static unsigned dx_search(const struct ext4_dx_frame *f, uint32_t hash)
{
	unsigned lo = 1, hi = f->count;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (ext4_dx_hash_at(f, mid) <= hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/* Follow entry f->at of frame k to frame k+1 (or check the leaf's number). */
static int dx_descend(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_dx_path *p,
		      unsigned k)
{
	uint32_t blk = ext4_dx_block_at(&p->f[k], p->f[k].at);

	if (!blk || blk >= p->nblk)
		return ext4_corrupt(fs, dir->ino, "htree block out of range");
	return k == p->levels ? 0 : dx_node_load(fs, dir, p, k + 1, blk);
}

void ext4_dx_path_put(struct ext4_dx_path *p)
{
	for (unsigned k = 0; k < EXT4_DX_MAX_LEVELS; k++) {
		bcache_put(p->f[k].b);
		p->f[k].b = NULL;
	}
}

/* Check the root block's header: its levels and hash version into p. */
static int dx_root_check(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_dx_path *p,
			 unsigned *version)
{
	const uint8_t *r = p->f[0].b->data;

	if (ext4_rec_len(fs, r) != 12 || ext4_rec_len(fs, r + 12) != fs->bs - 12 ||
	    get32(r, DX_ROOT_INFO) || r[DX_ROOT_INFO + 5] != 8 ||
	    r[DX_ROOT_INFO + 6] >= ext4_dx_max_levels(fs))
		return ext4_corrupt(fs, dir->ino, "htree root");
	p->levels = r[DX_ROOT_INFO + 6];
	*version = r[DX_ROOT_INFO + 4];
	return 0;
}

int ext4_dx_probe(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint32_t nblk,
		  struct ext4_dx_path *p)
{
	unsigned version;
	int err;

	memset(p, 0, sizeof(*p));
	p->nblk = nblk;
	err = ext4_dir_block_raw(fs, dir, 0, &p->f[0].b);
	if (err) {
		p->f[0].b = NULL;
		return err;
	}
	err = dx_root_check(fs, dir, p, &version);
	if (!err)
		err = ext4_dx_hash(fs, version, name, strlen(name), &p->hash);
	if (!err)
		err = dx_table_load(fs, dir, &p->f[0], DX_ROOT_TABLE);
	for (unsigned k = 0; !err && k <= p->levels; k++) {
		p->f[k].at = dx_search(&p->f[k], p->hash);
		err = dx_descend(fs, dir, p, k);
	}
	if (err)
		ext4_dx_path_put(p);
	return err;
}

/*
 * Move the path to the next leaf in hash order: 1 and *next, the hash where
 * that leaf's range starts; 0 at the end of the index; or an error.
 */
static int dx_next_leaf(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_dx_path *p,
			uint32_t *next)
{
	int k = (int)p->levels;

	while (k >= 0 && p->f[k].at + 1 >= p->f[k].count)
		k--;
	if (k < 0)
		return 0;
	p->f[k].at++;
	*next = ext4_dx_hash_at(&p->f[k], p->f[k].at);
	for (unsigned j = (unsigned)k; j <= p->levels; j++) {
		if (j > (unsigned)k)
			p->f[j].at = 0;
		if (j < p->levels) {
			bcache_put(p->f[j + 1].b);
			p->f[j + 1].b = NULL;
		}
		int err = dx_descend(fs, dir, p, j);
		if (err)
			return err;
	}
	return 1;
}

int ext4_dx_find(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint32_t nblk,
		 struct ext4_dirent *de)
{
	struct ext4_dx_path p;
	int err;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EOPNOTSUPP;
	err = ext4_dx_probe(fs, dir, name, nblk, &p);
	if (err)
		return err;
	/* Equal hashes may go on in the next leaves (their hash has bit 0 set). */
	for (uint32_t n = 0; n < nblk; n++) {
		uint32_t next;
		err = ext4_dir_scan_block(fs, dir, ext4_dx_leaf(&p), name, de);
		if (err != -ENOENT)
			break;
		int r = dx_next_leaf(fs, dir, &p, &next);
		if (r <= 0 || (next & ~1u) != p.hash) {
			err = r < 0 ? r : -ENOENT;
			break;
		}
	}
	ext4_dx_path_put(&p);
	return err;
}
