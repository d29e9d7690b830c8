/*
 * ext4 inodes: reading and writing them in the inode table (checksummed), the
 * in-memory inode cache (inode number -> vnode), creation, and the deferred
 * freeing of inodes whose last link and last reference are gone.
 *
 * The cache lists and each inode's stale flag are guarded by fs->ilock,
 * because the vnode release op runs from any context, concurrently with the
 * mount's (serialised) ops: release only unlinks the inode from the cache and
 * either frees the memory or, when the link count is 0, queues it on
 * fs->dead; the next op or sync frees its blocks and inode on disk. Lookups
 * take a reference with vnode_tryget under ilock, so a vnode being released
 * is never handed out again.
 */
#include <core/slab.h>
#include <weft/errno.h>
#include "ext4_impl.h"

#define XATTR_MAGIC 0xEA020000u

static struct list *bucket(struct ext4_fs *fs, uint32_t ino)
{
	return &fs->icache[ino & 63];
}

/* ---- raw field helpers ---- */

bool ext4_has_extra(const struct ext4_fs *fs, const uint8_t *raw, unsigned field_end)
{
	return fs->inode_size > 128 && 128u + get16(raw, I_EXTRA_ISIZE) >= field_end;
}

uint64_t ext4_isize(const uint8_t *raw)
{
	return get32(raw, I_SIZE_LO) | (uint64_t)get32(raw, I_SIZE_HI) << 32;
}

void ext4_set_isize(uint8_t *raw, uint64_t size)
{
	put32(raw, I_SIZE_LO, (uint32_t)size);
	put32(raw, I_SIZE_HI, (uint32_t)(size >> 32));
}

uint32_t ext4_ilinks(const uint8_t *raw)
{
	return get16(raw, I_LINKS);
}

uint64_t ext4_iblocks512(const struct ext4_fs *fs, const uint8_t *raw)
{
	uint64_t v = get32(raw, I_BLOCKS_LO);
	if (get32(fs->sb, SB_FEATURE_RO_COMPAT) & RO_COMPAT_HUGE_FILE) {
		v |= (uint64_t)get16(raw, I_BLOCKS_HI) << 32;
		if (get32(raw, I_FLAGS) & IFL_HUGE_FILE)
			v <<= fs->bs_bits - 9;
	}
	return v;
}

void ext4_iadd_blocks(struct ext4_fs *fs, uint8_t *raw, int64_t nblocks)
{
	uint64_t v = ext4_iblocks512(fs, raw) + ((uint64_t)nblocks << (fs->bs_bits - 9));
	if (get32(raw, I_FLAGS) & IFL_HUGE_FILE)
		v >>= fs->bs_bits - 9;
	put32(raw, I_BLOCKS_LO, (uint32_t)v);
	put16(raw, I_BLOCKS_HI, (uint16_t)(v >> 32));
}

uint64_t ext4_itime(const struct ext4_fs *fs, const uint8_t *raw, unsigned off, unsigned extra)
{
	int64_t sec = (int32_t)get32(raw, off);
	uint32_t nsec = 0;

	if (ext4_has_extra(fs, raw, extra + 4)) {
		uint32_t x = get32(raw, extra);
		sec += (int64_t)(x & 3) << 32;
		nsec = x >> 2;
		if (nsec >= 1000000000u)
			nsec = 0;
	}
	return sec < 0 ? 0 : (uint64_t)sec * 1000000000ull + nsec;
}

void ext4_iset_time(const struct ext4_fs *fs, uint8_t *raw, unsigned off, unsigned extra,
		    uint64_t ns)
{
	int64_t sec = (int64_t)(ns / 1000000000ull);
	uint32_t nsec = (uint32_t)(ns % 1000000000ull);

	put32(raw, off, (uint32_t)sec);
	if (ext4_has_extra(fs, raw, extra + 4))
		put32(raw, extra, (uint32_t)(((sec - (int32_t)sec) >> 32) & 3) | nsec << 2);
}

void ext4_itouch(struct ext4_fs *fs, uint8_t *raw, bool m, bool c, bool a)
{
	uint64_t now = vfs_now();
	if (m)
		ext4_iset_time(fs, raw, I_MTIME, I_MTIME_EXTRA, now);
	if (c)
		ext4_iset_time(fs, raw, I_CTIME, I_CTIME_EXTRA, now);
	if (a)
		ext4_iset_time(fs, raw, I_ATIME, I_ATIME_EXTRA, now);
}

void ext4_sync_vnode(struct ext4_fs *fs, struct ext4_inode *ip)
{
	struct vnode *vn = ip->vn;
	const uint8_t *raw = ip->raw;

	if (!vn)
		return;
	spin_lock(&vn->lock);
	vn->mode = get16(raw, I_MODE);
	vn->uid = get16(raw, I_UID) | (uint32_t)get16(raw, I_UID_HI) << 16;
	vn->gid = get16(raw, I_GID) | (uint32_t)get16(raw, I_GID_HI) << 16;
	vn->nlink = ext4_ilinks(raw);
	vn->size = ext4_isize(raw);
	vn->atime_ns = ext4_itime(fs, raw, I_ATIME, I_ATIME_EXTRA);
	vn->mtime_ns = ext4_itime(fs, raw, I_MTIME, I_MTIME_EXTRA);
	vn->ctime_ns = ext4_itime(fs, raw, I_CTIME, I_CTIME_EXTRA);
	spin_unlock(&vn->lock);
}

/*
 * Device numbers in i_block, as Linux keeps them: the old 16-bit form
 * (major << 8 | minor) in word 0 when both fit in a byte, else word 0 zero
 * and word 1 the 32-bit form, which is also the vnode's (minor bits 0-7,
 * major bits 8-19, minor bits 8-19 above: the low half of a C library's
 * dev_t). The old form of a small number reads the same in the new one.
 */
uint32_t ext4_rdev_get(const uint8_t *raw)
{
	uint32_t old = get32(raw, I_BLOCK);
	return old ? old & 0xffff : get32(raw, I_BLOCK + 4);
}

void ext4_rdev_set(uint8_t *raw, uint32_t rdev)
{
	uint32_t major = (rdev >> 8) & 0xfff, minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);

	memset(raw + I_BLOCK, 0, I_BLOCK_LEN);
	if (major < 256 && minor < 256)
		put32(raw, I_BLOCK, major << 8 | minor);
	else
		put32(raw, I_BLOCK + 4, rdev);
}

/* ---- the inode table ---- */

/* Where inode ino lives: block and byte offset. */
static int locate(struct ext4_fs *fs, uint32_t ino, uint64_t *blk, uint32_t *off)
{
	struct buf *gb;
	uint8_t *d;

	if (ino < 1 || ino > fs->ninodes)
		return ext4_corrupt(fs, ino, "inode number out of range");
	int err = ext4_gd_get(fs, (ino - 1) / fs->ipg, &gb, &d);
	if (err)
		return err;
	uint64_t byte = (uint64_t)((ino - 1) % fs->ipg) * fs->inode_size;
	*blk = ext4_gd_get64(fs, d, GD_INODE_TABLE_LO, GD_INODE_TABLE_HI) + (byte >> fs->bs_bits);
	*off = (uint32_t)(byte & (fs->bs - 1));
	bcache_put(gb);
	return 0;
}

int ext4_iread(struct ext4_fs *fs, uint32_t ino, uint8_t *raw)
{
	struct buf *b;
	uint64_t blk;
	uint32_t off;
	int err = locate(fs, ino, &blk, &off);

	if (!err)
		err = bcache_read(fs->bc, blk, &b);
	if (err)
		return err;
	memcpy(raw, b->data + off, fs->inode_size);
	bcache_put(b);
	if (!ext4_inode_csum_ok(fs, ino, raw))
		return ext4_corrupt(fs, ino, "inode checksum");
	if (fs->inode_size > 128 &&
	    (get16(raw, I_EXTRA_ISIZE) > fs->inode_size - 128 || (get16(raw, I_EXTRA_ISIZE) & 3)))
		return ext4_corrupt(fs, ino, "inode extra size");
	return 0;
}

int ext4_iwrite(struct ext4_fs *fs, struct ext4_inode *ip)
{
	struct buf *b;
	uint64_t blk;
	uint32_t off;
	int err = ext4_writable(fs);

	if (!err)
		err = locate(fs, ip->ino, &blk, &off);
	if (!err)
		err = bcache_read(fs->bc, blk, &b);
	if (err)
		return err;
	ext4_inode_csum_set(fs, ip->ino, ip->raw);
	memcpy(b->data + off, ip->raw, fs->inode_size);
	bcache_dirty(b);
	bcache_put(b);
	ext4_sync_vnode(fs, ip);
	return 0;
}

/* ---- the cache ---- */

static enum vtype mode_vtype(uint32_t mode)
{
	switch (mode & VFS_S_IFMT) {
	case VFS_S_IFREG:
		return VREG;
	case VFS_S_IFDIR:
		return VDIR;
	case VFS_S_IFLNK:
		return VLNK;
	case VFS_S_IFCHR:
		return VCHR;
	case VFS_S_IFIFO:
		return VFIFO;
	case VFS_S_IFBLK:
	case VFS_S_IFSOCK:
		return VNON;
	default:
		return (enum vtype) - 1;
	}
}

/* Build a vnode around ip (its raw inode loaded) and publish it. */
static int publish(struct ext4_fs *fs, struct ext4_inode *ip, struct vnode **out)
{
	uint32_t mode = get16(ip->raw, I_MODE);
	enum vtype t = mode_vtype(mode);
	struct vnode *vn;

	if ((int)t < 0)
		return ext4_corrupt(fs, ip->ino, "inode type");
	int err = vnode_alloc(fs->mnt, t, mode, &ext4_vnode_ops, &vn);
	if (err)
		return err;
	vn->ino = ip->ino;
	vn->priv = ip;
	if ((mode & VFS_S_IFMT) == VFS_S_IFCHR || (mode & VFS_S_IFMT) == VFS_S_IFBLK)
		vn->rdev = ext4_rdev_get(ip->raw);
	ip->vn = vn;
	ext4_sync_vnode(fs, ip);
	spin_lock(&fs->ilock);
	list_add(bucket(fs, ip->ino), &ip->link);
	spin_unlock(&fs->ilock);
	*out = vn;
	return 0;
}

static struct ext4_inode *ip_alloc(struct ext4_fs *fs, uint32_t ino)
{
	struct ext4_inode *ip = kzalloc(sizeof(*ip) + fs->inode_size);
	if (ip) {
		ip->ino = ino;
		list_init(&ip->link);
	}
	return ip;
}

/* Re-read a stale inode. */
static int refresh(struct ext4_fs *fs, struct ext4_inode *ip)
{
	spin_lock(&fs->ilock);
	bool stale = ip->stale;
	spin_unlock(&fs->ilock);
	if (!stale)
		return 0;
	int err = ext4_iread(fs, ip->ino, ip->raw);
	if (err)
		return err;
	spin_lock(&fs->ilock);
	ip->stale = false;
	spin_unlock(&fs->ilock);
	ext4_sync_vnode(fs, ip);
	return 0;
}

struct vnode *ext4_icache_find(struct ext4_fs *fs, uint32_t ino)
{
	struct vnode *vn = NULL;
	struct list *it;

	spin_lock(&fs->ilock);
	list_for_each (it, bucket(fs, ino)) {
		struct ext4_inode *ip = list_entry(it, struct ext4_inode, link);
		if (ip->ino == ino && ip->vn && (vn = vnode_tryget(ip->vn)))
			break;
	}
	spin_unlock(&fs->ilock);
	return vn;
}

int ext4_iget(struct ext4_fs *fs, uint32_t ino, struct vnode **out)
{
	struct vnode *vn = ext4_icache_find(fs, ino);
	int err;

	if (vn) {
		err = refresh(fs, ext4_ip(vn));
		if (err) {
			vnode_put(vn);
			return err;
		}
		*out = vn;
		return 0;
	}
	struct ext4_inode *ip = ip_alloc(fs, ino);
	if (!ip)
		return -ENOMEM;
	err = ext4_iread(fs, ino, ip->raw);
	if (!err && !ext4_ilinks(ip->raw))
		err = ext4_corrupt(fs, ino, "reference to a deleted inode");
	if (!err)
		err = publish(fs, ip, out);
	if (err)
		kfree(ip);
	return err;
}

int ext4_inew(struct ext4_fs *fs, struct vnode *dir, uint32_t mode, unsigned links,
	      struct vnode **out)
{
	bool isdir = (mode & VFS_S_IFMT) == VFS_S_IFDIR;
	uint32_t ino;
	int err = ext4_ialloc(fs, (uint32_t)((dir->ino - 1) / fs->ipg), isdir, &ino);

	if (err)
		return err;
	struct ext4_inode *ip = ip_alloc(fs, ino);
	if (!ip) {
		ext4_ifree(fs, ino, isdir);
		return -ENOMEM;
	}
	uint8_t *raw = ip->raw;
	put16(raw, I_MODE, (uint16_t)mode);
	put16(raw, I_LINKS, (uint16_t)links);
	put32(raw, I_GENERATION, fs->next_gen++);
	if (fs->inode_size > 128)
		put16(raw, I_EXTRA_ISIZE, 32);
	/* Files and directories map their blocks with extents; symlinks decide
	 * for themselves; special files keep i_block for a device number. */
	if ((mode & VFS_S_IFMT) == VFS_S_IFREG || (mode & VFS_S_IFMT) == VFS_S_IFDIR) {
		put32(raw, I_FLAGS, IFL_EXTENTS);
		ext4_ext_init_root(raw);
	}
	ext4_itouch(fs, raw, true, true, true);
	if (ext4_has_extra(fs, raw, I_CRTIME_EXTRA + 4))
		ext4_iset_time(fs, raw, I_CRTIME, I_CRTIME_EXTRA, vfs_now());
	err = ext4_iwrite(fs, ip);
	if (!err)
		err = publish(fs, ip, out);
	if (err) {
		ext4_ifree(fs, ino, isdir);
		kfree(ip);
	}
	return err;
}

void ext4_release(struct vnode *vn)
{
	struct ext4_fs *fs = ext4_fs_of(vn);
	struct ext4_inode *ip = ext4_ip(vn);
	bool keep;

	spin_lock(&fs->ilock);
	list_del(&ip->link);
	ip->vn = NULL;
	keep = !ext4_ilinks(ip->raw) && !fs->ro;
	if (keep)
		list_add_tail(&fs->dead, &ip->link);
	spin_unlock(&fs->ilock);
	if (!keep)
		kfree(ip);
}

void ext4_icache_stale(struct ext4_fs *fs)
{
	spin_lock(&fs->ilock);
	for (unsigned i = 0; i < 64; i++) {
		struct list *it;
		list_for_each (it, &fs->icache[i])
			list_entry(it, struct ext4_inode, link)->stale = true;
	}
	spin_unlock(&fs->ilock);
}

void ext4_icache_free(struct ext4_fs *fs)
{
	struct list *it;

	spin_lock(&fs->ilock);
	while ((it = list_pop(&fs->dead)))
		kfree(list_entry(it, struct ext4_inode, link));
	spin_unlock(&fs->ilock);
}

/* ---- freeing ---- */

/* Drop the inode's reference on its extended-attribute block. */
static int xattr_release(struct ext4_fs *fs, uint8_t *raw, uint32_t ino)
{
	uint64_t blk = get32(raw, I_FILE_ACL_LO) | (uint64_t)get16(raw, I_FILE_ACL_HI) << 32;
	struct buf *b;

	if (!blk)
		return 0;
	if (blk <= fs->first_data_block || blk >= fs->nblocks)
		return ext4_corrupt(fs, ino, "xattr block outside the file system");
	int err = bcache_read(fs->bc, blk, &b);
	if (err)
		return err;
	uint32_t refs = get32(b->data, 4);
	if (get32(b->data, 0) != XATTR_MAGIC || !refs) {
		bcache_put(b);
		return ext4_corrupt(fs, ino, "xattr block header");
	}
	put32(raw, I_FILE_ACL_LO, 0);
	put16(raw, I_FILE_ACL_HI, 0);
	ext4_iadd_blocks(fs, raw, -1);
	if (refs == 1) {
		bcache_put(b);
		return ext4_bfree(fs, blk, 1);
	}
	put32(b->data, 4, refs - 1);
	if (fs->csum) {
		put32(b->data, 0x10, 0);
		uint32_t c = ext4_crc32c(fs->csum_seed, &blk, 8);
		put32(b->data, 0x10, ext4_crc32c(c, b->data, fs->bs));
	}
	bcache_dirty(b);
	bcache_put(b);
	return 0;
}

int ext4_idestroy(struct ext4_fs *fs, uint32_t ino)
{
	struct ext4_inode *ip = ip_alloc(fs, ino);
	int err;

	if (!ip)
		return -ENOMEM;
	err = ext4_iread(fs, ino, ip->raw);
	if (err || ext4_ilinks(ip->raw))
		goto out;
	if (get32(ip->raw, I_FLAGS) & IFL_EXTENTS)
		err = ext4_ext_truncate(fs, ip, 0);
	if (!err)
		err = xattr_release(fs, ip->raw, ino);
	if (!err) /* its blocks are free: it leaves the orphan list */
		err = ext4_orphan_del(fs, ino, get32(ip->raw, I_DTIME));
	if (err)
		goto out;
	ext4_set_isize(ip->raw, 0);
	put32(ip->raw, I_DTIME, (uint32_t)(vfs_now() / 1000000000ull));
	err = ext4_iwrite(fs, ip);
	if (!err)
		err = ext4_ifree(fs, ino, (get16(ip->raw, I_MODE) & VFS_S_IFMT) == VFS_S_IFDIR);
out:
	kfree(ip);
	return err;
}

void ext4_reap_dead(struct ext4_fs *fs)
{
	for (;;) {
		spin_lock(&fs->ilock);
		struct list *it = !ext4_writable(fs) ? list_pop(&fs->dead) : NULL;
		spin_unlock(&fs->ilock);
		if (!it)
			return;
		struct ext4_inode *ip = list_entry(it, struct ext4_inode, link);
		ext4_idestroy(fs, ip->ino);
		kfree(ip);
	}
}

int ext4_enter(struct ext4_fs *fs, struct vnode *vn)
{
	ext4_reap_dead(fs);
	return vn ? refresh(fs, ext4_ip(vn)) : 0;
}
