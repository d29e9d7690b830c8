/*
 * The path of a directory, and namespace operations from two directories.
 *
 * Nothing here stores names: a vnode does not know what it is called. The path
 * of a directory is rebuilt on demand by climbing: at each level step out of
 * any mount whose root we are on (to the vnode it covers), ask the file system
 * for "..", and read the parent's entries until one carries the child's inode
 * number (unique within a mount, and a directory has exactly one name). The
 * components are laid down from the end of the caller's buffer towards its
 * start, then moved to the front. The walk holds one or two vnode references
 * and no lock; a rename racing with it may give a path that was true for a
 * moment, as on Linux.
 *
 * vfs_rename2 and vfs_link_vnode are vfs_rename and vfs_link for callers whose
 * two paths start in different directories (renameat2 and linkat).
 */
#include <fs/vfs.h>
#include <fs/vfs_extra.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "vfs_impl.h"

#define CWD_DIRBUF 1024 /* getdents records read per step: room for the longest name */

/* Scan n bytes of getdents64 records for ino (not "." or ".."): copy its name. */
static bool dirents_find(const char *buf, size_t n, uint64_t ino, char *name)
{
	size_t off = 0;

	while (off + sizeof(struct vfs_dirent64) <= n) {
		const struct vfs_dirent64 *d = (const void *)(buf + off);
		if (d->d_reclen == 0 || off + d->d_reclen > n)
			break;
		if (d->d_ino == ino && !vfs_is_dot(d->d_name)) {
			size_t len = strnlen(d->d_name, VFS_NAME_MAX);
			memcpy(name, d->d_name, len);
			name[len] = 0;
			return true;
		}
		off += d->d_reclen;
	}
	return false;
}

/* The name under which directory parent holds inode ino, into name. */
static int dir_name_of(struct vnode *parent, uint64_t ino, char *name)
{
	char *buf;
	uint64_t pos = 0;
	struct uio u;
	int err;

	if (!parent->ops->readdir)
		return -ENOENT;
	buf = kmalloc(CWD_DIRBUF);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		uio_init_kernel(&u, buf, CWD_DIRBUF, 0);
		err = parent->ops->readdir(parent, &u, &pos);
		size_t n = CWD_DIRBUF - u.resid;
		if (!err && n == 0)
			err = -ENOENT; /* not there: removed or renamed meanwhile */
		if (err || dirents_find(buf, n, ino, name))
			break;
	}
	kfree(buf);
	return err;
}

/* Step out of mounts whose root cur is (unless cur is root): cur may change. */
static struct vnode *climb_mounts(struct vnode *root, struct vnode *cur)
{
	while (cur != root && cur == cur->mnt->root && cur->mnt->covered) {
		/* Mounts are never undone, so covered outlives our reference. */
		struct vnode *up = vnode_get(cur->mnt->covered);
		vnode_put(cur);
		cur = up;
	}
	return cur;
}

static bool dir_removed(struct vnode *vn)
{
	uint32_t nlink;

	spin_lock(&vn->lock);
	nlink = vn->nlink;
	spin_unlock(&vn->lock);
	return nlink == 0;
}

/* Put "/name" in front of buf[*pos..]: 0 or -ENAMETOOLONG. */
static int prepend(char *buf, size_t *pos, const char *name)
{
	size_t len = strlen(name);

	if (*pos < len + 1)
		return -ENAMETOOLONG;
	*pos -= len;
	memcpy(buf + *pos, name, len);
	buf[--*pos] = '/';
	return 0;
}

/* One level: the name of *cur in its parent goes in front; *cur becomes the
 * parent. Returns 1 when *cur is the top of its file system (nothing added). */
static int climb_one(struct vnode **cur, char *buf, size_t *pos, char *name)
{
	struct vnode *parent;
	int err;

	if (dir_removed(*cur))
		return -ENOENT;
	if (!(*cur)->ops->lookup)
		return -ENOENT;
	err = (*cur)->ops->lookup(*cur, "..", &parent);
	if (err)
		return err;
	if (parent == *cur) {
		vnode_put(parent);
		return 1;
	}
	err = dir_name_of(parent, (*cur)->ino, name);
	if (!err)
		err = prepend(buf, pos, name);
	vnode_put(*cur);
	*cur = parent;
	return err;
}

long vfs_getcwd(struct vnode *root, struct vnode *dir, char *buf, size_t size)
{
	char *name = kmalloc(VFS_NAME_MAX + 1);
	struct vnode *cur = vnode_get(dir);
	size_t pos = size;
	int err = 0;

	if (!name)
		err = -ENOMEM;
	else if (size < 2)
		err = -ENAMETOOLONG;
	else if (dir_removed(dir))
		err = -ENOENT;
	if (!err)
		buf[--pos] = 0;
	while (!err) {
		cur = climb_mounts(root, cur);
		if (cur == root)
			break;
		err = climb_one(&cur, buf, &pos, name);
	}
	vnode_put(cur);
	kfree(name);
	if (err < 0)
		return err;
	if (pos == size - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, size - pos);
	return (long)(size - pos - 1);
}

long vfs_path_of(struct vnode *root, struct vnode *vn, char *buf, size_t size)
{
	char *name;
	struct vnode *parent, *check;
	size_t len;
	long n;
	int err;

	if (vn->type == VDIR)
		return vfs_getcwd(root, vn, buf, size);
	name = kmalloc(VFS_NAME_MAX + 1);
	if (!name)
		return -ENOMEM;
	err = dcache_name_of(vn, &parent, name);
	if (err)
		goto out_free;
	/* The cache may lag behind a rename: use the name only if it still is. */
	err = vfs_lookup_child(parent, name, &check);
	if (!err && check != vn)
		err = -ENOENT;
	if (!err)
		vnode_put(check);
	n = err ? err : vfs_getcwd(root, parent, buf, size);
	vnode_put(parent);
	if (n < 0) {
		err = (int)n;
		goto out_free;
	}
	len = strlen(name);
	if ((size_t)n + len + 2 > size) {
		err = -ENAMETOOLONG;
		goto out_free;
	}
	if (n > 1)
		buf[n++] = '/';
	memcpy(buf + n, name, len + 1);
	n += (long)len;
	kfree(name);
	return n;
out_free:
	kfree(name);
	return err;
}

/* ---- two-directory rename and link ---- */

/* The VFS's share of rename's checks (as vfs_rename), plus NOREPLACE. */
static int rename2_check(struct vfs_parent *from, struct vfs_parent *to, unsigned flags)
{
	struct vnode *vn;
	int err = vfs_rename_check(from, to);

	if (err || !(flags & VFS_RENAME_NOREPLACE))
		return err;
	err = vfs_lookup_child(to->dir, to->name, &vn);
	if (err == -ENOENT)
		return 0;
	if (!err) {
		vnode_put(vn);
		err = -EEXIST;
	}
	return err;
}

int vfs_rename2(struct vnode *root, struct vnode *olddir, const char *oldpath, struct vnode *newdir,
		const char *newpath, unsigned flags)
{
	struct vfs_parent from, to;
	int err;

	if (flags & ~VFS_RENAME_NOREPLACE)
		return -EINVAL;
	err = vfs_lookup_parent(root, olddir, oldpath, &from);
	if (err)
		return err;
	err = vfs_lookup_parent(root, newdir, newpath, &to);
	if (err)
		goto out_from;
	err = rename2_check(&from, &to, flags);
	if (!err && !from.dir->ops->rename)
		err = -EPERM;
	if (!err)
		err = from.dir->ops->rename(from.dir, from.name, to.dir, to.name);
	if (!err) {
		dcache_invalidate(from.dir, from.name, strlen(from.name));
		dcache_invalidate(to.dir, to.name, strlen(to.name));
	}
	vfs_parent_put(&to);
out_from:
	vfs_parent_put(&from);
	return err;
}

int vfs_link_vnode(struct vnode *root, struct vnode *old, struct vnode *newdir, const char *newpath)
{
	struct vfs_parent p;
	int err;

	if (old->type == VDIR)
		return -EPERM;
	err = vfs_lookup_parent(root, newdir, newpath, &p);
	if (err)
		return err;
	if (!p.name[0] || vfs_is_dot(p.name))
		err = -EEXIST;
	else if (p.trailing_slash)
		err = -ENOENT;
	else if (p.dir->mnt != old->mnt)
		err = -EXDEV;
	else if (!p.dir->ops->link)
		err = -EPERM;
	else
		err = p.dir->ops->link(p.dir, p.name, old);
	vfs_parent_put(&p);
	return err;
}
