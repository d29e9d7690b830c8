/*
 * ext4 extent trees: mapping logical to physical blocks, adding mappings and
 * cutting them off.
 *
 * Lookups walk from the root in the inode down to a leaf, checking every
 * node's header, checksum and depth, and every extent's range. Changes take
 * a fast path when they touch one leaf (growing the extent an append follows,
 * or an insert into a leaf with room, not at its front); otherwise the whole
 * tree is read into a sorted array, changed there, and written back as a tree
 * of minimal depth with full nodes, reusing the old tree blocks. Callers
 * checked the mount is writable; ip's raw inode is written back here.
 */
#include <core/slab.h>
#include <weft/errno.h>
#include "ext4_impl.h"

#define EH_SIZE	 12
#define EXTS_MAX (1u << 20) /* extents one file may have (bounds what we load) */

struct ext {
	uint32_t lblk, len;
	uint64_t pblk;
	bool unwritten;
};

struct extlist {
	struct ext *v;
	uint32_t n, cap;
	uint64_t *tree; /* the tree's blocks */
	uint32_t ntree, tcap;
};

static uint32_t per_block(const struct ext4_fs *fs)
{
	return (fs->bs - EH_SIZE) / 12;
}

static void ext_get(const uint8_t *p, struct ext *e)
{
	uint16_t len = get16(p, 4);
	e->lblk = get32(p, 0);
	e->unwritten = len > EXT_INIT_MAX;
	e->len = e->unwritten ? len - EXT_INIT_MAX : len;
	e->pblk = get32(p, 8) | (uint64_t)get16(p, 6) << 32;
}

static void ext_put(uint8_t *p, const struct ext *e)
{
	put32(p, 0, e->lblk);
	put16(p, 4, (uint16_t)(e->len + (e->unwritten ? EXT_INIT_MAX : 0)));
	put16(p, 6, (uint16_t)(e->pblk >> 32));
	put32(p, 8, (uint32_t)e->pblk);
}

static uint64_t idx_child(const uint8_t *p)
{
	return get32(p, 4) | (uint64_t)get16(p, 8) << 32;
}

static void hdr_put(uint8_t *h, uint16_t entries, uint16_t max, uint16_t depth)
{
	put16(h, 0, EH_MAGIC);
	put16(h, 2, entries);
	put16(h, 4, max);
	put16(h, 6, depth);
	put32(h, 8, 0);
}

void ext4_ext_init_root(uint8_t *raw)
{
	memset(raw + I_BLOCK, 0, I_BLOCK_LEN);
	hdr_put(raw + I_BLOCK, 0, 4, 0);
}

static uint32_t node_csum(const struct ext4_fs *fs, const struct ext4_inode *ip, const uint8_t *blk)
{
	uint32_t seed = ext4_inode_seed(fs, ip->ino, get32(ip->raw, I_GENERATION));
	return ext4_crc32c(seed, blk, EH_SIZE + 12u * get16(blk, 4));
}

static void node_csum_set(const struct ext4_fs *fs, const struct ext4_inode *ip, uint8_t *blk)
{
	if (fs->csum)
		put32(blk, EH_SIZE + 12u * get16(blk, 4), node_csum(fs, ip, blk));
}

/*
 * Extent nodes whose checksum is known good for their inode (checked once,
 * or written by us since), as for directory blocks (dir.c): a lookup walks
 * the tree on every read, and a node's checksum covers up to a whole block.
 */
static bool node_checked(const struct ext4_fs *fs, uint64_t pblk, uint32_t ino)
{
	unsigned i = pblk % EXT4_DIR_OK;
	return fs->ext_ok[i] == pblk + 1 && fs->ext_ok_ino[i] == ino;
}

static void node_set_checked(struct ext4_fs *fs, uint64_t pblk, uint32_t ino)
{
	fs->ext_ok[pblk % EXT4_DIR_OK] = pblk + 1;
	fs->ext_ok_ino[pblk % EXT4_DIR_OK] = ino;
}

/* Check a node header; depth < 0 means "the root, any depth". */
static int hdr_check(struct ext4_fs *fs, struct ext4_inode *ip, const uint8_t *h, unsigned cap,
		     int depth)
{
	if (get16(h, 0) != EH_MAGIC || get16(h, 2) > get16(h, 4) || get16(h, 4) > cap ||
	    get16(h, 6) > EXT_MAX_DEPTH || (depth >= 0 && get16(h, 6) != depth))
		return ext4_corrupt(fs, ip->ino, "extent header");
	return 0;
}

static bool ext_ok(const struct ext4_fs *fs, const struct ext *e)
{
	return e->len && e->pblk > fs->first_data_block && e->pblk < fs->nblocks &&
	       e->len <= fs->nblocks - e->pblk && (uint64_t)e->lblk + e->len <= (1ull << 32);
}

/* Read the child node at blk, which must have the given depth. */
static int node_read(struct ext4_fs *fs, struct ext4_inode *ip, uint64_t blk, int depth,
		     struct buf **out)
{
	if (blk <= fs->first_data_block || blk >= fs->nblocks)
		return ext4_corrupt(fs, ip->ino, "extent node outside the file system");
	int err = bcache_read(fs->bc, blk, out);
	if (err)
		return err;
	err = hdr_check(fs, ip, (*out)->data, per_block(fs), depth);
	if (!err && fs->csum && !node_checked(fs, blk, ip->ino)) {
		if (get32((*out)->data, EH_SIZE + 12u * get16((*out)->data, 4)) !=
		    node_csum(fs, ip, (*out)->data))
			err = ext4_corrupt(fs, ip->ino, "extent node checksum");
		else
			node_set_checked(fs, blk, ip->ino);
	}
	if (err)
		bcache_put(*out);
	return err;
}

static bool has_extents(const struct ext4_inode *ip)
{
	return get32(ip->raw, I_FLAGS) & IFL_EXTENTS;
}

/*
 * Walk to the leaf that would hold lblk. *h is that leaf's header (in *b, or
 * in the inode if *b is NULL); *limit the first logical block past its range.
 */
static int find_leaf(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t lblk, struct buf **b,
		     uint8_t **h, uint64_t *limit)
{
	uint8_t *node = ip->raw + I_BLOCK;
	int err = hdr_check(fs, ip, node, 4, -1);

	*b = NULL;
	*limit = 1ull << 32;
	while (!err && get16(node, 6) > 0) {
		unsigned n = get16(node, 2), i = 0;
		int depth = get16(node, 6);
		if (!n) {
			err = ext4_corrupt(fs, ip->ino, "empty extent index");
			break;
		}
		while (i + 1 < n && get32(node + EH_SIZE + 12 * (i + 1), 0) <= lblk)
			i++;
		if (i + 1 < n)
			*limit = get32(node + EH_SIZE + 12 * (i + 1), 0);
		struct buf *child;
		err = node_read(fs, ip, idx_child(node + EH_SIZE + 12 * i), depth - 1, &child);
		bcache_put(*b);
		*b = err ? NULL : child;
		if (!err)
			node = child->data;
	}
	*h = node;
	return err;
}

int ext4_map(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t lblk, uint64_t *pblk,
	     uint32_t *len, unsigned *flags)
{
	struct buf *b;
	uint8_t *h;
	uint64_t limit;

	if (!has_extents(ip)) {
		if (ext4_iblocks512(fs, ip->raw))
			return -EOPNOTSUPP; /* block-mapped (ext2/3) files are not supported */
		*flags = MAP_HOLE;
		*len = UINT32_MAX - lblk;
		return 0;
	}
	int err = find_leaf(fs, ip, lblk, &b, &h, &limit);
	if (err)
		return err;
	unsigned n = get16(h, 2);
	*flags = MAP_HOLE;
	for (unsigned i = 0; i < n; i++) {
		struct ext e;
		ext_get(h + EH_SIZE + 12 * i, &e);
		if (!ext_ok(fs, &e)) {
			err = ext4_corrupt(fs, ip->ino, "extent outside the file system");
			break;
		}
		if (lblk < e.lblk) {
			limit = e.lblk;
			break;
		}
		if (lblk - e.lblk < e.len) {
			*flags = e.unwritten ? MAP_UNWRITTEN : 0;
			*pblk = e.pblk + (lblk - e.lblk);
			*len = e.len - (lblk - e.lblk);
			break;
		}
	}
	if (!err && *flags == MAP_HOLE) {
		if (limit <= lblk)
			err = ext4_corrupt(fs, ip->ino, "extent index order");
		*len = limit - lblk > UINT32_MAX ? UINT32_MAX : (uint32_t)(limit - lblk);
	}
	bcache_put(b);
	return err;
}

/* ---- the whole tree as an array ---- */

static int push(void **v, uint32_t *n, uint32_t *cap, size_t sz)
{
	if (*n < *cap)
		return 0;
	uint32_t ncap = *cap ? *cap * 2 : 16;
	if (ncap > EXTS_MAX)
		return -EFBIG;
	void *nv = kmalloc(ncap * sz);
	if (!nv)
		return -ENOMEM;
	if (*v)
		memcpy(nv, *v, *n * sz);
	kfree(*v);
	*v = nv;
	*cap = ncap;
	return 0;
}

static int collect_node(struct ext4_fs *fs, struct ext4_inode *ip, const uint8_t *h,
			struct extlist *l)
{
	unsigned n = get16(h, 2), depth = get16(h, 6);
	int err = 0;

	for (unsigned i = 0; i < n && !err; i++) {
		const uint8_t *p = h + EH_SIZE + 12 * i;
		if (depth == 0) {
			struct ext e;
			ext_get(p, &e);
			const struct ext *last = l->n ? &l->v[l->n - 1] : NULL;
			if (!ext_ok(fs, &e) || (last && e.lblk < last->lblk + last->len))
				return ext4_corrupt(fs, ip->ino, "extent out of range or order");
			err = push((void **)&l->v, &l->n, &l->cap, sizeof(*l->v));
			if (!err)
				l->v[l->n++] = e;
			continue;
		}
		struct buf *b;
		err = push((void **)&l->tree, &l->ntree, &l->tcap, sizeof(*l->tree));
		if (!err)
			err = node_read(fs, ip, idx_child(p), (int)depth - 1, &b);
		if (err)
			return err;
		l->tree[l->ntree++] = b->blkno;
		err = collect_node(fs, ip, b->data, l);
		bcache_put(b);
	}
	return err;
}

static void list_free(struct extlist *l)
{
	kfree(l->v);
	kfree(l->tree);
}

static int collect(struct ext4_fs *fs, struct ext4_inode *ip, struct extlist *l)
{
	memset(l, 0, sizeof(*l));
	int err = hdr_check(fs, ip, ip->raw + I_BLOCK, 4, -1);
	if (!err)
		err = collect_node(fs, ip, ip->raw + I_BLOCK, l);
	if (err) {
		list_free(l);
		memset(l, 0, sizeof(*l));
	}
	return err;
}

/* Blocks for a tree of n extents: nodes per level (leaves first), count. */
static unsigned tree_shape(const struct ext4_fs *fs, uint32_t n, uint32_t *levels, uint32_t *total)
{
	unsigned depth = 0;
	uint32_t cnt = n;

	*total = 0;
	while (cnt > 4 && depth < EXT_MAX_DEPTH) {
		cnt = (cnt + per_block(fs) - 1) / per_block(fs);
		levels[depth++] = cnt;
		*total += cnt;
	}
	return depth;
}

/* Write one node (a block, or the root when blk is 0) from src entries. */
static int node_write(struct ext4_fs *fs, struct ext4_inode *ip, uint64_t blk, unsigned depth,
		      const uint8_t *src, uint32_t n)
{
	struct buf *b;
	uint8_t *h = ip->raw + I_BLOCK;

	if (blk) {
		int err = bcache_get(fs->bc, blk, &b);
		if (err)
			return err;
		h = b->data;
		memset(h, 0, fs->bs);
	} else {
		memset(h, 0, I_BLOCK_LEN);
	}
	hdr_put(h, (uint16_t)n, (uint16_t)(blk ? per_block(fs) : 4), (uint16_t)depth);
	memcpy(h + EH_SIZE, src, 12 * n);
	if (blk) {
		node_csum_set(fs, ip, h);
		node_set_checked(fs, blk, ip->ino);
		bcache_dirty(b);
		bcache_put(b);
	}
	return 0;
}

/* Get the tree blocks the new shape needs: the old ones first. */
static int tree_blocks(struct ext4_fs *fs, struct ext4_inode *ip, struct extlist *l, uint32_t need,
		       uint64_t **out)
{
	uint64_t *blks = kmalloc((need + 1) * sizeof(*blks));
	uint32_t have = l->ntree < need ? l->ntree : need;

	if (!blks)
		return -ENOMEM;
	if (have)
		memcpy(blks, l->tree, have * sizeof(*blks));
	uint32_t got = have;
	while (got < need) {
		uint64_t s;
		uint32_t k;
		int err = ext4_balloc(fs, l->n ? l->v[0].pblk : 0, need - got, &s, &k);
		if (err) {
			for (uint32_t i = have; i < got; i++)
				ext4_bfree(fs, blks[i], 1);
			kfree(blks);
			return err;
		}
		for (uint32_t i = 0; i < k; i++)
			blks[got++] = s + i;
	}
	ext4_iadd_blocks(fs, ip->raw, (int64_t)need - have);
	for (uint32_t i = need; i < l->ntree; i++) {
		ext4_bfree(fs, l->tree[i], 1);
		ext4_iadd_blocks(fs, ip->raw, -1);
	}
	*out = blks;
	return 0;
}

/* Write l back as the inode's whole tree. */
static int rebuild(struct ext4_fs *fs, struct ext4_inode *ip, struct extlist *l)
{
	uint32_t levels[EXT_MAX_DEPTH], total, per = per_block(fs);
	unsigned depth = tree_shape(fs, l->n, levels, &total);
	uint64_t *blks;
	uint8_t *ents = kmalloc(12 * (l->n + 1));
	int err = 0;

	if (!ents)
		return -ENOMEM;
	if (depth == EXT_MAX_DEPTH && levels[depth - 1] > 4)
		err = -EFBIG;
	if (!err)
		err = tree_blocks(fs, ip, l, total, &blks);
	if (err) {
		kfree(ents);
		return err;
	}
	for (uint32_t i = 0; i < l->n; i++)
		ext_put(ents + 12 * i, &l->v[i]);
	uint32_t n = l->n, bi = 0;
	for (unsigned d = 0; d < depth && !err; d++) {
		/* Write this level's nodes; ents becomes the index above them. */
		for (uint32_t k = 0; k < levels[d] && !err; k++) {
			uint32_t cnt = n - k * per < per ? n - k * per : per;
			uint64_t blk = blks[bi++];
			uint32_t first = get32(ents + 12 * k * per, 0);
			err = node_write(fs, ip, blk, d, ents + 12 * k * per, cnt);
			uint8_t idx[12] = {0};
			put32(idx, 0, first);
			put32(idx, 4, (uint32_t)blk);
			put16(idx, 8, (uint16_t)(blk >> 32));
			memcpy(ents + 12 * k, idx, 12); /* k*12 <= k*per*12: already consumed */
		}
		n = levels[d];
	}
	if (!err)
		err = node_write(fs, ip, 0, depth, ents, n);
	kfree(blks);
	kfree(ents);
	return err ? err : ext4_iwrite(fs, ip);
}

/* ---- changes ---- */

/* Grow the extent just before lblk in place, or insert into the leaf. */
static int insert_fast(struct ext4_fs *fs, struct ext4_inode *ip, const struct ext *ne, bool *done)
{
	struct buf *b;
	uint8_t *h;
	uint64_t limit;
	int err = find_leaf(fs, ip, ne->lblk, &b, &h, &limit);

	*done = false;
	if (err)
		return err;
	unsigned n = get16(h, 2), i = 0;
	while (i < n && get32(h + EH_SIZE + 12 * i, 0) < ne->lblk)
		i++;
	struct ext prev;
	if (i > 0) {
		ext_get(h + EH_SIZE + 12 * (i - 1), &prev);
		if (!prev.unwritten && prev.lblk + prev.len == ne->lblk &&
		    prev.pblk + prev.len == ne->pblk && prev.len + ne->len <= EXT_INIT_MAX) {
			prev.len += ne->len;
			ext_put(h + EH_SIZE + 12 * (i - 1), &prev);
			*done = true;
		}
	}
	if (!*done && n < get16(h, 4) && (i > 0 || !b)) {
		memmove(h + EH_SIZE + 12 * (i + 1), h + EH_SIZE + 12 * i, 12 * (n - i));
		ext_put(h + EH_SIZE + 12 * i, ne);
		put16(h, 2, (uint16_t)(n + 1));
		*done = true;
	}
	if (*done && b) {
		node_csum_set(fs, ip, h);
		node_set_checked(fs, b->blkno, ip->ino);
		bcache_dirty(b);
	}
	bcache_put(b);
	return *done ? ext4_iwrite(fs, ip) : 0;
}

int ext4_map_insert(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t lblk, uint64_t pblk,
		    uint32_t len)
{
	struct ext ne = {.lblk = lblk, .len = len, .pblk = pblk};
	struct extlist l;
	bool done;
	int err = insert_fast(fs, ip, &ne, &done);

	if (err || done)
		return err;
	err = collect(fs, ip, &l);
	if (!err)
		err = push((void **)&l.v, &l.n, &l.cap, sizeof(*l.v));
	if (err) {
		list_free(&l);
		return err;
	}
	uint32_t i = 0;
	while (i < l.n && l.v[i].lblk < lblk)
		i++;
	memmove(&l.v[i + 1], &l.v[i], (l.n - i) * sizeof(*l.v));
	l.v[i] = ne;
	l.n++;
	err = rebuild(fs, ip, &l);
	list_free(&l);
	return err;
}

int ext4_ext_truncate(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t first)
{
	struct extlist l;
	bool changed = false;
	int err;

	if (!has_extents(ip))
		return 0;
	err = collect(fs, ip, &l);
	if (err)
		return err;
	uint32_t keep = 0;
	for (uint32_t i = 0; i < l.n && !err; i++) {
		struct ext e = l.v[i];
		uint32_t cut = e.lblk >= first ? 0 : first - e.lblk;
		if (cut >= e.len) {
			l.v[keep++] = e;
			continue;
		}
		changed = true;
		err = ext4_bfree(fs, e.pblk + cut, e.len - cut);
		ext4_iadd_blocks(fs, ip->raw, -(int64_t)(e.len - cut));
		e.len = cut;
		if (cut)
			l.v[keep++] = e;
	}
	l.n = keep;
	if (!err && changed)
		err = rebuild(fs, ip, &l);
	list_free(&l);
	return err;
}

/* Write zeros over n blocks at pblk. */
static int zero_blocks(struct ext4_fs *fs, uint64_t pblk, uint32_t n)
{
	uint32_t per = EXT4_IOBUF >> fs->bs_bits;

	memset(fs->iobuf, 0, (size_t)(n < per ? n : per) << fs->bs_bits);
	while (n) {
		uint32_t k = n < per ? n : per;
		int err = bcache_write_direct(fs->bc, pblk, k, fs->iobuf);
		if (err)
			return err;
		pblk += k;
		n -= k;
	}
	return 0;
}

int ext4_ext_mark_written(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t lblk)
{
	struct extlist l;
	int err = collect(fs, ip, &l);

	if (err)
		return err;
	for (uint32_t i = 0; i < l.n; i++) {
		struct ext *e = &l.v[i];
		if (lblk >= e->lblk && lblk - e->lblk < e->len && e->unwritten) {
			err = zero_blocks(fs, e->pblk, e->len);
			e->unwritten = false;
			if (!err)
				err = rebuild(fs, ip, &l);
			break;
		}
	}
	list_free(&l);
	return err;
}

int ext4_alloc_map(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t lblk, uint32_t want,
		   uint64_t *pblk, uint32_t *got)
{
	uint64_t goal = 0, p;
	uint32_t len;
	unsigned flags;
	int err;

	if (want > EXT_INIT_MAX)
		want = EXT_INIT_MAX;
	if (lblk && !ext4_map(fs, ip, lblk - 1, &p, &len, &flags) && !(flags & MAP_HOLE))
		goal = p + 1;
	else
		goal = fs->first_data_block + (uint64_t)((ip->ino - 1) / fs->ipg) * fs->bpg;
	err = ext4_balloc(fs, goal, want, pblk, got);
	if (err)
		return err;
	ext4_iadd_blocks(fs, ip->raw, *got);
	err = ext4_map_insert(fs, ip, lblk, *pblk, *got);
	if (err) {
		ext4_iadd_blocks(fs, ip->raw, -(int64_t)*got);
		ext4_bfree(fs, *pblk, *got);
	}
	return err;
}
