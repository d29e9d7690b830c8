/*
 * tmpfs directories, symlinks, node life cycle and mounting.
 *
 * A directory is an ordered list of entries, each holding a reference on its
 * vnode, under the directory's vnode lock. A subdirectory holds a reference on
 * its parent (for ".."). Operations that touch one directory take just its
 * lock; rmdir and rename, which need a directory and a child (or two
 * directories), first take the mount's rename_lock, which serialises them and
 * keeps parent pointers stable for rename's ancestor check. References are
 * dropped only after every lock is released.
 */
#include <fs/vfs.h>
#include <fs/tmpfs.h>
#include <core/klog.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "tmpfs_impl.h"

static struct tmpfs_dirent *dir_find_locked(struct vnode *dir, const char *name)
{
	struct list *it;

	kassert(spin_held(&dir->lock));
	list_for_each(it, &tmpfs_node(dir)->dir.entries)
	{
		struct tmpfs_dirent *de = list_entry(it, struct tmpfs_dirent, link);
		if (!strcmp(de->name, name))
			return de;
	}
	return NULL;
}

static struct tmpfs_dirent *dirent_alloc(const char *name, struct vnode *vn)
{
	size_t len = strlen(name);
	struct tmpfs_dirent *de = kmalloc(sizeof(*de) + len + 1);

	if (!de)
		return NULL;
	list_init(&de->link);
	de->vn = vn;
	de->len = (uint16_t)len;
	memcpy(de->name, name, len + 1);
	return de;
}

/* Append de (which owns a reference on de->vn) to dir. */
static void dir_add_locked(struct vnode *dir, struct tmpfs_dirent *de)
{
	struct tmpfs_dir *d = &tmpfs_node(dir)->dir;

	de->cookie = d->next_cookie++;
	list_add_tail(&d->entries, &de->link);
	d->count++;
	if (de->vn->type == VDIR)
		dir->nlink++;
	dir->mtime_ns = dir->ctime_ns = vfs_now();
}

static void dir_remove_locked(struct vnode *dir, struct tmpfs_dirent *de)
{
	list_del(&de->link);
	tmpfs_node(dir)->dir.count--;
	if (de->vn->type == VDIR)
		dir->nlink--;
	dir->mtime_ns = dir->ctime_ns = vfs_now();
}

/* A new, unlinked node with one reference. parent is set for directories. */
static int node_new(struct mount *mnt, enum vtype type, uint32_t mode, struct vnode *parent,
		    struct vnode **out)
{
	struct tmpfs_node *n = kzalloc(sizeof(*n));
	struct vnode *vn;
	int err;

	if (!n)
		return -ENOMEM;
	err = vnode_alloc(mnt, type, mode, &tmpfs_vnode_ops, &vn);
	if (err) {
		kfree(n);
		return err;
	}
	vn->priv = n;
	if (type == VDIR) {
		list_init(&n->dir.entries);
		n->dir.next_cookie = 2;
		n->dir.parent = parent ? vnode_get(parent) : vn;
		vn->nlink = 2;
	}
	*out = vn;
	return 0;
}

/* Link a new node into dir under name; on success *out is a new reference. */
static int dir_insert_new(struct vnode *dir, const char *name, struct vnode *vn, struct vnode **out)
{
	struct tmpfs_dirent *de = dirent_alloc(name, vn);
	int err = 0;

	if (!de) {
		vnode_put(vn);
		return -ENOMEM;
	}
	spin_lock(&dir->lock);
	if (tmpfs_node(dir)->dir.dead)
		err = -ENOENT;
	else if (dir_find_locked(dir, name))
		err = -EEXIST;
	else
		dir_add_locked(dir, de);
	spin_unlock(&dir->lock);
	if (err) {
		kfree(de);
		vnode_put(vn);
		return err;
	}
	*out = vnode_get(vn);
	return 0;
}

static int tmpfs_lookup(struct vnode *dir, const char *name, struct vnode **out)
{
	struct tmpfs_dirent *de;
	int err = 0;

	spin_lock(&dir->lock);
	if (!strcmp(name, "..")) {
		*out = vnode_get(tmpfs_node(dir)->dir.parent);
	} else if ((de = dir_find_locked(dir, name)) != NULL) {
		*out = vnode_get(de->vn);
	} else {
		err = -ENOENT;
	}
	spin_unlock(&dir->lock);
	return err;
}

static int tmpfs_create(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out)
{
	struct vnode *vn;
	int err = node_new(dir->mnt, VREG, mode, NULL, &vn);

	return err ? err : dir_insert_new(dir, name, vn, out);
}

static int tmpfs_mkdir(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out)
{
	struct vnode *vn;
	int err = node_new(dir->mnt, VDIR, mode, dir, &vn);

	return err ? err : dir_insert_new(dir, name, vn, out);
}

/* Only FIFOs: devices live in devfs. */
static int tmpfs_mknod(struct vnode *dir, const char *name, uint32_t mode, uint32_t rdev,
		       struct vnode **out)
{
	struct vnode *vn;
	int err;

	if ((mode & VFS_S_IFMT) != VFS_S_IFIFO || rdev)
		return -EPERM;
	err = node_new(dir->mnt, VFIFO, mode, NULL, &vn);
	return err ? err : dir_insert_new(dir, name, vn, out);
}

static int tmpfs_symlink(struct vnode *dir, const char *name, const char *target,
			 struct vnode **out)
{
	size_t len = strlen(target);
	struct vnode *vn;
	int err = node_new(dir->mnt, VLNK, 0777, NULL, &vn);

	if (err)
		return err;
	tmpfs_node(vn)->target = kmalloc(len + 1);
	if (!tmpfs_node(vn)->target) {
		vnode_put(vn);
		return -ENOMEM;
	}
	memcpy(tmpfs_node(vn)->target, target, len + 1);
	vn->size = len;
	return dir_insert_new(dir, name, vn, out);
}

static int tmpfs_readlink(struct vnode *vn, struct uio *uio)
{
	/* The target is immutable, so no lock is needed to copy it out. */
	return uio_move(tmpfs_node(vn)->target, vn->size, uio, true);
}

static int tmpfs_link(struct vnode *dir, const char *name, struct vnode *target)
{
	struct vnode *out;
	int err = 0;

	spin_lock(&target->lock);
	if (target->nlink == 0)
		err = -ENOENT; /* already unlinked everywhere */
	else
		target->nlink++;
	target->ctime_ns = vfs_now();
	spin_unlock(&target->lock);
	if (err)
		return err;
	err = dir_insert_new(dir, name, vnode_get(target), &out);
	if (err) {
		spin_lock(&target->lock);
		target->nlink--;
		spin_unlock(&target->lock);
		return err;
	}
	vnode_put(out);
	return 0;
}

static int tmpfs_unlink(struct vnode *dir, const char *name)
{
	struct tmpfs_dirent *de;
	struct vnode *vn;

	spin_lock(&dir->lock);
	de = dir_find_locked(dir, name);
	if (!de || de->vn->type == VDIR) {
		spin_unlock(&dir->lock);
		return de ? -EISDIR : -ENOENT;
	}
	dir_remove_locked(dir, de);
	spin_unlock(&dir->lock);
	vn = de->vn;
	spin_lock(&vn->lock);
	vn->nlink--;
	vn->ctime_ns = vfs_now();
	spin_unlock(&vn->lock);
	kfree(de);
	vnode_put(vn);
	return 0;
}

static int tmpfs_rmdir(struct vnode *dir, const char *name)
{
	struct spinlock *rl = &dir->mnt->rename_lock;
	struct tmpfs_dirent *de;
	int err = 0;

	spin_lock(rl);
	spin_lock(&dir->lock);
	de = dir_find_locked(dir, name);
	if (!de) {
		err = -ENOENT;
		goto out_unlock;
	}
	if (de->vn->type != VDIR) {
		err = -ENOTDIR;
		goto out_unlock;
	}
	spin_lock(&de->vn->lock);
	if (tmpfs_node(de->vn)->dir.count) {
		err = -ENOTEMPTY;
	} else {
		tmpfs_node(de->vn)->dir.dead = true;
		de->vn->nlink = 0;
		de->vn->ctime_ns = vfs_now();
	}
	spin_unlock(&de->vn->lock);
	if (!err)
		dir_remove_locked(dir, de);
out_unlock:
	spin_unlock(&dir->lock);
	spin_unlock(rl);
	if (!err) {
		vnode_put(de->vn);
		kfree(de);
	}
	return err;
}

static int tmpfs_readdir(struct vnode *dir, struct uio *uio, uint64_t *pos);
static int tmpfs_rename(struct vnode *olddir, const char *oldname, struct vnode *newdir,
			const char *newname);

static int tmpfs_truncate(struct vnode *vn, uint64_t size)
{
	return tmpfs_file_truncate(vn, size);
}

static void tmpfs_release(struct vnode *vn)
{
	struct tmpfs_node *n = tmpfs_node(vn);
	struct list *it;

	if (!n)
		return;
	switch (vn->type) {
	case VREG:
		tmpfs_file_destroy(&n->file);
		break;
	case VLNK:
		kfree(n->target);
		break;
	case VDIR:
		/* Only a whole instance going away frees a non-empty directory. */
		while ((it = list_pop(&n->dir.entries)) != NULL) {
			struct tmpfs_dirent *de = list_entry(it, struct tmpfs_dirent, link);
			vnode_put(de->vn);
			kfree(de);
		}
		if (n->dir.parent != vn)
			vnode_put(n->dir.parent);
		break;
	default:
		break;
	}
	kfree(n);
}

const struct vnode_ops tmpfs_vnode_ops = {
    .lookup = tmpfs_lookup,
    .create = tmpfs_create,
    .mkdir = tmpfs_mkdir,
    .symlink = tmpfs_symlink,
    .mknod = tmpfs_mknod,
    .link = tmpfs_link,
    .unlink = tmpfs_unlink,
    .rmdir = tmpfs_rmdir,
    .rename = tmpfs_rename,
    .readlink = tmpfs_readlink,
    .read = tmpfs_file_read,
    .write = tmpfs_file_write,
    .truncate = tmpfs_truncate,
    .readdir = tmpfs_readdir,
    .getpage = tmpfs_file_getpage,
    .release = tmpfs_release,
};

static int tmpfs_mount(struct mount *mnt, const char *source, const void *data, struct vnode **root)
{
	return node_new(mnt, VDIR, 0755, NULL, root);
}

const struct vfs_fstype tmpfs_fstype = {
    .name = "tmpfs",
    .mount = tmpfs_mount,
};

/* ---- rename ---- */

/* Is dir equal to or below anc? rename_lock held, so parents cannot change. */
static bool is_ancestor(struct vnode *anc, struct vnode *dir)
{
	for (;;) {
		if (dir == anc)
			return true;
		struct vnode *up = tmpfs_node(dir)->dir.parent;
		if (up == dir)
			return false;
		dir = up;
	}
}

/* Checks with both directories locked; *victim_dir says dst is a directory to
 * be replaced (it was found empty and is left locked). */
static int rename_check_locked(struct vnode *olddir, struct tmpfs_dirent *src, struct vnode *newdir,
			       struct tmpfs_dirent *dst)
{
	struct vnode *sv = src->vn;

	if (tmpfs_node(newdir)->dir.dead)
		return -ENOENT;
	if (sv->type == VDIR && is_ancestor(sv, newdir))
		return -EINVAL;
	if (!dst)
		return 0;
	if (sv->type != VDIR)
		return dst->vn->type == VDIR ? -EISDIR : 0;
	if (dst->vn->type != VDIR)
		return -ENOTDIR;
	if (dst->vn == olddir)
		return -ENOTEMPTY; /* it contains src */
	return tmpfs_node(dst->vn)->dir.count ? -ENOTEMPTY : 0;
}

/* Remove the replaced entry dst from newdir; its reference goes to *put. */
static void rename_drop_victim_locked(struct vnode *newdir, struct tmpfs_dirent *dst)
{
	struct vnode *v = dst->vn;

	dir_remove_locked(newdir, dst);
	if (v->type == VDIR) {
		tmpfs_node(v)->dir.dead = true;
		v->nlink = 0;
	} else {
		spin_lock(&v->lock);
		v->nlink--;
		spin_unlock(&v->lock);
	}
	v->ctime_ns = vfs_now();
}

/* Move the moved directory sv under newdir; returns the old parent reference. */
static struct vnode *rename_reparent_locked(struct vnode *sv, struct vnode *newdir)
{
	struct vnode *old;

	spin_lock(&sv->lock);
	old = tmpfs_node(sv)->dir.parent;
	tmpfs_node(sv)->dir.parent = vnode_get(newdir);
	sv->ctime_ns = vfs_now();
	spin_unlock(&sv->lock);
	return old;
}

static int tmpfs_rename(struct vnode *olddir, const char *oldname, struct vnode *newdir,
			const char *newname)
{
	struct spinlock *rl = &olddir->mnt->rename_lock;
	struct tmpfs_dirent *src, *dst, *nde = dirent_alloc(newname, NULL);
	struct vnode *put_parent = NULL;
	int err;

	if (!nde)
		return -ENOMEM;
	spin_lock(rl);
	spin_lock_pair(&olddir->lock, &newdir->lock);
	src = dir_find_locked(olddir, oldname);
	dst = dir_find_locked(newdir, newname);
	if (!src) {
		err = -ENOENT;
		goto out_unlock;
	}
	if (dst && dst->vn == src->vn) {
		err = 0; /* both names are links to one file: nothing to do */
		src = dst = NULL;
		goto out_unlock;
	}
	if (dst && dst->vn->type == VDIR && dst->vn != olddir)
		spin_lock(&dst->vn->lock);
	err = rename_check_locked(olddir, src, newdir, dst);
	if (!err && dst)
		rename_drop_victim_locked(newdir, dst);
	if (dst && dst->vn->type == VDIR && dst->vn != olddir)
		spin_unlock(&dst->vn->lock);
	if (err)
		goto out_unlock;
	nde->vn = src->vn;
	dir_remove_locked(olddir, src);
	dir_add_locked(newdir, nde);
	if (src->vn->type == VDIR && olddir != newdir)
		put_parent = rename_reparent_locked(src->vn, newdir);
	nde = NULL;
out_unlock:
	spin_unlock_pair(&olddir->lock, &newdir->lock);
	spin_unlock(rl);
	if (!err) {
		kfree(src);
		if (dst) {
			vnode_put(dst->vn);
			kfree(dst);
		}
	}
	if (nde)
		kfree(nde);
	vnode_put(put_parent);
	return err;
}

/* ---- readdir ---- */

#define READDIR_BUF 1024

/*
 * Format records from *pos into buf (at most cap bytes) under the lock.
 * Returns the bytes formatted; *more says entries remain that did not fit.
 */
static size_t readdir_batch_locked(struct vnode *dir, uint64_t *pos, char *buf, size_t cap,
				   bool *more)
{
	struct tmpfs_dir *d = &tmpfs_node(dir)->dir;
	struct uio k;
	struct list *it;

	uio_init_kernel(&k, buf, cap, 0);
	*more = true;
	if (*pos == 0) {
		if (vfs_dirent_emit(&k, dir->ino, 1, VFS_DT_DIR, ".", 1))
			goto out;
		*pos = 1;
	}
	if (*pos == 1) {
		if (vfs_dirent_emit(&k, d->parent->ino, 2, VFS_DT_DIR, "..", 2))
			goto out;
		*pos = 2;
	}
	list_for_each(it, &d->entries)
	{
		struct tmpfs_dirent *de = list_entry(it, struct tmpfs_dirent, link);
		if (de->cookie < *pos)
			continue;
		if (vfs_dirent_emit(&k, de->vn->ino, de->cookie + 1,
				    vfs_type_to_dtype(de->vn->type), de->name, de->len))
			goto out;
		*pos = de->cookie + 1;
	}
	*more = false;
out:
	return cap - k.resid;
}

static int tmpfs_readdir(struct vnode *dir, struct uio *uio, uint64_t *pos)
{
	char *buf = kmalloc(READDIR_BUF);
	size_t total = 0;
	bool more = true;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	while (more && uio->resid) {
		uint64_t next = *pos;
		size_t cap = uio->resid < READDIR_BUF ? uio->resid : READDIR_BUF;

		spin_lock(&dir->lock);
		size_t n = readdir_batch_locked(dir, &next, buf, cap, &more);
		spin_unlock(&dir->lock);
		if (!n)
			break;
		err = uio_move(buf, n, uio, true);
		if (err)
			break;
		total += n;
		*pos = next;
	}
	kfree(buf);
	if (!err && !total && more)
		err = -EINVAL; /* the buffer cannot hold even one record */
	return err;
}
