/*
 * Memory syscalls: brk, mmap (anonymous or of a regular file, private or
 * shared), mremap, munmap, mprotect, madvise. A file mapping is backed by a
 * pager over the file's vnode: its pages come from the file system's getpage
 * (for tmpfs, the file's own pages), so MAP_SHARED writes are the file's data
 * and MAP_PRIVATE ones are copied on write. Pages past the end of the file
 * fault (SIGSEGV for now; Linux raises SIGBUS).
 *
 * Shared mappings of files on disk file systems use their own pager, which
 * counts them (vfs_pcache_share) and marks a page dirty when a store is about
 * to change it (vm maps their pages read-only until written); msync and
 * munmap write those pages back (fs/pcache_wb.c), which needs the fs
 * service: where blocking is not allowed that is -ESVC before anything is
 * done, and the call runs again there.
 */
#include <linux/lx.h>
#include <core/pmm.h>

#define LX_PROT_READ  0x1
#define LX_PROT_WRITE 0x2
#define LX_PROT_EXEC  0x4
#define LX_MAP_SHARED    0x01
#define LX_MAP_PRIVATE   0x02
#define LX_MAP_FIXED     0x10
#define LX_MAP_ANONYMOUS 0x20
#define LX_MAP_FIXED_NOREPLACE 0x100000

static unsigned prot_of(unsigned long p)
{
	return ((p & LX_PROT_READ) ? VM_R : 0) | ((p & LX_PROT_WRITE) ? VM_W : 0) |
	       ((p & LX_PROT_EXEC) ? VM_X : 0);
}

#define LX_MREMAP_MAYMOVE 1
#define LX_MREMAP_FIXED 2

static int vnode_pager_getpage(void *obj, uint64_t off, paddr_t *out)
{
	struct vnode *vn = obj;

	if (off >= PAGE_ROUND_UP(__atomic_load_n(&vn->size, __ATOMIC_RELAXED)))
		return -EFAULT;	/* past the end of the file */
	return vfs_getpage(vn, off, true, out);
}

/* Load the page into the file's page cache (a disk file system; may block). */
static int vnode_pager_prefetch(void *obj, uint64_t off)
{
	paddr_t pa;
	int err = vnode_pager_getpage(obj, off, &pa);

	if (!err)
		pmm_unref(pa);
	return err;
}

static void vnode_pager_get(void *obj)
{
	vnode_get(obj);
}

static void vnode_pager_put(void *obj)
{
	vnode_put(obj);
}

const struct vm_pager_ops lx_vnode_pager = {
	.getpage = vnode_pager_getpage,
	.prefetch = vnode_pager_prefetch,
	.get = vnode_pager_get,
	.put = vnode_pager_put,
};

static void disk_pager_get(void *obj)
{
	vnode_get(obj);
	vfs_pcache_share(obj, 1);
}

static void disk_pager_put(void *obj)
{
	vfs_pcache_share(obj, -1);
	vnode_put(obj);
}

static void disk_pager_dirty(void *obj, uint64_t off)
{
	vfs_pcache_dirty(obj, off);
}

/* MAP_SHARED mappings of files on disk file systems. */
static const struct vm_pager_ops disk_shared_pager = {
	.getpage = vnode_pager_getpage,
	.prefetch = vnode_pager_prefetch,
	.get = disk_pager_get,
	.put = disk_pager_put,
	.dirty = disk_pager_dirty,
};

static const struct vm_pager_ops *pager_for(struct vnode *vn, unsigned vflags)
{
	bool disk = vn->mnt && (vn->mnt->fstype->flags & VFS_FS_BLOCKING);

	return disk && (vflags & VM_SHARED) ? &disk_shared_pager : &lx_vnode_pager;
}

/* Map the file open as fd; the access checks are Linux's. */
static long map_file(struct thread *t, uaddr_t *addr, size_t len, unsigned long prot,
		     unsigned vflags, int fd, uint64_t off)
{
	struct file *f = lx_fd_get(t->proc, fd);
	unsigned acc;
	long err;

	if (!f)
		return -EBADF;
	acc = f->flags & VFS_O_ACCMODE;
	if (!f->vn || f->vn->type != VREG || !f->vn->ops->getpage)
		err = -ENODEV;
	else if (acc == VFS_O_WRONLY)
		err = -EACCES;
	else if ((vflags & VM_SHARED) && (prot & LX_PROT_WRITE) && acc != VFS_O_RDWR)
		err = -EACCES;
	else if (pager_for(f->vn, vflags) == &disk_shared_pager &&
		 vfs_pcache_share_prepare(f->vn))
		err = -ENOMEM;
	else
		err = vm_map_pager(t->vm, addr, len, prot_of(prot), vflags,
				   pager_for(f->vn, vflags), f->vn, off);
	file_put(f);
	return err;
}

long lx_sys_brk(struct thread *t, const unsigned long *a)
{
	return (long)vm_brk(t->vm, a[0]);
}

long lx_sys_mmap(struct thread *t, const unsigned long *a)
{
	uaddr_t addr = a[0];
	size_t len = a[1];
	unsigned long prot = a[2], flags = a[3];
	unsigned vflags = 0;
	int type = flags & 3, err;

	if (!len || (prot & ~7UL) || (type != LX_MAP_SHARED && type != LX_MAP_PRIVATE))
		return -EINVAL;
	if ((a[5] & (PAGE_SIZE - 1)) || len > HAL_USER_TOP)
		return -EINVAL;
	if (type == LX_MAP_SHARED)
		vflags |= VM_SHARED;
	if (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE_SIZE - 1))
			return -EINVAL;
		vflags |= VM_FIXED;
	}
	if (flags & LX_MAP_ANONYMOUS)
		err = vm_map(t->vm, &addr, len, prot_of(prot), vflags);
	else
		err = (int)map_file(t, &addr, len, prot, vflags, (int)a[4], a[5]);
	return err ? err : (long)addr;
}

long lx_sys_mremap(struct thread *t, const unsigned long *a)
{
	uaddr_t out;
	int err;

	if (a[3] & ~(unsigned long)(LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED))
		return -EINVAL;
	if (a[3] & LX_MREMAP_FIXED)
		return -EINVAL;	/* moving to a chosen address: not yet */
	err = vm_remap(t->vm, a[0], a[1], a[2], a[3] & LX_MREMAP_MAYMOVE, &out);
	return err ? err : (long)out;
}

#define LX_MS_ASYNC	 1
#define LX_MS_INVALIDATE 2
#define LX_MS_SYNC	 4

/*
 * Write back what shared disk-file mappings in [addr, addr+len) stored, and
 * with sync also put the files on the disk (fsync). 0, -ESVC (nothing done
 * yet: run again in the fs service), or -errno; with holes_fail, -ENOMEM if
 * part of the range is not mapped (msync's rule).
 */
static int writeback_range(struct thread *t, uaddr_t addr, size_t len, bool sync,
			   bool holes_fail)
{
	uaddr_t end = addr + PAGE_ROUND_UP(len), at = addr;
	struct vm_region_info ri;
	int err = 0;

	while (!err && at < end && !vm_region_next(t->vm, at, &ri)) {
		if (ri.start >= end) {
			if (ri.pager)
				ri.pager->put(ri.obj);
			break;
		}
		if (ri.start > at && holes_fail)
			err = -ENOMEM;
		if (!err && ri.pager == &disk_shared_pager) {
			struct vnode *vn = ri.obj;
			uaddr_t lo = at > ri.start ? at : ri.start, hi = end < ri.end ? end : ri.end;
			err = vfs_pcache_flush(vn, ri.pgoff + (lo - ri.start),
					       ri.pgoff + (hi - ri.start));
			if (!err && sync && vn->ops->fsync)
				err = vn->ops->fsync(vn);
		}
		if (ri.pager)
			ri.pager->put(ri.obj);
		at = ri.end;
	}
	if (!err && at < end && holes_fail)
		err = -ENOMEM;
	return err;
}

long lx_sys_munmap(struct thread *t, const unsigned long *a)
{
	/* Pages stored to through a shared mapping of a disk file go to the
	 * file first (Linux leaves them to its flusher threads; Weft has none). */
	if ((a[0] & (PAGE_SIZE - 1)) == 0 && a[1] && a[1] <= HAL_USER_TOP) {
		int err = writeback_range(t, a[0], a[1], false, false);
		if (err == -ESVC)
			return err;
	}
	return vm_unmap(t->vm, a[0], a[1]);
}

long lx_sys_mprotect(struct thread *t, const unsigned long *a)
{
	if (a[2] & ~7UL)
		return -EINVAL;
	if (!a[1])
		return (a[0] & (PAGE_SIZE - 1)) ? -EINVAL : 0;
	return vm_protect(t->vm, a[0], a[1], prot_of(a[2]));
}

long lx_sys_madvise(struct thread *t, const unsigned long *a)
{
	/* Advice only: accepted and ignored, as Linux may. */
	return (a[0] & (PAGE_SIZE - 1)) ? -EINVAL : 0;
}

long lx_sys_msync(struct thread *t, const unsigned long *a)
{
	unsigned long flags = a[2];

	if ((a[0] & (PAGE_SIZE - 1)) || (flags & ~7UL))
		return -EINVAL;
	if ((flags & LX_MS_ASYNC) && (flags & LX_MS_SYNC))
		return -EINVAL;
	if (a[1] > HAL_USER_TOP || a[0] > HAL_USER_TOP - PAGE_ROUND_UP(a[1]))
		return -ENOMEM;
	/* Shared pages of tmpfs files are the files' own: nothing to do for
	 * them. Those of disk files are written back (MS_ASYNC too: the write
	 * into the file system's cache is cheap; MS_SYNC adds its fsync). */
	return writeback_range(t, a[0], a[1], flags & LX_MS_SYNC, true);
}
