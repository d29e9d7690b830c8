/*
 * Open file descriptions.
 *
 * A struct file is shared by every descriptor dup'ed or inherited from one open.
 * It holds a vnode reference (none for anonymous files such as pipes later), the
 * open flags and the offset, guarded by the file's lock. A regular file opened
 * for writing holds write access to its vnode until the last reference goes,
 * so it cannot be opened for writing while it is executed (-ETXTBSY). The
 * generic vnode file ops below turn file reads and writes into vnode ops at
 * uio->off; the VFS (vfsops.c) loads and stores the offset around them.
 */
#include <fs/vfs.h>
#include <fs/locks.h>
#include <core/klog.h>
#include <core/slab.h>
#include <weft/errno.h>
#include "vfs_impl.h"

static struct kmem_cache *file_cache;

int vfs_file_cache_init(void)
{
	if (!file_cache)
		file_cache = kmem_cache_create("file", sizeof(struct file), 0);
	return file_cache ? 0 : -ENOMEM;
}

int file_alloc(struct vnode *vn, unsigned flags, struct file **out)
{
	struct file *f = file_cache ? kmem_zalloc(file_cache) : NULL;
	int err;

	if (!f)
		return -ENOMEM;
	f->refcount = 1;
	f->flags = flags;
	f->fops = &vfs_vnode_fops;
	spin_init(&f->lock, "file");
	if (vn && vn->type == VREG && (flags & VFS_O_ACCMODE) != VFS_O_RDONLY) {
		err = vnode_get_write(vn);	/* -ETXTBSY: it is being executed */
		if (err) {
			kmem_free(file_cache, f);
			return err;
		}
		f->writer = true;
	}
	if (vn) {
		f->vn = vnode_get(vn);
		if (vn->ops->open) {
			err = vn->ops->open(vn, f);
			if (err)
				goto out_free;
		}
	}
	if (f->fops->open) {
		err = f->fops->open(f);
		if (err)
			goto out_free;
	}
	*out = f;
	return 0;
out_free:
	if (f->writer)
		vnode_put_write(vn);
	vnode_put(f->vn);
	kmem_free(file_cache, f);
	return err;
}

struct file *file_get(struct file *f)
{
	unsigned old = __atomic_fetch_add(&f->refcount, 1, __ATOMIC_RELAXED);

	kassert(old > 0);
	return f;
}

void file_put(struct file *f)
{
	if (!f)
		return;
	unsigned old = __atomic_fetch_sub(&f->refcount, 1, __ATOMIC_ACQ_REL);
	kassert(old > 0);
	if (old != 1)
		return;
	if (f->fops->release)
		f->fops->release(f);
	if (f->has_locks)
		locks_file_released(f);
	if (f->writer)
		vnode_put_write(f->vn);
	vnode_put(f->vn);
	kmem_free(file_cache, f);
}

static int vnode_file_read(struct file *f, struct uio *uio)
{
	struct vnode *vn = f->vn;

	if (vn->type == VDIR)
		return -EISDIR;
	if (!vn->ops->read)
		return -EINVAL;
	if (vfs_pcache_has_dirty(vn)) {
		/* stores through shared mappings reach the file first */
		int err = vfs_pcache_flush(vn, uio->off, uio->off + uio->resid);
		if (err)
			return err;
	}
	return vn->ops->read(vn, uio);
}

static int vnode_file_write(struct file *f, struct uio *uio)
{
	struct vnode *vn = f->vn;

	if (vn->type == VDIR)
		return -EISDIR;
	if (!vn->ops->write)
		return -EINVAL;
	bool append = f->flags & VFS_O_APPEND;
	size_t resid = uio->resid;
	uint64_t old_size = __atomic_load_n(&vn->size, __ATOMIC_RELAXED);
	int err = vn->ops->write(vn, uio, append ? VFS_IO_APPEND : 0);

	/* Cached pages of a disk file that this write changed take its bytes
	 * (an appending write learns its offset only now). */
	if (vn->pcache && resid != uio->resid)
		vfs_pcache_written(vn, old_size, uio->off - (resid - uio->resid), uio->off);
	return err;
}

static int vnode_file_lseek(struct file *f, int64_t off, int whence, uint64_t *newoff)
{
	struct vnode *vn = f->vn;
	int64_t base;

	switch (whence) {
	case VFS_SEEK_SET:
		base = 0;
		break;
	case VFS_SEEK_CUR:
		base = (int64_t)file_off(f);
		break;
	case VFS_SEEK_END:
		spin_lock(&vn->lock);
		base = (int64_t)vn->size;
		spin_unlock(&vn->lock);
		break;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	*newoff = (uint64_t)(base + off);
	return 0;
}

static int vnode_file_readdir(struct file *f, struct uio *uio)
{
	struct vnode *vn = f->vn;
	uint64_t pos;
	int err;

	if (vn->type != VDIR || !vn->ops->readdir)
		return -ENOTDIR;
	pos = file_off(f);
	err = vn->ops->readdir(vn, uio, &pos);
	file_set_off(f, pos);
	return err;
}

const struct file_ops vfs_vnode_fops = {
    .read = vnode_file_read,
    .write = vnode_file_write,
    .lseek = vnode_file_lseek,
    .readdir = vnode_file_readdir,
};
