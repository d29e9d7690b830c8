/*
 * Writing back the page cache's dirty pages (pages stored to through
 * MAP_SHARED mappings of disk files; see pcache.c for the coherence rules).
 *
 * A page becomes dirty on the write fault that makes it writable in a shared
 * mapping (vfs_pcache_dirty, called by the vnode pager under vm->lock). A
 * vnode with dirty pages is on the dirty list, which holds a reference to it,
 * so its pages outlive every mapping and descriptor until they are on the
 * file system. Writing back copies a page's bytes below the end of the file
 * into the file through the file system's write op (its block cache takes
 * them; the file system's sync puts them on the disk). There is no reverse
 * map to make a page read-only again in every space that maps it, so a page
 * stays dirty while any shared mapping of its file remains (a later store
 * must not be missed): it is then written back each time its range is
 * flushed, and is clean once the last such mapping is gone and it has been
 * written once more.
 *
 * Flushes happen before a read(2) of a dirty range, and at msync, munmap,
 * fsync, sync and unmount. Writing back needs the file system, so a flush
 * that finds dirty pages where blocking is not allowed returns -ESVC before
 * doing anything, and the system call runs again in the fs service.
 */
#include <fs/vfs.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/spinlock.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "pcache_impl.h"

static struct spinlock dirty_lock = SPINLOCK_INIT("pcache-dirty");
static struct list dirty_list = LIST_INIT(dirty_list);

/* Put pc's vnode on the dirty list if it has dirty pages (vn->lock held). */
static void list_locked(struct vfs_pcache *pc)
{
	if (!pc->ndirty)
		return;
	spin_lock(&dirty_lock);
	if (!pc->listed) {
		pc->listed = true;
		vnode_get(pc->vn);
		list_add_tail(&dirty_list, &pc->dirty_link);
	}
	spin_unlock(&dirty_lock);
}

/* Take vn off the dirty list if nothing of it is dirty any more; the
 * caller holds its own reference to vn. */
static void unlist_if_clean(struct vnode *vn)
{
	bool put = false;

	spin_lock(&vn->lock);
	struct vfs_pcache *pc = vn->pcache;
	if (pc && !pc->ndirty) {
		spin_lock(&dirty_lock);
		if (pc->listed) {
			list_del(&pc->dirty_link);
			pc->listed = false;
			put = true;
		}
		spin_unlock(&dirty_lock);
	}
	spin_unlock(&vn->lock);
	if (put)
		vnode_put(vn);
}

static void mark_dirty(struct vnode *vn, uint64_t off)
{
	spin_lock(&vn->lock);
	struct vfs_pcache *pc = vn->pcache;
	unsigned i = pcache_find_locked(pc, off);
	if (pc && i < pc->n && pc->e[i].off == off && !pc->e[i].dirty) {
		pc->e[i].dirty = true;
		pc->ndirty++;
		list_locked(pc);
	}
	spin_unlock(&vn->lock);
}

void vfs_pcache_dirty(struct vnode *vn, uint64_t off)
{
	mark_dirty(vn, off & ~(uint64_t)(PAGE_SIZE - 1));
}

int vfs_pcache_share_prepare(struct vnode *vn)
{
	return pcache_header(vn) ? 0 : -ENOMEM;
}

void vfs_pcache_share(struct vnode *vn, int delta)
{
	spin_lock(&vn->lock);
	if (vn->pcache) /* made by vfs_pcache_share_prepare before the mapping */
		vn->pcache->nshared += (unsigned)delta;
	spin_unlock(&vn->lock);
}

bool vfs_pcache_has_dirty(struct vnode *vn)
{
	struct vfs_pcache *pc = __atomic_load_n(&vn->pcache, __ATOMIC_ACQUIRE);

	return pc && __atomic_load_n(&pc->ndirty, __ATOMIC_RELAXED);
}

/* Write one page's bytes below the end of the file to the file. */
static int write_page(struct vnode *vn, uint64_t off, paddr_t pa, uint64_t size)
{
	struct uio u;
	int err;

	if (off >= size)
		return 0; /* wholly past the end (truncated meanwhile) */
	size_t len = size - off < PAGE_SIZE ? (size_t)(size - off) : PAGE_SIZE;
	uio_init_kernel(&u, hal_pa_to_kva(pa), len, off);
	err = vn->ops->write(vn, &u, 0);
	return !err && u.resid ? -EIO : err;
}

int vfs_pcache_flush(struct vnode *vn, uint64_t from, uint64_t to)
{
	bool may_block = sched_may_block() && !spin_held_depth();
	uint64_t at = from & ~(uint64_t)(PAGE_SIZE - 1);
	int err = 0;

	while (at < to) {
		spin_lock(&vn->lock);
		struct vfs_pcache *pc = vn->pcache;
		unsigned i = pcache_find_locked(pc, at);
		while (pc && i < pc->n && pc->e[i].off < to && !pc->e[i].dirty)
			i++;
		if (!pc || i >= pc->n || pc->e[i].off >= to) {
			spin_unlock(&vn->lock);
			break;
		}
		if (!may_block) {
			spin_unlock(&vn->lock);
			return -ESVC; /* nothing done yet: run the call where it may block */
		}
		uint64_t off = pc->e[i].off, size = vn->size;
		paddr_t pa = pc->e[i].pa;
		bool cleaned = !pc->nshared; /* no mapping left that could store again */
		pmm_ref(pa);
		if (cleaned) {
			pc->e[i].dirty = false;
			pc->ndirty--;
		}
		spin_unlock(&vn->lock);
		err = write_page(vn, off, pa, size);
		pmm_unref(pa);
		if (err) {
			if (cleaned)
				mark_dirty(vn, off);
			break;
		}
		at = off + PAGE_SIZE;
	}
	unlist_if_clean(vn);
	return err;
}

int vfs_pcache_sync_mount(struct mount *m)
{
	struct vnode **snap;
	unsigned n = 0, cap = 0;
	struct list *it;
	int first = 0;

	spin_lock(&dirty_lock);
	list_for_each(it, &dirty_list)
		cap++;
	spin_unlock(&dirty_lock);
	if (!cap)
		return 0;
	snap = kmalloc((cap + 8) * sizeof(*snap));
	if (!snap)
		return -ENOMEM;
	spin_lock(&dirty_lock);
	list_for_each(it, &dirty_list) {
		struct vfs_pcache *pc = list_entry(it, struct vfs_pcache, dirty_link);
		if (n < cap + 8 && (!m || pc->vn->mnt == m))
			snap[n++] = vnode_get(pc->vn);
	}
	spin_unlock(&dirty_lock);
	for (unsigned i = 0; i < n; i++) {
		int err = vfs_pcache_flush(snap[i], 0, UINT64_MAX);
		if (err && !first)
			first = err;
		vnode_put(snap[i]);
	}
	kfree(snap);
	return first;
}
