/*
 * Adding names to hash-indexed (htree) directories, keeping the index.
 *
 * A new name goes into the leaf its hash leads to (htree.c walks there).
 * When that leaf is full it is split: its entries sorted by hash, the upper
 * half (about half the bytes) moved to a new block at the end of the
 * directory (the others stay where they are, so that a directory read in
 * progress misses none), and (first hash of the moved half, new block) inserted into
 * the index just after the old leaf's entry; when the two halves part
 * between equal hashes the new entry's hash gets bit 0 set (a continuation,
 * which lookups follow). When the table holding the leaf's entry is full
 * too, the nearest table above with room takes a new entry for a split of
 * the full table below it; when even the root is full, the index grows a
 * level: the root's entries move to a new node and the root points at it
 * (at most one indirect level without the largedir feature, as Linux
 * does; a full two-level index is -ENOSPC). Each step makes one change and
 * the insertion starts over from the root, so every walk sees a consistent
 * index. Every changed table gets its tail checksum (metadata_csum).
 *
 * A linear directory whose single block is full becomes indexed first
 * (ext4_dx_make_indexed): block 0 keeps "." and ".." and becomes the root,
 * its other entries move to a new leaf, block 1.
 *
 * Deleting never changes the index. Ops run serialised per mount; callers
 * checked writability. Errors: -EEXIST, -ENOSPC, -EUCLEAN for an index that
 * does not add up, -EIO, -ENOMEM.
 */
#include <core/slab.h>
#include <weft/errno.h>
#include "ext4_impl.h"

#define MAX_STEPS 16 /* structural changes one insertion may need, at most */

/* One entry of a leaf being split. */
struct dx_map {
	uint32_t hash;
	uint32_t off;  /* in the copy of the old block */
	uint32_t size; /* bytes it needs */
};

/* Shell sort by hash, keeping the order of equal hashes' offsets stable
 * enough for us (ties are kept in block order by the offset key). */
static void map_sort(struct dx_map *m, unsigned n)
{
	static const unsigned gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};

	for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		unsigned gap = gaps[g];
		for (unsigned i = gap; i < n; i++) {
			struct dx_map t = m[i];
			unsigned j = i;
			while (j >= gap &&
			       (m[j - gap].hash > t.hash ||
				(m[j - gap].hash == t.hash && m[j - gap].off > t.off))) {
				m[j] = m[j - gap];
				j -= gap;
			}
			m[j] = t;
		}
	}
}

/* Write entries m[0..n) of src one after another from dst, the last
 * reaching end. */
static void pack(uint8_t *dst, const uint8_t *src, const struct dx_map *m, unsigned n, uint32_t end)
{
	uint32_t off = 0, last = 0;

	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = src + m[i].off;
		memcpy(dst + off, e, DE_HDR + e[6]);
		ext4_set_rec_len(dst + off, m[i].size);
		last = off;
		off += m[i].size;
	}
	ext4_set_rec_len(dst + last, end - last);
}

/* Insert (hash, blk) as entry pos of frame f's table, which has room. */
static void dx_insert(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_dx_frame *f,
		      unsigned pos, uint32_t hash, uint32_t blk)
{
	uint8_t *t = f->b->data + f->off;

	memmove(t + 8 * (pos + 1), t + 8 * pos, 8 * (f->count - pos));
	put32(t + 8 * pos, 0, hash);
	put32(t + 8 * pos, 4, blk);
	put16(t, 2, (uint16_t)++f->count);
	ext4_dx_block_done(fs, dir, f->b, f->off);
}

/* A new index node at the end of dir holding the n entries at e. */
static int dx_new_node(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *e, unsigned n,
		       uint32_t *lblk)
{
	struct buf *b;
	int err = ext4_dir_append(fs, dir, lblk, &b);

	if (err)
		return err;
	ext4_set_rec_len(b->data, fs->bs);
	memcpy(b->data + DX_NODE_TABLE, e, 8 * n);
	put16(b->data, DX_NODE_TABLE, (uint16_t)ext4_dx_limit(fs, DX_NODE_TABLE));
	put16(b->data, DX_NODE_TABLE + 2, (uint16_t)n);
	ext4_dx_block_done(fs, dir, b, DX_NODE_TABLE);
	bcache_put(b);
	return 0;
}

/* Sort by offset in the block. */
static void map_sort_off(struct dx_map *m, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct dx_map t = m[i];
		unsigned j = i;
		for (; j > 0 && m[j - 1].off > t.off; j--)
			m[j] = m[j - 1];
		m[j] = t;
	}
}

/*
 * Take the moved entries mv[0..k) (by offset) out of blk in place, as a
 * delete does: each one's space joins the entry before it (the first entry
 * of the block is only emptied). The names that stay keep their offsets,
 * so a directory read going on meets each of them once; a moved name goes to
 * the new block at the end, where a read that already met it meets it again.
 */
static void remove_moved(const struct ext4_fs *fs, uint8_t *blk, uint32_t end,
			 const struct dx_map *mv, unsigned k)
{
	uint32_t prev = UINT32_MAX;
	unsigned j = 0;

	for (uint32_t off = 0; off < end;) {
		uint32_t rl = ext4_rec_len(fs, blk + off);
		bool moved = j < k && mv[j].off == off;
		j += moved;
		if (moved && prev != UINT32_MAX)
			ext4_set_rec_len(blk + prev, ext4_rec_len(fs, blk + prev) + rl);
		else if (moved)
			put32(blk, off, 0);
		if (!moved || prev == UINT32_MAX)
			prev = off;
		off += rl;
	}
}

/* The entries of leaf b (ending at end), with their hashes: *n of them in
 * *mp, a copy of the block in *copy. */
static int leaf_map(struct ext4_fs *fs, struct ext4_inode *dir, unsigned version,
		    const struct buf *b, uint32_t end, struct dx_map **mp, uint8_t **copy,
		    unsigned *n)
{
	struct dx_map *m = kmalloc(sizeof(*m) * (fs->bs / 12 + 1));
	uint8_t *c = kmalloc(fs->bs);
	unsigned k = 0;

	if (!m || !c) {
		kfree(m);
		kfree(c);
		return -ENOMEM;
	}
	memcpy(c, b->data, fs->bs);
	for (uint32_t off = 0; off < end; off += ext4_rec_len(fs, c + off)) {
		const uint8_t *e = c + off;
		if (!get32(e, 0))
			continue;
		m[k] = (struct dx_map){0, off, ext4_de_size(e[6])};
		ext4_dx_hash(fs, version, (const char *)e + DE_HDR, e[6], &m[k].hash);
		k++;
	}
	*mp = m;
	*copy = c;
	*n = k;
	return 0;
}

/* Where to cut the sorted entries: the upper part, about half the bytes,
 * moves; at least one entry stays and one moves. */
static unsigned split_point(const struct ext4_fs *fs, const struct dx_map *m, unsigned n)
{
	uint32_t moved = 0;
	unsigned split = n;

	while (split > 1 && moved + m[split - 1].size / 2 <= fs->bs / 2)
		moved += m[--split].size;
	return split == n ? n - 1 : split;
}

/* Split the full leaf the path ends at; its table has room. */
static int dx_split_leaf(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_dx_path *p,
			 unsigned version)
{
	struct ext4_dx_frame *f = &p->f[p->levels];
	uint32_t leaf = ext4_dx_leaf(p), end, nlblk;
	struct buf *b, *nb;
	struct dx_map *m;
	uint8_t *copy;
	unsigned n;
	int err = ext4_dir_block(fs, dir, leaf, &b, &end);

	if (err)
		return err;
	err = leaf_map(fs, dir, version, b, end, &m, &copy, &n);
	if (err) {
		bcache_put(b);
		return err;
	}
	if (n < 2)
		err = ext4_corrupt(fs, dir->ino, "htree leaf full with fewer than two names");
	if (!err)
		err = ext4_dir_append(fs, dir, &nlblk, &nb);
	if (err) {
		bcache_put(b);
		kfree(m);
		kfree(copy);
		return err;
	}
	map_sort(m, n);
	unsigned split = split_point(fs, m, n);
	uint32_t hash2 = m[split].hash | (m[split - 1].hash == m[split].hash);
	pack(nb->data, copy, m + split, n - split, ext4_dir_leaf_end(fs));
	map_sort_off(m + split, n - split);
	remove_moved(fs, b->data, end, m + split, n - split);
	ext4_dir_leaf_done(fs, dir, nb);
	ext4_dir_leaf_done(fs, dir, b);
	dx_insert(fs, dir, f, f->at + 1, hash2, nlblk);
	kfree(m);
	kfree(copy);
	return 0;
}

/* Split the full table of frame k in two; the table of frame k-1 has room. */
static int dx_split_node(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_dx_path *p,
			 unsigned k)
{
	struct ext4_dx_frame *f = &p->f[k], *up = &p->f[k - 1];
	unsigned keep = f->count / 2;
	uint32_t hash2 = ext4_dx_hash_at(f, keep), nlblk;
	int err = dx_new_node(fs, dir, f->b->data + f->off + 8 * keep, f->count - keep, &nlblk);

	if (err)
		return err;
	f->count = keep;
	put16(f->b->data, f->off + 2, (uint16_t)keep);
	ext4_dx_block_done(fs, dir, f->b, f->off);
	dx_insert(fs, dir, up, up->at + 1, hash2, nlblk);
	return 0;
}

/* The root is full: its entries move to a new node below it. */
static int dx_add_level(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_dx_path *p)
{
	struct ext4_dx_frame *r = &p->f[0];
	uint32_t nlblk;
	int err = dx_new_node(fs, dir, r->b->data + r->off, r->count, &nlblk);

	if (err)
		return err;
	put16(r->b->data, r->off + 2, 1);
	put32(r->b->data, r->off + 4, nlblk);
	r->b->data[DX_ROOT_INFO + 6] = (uint8_t)(p->levels + 1);
	ext4_dx_block_done(fs, dir, r->b, r->off);
	return 0;
}

/* The leaf for the name is full: make room with one change to the index. */
static int dx_make_room(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_dx_path *p,
			unsigned version)
{
	int k = (int)p->levels;

	if (p->f[k].count < p->f[k].limit)
		return dx_split_leaf(fs, dir, p, version);
	while (k > 0 && p->f[k - 1].count == p->f[k - 1].limit)
		k--;
	if (k > 0)
		return dx_split_node(fs, dir, p, (unsigned)k);
	if (p->levels + 1 >= ext4_dx_max_levels(fs))
		return -ENOSPC; /* the index is as deep as it may be, and full */
	return dx_add_level(fs, dir, p);
}

int ext4_dx_add(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint32_t ino,
		uint8_t type)
{
	struct ext4_dx_path p;
	struct ext4_dirent de;
	uint32_t nblk;
	int err = ext4_dir_nblocks(fs, dir, &nblk);

	if (!err)
		err = ext4_dx_find(fs, dir, name, nblk, &de);
	if (!err)
		return -EEXIST;
	if (err != -ENOENT)
		return err;
	bool pack = false;

	for (unsigned step = 0; step < MAX_STEPS; step++) {
		err = ext4_dir_nblocks(fs, dir, &nblk);
		if (!err)
			err = ext4_dx_probe(fs, dir, name, nblk, &p);
		if (err)
			return err;
		unsigned version = p.f[0].b->data[DX_ROOT_INFO + 4];
		uint32_t leaf = ext4_dx_leaf(&p);
		for (unsigned k = 1; k <= p.levels; k++)
			if (p.f[k].lblk == leaf)
				err = ext4_corrupt(fs, dir->ino, "htree leaf is an index block");
		if (!err)
			err = ext4_dir_leaf_add(fs, dir, leaf, name, ino, type,
						pack || step >= MAX_STEPS / 2);
		if (err == -EAGAIN) {
			/* Room only in pieces: split the leaf rather than close
			 * the holes up (which would move names under a reader);
			 * close them up if the index can take no more. */
			err = dx_make_room(fs, dir, &p, version);
			if (err == -ENOSPC) {
				pack = true;
				err = 0;
			}
		} else if (err == -ENOSPC) {
			err = dx_make_room(fs, dir, &p, version);
		} else if (!err)
			err = 1;
		ext4_dx_path_put(&p);
		if (err)
			return err < 0 ? err : 0;
	}
	return ext4_corrupt(fs, dir->ino, "htree insertion does not converge");
}

bool ext4_dx_can_index(const struct ext4_fs *fs)
{
	return (get32(fs->sb, SB_FEATURE_COMPAT) & COMPAT_DIR_INDEX) &&
	       fs->sb[SB_DEF_HASH_VERSION] <= EXT4_DX_TEA;
}

/* Block 0 as an index root with one entry, pointing at block 1. */
static void root_init(struct ext4_fs *fs, uint8_t *r)
{
	memset(r + 24, 0, fs->bs - 24);
	ext4_set_rec_len(r + 12, fs->bs - 12);
	r[DX_ROOT_INFO + 4] = fs->sb[SB_DEF_HASH_VERSION];
	r[DX_ROOT_INFO + 5] = 8;
	put16(r, DX_ROOT_TABLE, (uint16_t)ext4_dx_limit(fs, DX_ROOT_TABLE));
	put16(r, DX_ROOT_TABLE + 2, 1);
	put32(r, DX_ROOT_TABLE + 4, 1);
}

int ext4_dx_make_indexed(struct ext4_fs *fs, struct ext4_inode *dir)
{
	struct buf *b, *nb;
	uint32_t end, lblk, out = 0, last = 0;
	int err = ext4_dir_block(fs, dir, 0, &b, &end);

	if (err)
		return err;
	uint8_t *r = b->data;
	if (ext4_rec_len(fs, r) != 12 || r[6] != 1 || r[8] != '.' || r[6 + 12] != 2 ||
	    ext4_rec_len(fs, r + 12) < 12) {
		bcache_put(b);
		return ext4_corrupt(fs, dir->ino, "directory without \".\" and \"..\" first");
	}
	err = ext4_dir_append(fs, dir, &lblk, &nb);
	if (!err && lblk != 1) {
		bcache_put(nb);
		err = ext4_corrupt(fs, dir->ino, "directory size changed");
	}
	if (err) {
		bcache_put(b);
		return err;
	}
	/* Every name after ".." moves, packed, to the new leaf. */
	for (uint32_t off = 12 + ext4_rec_len(fs, r + 12); off < end;
	     off += ext4_rec_len(fs, r + off)) {
		const uint8_t *e = r + off;
		if (!get32(e, 0))
			continue;
		uint32_t size = ext4_de_size(e[6]);
		memcpy(nb->data + out, e, DE_HDR + e[6]);
		ext4_set_rec_len(nb->data + out, size);
		last = out;
		out += size;
	}
	ext4_set_rec_len(nb->data + last, ext4_dir_leaf_end(fs) - last);
	ext4_dir_leaf_done(fs, dir, nb);
	root_init(fs, r);
	put32(dir->raw, I_FLAGS, get32(dir->raw, I_FLAGS) | IFL_INDEX);
	ext4_dx_block_done(fs, dir, b, DX_ROOT_TABLE);
	bcache_put(b);
	return ext4_iwrite(fs, dir);
}
