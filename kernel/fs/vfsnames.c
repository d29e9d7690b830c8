/*
 * System-call level namespace operations: mkdir, unlink, rmdir, rename,
 * symlink, link, readlink.
 *
 * Each resolves the parent directory of its last component, applies the rules
 * the VFS owns ("." and "..", trailing slashes, mount points, cross-mount links
 * and renames), calls the file system, and then drops the removed names from
 * the dentry cache. The file system checks everything that needs its locks
 * (existence, emptiness, types of existing entries).
 */
#include <fs/vfs.h>
#include <fs/vfs_extra.h>
#include <core/klog.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "vfs_impl.h"

static void parent_invalidate(struct vfs_parent *p)
{
	dcache_invalidate(p->dir, p->name, strlen(p->name));
}

/* Make the last component of path with op (mkdir or mknod). */
static int make_node(struct vnode *root, struct vnode *cwd, const char *path, uint32_t mode,
		     uint32_t rdev, bool dir)
{
	struct vfs_parent p;
	struct vnode *vn;
	int err = vfs_lookup_parent(root, cwd, path, &p);

	if (err)
		return err;
	if (!p.name[0] || vfs_is_dot(p.name))
		err = -EEXIST;
	else if (dir ? !p.dir->ops->mkdir : !p.dir->ops->mknod)
		err = -EPERM;
	else if (dir)
		err = p.dir->ops->mkdir(p.dir, p.name, mode, &vn);
	else if (p.trailing_slash)
		err = -ENOENT;
	else
		err = p.dir->ops->mknod(p.dir, p.name, mode, rdev, &vn);
	if (!err)
		vnode_put(vn);
	vfs_parent_put(&p);
	return err;
}

int vfs_mkdir(struct vnode *root, struct vnode *cwd, const char *path, uint32_t mode)
{
	return make_node(root, cwd, path, mode, 0, true);
}

int vfs_mknod(struct vnode *root, struct vnode *cwd, const char *path, uint32_t mode,
	      uint32_t rdev)
{
	return make_node(root, cwd, path, mode, rdev, false);
}

/* Is vn (found under dir) a mount point, i.e. did the lookup cross a mount? */
static bool crossed_mount(const struct vnode *dir, const struct vnode *vn)
{
	return vn->mnt != dir->mnt;
}

int vfs_unlink(struct vnode *root, struct vnode *cwd, const char *path)
{
	struct vfs_parent p;
	struct vnode *vn;
	int err = vfs_lookup_parent(root, cwd, path, &p);

	if (err)
		return err;
	if (!p.name[0] || vfs_is_dot(p.name)) {
		err = -EISDIR;
		goto out_put;
	}
	if (p.trailing_slash) {
		/* "name/" names a directory: never something unlink removes. */
		err = vfs_lookup_child(p.dir, p.name, &vn);
		if (!err) {
			err = vn->type == VDIR ? -EISDIR : -ENOTDIR;
			vnode_put(vn);
		}
		goto out_put;
	}
	err = p.dir->ops->unlink ? p.dir->ops->unlink(p.dir, p.name) : -EPERM;
	if (!err)
		parent_invalidate(&p);
out_put:
	vfs_parent_put(&p);
	return err;
}

int vfs_rmdir(struct vnode *root, struct vnode *cwd, const char *path)
{
	struct vfs_parent p;
	struct vnode *vn;
	int err = vfs_lookup_parent(root, cwd, path, &p);

	if (err)
		return err;
	if (!p.name[0])
		err = -EBUSY;
	else if (!strcmp(p.name, "."))
		err = -EINVAL;
	else if (!strcmp(p.name, ".."))
		err = -ENOTEMPTY;
	if (err)
		goto out_put;
	err = vfs_lookup_child(p.dir, p.name, &vn);
	if (err)
		goto out_put;
	if (crossed_mount(p.dir, vn))
		err = -EBUSY;
	vnode_put(vn);
	if (!err)
		err = p.dir->ops->rmdir ? p.dir->ops->rmdir(p.dir, p.name) : -EPERM;
	if (!err)
		parent_invalidate(&p);
out_put:
	vfs_parent_put(&p);
	return err;
}

/* The VFS's share of rename's checks, with both parents resolved. */
int vfs_rename_check(struct vfs_parent *from, struct vfs_parent *to)
{
	struct vnode *src;
	int err;

	if (!from->name[0] || !to->name[0])
		return -EBUSY;
	if (vfs_is_dot(from->name) || vfs_is_dot(to->name))
		return -EINVAL;
	if (from->dir->mnt != to->dir->mnt)
		return -EXDEV;
	err = vfs_lookup_child(from->dir, from->name, &src);
	if (err)
		return err;
	if (crossed_mount(from->dir, src))
		err = -EBUSY;
	else if ((from->trailing_slash || to->trailing_slash) && src->type != VDIR)
		err = -ENOTDIR;
	vnode_put(src);
	return err;
}

int vfs_rename(struct vnode *root, struct vnode *cwd, const char *oldpath, const char *newpath)
{
	return vfs_rename2(root, cwd, oldpath, cwd, newpath, 0);
}

int vfs_symlink(struct vnode *root, struct vnode *cwd, const char *target, const char *linkpath)
{
	struct vfs_parent p;
	struct vnode *vn;
	size_t tlen = strnlen(target, VFS_PATH_MAX);
	int err;

	if (tlen == 0)
		return -ENOENT;
	if (tlen >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	err = vfs_lookup_parent(root, cwd, linkpath, &p);
	if (err)
		return err;
	if (!p.name[0] || vfs_is_dot(p.name))
		err = -EEXIST;
	else if (p.trailing_slash)
		err = -ENOENT;
	else if (!p.dir->ops->symlink)
		err = -EPERM;
	else
		err = p.dir->ops->symlink(p.dir, p.name, target, &vn);
	if (!err)
		vnode_put(vn);
	vfs_parent_put(&p);
	return err;
}

int vfs_link(struct vnode *root, struct vnode *cwd, const char *oldpath, const char *newpath)
{
	struct vnode *old;
	int err = vfs_lookup(root, cwd, oldpath, 0, &old);

	if (err)
		return err;
	err = vfs_link_vnode(root, old, cwd, newpath);
	vnode_put(old);
	return err;
}

long vfs_readlink(struct vnode *root, struct vnode *cwd, const char *path, struct uio *uio)
{
	struct vnode *vn;
	size_t resid0 = uio->resid;
	int err = vfs_lookup(root, cwd, path, 0, &vn);

	if (err)
		return err;
	if (vn->type != VLNK || !vn->ops->readlink)
		err = -EINVAL;
	else
		err = vn->ops->readlink(vn, uio);
	vnode_put(vn);
	return err ? err : (long)(resid0 - uio->resid);
}
