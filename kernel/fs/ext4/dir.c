/*
 * ext4 directories: blocks of variable-length entries, read and changed
 * in place through the buffer cache.
 *
 * Every block is checked when read: its checksum tail (metadata_csum), and
 * every entry's record length and name length against the block. Lookups in
 * hash-indexed (htree) directories go through the index (htree.c); other
 * lookups scan every block, which works for indexed directories too, whose
 * index blocks look like empty entries to a scan. Removing an entry
 * keeps an index valid; additions to an indexed directory go through the
 * index (htree_insert.c), and a linear directory that outgrows its first
 * block becomes indexed. Entries never move, except when a leaf of an index
 * has room only in pieces and the index can take no more leaves: then
 * ext4_dir_leaf_add closes the holes up (otherwise the leaf is split, which
 * keeps the names that stay in place). Only an index with a hash we do not know is dropped
 * before an insertion: the root block and the interior index blocks become
 * ordinary (empty) entry blocks and the directory becomes linear, which
 * e2fsck accepts. New blocks are appended at the end. Ops run serialised per
 * mount; callers checked writability.
 */
#include <weft/errno.h>
#include "ext4_impl.h"

#define TAIL_FT 0xDE

/*
 * Directory blocks whose checksum is known good (checked once, or written by
 * us since) as a block of that directory, so lookups need not recompute it:
 * a small direct-mapped table, forgotten when blocks are freed and on
 * recovery.
 */
bool ext4_dir_checked(const struct ext4_fs *fs, uint64_t pblk, uint32_t ino)
{
	unsigned i = pblk % EXT4_DIR_OK;
	return fs->dir_ok[i] == pblk + 1 && fs->dir_ok_ino[i] == ino;
}

void ext4_dir_set_checked(struct ext4_fs *fs, uint64_t pblk, uint32_t ino)
{
	fs->dir_ok[pblk % EXT4_DIR_OK] = pblk + 1;
	fs->dir_ok_ino[pblk % EXT4_DIR_OK] = ino;
}

static void forget_block(struct ext4_fs *fs, uint64_t b)
{
	unsigned i = b % EXT4_DIR_OK, j = b % EXT4_BMP_OK;

	if (fs->dir_ok[i] == b + 1)
		fs->dir_ok[i] = 0;
	if (fs->ext_ok[i] == b + 1)
		fs->ext_ok[i] = 0;
	if (fs->bmp_ok[j] && (fs->bmp_ok[j] - 1) / 2 == b)
		fs->bmp_ok[j] = 0;
}

void ext4_dir_forget(struct ext4_fs *fs, uint64_t start, uint64_t n)
{
	if (n < EXT4_DIR_OK) { /* a few blocks (a free): look only where they go */
		for (uint64_t k = 0; k < n; k++)
			forget_block(fs, start + k);
		return;
	}
	for (unsigned i = 0; i < EXT4_DIR_OK; i++) {
		if (fs->dir_ok[i] > start && fs->dir_ok[i] - 1 - start < n)
			fs->dir_ok[i] = 0;
		if (fs->ext_ok[i] > start && fs->ext_ok[i] - 1 - start < n)
			fs->ext_ok[i] = 0;
	}
	for (unsigned i = 0; i < EXT4_BMP_OK; i++)
		if (fs->bmp_ok[i] && (fs->bmp_ok[i] - 1) / 2 - start < n)
			fs->bmp_ok[i] = 0;
}

#define rec_len	    ext4_rec_len
#define set_rec_len ext4_set_rec_len
#define de_size	    ext4_de_size

uint8_t ext4_mode_to_ft(uint32_t mode)
{
	switch (mode & VFS_S_IFMT) {
	case VFS_S_IFREG:
		return FT_REG;
	case VFS_S_IFDIR:
		return FT_DIR;
	case VFS_S_IFLNK:
		return FT_LNK;
	case VFS_S_IFCHR:
		return FT_CHR;
	case VFS_S_IFBLK:
		return FT_BLK;
	case VFS_S_IFIFO:
		return FT_FIFO;
	case VFS_S_IFSOCK:
		return FT_SOCK;
	default:
		return FT_UNKNOWN;
	}
}

static unsigned ft_to_dtype(uint8_t ft)
{
	static const uint8_t map[] = {VFS_DT_UNKNOWN, VFS_DT_REG, VFS_DT_DIR, VFS_DT_CHR, 6,
				      VFS_DT_FIFO,    12,	  VFS_DT_LNK};
	return ft < sizeof(map) ? map[ft] : VFS_DT_UNKNOWN;
}

static bool has_tail(const struct ext4_fs *fs, const uint8_t *blk)
{
	const uint8_t *t = blk + fs->bs - DE_TAIL_LEN;
	return get32(t, 0) == 0 && get16(t, 4) == DE_TAIL_LEN && t[6] == 0 && t[7] == TAIL_FT;
}

static uint32_t leaf_csum(const struct ext4_fs *fs, const struct ext4_inode *dir,
			  const uint8_t *blk)
{
	uint32_t seed = ext4_inode_seed(fs, dir->ino, get32(dir->raw, I_GENERATION));
	return ext4_crc32c(seed, blk, fs->bs - DE_TAIL_LEN);
}

/* Give a leaf block its tail and checksum. */
static void leaf_seal(const struct ext4_fs *fs, const struct ext4_inode *dir, uint8_t *blk)
{
	if (!fs->csum)
		return;
	uint8_t *t = blk + fs->bs - DE_TAIL_LEN;
	memset(t, 0, DE_TAIL_LEN);
	put16(t, 4, DE_TAIL_LEN);
	t[7] = TAIL_FT;
	put32(t, 8, leaf_csum(fs, dir, blk));
}

static bool indexed(const struct ext4_inode *dir)
{
	return get32(dir->raw, I_FLAGS) & IFL_INDEX;
}

/* Is this block of an indexed directory an index block (no tail)? */
static bool dx_block(const struct ext4_fs *fs, const struct ext4_inode *dir, uint32_t lblk,
		     const uint8_t *blk)
{
	if (!indexed(dir))
		return false;
	return lblk == 0 || (get32(blk, 0) == 0 && rec_len(fs, blk) == fs->bs);
}

/* Check every entry of [0, end). */
static int check_entries(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *blk,
			 uint32_t end)
{
	uint32_t off = 0;

	while (off < end) {
		const uint8_t *de = blk + off;
		uint32_t rl = end - off < DE_HDR ? 0 : rec_len(fs, de);
		if (rl < 12 || (rl & 3) || rl > end - off || de_size(de[6]) > rl ||
		    get32(de, 0) > fs->ninodes)
			return ext4_corrupt(fs, dir->ino, "directory entry");
		off += rl;
	}
	return 0;
}

int ext4_dir_block(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t lblk, struct buf **b,
		   uint32_t *end)
{
	uint64_t pblk;
	uint32_t len;
	unsigned flags;
	int err = ext4_map(fs, dir, lblk, &pblk, &len, &flags);

	if (!err && flags)
		err = ext4_corrupt(fs, dir->ino, "hole in a directory");
	if (!err)
		err = bcache_read(fs->bc, pblk, b);
	if (err)
		return err;
	fs->dir_reads++;
	*end = fs->bs;
	if (fs->csum && has_tail(fs, (*b)->data)) {
		*end = fs->bs - DE_TAIL_LEN;
		if (!ext4_dir_checked(fs, pblk, dir->ino) &&
		    get32((*b)->data, fs->bs - 4) != leaf_csum(fs, dir, (*b)->data))
			err = ext4_corrupt(fs, dir->ino, "directory block checksum");
		else
			ext4_dir_set_checked(fs, pblk, dir->ino);
	} else if (fs->csum && !dx_block(fs, dir, lblk, (*b)->data)) {
		err = ext4_corrupt(fs, dir->ino, "directory block without checksum");
	}
	if (!err)
		err = check_entries(fs, dir, (*b)->data, *end);
	if (err)
		bcache_put(*b);
	return err;
}

int ext4_dir_nblocks(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t *n)
{
	uint64_t size = ext4_isize(dir->raw);

	if (!size || (size & (fs->bs - 1)) || (size >> fs->bs_bits) > UINT32_MAX)
		return ext4_corrupt(fs, dir->ino, "directory size");
	*n = (uint32_t)(size >> fs->bs_bits);
	return 0;
}

uint32_t ext4_dir_leaf_end(const struct ext4_fs *fs)
{
	return fs->bs - (fs->csum ? DE_TAIL_LEN : 0);
}

void ext4_dir_leaf_done(struct ext4_fs *fs, struct ext4_inode *dir, struct buf *b)
{
	leaf_seal(fs, dir, b->data);
	ext4_dir_set_checked(fs, b->blkno, dir->ino);
	bcache_dirty(b);
	bcache_put(b);
}

int ext4_dir_block_raw(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t lblk, struct buf **b)
{
	uint32_t end;
	return ext4_dir_block(fs, dir, lblk, b, &end);
}

int ext4_dir_scan_block(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t lblk, const char *name,
			struct ext4_dirent *de)
{
	size_t nlen = strlen(name);
	uint32_t end, prev = UINT32_MAX;
	struct buf *b;
	int err = ext4_dir_block(fs, dir, lblk, &b, &end);

	if (err)
		return err;
	for (uint32_t off = 0; off < end; off += rec_len(fs, b->data + off)) {
		const uint8_t *p = b->data + off;
		if (get32(p, 0) && p[6] == nlen && !memcmp(p + DE_HDR, name, nlen)) {
			*de = (struct ext4_dirent){get32(p, 0), p[7], lblk, off, prev};
			bcache_put(b);
			return 0;
		}
		prev = off;
	}
	bcache_put(b);
	return -ENOENT;
}

int ext4_dir_find(struct ext4_fs *fs, struct ext4_inode *dir, const char *name,
		  struct ext4_dirent *de)
{
	uint32_t nblk;
	int err = ext4_dir_nblocks(fs, dir, &nblk);

	if (!err && indexed(dir)) {
		err = ext4_dx_find(fs, dir, name, nblk, de);
		if (err != -EOPNOTSUPP) {
			fs->dx_lookups++;
			return err;
		}
		fs->dx_scans++;
		err = 0;
	}
	for (uint32_t lblk = 0; lblk < nblk && !err; lblk++) {
		err = ext4_dir_scan_block(fs, dir, lblk, name, de);
		if (err == -ENOENT)
			err = 0;
		else if (!err)
			return 0;
	}
	return err ? err : -ENOENT;
}

/* Turn an index block into an empty leaf (root: keep "." and ".."). */
static void dx_unindex_block(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t lblk,
			     uint8_t *blk)
{
	uint32_t end = fs->bs - (fs->csum ? DE_TAIL_LEN : 0);

	if (lblk == 0)
		set_rec_len(blk + 12, end - 12);
	else
		set_rec_len(blk, end);
	leaf_seal(fs, dir, blk);
}

/* Drop a directory's hash index so entries may go anywhere. */
static int dx_drop(struct ext4_fs *fs, struct ext4_inode *dir)
{
	uint32_t nblk;
	int err = ext4_dir_nblocks(fs, dir, &nblk);

	for (uint32_t lblk = 0; lblk < nblk && !err; lblk++) {
		struct buf *b;
		uint32_t end;
		err = ext4_dir_block(fs, dir, lblk, &b, &end);
		if (err)
			break;
		if (end == fs->bs && dx_block(fs, dir, lblk, b->data)) {
			if (lblk == 0 && (rec_len(fs, b->data) != 12 ||
					  rec_len(fs, b->data + 12) != fs->bs - 12)) {
				bcache_put(b);
				return ext4_corrupt(fs, dir->ino, "htree root");
			}
			dx_unindex_block(fs, dir, lblk, b->data);
			bcache_dirty(b);
		}
		bcache_put(b);
	}
	if (err)
		return err;
	put32(dir->raw, I_FLAGS, get32(dir->raw, I_FLAGS) & ~IFL_INDEX);
	return ext4_iwrite(fs, dir);
}

static void de_fill(uint8_t *p, uint32_t ino, const char *name, size_t nlen, uint8_t type)
{
	put32(p, 0, ino);
	p[6] = (uint8_t)nlen;
	p[7] = type;
	memcpy(p + DE_HDR, name, nlen);
}

/* Room for need bytes in the entry at p: where the new entry would go. */
static bool entry_room(const struct ext4_fs *fs, const uint8_t *p, uint32_t need)
{
	uint32_t used = get32(p, 0) ? de_size(p[6]) : 0;
	return rec_len(fs, p) - used >= need;
}

/*
 * One pass over dir: -EEXIST if name is in it; else *found tells whether an
 * entry has room for the new one, at block *slot_lblk, offset *slot_off.
 */
static int find_slot(struct ext4_fs *fs, struct ext4_inode *dir, const char *name,
		     uint32_t *slot_lblk, uint32_t *slot_off, bool *found)
{
	size_t nlen = strlen(name);
	uint32_t need = de_size((uint32_t)nlen), nblk;
	int err = ext4_dir_nblocks(fs, dir, &nblk);

	*found = false;
	for (uint32_t lblk = 0; lblk < nblk && !err; lblk++) {
		struct buf *b;
		uint32_t end;
		err = ext4_dir_block(fs, dir, lblk, &b, &end);
		if (err)
			break;
		for (uint32_t off = 0; off < end && !err; off += rec_len(fs, b->data + off)) {
			const uint8_t *p = b->data + off;
			if (get32(p, 0) && p[6] == nlen && !memcmp(p + DE_HDR, name, nlen))
				err = -EEXIST;
			else if (!*found && entry_room(fs, p, need)) {
				*found = true;
				*slot_lblk = lblk;
				*slot_off = off;
			}
		}
		bcache_put(b);
	}
	return err;
}

/* Put the entry into the entry at p, which has room. */
static void add_into(struct ext4_fs *fs, uint8_t *p, const char *name, uint32_t ino, uint8_t type)
{
	uint32_t rl = rec_len(fs, p), used = get32(p, 0) ? de_size(p[6]) : 0;

	if (used) {
		set_rec_len(p, used);
		p += used;
		set_rec_len(p, rl - used);
	}
	de_fill(p, ino, name, strlen(name), type);
}

/* Put the entry into the entry at off of block lblk, which has room. */
static int add_at(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t lblk, uint32_t off,
		  const char *name, uint32_t ino, uint8_t type)
{
	struct buf *b;
	uint32_t end;
	int err = ext4_dir_block(fs, dir, lblk, &b, &end);

	if (err)
		return err;
	add_into(fs, b->data + off, name, ino, type);
	ext4_dir_leaf_done(fs, dir, b);
	return 0;
}

int ext4_dir_leaf_add(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t lblk, const char *name,
		      uint32_t ino, uint8_t type, bool may_pack)
{
	uint32_t need = de_size((uint32_t)strlen(name)), end;
	struct buf *b;
	int err = ext4_dir_block(fs, dir, lblk, &b, &end);

	if (err)
		return err;
	/* An index block is no leaf: with checksums every leaf has a tail;
	 * without, an index node is one empty nameless entry, then its table. */
	const uint8_t *p = b->data;
	if (lblk == 0 || (fs->csum && end == fs->bs) ||
	    (!get32(p, 0) && !p[6] && rec_len(fs, p) == fs->bs &&
	     get16(p, DX_NODE_TABLE) == ext4_dx_limit(fs, DX_NODE_TABLE))) {
		bcache_put(b);
		return ext4_corrupt(fs, dir->ino, "htree leaf is an index block");
	}
	uint32_t used = 0, last = 0;
	for (uint32_t off = 0; off < end; off += rec_len(fs, b->data + off)) {
		if (entry_room(fs, b->data + off, need)) {
			add_into(fs, b->data + off, name, ino, type);
			ext4_dir_leaf_done(fs, dir, b);
			return 0;
		}
		used += get32(b->data + off, 0) ? de_size(b->data[off + 6]) : 0;
	}
	if (end - used < need || !may_pack) {
		bcache_put(b);
		return end - used < need ? -ENOSPC : -EAGAIN;
	}
	/* Room in pieces (a split left holes): close them up, in order. This
	 * moves names to lower offsets, past a reader of the directory that is
	 * in this block, so the caller splits the leaf instead when it can. */
	uint8_t *p2 = b->data;
	used = 0;
	for (uint32_t off = 0, rl; off < end; off += rl) {
		rl = rec_len(fs, p2 + off);
		if (!get32(p2 + off, 0))
			continue;
		uint32_t size = de_size(p2[off + 6]);
		memmove(p2 + used, p2 + off, size);
		set_rec_len(p2 + used, size);
		last = used;
		used += size;
	}
	if (!used)
		put32(p2, 0, 0); /* nothing live: one empty entry */
	set_rec_len(p2 + last, end - last);
	add_into(fs, p2 + last, name, ino, type);
	ext4_dir_leaf_done(fs, dir, b);
	return 0;
}

int ext4_dir_append(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t *lblk, struct buf **b)
{
	uint32_t nblk, got;
	uint64_t pblk;
	int err = ext4_dir_nblocks(fs, dir, &nblk);

	if (!err && nblk == UINT32_MAX)
		err = -EFBIG;
	if (!err)
		err = ext4_alloc_map(fs, dir, nblk, 1, &pblk, &got);
	if (!err)
		err = bcache_get(fs->bc, pblk, b);
	if (err)
		return err;
	memset((*b)->data, 0, fs->bs);
	ext4_set_isize(dir->raw, (uint64_t)(nblk + 1) << fs->bs_bits);
	*lblk = nblk;
	err = ext4_iwrite(fs, dir);
	if (err)
		bcache_put(*b);
	return err;
}

/* Append a block to dir holding one entry. */
static int add_block(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint32_t ino,
		     uint8_t type)
{
	uint32_t lblk;
	struct buf *b;
	int err = ext4_dir_append(fs, dir, &lblk, &b);

	if (err)
		return err;
	set_rec_len(b->data, ext4_dir_leaf_end(fs));
	de_fill(b->data, ino, name, strlen(name), type);
	ext4_dir_leaf_done(fs, dir, b);
	return 0;
}

/* Add to a linear directory: into a block with room, else a new block; a
 * directory outgrowing its first block becomes indexed. */
static int add_linear(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint32_t ino,
		      uint8_t type)
{
	uint32_t lblk, off, nblk;
	bool found;
	int err = find_slot(fs, dir, name, &lblk, &off, &found);

	if (!err && found)
		return add_at(fs, dir, lblk, off, name, ino, type);
	if (!err)
		err = ext4_dir_nblocks(fs, dir, &nblk);
	if (err)
		return err;
	if (nblk == 1 && ext4_dx_can_index(fs)) {
		err = ext4_dx_make_indexed(fs, dir);
		return err ? err : ext4_dx_add(fs, dir, name, ino, type);
	}
	return add_block(fs, dir, name, ino, type);
}

int ext4_dir_add(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint32_t ino,
		 uint8_t type)
{
	int err = -EOPNOTSUPP;

	if (strlen(name) > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (indexed(dir)) {
		err = ext4_dx_add(fs, dir, name, ino, type);
		if (err == -EOPNOTSUPP) /* a hash we do not know: go linear */
			err = dx_drop(fs, dir);
		else if (!err)
			goto done;
		if (err)
			return err;
	}
	err = add_linear(fs, dir, name, ino, type);
	if (err)
		return err;
done:
	ext4_itouch(fs, dir->raw, true, true, false);
	return ext4_iwrite(fs, dir);
}

/* Re-read the block of a found entry (ops are serialised: it is unchanged). */
static int entry_block(struct ext4_fs *fs, struct ext4_inode *dir, const struct ext4_dirent *de,
		       struct buf **b)
{
	uint32_t end;
	int err = ext4_dir_block(fs, dir, de->lblk, b, &end);
	if (!err && (de->off >= end || get32((*b)->data + de->off, 0) != de->ino)) {
		bcache_put(*b);
		err = ext4_corrupt(fs, dir->ino, "directory entry moved");
	}
	return err;
}

int ext4_dir_remove(struct ext4_fs *fs, struct ext4_inode *dir, const struct ext4_dirent *de)
{
	struct buf *b;
	int err = entry_block(fs, dir, de, &b);

	if (err)
		return err;
	uint8_t *p = b->data + de->off;
	if (de->prev != UINT32_MAX)
		set_rec_len(b->data + de->prev, rec_len(fs, b->data + de->prev) + rec_len(fs, p));
	else
		put32(p, 0, 0);
	ext4_dir_leaf_done(fs, dir, b);
	ext4_itouch(fs, dir->raw, true, true, false);
	return ext4_iwrite(fs, dir);
}

int ext4_dir_retarget(struct ext4_fs *fs, struct ext4_inode *dir, const struct ext4_dirent *de,
		      uint32_t ino, uint8_t type)
{
	struct buf *b;
	int err = entry_block(fs, dir, de, &b);

	if (err)
		return err;
	put32(b->data + de->off, 0, ino);
	b->data[de->off + 7] = type;
	ext4_dir_leaf_done(fs, dir, b);
	ext4_itouch(fs, dir->raw, true, true, false);
	return ext4_iwrite(fs, dir);
}

static bool is_dot_or_dotdot(const uint8_t *p)
{
	return (p[6] == 1 && p[8] == '.') || (p[6] == 2 && p[8] == '.' && p[9] == '.');
}

int ext4_dir_empty(struct ext4_fs *fs, struct ext4_inode *dir)
{
	uint32_t nblk;
	int err = ext4_dir_nblocks(fs, dir, &nblk);

	for (uint32_t lblk = 0; lblk < nblk && !err; lblk++) {
		struct buf *b;
		uint32_t end;
		err = ext4_dir_block(fs, dir, lblk, &b, &end);
		if (err)
			break;
		for (uint32_t off = 0; off < end; off += rec_len(fs, b->data + off)) {
			const uint8_t *p = b->data + off;
			if (get32(p, 0) && !is_dot_or_dotdot(p)) {
				bcache_put(b);
				return 0;
			}
		}
		bcache_put(b);
	}
	return err ? err : 1;
}

int ext4_dir_init_block(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t parent)
{
	uint32_t got, end = fs->bs - (fs->csum ? DE_TAIL_LEN : 0);
	uint64_t pblk;
	struct buf *b;
	int err = ext4_alloc_map(fs, dir, 0, 1, &pblk, &got);

	if (!err)
		err = bcache_get(fs->bc, pblk, &b);
	if (err)
		return err;
	memset(b->data, 0, fs->bs);
	de_fill(b->data, dir->ino, ".", 1, FT_DIR);
	set_rec_len(b->data, 12);
	de_fill(b->data + 12, parent, "..", 2, FT_DIR);
	set_rec_len(b->data + 12, end - 12);
	ext4_dir_leaf_done(fs, dir, b);
	ext4_set_isize(dir->raw, fs->bs);
	return ext4_iwrite(fs, dir);
}

/* Emit the entries of one block from byte boff on; *full when uio is. */
static int readdir_block(struct ext4_fs *fs, struct buf *b, uint32_t end, uint64_t base,
			 uint64_t *pos, struct uio *uio, bool *full)
{
	uint32_t boff = (uint32_t)(*pos - base);

	for (uint32_t off = 0; off < end; off += rec_len(fs, b->data + off)) {
		const uint8_t *p = b->data + off;
		uint64_t next = base + off + rec_len(fs, p);
		if (off < boff || !get32(p, 0) || !p[6])
			continue;
		int r = vfs_dirent_emit(uio, get32(p, 0), next, ft_to_dtype(p[7]),
					(const char *)p + DE_HDR, p[6]);
		if (r < 0)
			return r;
		if (r) {
			*full = true;
			return 0;
		}
		*pos = next;
	}
	*pos = base + fs->bs;
	return 0;
}

int ext4_readdir(struct vnode *vn, struct uio *uio, uint64_t *pos)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(vn);
	struct ext4_inode *dir = ext4_ip(vn);
	uint32_t nblk;
	bool full = false;
	int err = ext4_enter(fs, vn);

	if (!err)
		err = ext4_dir_nblocks(fs, dir, &nblk);
	while (!err && !full && *pos < (uint64_t)nblk << fs->bs_bits) {
		uint32_t lblk = (uint32_t)(*pos >> fs->bs_bits), end;
		struct buf *b;
		err = ext4_dir_block(fs, dir, lblk, &b, &end);
		if (err)
			break;
		err = readdir_block(fs, b, end, (uint64_t)lblk << fs->bs_bits, pos, uio, &full);
		bcache_put(b);
	}
	return err;
}
