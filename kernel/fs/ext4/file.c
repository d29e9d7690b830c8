/*
 * ext4 file data: read, write, truncate, getpage, symlink targets, and the
 * attribute ops.
 *
 * Data moves in runs of physically contiguous blocks through the mount's
 * bounce buffer: long runs of whole blocks straight between the disk and the
 * buffer (bcache_read_direct/write_direct, which stay coherent with cached
 * copies), single blocks and short writes through the buffer cache. Holes and unwritten extents
 * read as zeros; writing into a hole allocates a contiguous run after the file's previous block.
 * Bytes past the end of file in its last block are kept zero so that growing the file never exposes
 * old data. uio_move runs with no spinlock held. Ops run serialised per mount (see ext4_impl.h).
 */
#include <core/pmm.h>
#include <hal/mmu.h>
#include <weft/errno.h>
#include "ext4_impl.h"

#define EXT4_DIRECT_MIN (16u << 10) /* shorter writes go through the cache */

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void ext4_ra_forget(struct ext4_fs *fs)
{
	fs->ra_n = 0;
}

/*
 * Move n bytes at byte boff of logical block lblk (mapped to pblk, run of
 * len blocks) to the uio. Long reads go straight through the bounce buffer;
 * short ones are served from the read-ahead window, which is refilled with
 * up to EXT4_RA bytes of the run when it does not hold them.
 */
static int read_mapped(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t lblk, uint64_t pblk,
		       uint32_t len, uint32_t boff, uint32_t n, struct uio *uio)
{
	uint32_t nblk = (boff + n + fs->bs - 1) >> fs->bs_bits;
	int err;

	if (n >= EXT4_IOBUF / 2) {
		err = bcache_read_direct(fs->bc, pblk, nblk, fs->iobuf);
		return err ? err : uio_move(fs->iobuf + boff, n, uio, true);
	}
	if (!fs->ra_n || fs->ra_ino != ip->ino || lblk < fs->ra_lblk ||
	    lblk + nblk > fs->ra_lblk + fs->ra_n) {
		uint64_t eof = (ext4_isize(ip->raw) + fs->bs - 1) >> fs->bs_bits;
		uint32_t k = (uint32_t)min64(min64(len, EXT4_RA >> fs->bs_bits), eof - lblk);
		fs->ra_n = 0;
		err = bcache_read_direct(fs->bc, pblk, k < nblk ? nblk : k, fs->ra);
		if (err)
			return err;
		fs->ra_ino = ip->ino;
		fs->ra_lblk = lblk;
		fs->ra_n = k < nblk ? nblk : k;
	}
	return uio_move(fs->ra + ((uint64_t)(lblk - fs->ra_lblk) << fs->bs_bits) + boff, n, uio,
			true);
}

static int read_ip(struct ext4_fs *fs, struct ext4_inode *ip, struct uio *uio)
{
	uint64_t size = ext4_isize(ip->raw);

	while (uio->resid && uio->off < size) {
		uint32_t lblk = (uint32_t)(uio->off >> fs->bs_bits), len;
		uint32_t boff = (uint32_t)(uio->off & (fs->bs - 1));
		uint64_t pblk;
		unsigned flags;
		int err;

		if (uio->off >> fs->bs_bits > UINT32_MAX)
			return ext4_corrupt(fs, ip->ino, "file size beyond the block range");
		err = ext4_map(fs, ip, lblk, &pblk, &len, &flags);
		if (err)
			return err;
		uint64_t n = min64(min64(uio->resid, size - uio->off),
				   ((uint64_t)len << fs->bs_bits) - boff);
		if (flags) {
			err = uio_zero(n, uio);
		} else {
			n = min64(n, EXT4_IOBUF - boff);
			err = read_mapped(fs, ip, lblk, pblk, len, boff, (uint32_t)n, uio);
		}
		if (err)
			return err;
	}
	return 0;
}

int ext4_read_kernel(struct ext4_fs *fs, struct ext4_inode *ip, uint64_t off, void *buf, size_t len)
{
	struct uio u;

	uio_init_kernel(&u, buf, len, off);
	return read_ip(fs, ip, &u);
}

int ext4_read(struct vnode *vn, struct uio *uio)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(vn);
	int err = ext4_enter(fs, vn);

	if (err)
		return err;
	if (vn->type == VDIR)
		return -EISDIR;
	if (vn->type != VREG)
		return -EINVAL;
	return read_ip(fs, ext4_ip(vn), uio);
}

/*
 * Write n bytes at byte boff of block pblk through the cache. The bytes are
 * staged in the bounce buffer first, so a fault in the source leaves the
 * cached block as it was.
 */
static int write_cached(struct ext4_fs *fs, struct ext4_inode *ip, uint64_t pblk, uint32_t boff,
			uint32_t n, struct uio *uio)
{
	uint64_t size = ext4_isize(ip->raw), start = uio->off - boff;
	bool whole = !boff && n == fs->bs, fresh = start >= size;
	struct buf *b;
	int err = uio_move(fs->iobuf, n, uio, false);

	if (err)
		return err;
	err = whole || fresh ? bcache_get(fs->bc, pblk, &b) : bcache_read(fs->bc, pblk, &b);
	if (err)
		return err;
	if (fresh && !whole)
		memset(b->data, 0, fs->bs);
	else if (!whole && size - start < fs->bs)
		memset(b->data + (size - start), 0, fs->bs - (size - start));
	memcpy(b->data + boff, fs->iobuf, n);
	bcache_dirty(b);
	bcache_put(b);
	return 0;
}

static int write_full(struct ext4_fs *fs, uint64_t pblk, uint32_t n, struct uio *uio)
{
	int err = uio_move(fs->iobuf, n, uio, false);
	return err ? err : bcache_write_direct(fs->bc, pblk, n >> fs->bs_bits, fs->iobuf);
}

/* Zero the new blocks pblk..+n that the write of resid bytes at boff will
 * not cover whole (its first and last), so no old disk data shows. */
static int zero_partial_ends(struct ext4_fs *fs, uint64_t pblk, uint32_t n, uint32_t boff,
			     uint64_t resid)
{
	uint64_t end = boff + resid;
	uint64_t blks[2] = {boff ? pblk : 0,
			    end < ((uint64_t)n << fs->bs_bits) && (end & (fs->bs - 1))
				? pblk + (end >> fs->bs_bits)
				: 0};
	for (int i = 0; i < 2; i++) {
		struct buf *b;
		if (!blks[i] || (i && blks[1] == blks[0]))
			continue;
		int err = bcache_get(fs->bc, blks[i], &b);
		if (err)
			return err;
		memset(b->data, 0, fs->bs);
		bcache_dirty(b);
		bcache_put(b);
	}
	return 0;
}

/* Write one run at uio->off: map (allocating a hole) and move the bytes. */
static int write_step(struct ext4_fs *fs, struct ext4_inode *ip, struct uio *uio)
{
	uint32_t lblk = (uint32_t)(uio->off >> fs->bs_bits), len;
	uint32_t boff = (uint32_t)(uio->off & (fs->bs - 1));
	uint64_t pblk;
	unsigned flags;
	int err = ext4_map(fs, ip, lblk, &pblk, &len, &flags);

	if (!err && (flags & MAP_UNWRITTEN)) {
		err = ext4_ext_mark_written(fs, ip, lblk);
		if (!err)
			err = ext4_map(fs, ip, lblk, &pblk, &len, &flags);
	}
	if (!err && (flags & MAP_HOLE)) {
		uint64_t want = (min64(uio->resid + boff, EXT4_IOBUF) + fs->bs - 1) >> fs->bs_bits;
		err = ext4_alloc_map(fs, ip, lblk, (uint32_t)min64(want, len), &pblk, &len);
		if (!err)
			err = zero_partial_ends(fs, pblk, len, boff, uio->resid);
	}
	if (err)
		return err;
	uint64_t n = min64(uio->resid, ((uint64_t)len << fs->bs_bits) - boff);
	/* Small writes stay in the cache; long runs go straight to the disk. */
	if (boff || n < EXT4_DIRECT_MIN)
		return write_cached(fs, ip, pblk, boff, (uint32_t)min64(n, fs->bs - boff), uio);
	n = min64(n, EXT4_IOBUF) & ~(uint64_t)(fs->bs - 1);
	return write_full(fs, pblk, (uint32_t)n, uio);
}

int ext4_write(struct vnode *vn, struct uio *uio, unsigned ioflags)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(vn);
	struct ext4_inode *ip = ext4_ip(vn);
	int err = ext4_enter(fs, vn);

	if (!err)
		err = ext4_writable(fs);
	if (err)
		return err;
	if (vn->type != VREG)
		return vn->type == VDIR ? -EISDIR : -EINVAL;
	ext4_ra_forget(fs);
	if (ioflags & VFS_IO_APPEND)
		uio->off = ext4_isize(ip->raw);
	if (uio->off >= VFS_FILE_SIZE_MAX)
		return -EFBIG;
	if (uio->resid > VFS_FILE_SIZE_MAX - uio->off)
		uio->resid = VFS_FILE_SIZE_MAX - uio->off;
	bool moved = false;
	while (uio->resid && !err) {
		err = write_step(fs, ip, uio);
		if (uio->off > ext4_isize(ip->raw))
			ext4_set_isize(ip->raw, uio->off);
		moved |= !err;
	}
	if (err && err != -EUCLEAN) /* drop blocks allocated past what was written */
		ext4_ext_truncate(fs, ip,
				  (uint32_t)((ext4_isize(ip->raw) + fs->bs - 1) >> fs->bs_bits));
	if (moved) {
		ext4_itouch(fs, ip->raw, true, true, false);
		int e2 = ext4_iwrite(fs, ip);
		err = err ? err : e2;
	}
	return err;
}

/* Zero the bytes of the block holding off from off to the block's end. */
static int zero_tail(struct ext4_fs *fs, struct ext4_inode *ip, uint64_t off)
{
	uint32_t boff = (uint32_t)(off & (fs->bs - 1)), len;
	uint64_t pblk;
	unsigned flags;
	struct buf *b;

	if (!boff)
		return 0;
	int err = ext4_map(fs, ip, (uint32_t)(off >> fs->bs_bits), &pblk, &len, &flags);
	if (err || flags)
		return err;
	err = bcache_read(fs->bc, pblk, &b);
	if (err)
		return err;
	memset(b->data + boff, 0, fs->bs - boff);
	bcache_dirty(b);
	bcache_put(b);
	return 0;
}

int ext4_truncate_locked(struct ext4_fs *fs, struct ext4_inode *ip, uint64_t size)
{
	uint64_t old = ext4_isize(ip->raw);
	int err = 0;

	if (size > VFS_FILE_SIZE_MAX)
		return -EFBIG;
	ext4_ra_forget(fs);
	if (size < old) {
		err = ext4_ext_truncate(fs, ip, (uint32_t)((size + fs->bs - 1) >> fs->bs_bits));
		if (!err)
			err = zero_tail(fs, ip, size);
	} else if (size > old) {
		err = zero_tail(fs, ip, old);
	}
	if (err)
		return err;
	ext4_set_isize(ip->raw, size);
	ext4_itouch(fs, ip->raw, true, true, false);
	return ext4_iwrite(fs, ip);
}

int ext4_truncate(struct vnode *vn, uint64_t size)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(vn);
	int err = ext4_enter(fs, vn);

	if (!err)
		err = ext4_writable(fs);
	if (err)
		return err;
	if (vn->type != VREG)
		return vn->type == VDIR ? -EISDIR : -EINVAL;
	return ext4_truncate_locked(fs, ext4_ip(vn), size);
}

int ext4_getpage(struct vnode *vn, uint64_t off, bool alloc, paddr_t *out)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(vn);
	int err = ext4_enter(fs, vn);
	struct uio u;

	if (err)
		return err;
	if (vn->type != VREG)
		return -EINVAL;
	if (off >= PAGE_ROUND_UP(ext4_isize(ext4_ip(vn)->raw)))
		return -ENXIO;
	paddr_t pa = pmm_alloc(0);
	if (!pa)
		return -ENOMEM;
	void *kva = hal_pa_to_kva(pa);
	memset(kva, 0, PAGE_SIZE);
	uio_init_kernel(&u, kva, PAGE_SIZE, off);
	err = read_ip(fs, ext4_ip(vn), &u);
	if (err) {
		pmm_unref(pa);
		return err;
	}
	*out = pa;
	return 0;
}

int ext4_fsync(struct vnode *vn)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(vn);
	int err = ext4_enter(fs, vn);
	return err ? err : ext4_sync_fs(fs);
}

int ext4_getattr(struct vnode *vn, struct vfs_stat *st)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(vn);
	int err = ext4_enter(fs, vn);

	if (!err)
		st->blocks = ext4_iblocks512(fs, ext4_ip(vn)->raw);
	return err;
}

int ext4_setattr(struct vnode *vn, const struct vfs_setattr *attr)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(vn);
	struct ext4_inode *ip = ext4_ip(vn);
	uint8_t *raw = ip->raw;
	int err = ext4_enter(fs, vn);

	if (!err)
		err = ext4_writable(fs);
	if (err)
		return err;
	if (attr->mask & VFS_ATTR_MODE)
		put16(raw, I_MODE,
		      (uint16_t)((get16(raw, I_MODE) & VFS_S_IFMT) | (attr->mode & 07777)));
	if (attr->mask & VFS_ATTR_UID) {
		put16(raw, I_UID, (uint16_t)attr->uid);
		put16(raw, I_UID_HI, (uint16_t)(attr->uid >> 16));
	}
	if (attr->mask & VFS_ATTR_GID) {
		put16(raw, I_GID, (uint16_t)attr->gid);
		put16(raw, I_GID_HI, (uint16_t)(attr->gid >> 16));
	}
	if (attr->mask & VFS_ATTR_ATIME)
		ext4_iset_time(fs, raw, I_ATIME, I_ATIME_EXTRA, attr->atime_ns);
	if (attr->mask & VFS_ATTR_MTIME)
		ext4_iset_time(fs, raw, I_MTIME, I_MTIME_EXTRA, attr->mtime_ns);
	ext4_itouch(fs, raw, false, true, false);
	return ext4_iwrite(fs, ip);
}

int ext4_readlink(struct vnode *vn, struct uio *uio)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(vn);
	struct ext4_inode *ip = ext4_ip(vn);
	int err = ext4_enter(fs, vn);

	if (err)
		return err;
	if (vn->type != VLNK)
		return -EINVAL;
	uint64_t size = ext4_isize(ip->raw);
	uint64_t acl = get32(ip->raw, I_FILE_ACL_LO) ? fs->bs >> 9 : 0;
	if (ext4_iblocks512(fs, ip->raw) == acl) { /* fast: the target is in i_block */
		if (size >= I_BLOCK_LEN)
			return ext4_corrupt(fs, ip->ino, "fast symlink size");
		return uio_move(ip->raw + I_BLOCK, size, uio, true);
	}
	if (!size || size >= VFS_PATH_MAX || size > fs->bs)
		return ext4_corrupt(fs, ip->ino, "symlink size");
	err = ext4_read_kernel(fs, ip, 0, fs->zero, size);
	if (!err)
		err = uio_move(fs->zero, size, uio, true);
	memset(fs->zero, 0, fs->bs);
	return err;
}
