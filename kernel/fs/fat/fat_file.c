/*
 * FAT file data: read, write, truncate, getpage, fsync.
 *
 * Bytes move between a file and a uio a piece at a time: whole blocks that
 * sit in one run of contiguous clusters go straight between the disk and the
 * mount's bounce buffer (up to 64 KiB per request; the cache stays coherent
 * through bcache_*_direct), and partial blocks through the buffer cache. User
 * data always lands in the bounce buffer first, so a fault in the middle of a
 * copy never leaves a cached block half changed.
 *
 * FAT has no holes: bytes past the size inside the last cluster are
 * undefined on disk, so growing a file (a write past the end, truncate up)
 * first writes zeros from the old size on. A write that fails part way keeps
 * what was written, and the chain is cut back to what the size needs, so
 * fsck.fat never finds a chain longer than its file.
 *
 * Ops run one at a time per instance and may block (see fat_impl.h).
 */
#include <core/pmm.h>
#include <hal/mmu.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "fat_impl.h"

/* One piece of an I/O: straight to the disk through the bounce buffer. */
static int io_direct(struct fat_mount *fm, uint64_t dev, size_t n, struct uio *uio, bool write)
{
	uint64_t blk = dev >> fm->blk_shift;
	uint32_t nblk = (uint32_t)(n >> fm->blk_shift);
	int r;

	if (!write) {
		if ((r = bcache_read_direct(fm->bc, blk, nblk, fm->bounce)))
			return r;
		return uio_move(fm->bounce, n, uio, true);
	}
	if (!uio)
		memset(fm->bounce, 0, n);
	else if ((r = uio_move(fm->bounce, n, uio, false)))
		return r;
	return bcache_write_direct(fm->bc, blk, nblk, fm->bounce);
}

/* One piece inside a block, through the cache. */
static int io_cached(struct fat_mount *fm, uint64_t dev, size_t n, struct uio *uio, bool write)
{
	uint32_t o = (uint32_t)(dev & (fm->blk_size - 1));
	struct buf *b;
	int r;

	if (write) {
		if (!uio)
			memset(fm->bounce, 0, n);
		else if ((r = uio_move(fm->bounce, n, uio, false)))
			return r;
	}
	if ((r = fat_bread(fm, dev >> fm->blk_shift, &b)))
		return r;
	if (write) {
		memcpy(b->data + o, fm->bounce, n);
		fat_bdirty(fm, b);
	} else {
		memcpy(fm->bounce, b->data + o, n);
	}
	fat_brelse(fm, b);
	return write ? 0 : uio_move(fm->bounce, n, uio, true);
}

/* Move len bytes at file offset off between n's clusters and uio (NULL:
 * write zeros). The clusters must exist. */
static int file_io(struct fat_mount *fm, struct fat_node *n, uint64_t off, size_t len,
		   struct uio *uio, bool write)
{
	while (len) {
		uint32_t clu, contig, coff = (uint32_t)(off % fm->cluster_size);
		int r = fat_bmap(fm, n, (uint32_t)(off / fm->cluster_size), &clu, &contig);
		if (r)
			return r > 0 ? -EIO : r;
		uint64_t dev = fat_clu_off(fm, clu) + coff;
		uint64_t span = (uint64_t)contig * fm->cluster_size - coff;
		size_t chunk = len < span ? len : (size_t)span;
		uint32_t bo = (uint32_t)(dev & (fm->blk_size - 1));
		if (!bo && chunk >= fm->blk_size) {
			chunk &= ~(size_t)(fm->blk_size - 1);
			chunk = chunk < FAT_BOUNCE ? chunk : FAT_BOUNCE;
			r = io_direct(fm, dev, chunk, uio, write);
		} else {
			chunk = chunk < fm->blk_size - bo ? chunk : fm->blk_size - bo;
			r = io_cached(fm, dev, chunk, uio, write);
		}
		if (r)
			return r;
		off += chunk;
		len -= chunk;
	}
	return 0;
}

static uint32_t clusters_for(const struct fat_mount *fm, uint64_t size)
{
	return (uint32_t)((size + fm->cluster_size - 1) / fm->cluster_size);
}

int fat_read(struct vnode *vn, struct uio *uio)
{
	VFS_MUST_BLOCK();
	struct fat_mount *fm = fat_mnt(vn);
	uint64_t size = vn->size;

	fat_op_begin(fm);
	if (vn->type == VDIR)
		return -EISDIR;
	if (uio->off >= size || !uio->resid)
		return 0;
	size_t len = size - uio->off < uio->resid ? (size_t)(size - uio->off) : uio->resid;
	return file_io(fm, fat_node(vn), uio->off, len, uio, false);
}

/* Set the size and modification time, and write them to the entry. */
static int set_size(struct fat_mount *fm, struct fat_node *n, uint64_t size)
{
	struct vnode *vn = n->vn;
	uint64_t now = vfs_now();

	spin_lock(&vn->lock);
	vn->size = size;
	vn->mtime_ns = vn->ctime_ns = now;
	spin_unlock(&vn->lock);
	return fat_node_write_entry(fm, n);
}

/* Grow n's chain for end bytes; on -ENOSPC, *end shrinks to what fits. */
static int grow_for(struct fat_mount *fm, struct fat_node *n, uint64_t *end)
{
	int r = fat_chain_grow(fm, n, clusters_for(fm, *end), false);
	uint64_t have = (uint64_t)n->nclusters * fm->cluster_size;

	if (r == -ENOSPC && have < *end) {
		*end = have;
		return 0;
	}
	return r;
}

int fat_write(struct vnode *vn, struct uio *uio, unsigned ioflags)
{
	VFS_MUST_BLOCK();
	struct fat_mount *fm = fat_mnt(vn);
	struct fat_node *n = fat_node(vn);
	uint64_t old = vn->size, end;
	int r;

	fat_op_begin(fm);
	if (vn->type == VDIR)
		return -EISDIR;
	if ((r = fat_begin_write(fm)) || (r = fat_map_load(fm, n)))
		return r;
	if (ioflags & VFS_IO_APPEND)
		uio->off = old;
	if (uio->off >= FAT_FILE_MAX)
		return -EFBIG;
	if (!uio->resid)
		return 0;
	end = uio->off +
	      (uio->resid < FAT_FILE_MAX - uio->off ? uio->resid : FAT_FILE_MAX - uio->off);
	if ((r = grow_for(fm, n, &end)))
		goto out_cut;
	if (end <= uio->off) {
		r = -ENOSPC;
		goto out_cut;
	}
	if (uio->off > old && (r = file_io(fm, n, old, uio->off - old, NULL, true)))
		goto out_cut;
	size_t resid0 = uio->resid;
	r = file_io(fm, n, uio->off, (size_t)(end - uio->off), uio, true);
	if (resid0 != uio->resid) {
		uint64_t reached = uio->off;
		int r2 = set_size(fm, n, reached > old ? reached : old);
		r = r2 ? r2 : 0; /* a short count shows the error */
	}
out_cut:
	if (!fm->broken)
		fat_chain_cut(fm, n, clusters_for(fm, vn->size));
	return r;
}

int fat_truncate(struct vnode *vn, uint64_t size)
{
	VFS_MUST_BLOCK();
	struct fat_mount *fm = fat_mnt(vn);
	struct fat_node *n = fat_node(vn);
	uint64_t old = vn->size;
	int r;

	fat_op_begin(fm);
	if (size > FAT_FILE_MAX)
		return -EFBIG;
	if ((r = fat_begin_write(fm)) || (r = fat_map_load(fm, n)))
		return r;
	if (size == old)
		return 0;
	if (size > old) {
		r = fat_chain_grow(fm, n, clusters_for(fm, size), false);
		if (!r)
			r = file_io(fm, n, old, (size_t)(size - old), NULL, true);
		if (r) {
			if (!fm->broken)
				fat_chain_cut(fm, n, clusters_for(fm, old));
			return r;
		}
		return set_size(fm, n, size);
	}
	if ((r = fat_chain_cut(fm, n, clusters_for(fm, size))))
		return r;
	return set_size(fm, n, size);
}

int fat_getpage(struct vnode *vn, uint64_t off, bool alloc, paddr_t *out)
{
	VFS_MUST_BLOCK();
	struct fat_mount *fm = fat_mnt(vn);
	uint64_t size = vn->size;
	struct uio u;
	paddr_t pa;

	fat_op_begin(fm);
	if (vn->type != VREG)
		return -EINVAL;
	if (off >= PAGE_ROUND_UP(size))
		return -ENXIO;
	if (!(pa = pmm_alloc(0)))
		return -ENOMEM;
	uint8_t *p = hal_pa_to_kva(pa);
	size_t n = size - off < PAGE_SIZE ? (size_t)(size - off) : PAGE_SIZE;
	uio_init_kernel(&u, p, n, off);
	int r = file_io(fm, fat_node(vn), off, n, &u, false);
	if (r) {
		pmm_free(pa, 0);
		return r;
	}
	memset(p + n, 0, PAGE_SIZE - n);
	*out = pa;
	return 0;
}

int fat_fsync(struct vnode *vn)
{
	VFS_MUST_BLOCK();
	return fat_sync_all(fat_mnt(vn));
}
