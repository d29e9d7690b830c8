/*
 * The page cache of files on disk file systems (VFS_FS_BLOCKING): pages that
 * getpage produced, kept per vnode so that a page fault can be answered
 * without the file system (which may block, so it cannot run under the
 * address space's lock or in a user thread's fault). A miss there is -ESVC:
 * the fault path lets go of its lock and fills the cache where blocking is
 * allowed (the fs service), then tries again.
 *
 * Coherence with read(2) and write(2), which go through the file system's
 * own block cache, not these pages (docs/kernel.md, "File pages"):
 *   - a cached page is always the newest copy of its bytes: write(2) copies
 *     what it wrote into the cached pages it touched (vfs_pcache_written),
 *     truncate zeroes the tail of the last page and drops those past the end
 *     (vfs_pcache_truncate), so a shared mapping sees every write at once;
 *   - stores through MAP_SHARED mappings make pages dirty (the vnode pager's
 *     dirty hook, on the write fault of a page mapped read-only first);
 *     dirty pages are written back through the file system's write op
 *     (pcache_wb.c) before a read(2) of their range, and by msync, munmap,
 *     fsync, sync and unmount.
 *
 * Each vnode's cache (vn->pcache) is a header with a sorted array of (offset,
 * page, dirty) under vn->lock; a cached page holds one reference, dropped
 * when the range is truncated away or the vnode is released. Lock order:
 * vm->lock (faults), then vn->lock, then the dirty list's lock (pcache_wb.c).
 */
#include <fs/vfs.h>
#include <core/klog.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/spinlock.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "pcache_impl.h"

/* Index of the first entry with offset >= off. */
unsigned pcache_find_locked(const struct vfs_pcache *pc, uint64_t off)
{
	unsigned lo = 0, hi = pc ? pc->n : 0;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (pc->e[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct vfs_pcache *pcache_header(struct vnode *vn)
{
	struct vfs_pcache *pc;

	spin_lock(&vn->lock);
	pc = vn->pcache;
	spin_unlock(&vn->lock);
	if (pc)
		return pc;
	pc = kzalloc(sizeof(*pc));
	if (!pc)
		return NULL;
	pc->vn = vn;
	list_init(&pc->dirty_link);
	spin_lock(&vn->lock);
	if (!vn->pcache) {
		vn->pcache = pc;
		pc = NULL;
	}
	spin_unlock(&vn->lock);
	kfree(pc); /* another thread's header won */
	return vn->pcache;
}

static int lookup(struct vnode *vn, uint64_t off, paddr_t *out)
{
	int err = -ENOENT;

	spin_lock(&vn->lock);
	struct vfs_pcache *pc = vn->pcache;
	unsigned i = pcache_find_locked(pc, off);
	if (pc && i < pc->n && pc->e[i].off == off) {
		*out = pc->e[i].pa;
		pmm_ref(*out);
		err = 0;
	}
	spin_unlock(&vn->lock);
	return err;
}

/* Cache pa (the caller's reference moves to the cache) unless a page for off
 * is already there; *out gets the cached page with a reference. */
static int insert(struct vnode *vn, uint64_t off, paddr_t pa, paddr_t *out)
{
	struct vfs_pcache *pc = pcache_header(vn);
	struct pc_entry *grown = NULL, *old = NULL;
	unsigned grown_cap = 0;

	if (!pc) {
		*out = pa; /* uncached, still usable */
		return 0;
	}
	for (;;) {
		spin_lock(&vn->lock);
		unsigned i = pcache_find_locked(pc, off);
		if (i < pc->n && pc->e[i].off == off) {
			*out = pc->e[i].pa;
			pmm_ref(*out);
			spin_unlock(&vn->lock);
			pmm_unref(pa);
			kfree(grown);
			return 0;
		}
		if (pc->n == pc->cap) {
			unsigned need = pc->cap ? pc->cap * 2 : 8;
			if (grown_cap < need) {
				spin_unlock(&vn->lock);
				kfree(grown);
				grown = kmalloc(need * sizeof(*grown));
				if (!grown) {
					*out = pa;
					return 0;
				}
				grown_cap = need;
				continue;
			}
			if (pc->n)
				memcpy(grown, pc->e, pc->n * sizeof(*grown));
			old = pc->e;
			pc->e = grown;
			pc->cap = grown_cap;
			grown = NULL;
		}
		memmove(&pc->e[i + 1], &pc->e[i], (pc->n - i) * sizeof(pc->e[0]));
		pc->e[i] = (struct pc_entry){off, pa, false};
		pc->n++;
		pmm_ref(pa);
		*out = pa;
		spin_unlock(&vn->lock);
		kfree(old);
		kfree(grown);
		return 0;
	}
}

int vfs_pcache_getpage(struct vnode *vn, uint64_t off, bool alloc, paddr_t *out)
{
	paddr_t pa;
	int err;

	if (!lookup(vn, off, out))
		return 0;
	/* A miss needs the file system: not on the per-CPU stack, and not
	 * under a spinlock (a fault holds the address space's). */
	if (!sched_may_block() || spin_held_depth())
		return -ESVC;
	err = vn->ops->getpage(vn, off, alloc, &pa);
	if (err)
		return err;
	return insert(vn, off, pa, out);
}

void vfs_pcache_invalidate(struct vnode *vn, uint64_t from, uint64_t to)
{
	paddr_t drop[16];
	unsigned n, cleaned;

	do {
		n = cleaned = 0;
		spin_lock(&vn->lock);
		struct vfs_pcache *pc = vn->pcache;
		unsigned i = pcache_find_locked(pc, from & ~(uint64_t)(PAGE_SIZE - 1));
		while (pc && i < pc->n && pc->e[i].off < to && n < 16) {
			cleaned += pc->e[i].dirty;
			drop[n++] = pc->e[i].pa;
			memmove(&pc->e[i], &pc->e[i + 1], (pc->n - i - 1) * sizeof(pc->e[0]));
			pc->n--;
		}
		if (pc)
			pc->ndirty -= cleaned;
		spin_unlock(&vn->lock);
		for (unsigned k = 0; k < n; k++)
			pmm_unref(drop[k]);
	} while (n == 16);
}

/* The cached page holding off, with a reference, or 0. */
static paddr_t cached_page(struct vnode *vn, uint64_t off)
{
	paddr_t pa = 0;

	return lookup(vn, off & ~(uint64_t)(PAGE_SIZE - 1), &pa) ? 0 : pa;
}

void vfs_pcache_written(struct vnode *vn, uint64_t old_size, uint64_t from, uint64_t to)
{
	/* A write that starts past the old end leaves a hole: zero it in the
	 * last old page (stores past the end through a mapping stay there). */
	if (from > old_size && (old_size & (PAGE_SIZE - 1))) {
		uint64_t end = PAGE_ROUND_UP(old_size) < from ? PAGE_ROUND_UP(old_size) : from;
		paddr_t pa = cached_page(vn, old_size);
		if (pa) {
			memset((char *)hal_pa_to_kva(pa) + (old_size & (PAGE_SIZE - 1)), 0,
			       end - old_size);
			pmm_unref(pa);
		}
	}
	/* Copy what was written into the pages cached over it: the file system
	 * reads it back from its own cache (no disk I/O). */
	for (uint64_t at = from; at < to;) {
		uint64_t page = at & ~(uint64_t)(PAGE_SIZE - 1);
		uint64_t end = page + PAGE_SIZE < to ? page + PAGE_SIZE : to;
		paddr_t pa = cached_page(vn, page);
		struct uio u;
		if (pa) {
			uio_init_kernel(&u, (char *)hal_pa_to_kva(pa) + (at - page), end - at, at);
			int err = vn->ops->read(vn, &u);
			pmm_unref(pa);
			if (err || u.resid)
				vfs_pcache_invalidate(vn, page, page + PAGE_SIZE);
		}
		at = end;
	}
}

void vfs_pcache_truncate(struct vnode *vn, uint64_t old_size, uint64_t size)
{
	uint64_t low = old_size < size ? old_size : size;

	/* The bytes of the last page past the (lower) end read as zeros. */
	if (low & (PAGE_SIZE - 1)) {
		paddr_t pa = cached_page(vn, low);
		if (pa) {
			memset((char *)hal_pa_to_kva(pa) + (low & (PAGE_SIZE - 1)), 0,
			       PAGE_SIZE - (low & (PAGE_SIZE - 1)));
			pmm_unref(pa);
		}
	}
	vfs_pcache_invalidate(vn, PAGE_ROUND_UP(size), UINT64_MAX);
}

void vfs_pcache_free(struct vnode *vn)
{
	struct vfs_pcache *pc = vn->pcache;

	vn->pcache = NULL;
	if (!pc)
		return;
	kassert(!pc->ndirty && !pc->listed);
	for (unsigned i = 0; i < pc->n; i++)
		pmm_unref(pc->e[i].pa);
	kfree(pc->e);
	kfree(pc);
}
