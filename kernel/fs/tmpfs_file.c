/*
 * tmpfs file data.
 *
 * A file's pages hang off a radix tree whose nodes are pages of 512 slots; a
 * tree of height h covers 512^h pages, and it grows at the top as the file
 * does. Missing slots are holes and read as zeros. Each data page holds one pmm
 * reference for the tree; readers and writers take an extra one, drop the vnode
 * lock, and copy to or from the caller's buffer with the page pinned, so no
 * spinlock is held across a user copy. Truncation zeroes the tail of the last
 * page and unreferences the pages past the end.
 */
#include <fs/vfs.h>
#include <fs/tmpfs.h>
#include <core/klog.h>
#include <core/pmm.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "tmpfs_impl.h"

#define RADIX_SHIFT	 9
#define RADIX_SLOTS	 (1u << RADIX_SHIFT)
#define RADIX_MAX_HEIGHT 4

BUILD_ASSERT(RADIX_SLOTS * sizeof(paddr_t) == PAGE_SIZE);
BUILD_ASSERT((VFS_FILE_SIZE_MAX >> PAGE_SHIFT) <= (1ULL << (RADIX_SHIFT * RADIX_MAX_HEIGHT)));

static unsigned long tmpfs_pages; /* atomic: data pages held by files */

unsigned long tmpfs_page_count(void)
{
	return __atomic_load_n(&tmpfs_pages, __ATOMIC_RELAXED);
}

static paddr_t *radix_node(paddr_t pa)
{
	return hal_pa_to_kva(pa);
}

static uint64_t radix_span(unsigned height)
{
	return height ? 1ULL << (RADIX_SHIFT * height) : 0;
}

static unsigned radix_index(uint64_t idx, unsigned level)
{
	return (unsigned)(idx >> (RADIX_SHIFT * (level - 1))) & (RADIX_SLOTS - 1);
}

/* The data page at page index idx, or 0 for a hole. Vnode lock held. */
static paddr_t radix_lookup(const struct tmpfs_file *f, uint64_t idx)
{
	paddr_t pa = f->root;

	if (idx >= radix_span(f->height))
		return 0;
	for (unsigned level = f->height; level && pa; level--)
		pa = radix_node(pa)[radix_index(idx, level)];
	return pa;
}

/* The leaf slot for idx, building nodes on the way. Vnode lock held. */
static int radix_slot(struct tmpfs_file *f, uint64_t idx, paddr_t **slot)
{
	while (idx >= radix_span(f->height)) {
		if (f->height == RADIX_MAX_HEIGHT)
			return -EFBIG;
		if (f->root) {
			/* Grow at the top: the old tree becomes slot 0 of a new root. */
			paddr_t top = pmm_alloc_zeroed(0);
			if (!top)
				return -ENOSPC;
			radix_node(top)[0] = f->root;
			f->root = top;
		}
		f->height++;
	}
	paddr_t *s = &f->root;
	for (unsigned level = f->height; level; level--) {
		if (!*s && !(*s = pmm_alloc_zeroed(0)))
			return -ENOSPC;
		s = &radix_node(*s)[radix_index(idx, level)];
	}
	*slot = s;
	return 0;
}

/*
 * Drop the data pages at index >= first under node (covering [base, base +
 * span)), and the node itself if that empties its whole range. Returns true if
 * the node was freed. Recursion depth is bounded by RADIX_MAX_HEIGHT.
 */
static bool radix_trim(paddr_t node, unsigned level, uint64_t base, uint64_t first)
{
	uint64_t child_span = radix_span(level - 1);
	paddr_t *slots = radix_node(node);

	if (level == 1)
		child_span = 1;
	for (unsigned i = 0; i < RADIX_SLOTS; i++) {
		uint64_t cbase = base + i * child_span;
		if (!slots[i] || cbase + child_span <= first)
			continue;
		if (level == 1) {
			pmm_unref(slots[i]);
			__atomic_fetch_sub(&tmpfs_pages, 1, __ATOMIC_RELAXED);
			slots[i] = 0;
		} else if (radix_trim(slots[i], level - 1, cbase, first)) {
			slots[i] = 0;
		}
	}
	if (base < first)
		return false;
	pmm_free(node, 0);
	return true;
}

static void radix_truncate(struct tmpfs_file *f, uint64_t first)
{
	if (f->root && radix_trim(f->root, f->height, 0, first)) {
		f->root = 0;
		f->height = 0;
	}
}

void tmpfs_file_destroy(struct tmpfs_file *f)
{
	radix_truncate(f, 0);
}

/* Bytes to move in the page holding off: bounded by the page and by limit. */
static size_t chunk_len(uint64_t off, uint64_t limit)
{
	uint64_t n = PAGE_SIZE - (off & (PAGE_SIZE - 1));

	return n < limit ? (size_t)n : (size_t)limit;
}

int tmpfs_file_read(struct vnode *vn, struct uio *uio)
{
	struct tmpfs_file *f = &tmpfs_node(vn)->file;
	int err = 0;

	while (uio->resid && !err) {
		uint64_t off = uio->off;
		size_t n;
		paddr_t pa;

		spin_lock(&vn->lock);
		if (off >= vn->size) {
			spin_unlock(&vn->lock);
			break;
		}
		n = chunk_len(off, vn->size - off);
		pa = radix_lookup(f, off >> PAGE_SHIFT);
		if (pa)
			pmm_ref(pa);
		spin_unlock(&vn->lock);
		if (pa) {
			char *page = hal_pa_to_kva(pa);
			err = uio_move(page + (off & (PAGE_SIZE - 1)), n, uio, true);
			pmm_unref(pa);
		} else {
			err = uio_zero(n, uio);
		}
	}
	return err;
}

/* Pin the page for off, creating it if needed. */
static int write_pin(struct vnode *vn, uint64_t off, paddr_t *out)
{
	struct tmpfs_file *f = &tmpfs_node(vn)->file;
	paddr_t *slot;
	int err;

	spin_lock(&vn->lock);
	err = radix_slot(f, off >> PAGE_SHIFT, &slot);
	if (!err && !*slot) {
		*slot = pmm_alloc_zeroed(0);
		if (*slot)
			__atomic_fetch_add(&tmpfs_pages, 1, __ATOMIC_RELAXED);
		else
			err = -ENOSPC;
	}
	if (!err) {
		*out = *slot;
		pmm_ref(*out);
	}
	spin_unlock(&vn->lock);
	return err;
}

/* After copying into pa for [off, end): extend the file unless a truncate took
 * the page away meanwhile (then the write is ordered before it: stop). */
static bool write_commit(struct vnode *vn, uint64_t off, uint64_t end, paddr_t pa)
{
	bool still = radix_lookup(&tmpfs_node(vn)->file, off >> PAGE_SHIFT) == pa;

	if (still && end > vn->size)
		vn->size = end;
	vn->mtime_ns = vn->ctime_ns = vfs_now();
	return still;
}

int tmpfs_file_write(struct vnode *vn, struct uio *uio, unsigned ioflags)
{
	int err = 0;

	if (ioflags & VFS_IO_APPEND) {
		spin_lock(&vn->lock);
		uio->off = vn->size;
		spin_unlock(&vn->lock);
	}
	while (uio->resid && !err) {
		uint64_t off = uio->off;
		size_t n = chunk_len(off, uio->resid);
		paddr_t pa;
		bool kept;

		if (off >= VFS_FILE_SIZE_MAX)
			return -EFBIG;
		err = write_pin(vn, off, &pa);
		if (err)
			break;
		char *page = hal_pa_to_kva(pa);
		err = uio_move(page + (off & (PAGE_SIZE - 1)), n, uio, false);
		spin_lock(&vn->lock);
		kept = write_commit(vn, off, err ? off : off + n, pa);
		spin_unlock(&vn->lock);
		pmm_unref(pa);
		if (!kept)
			break;
	}
	return err;
}

int tmpfs_file_truncate(struct vnode *vn, uint64_t size)
{
	struct tmpfs_file *f = &tmpfs_node(vn)->file;
	paddr_t last;

	spin_lock(&vn->lock);
	if (size < vn->size) {
		/* Zero the rest of the page that becomes the last one, so that growing
		 * the file again reads zeros there. */
		last = size & (PAGE_SIZE - 1) ? radix_lookup(f, size >> PAGE_SHIFT) : 0;
		if (last)
			memset((char *)hal_pa_to_kva(last) + (size & (PAGE_SIZE - 1)), 0,
			       PAGE_SIZE - (size & (PAGE_SIZE - 1)));
		radix_truncate(f, PAGE_ROUND_UP(size) >> PAGE_SHIFT);
	}
	vn->size = size;
	vn->mtime_ns = vn->ctime_ns = vfs_now();
	spin_unlock(&vn->lock);
	return 0;
}

int tmpfs_file_getpage(struct vnode *vn, uint64_t off, bool alloc, paddr_t *out)
{
	uint64_t size;
	paddr_t pa;

	if (vn->type != VREG)
		return -EINVAL;
	spin_lock(&vn->lock);
	size = vn->size;
	pa = radix_lookup(&tmpfs_node(vn)->file, off >> PAGE_SHIFT);
	if (pa)
		pmm_ref(pa);
	spin_unlock(&vn->lock);
	if (off >= PAGE_ROUND_UP(size) && !pa)
		return -ENXIO;
	if (pa) {
		*out = pa;
		return 0;
	}
	if (!alloc)
		return -ENOENT; /* a hole: the caller maps zeros */
	return write_pin(vn, off, out);
}
