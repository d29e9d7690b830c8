/*
 * System-call level file operations: what the Linux personality calls.
 *
 * Each operation resolves its path(s), checks the conditions the VFS owns
 * (types, ".", "..", cross-mount renames) and calls one vnode op; the file
 * system does the rest under its own locks. Afterwards the dentry cache forgets
 * the names that went away. Reads and writes load the file offset, run the
 * file op on a uio at that offset, and store the new offset back; two threads
 * reading one file description at once may therefore read the same bytes
 * (Linux serialises them with a sleeping lock we do not have).
 */
#include <fs/vfs.h>
#include <fs/pipe.h>
#include <core/klog.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "vfs_impl.h"

static bool name_is_empty_or_dot(const char *name)
{
	return !name[0] || vfs_is_dot(name);
}

/* Find or create the last component of an O_CREAT open. */
static int open_create(struct vnode *root, struct vnode *cwd, const char *path, unsigned oflags,
		       uint32_t mode, struct vnode **out)
{
	struct vfs_parent p;
	struct vnode *vn;
	uint64_t gen;
	int err = vfs_lookup_parent(root, cwd, path, &p);

	if (err)
		return err;
	if (p.trailing_slash || name_is_empty_or_dot(p.name)) {
		err = -EISDIR;
		goto out_put;
	}
	err = vfs_lookup_child_gen(p.dir, p.name, &vn, &gen);
	if (err == -ENOENT) {
		err = p.dir->ops->create ? p.dir->ops->create(p.dir, p.name, mode, &vn) : -EPERM;
		/* Cache the new name, so the file can be named later (/proc/<pid>/fd). */
		if (!err)
			dcache_insert(p.dir, p.name, strlen(p.name), vn, gen);
		if (err != -EEXIST)
			goto out_result;
		err = vfs_lookup_child(p.dir, p.name, &vn); /* lost a race: open it */
	}
	if (err)
		goto out_put;
	if (oflags & VFS_O_EXCL) {
		vnode_put(vn);
		err = -EEXIST;
		goto out_put;
	}
	if (vn->type == VLNK) {
		vnode_put(vn);
		if (oflags & VFS_O_NOFOLLOW) {
			err = -ELOOP;
			goto out_put;
		}
		/* Resolve the link from its directory; a dangling one is -ENOENT. */
		err = vfs_lookup(root, p.dir, p.name, VFS_LOOKUP_FOLLOW, &vn);
	}
out_result:
	if (!err)
		*out = vn;
out_put:
	vfs_parent_put(&p);
	return err;
}

static int open_check(struct vnode *vn, unsigned oflags)
{
	unsigned acc = oflags & VFS_O_ACCMODE;

	if (acc == 3)
		return -EINVAL;
	if ((oflags & VFS_O_DIRECTORY) && vn->type != VDIR)
		return -ENOTDIR;
	if (vn->type == VDIR && acc != VFS_O_RDONLY)
		return -EISDIR;
	if (vn->type == VLNK)
		return -ELOOP; /* O_NOFOLLOW on a symlink */
	if ((oflags & VFS_O_TRUNC) && vn->type == VREG && acc != VFS_O_RDONLY)
		return vfs_truncate(vn, 0);
	return 0;
}

int vfs_open(struct vnode *root, struct vnode *cwd, const char *path, unsigned oflags,
	     uint32_t mode, struct file **out)
{
	struct vnode *vn;
	int err;

	if (oflags & VFS_O_CREAT) {
		err = open_create(root, cwd, path, oflags, mode, &vn);
	} else {
		unsigned lf = (oflags & VFS_O_NOFOLLOW) ? 0 : VFS_LOOKUP_FOLLOW;
		if (oflags & VFS_O_DIRECTORY)
			lf |= VFS_LOOKUP_DIRECTORY;
		err = vfs_lookup(root, cwd, path, lf, &vn);
	}
	if (err)
		return err;
	err = vfs_open_vnode(vn, oflags, out);
	vnode_put(vn);
	return err;
}

int vfs_open_vnode(struct vnode *vn, unsigned oflags, struct file **out)
{
	int err = open_check(vn, oflags);

	oflags &= ~(VFS_O_CREAT | VFS_O_EXCL | VFS_O_TRUNC);
	if (!err && vn->type == VFIFO)
		err = pipe_fifo_open(vn, oflags, out);
	else if (!err)
		err = file_alloc(vn, oflags, out);
	return err;
}

/* Bytes moved by an op that started with resid0, or its error if none moved. */
static long io_result(int err, size_t resid0, const struct uio *uio)
{
	size_t done = resid0 - uio->resid;

	return done ? (long)done : err;
}

static bool file_seekable(const struct file *f)
{
	return f->vn && f->fops->lseek;
}

static long file_io(struct file *f, struct uio *uio, bool write, bool use_off)
{
	int (*op)(struct file *, struct uio *) = write ? f->fops->write : f->fops->read;
	unsigned acc = f->flags & VFS_O_ACCMODE;
	size_t resid0 = uio->resid;
	int err;

	if (write ? acc == VFS_O_RDONLY : acc == VFS_O_WRONLY)
		return -EBADF;
	if (!op)
		return -EINVAL;
	if (use_off)
		uio->off = file_off(f);
	err = op(f, uio);
	if (use_off && resid0 != uio->resid)
		file_set_off(f, uio->off);
	return io_result(err, resid0, uio);
}

long vfs_read(struct file *f, struct uio *uio)
{
	return file_io(f, uio, false, file_seekable(f));
}

long vfs_write(struct file *f, struct uio *uio)
{
	return file_io(f, uio, true, file_seekable(f));
}

long vfs_pread(struct file *f, struct uio *uio)
{
	return file_seekable(f) ? file_io(f, uio, false, false) : -ESPIPE;
}

long vfs_pwrite(struct file *f, struct uio *uio)
{
	return file_seekable(f) ? file_io(f, uio, true, false) : -ESPIPE;
}

int vfs_lseek(struct file *f, int64_t off, int whence, uint64_t *newoff)
{
	int err;

	if (!f->fops->lseek)
		return -ESPIPE;
	err = f->fops->lseek(f, off, whence, newoff);
	if (err)
		return err;
	file_set_off(f, *newoff);
	return 0;
}

long vfs_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	return f->fops->ioctl ? f->fops->ioctl(f, cmd, arg) : -ENOTTY;
}

unsigned vfs_poll(struct file *f)
{
	return f->fops->poll ? f->fops->poll(f) : (VFS_POLLIN | VFS_POLLOUT);
}

long vfs_getdents(struct file *f, struct uio *uio)
{
	size_t resid0 = uio->resid;
	int err;

	if (!f->fops->readdir)
		return -ENOTDIR;
	err = f->fops->readdir(f, uio);
	if (!err && uio->resid == resid0 && uio->no_room)
		err = -EINVAL;	/* the buffer cannot hold even one record */
	return io_result(err, resid0, uio);
}

int vfs_stat(struct vnode *vn, struct vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	if (vn->ops->getattr) {
		int err = vn->ops->getattr(vn, st);
		if (err)
			return err;
	}
	st->dev = vn->mnt ? vn->mnt->dev : 0;
	st->ino = vn->ino;
	st->rdev = vn->rdev;
	st->blksize = PAGE_SIZE;
	spin_lock(&vn->lock);
	st->mode = vn->mode;
	st->nlink = vn->nlink;
	st->uid = vn->uid;
	st->gid = vn->gid;
	st->size = vn->size;
	st->atime_ns = vn->atime_ns;
	st->mtime_ns = vn->mtime_ns;
	st->ctime_ns = vn->ctime_ns;
	spin_unlock(&vn->lock);
	if (!st->blocks)
		st->blocks = PAGE_ROUND_UP(st->size) / 512;
	return 0;
}

int vfs_setattr(struct vnode *vn, const struct vfs_setattr *attr)
{
	if (vn->ops->setattr)
		return vn->ops->setattr(vn, attr);
	spin_lock(&vn->lock);
	if (attr->mask & VFS_ATTR_MODE)
		vn->mode = (vn->mode & VFS_S_IFMT) | (attr->mode & 07777);
	if (attr->mask & VFS_ATTR_UID)
		vn->uid = attr->uid;
	if (attr->mask & VFS_ATTR_GID)
		vn->gid = attr->gid;
	if (attr->mask & VFS_ATTR_ATIME)
		vn->atime_ns = attr->atime_ns;
	if (attr->mask & VFS_ATTR_MTIME)
		vn->mtime_ns = attr->mtime_ns;
	vn->ctime_ns = vfs_now();
	spin_unlock(&vn->lock);
	return 0;
}

int vfs_truncate(struct vnode *vn, uint64_t size)
{
	if (vn->type == VDIR)
		return -EISDIR;
	if (vn->type != VREG)
		return -EINVAL;
	if (size > VFS_FILE_SIZE_MAX)
		return -EFBIG;
	if (!vn->ops->truncate)
		return -EINVAL;
	if (__atomic_load_n(&vn->writecount, __ATOMIC_ACQUIRE) < 0)
		return -ETXTBSY;	/* a running image */
	uint64_t old_size = __atomic_load_n(&vn->size, __ATOMIC_RELAXED);
	int err = vn->ops->truncate(vn, size);
	if (!err && vn->pcache)
		vfs_pcache_truncate(vn, old_size, size);
	return err;
}

long vfs_read_kernel(struct vnode *vn, uint64_t off, void *buf, size_t len)
{
	struct uio uio;
	int err;

	if (vn->type == VDIR)
		return -EISDIR;
	if (!vn->ops->read)
		return -EINVAL;
	if (vfs_pcache_has_dirty(vn)) { /* stores through shared mappings first */
		err = vfs_pcache_flush(vn, off, off + len);
		if (err)
			return err;
	}
	uio_init_kernel(&uio, buf, len, off);
	err = vn->ops->read(vn, &uio);
	return io_result(err, len, &uio);
}

int vfs_getpage(struct vnode *vn, uint64_t off, bool alloc, paddr_t *out)
{
	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!vn->ops->getpage)
		return -ENODEV;
	if (vn->mnt && (vn->mnt->fstype->flags & VFS_FS_BLOCKING))
		return vfs_pcache_getpage(vn, off, alloc, out);
	return vn->ops->getpage(vn, off, alloc, out);
}
