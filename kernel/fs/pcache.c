/*
 * The page cache of files on disk file systems (VFS_FS_BLOCKING): pages that
 * getpage produced, kept per vnode so that a page fault can be answered
 * without the file system (which may block, so it cannot run under the
 * address space's lock or in a user thread's fault). A miss there is -ESVC:
 * the fault path lets go of its lock and fills the cache where blocking is
 * allowed (the fs service), then tries again.
 *
 * Each vnode's cache is a sorted array of (offset, page) under vn->lock; a
 * cached page holds one reference, dropped when the range is written or
 * truncated (vfs_pcache_invalidate) or the vnode is released. Written data
 * reaches later faults because writes invalidate; a MAP_SHARED page written
 * through the mapping is not written back to the disk (not yet).
 */
#include <fs/vfs.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/spinlock.h>
#include <lib/string.h>
#include <weft/errno.h>

struct vfs_pcache {
	unsigned n, cap;
	struct pc_entry {
		uint64_t off;
		paddr_t pa;
	} e[];
};

/* Index of the first entry with offset >= off. */
static unsigned find_locked(const struct vfs_pcache *pc, uint64_t off)
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

static int lookup(struct vnode *vn, uint64_t off, paddr_t *out)
{
	int err = -ENOENT;

	spin_lock(&vn->lock);
	struct vfs_pcache *pc = vn->pcache;
	unsigned i = find_locked(pc, off);
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
	struct vfs_pcache *grown = NULL, *old = NULL;

	for (;;) {
		spin_lock(&vn->lock);
		struct vfs_pcache *pc = vn->pcache;
		unsigned i = find_locked(pc, off);
		if (pc && i < pc->n && pc->e[i].off == off) {
			*out = pc->e[i].pa;
			pmm_ref(*out);
			spin_unlock(&vn->lock);
			pmm_unref(pa);
			kfree(grown);
			return 0;
		}
		if (!pc || pc->n == pc->cap) {
			unsigned need = pc ? pc->cap * 2 : 8;
			if (!grown || grown->cap < need) {
				spin_unlock(&vn->lock);
				kfree(grown);
				grown = kmalloc(sizeof(*grown) + need * sizeof(grown->e[0]));
				if (!grown) {
					*out = pa; /* uncached, still usable */
					return 0;
				}
				grown->cap = need;
				continue;
			}
			grown->n = pc ? pc->n : 0;
			if (pc)
				memcpy(grown->e, pc->e, pc->n * sizeof(pc->e[0]));
			old = pc;
			vn->pcache = pc = grown;
			grown = NULL;
		}
		memmove(&pc->e[i + 1], &pc->e[i], (pc->n - i) * sizeof(pc->e[0]));
		pc->e[i].off = off;
		pc->e[i].pa = pa;
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
	unsigned n;

	do {
		n = 0;
		spin_lock(&vn->lock);
		struct vfs_pcache *pc = vn->pcache;
		unsigned i = find_locked(pc, from & ~(uint64_t)(PAGE_SIZE - 1));
		while (pc && i < pc->n && pc->e[i].off < to && n < 16) {
			drop[n++] = pc->e[i].pa;
			memmove(&pc->e[i], &pc->e[i + 1], (pc->n - i - 1) * sizeof(pc->e[0]));
			pc->n--;
		}
		spin_unlock(&vn->lock);
		for (unsigned k = 0; k < n; k++)
			pmm_unref(drop[k]);
	} while (n == 16);
}

void vfs_pcache_free(struct vnode *vn)
{
	struct vfs_pcache *pc = vn->pcache;

	vn->pcache = NULL;
	for (unsigned i = 0; pc && i < pc->n; i++)
		pmm_unref(pc->e[i].pa);
	kfree(pc);
}
