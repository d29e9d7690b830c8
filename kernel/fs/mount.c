/*
 * File system types, the mount table, and VFS start-up.
 *
 * Types register once at boot into a small fixed table. A mount records its
 * root vnode and the vnode it covers; the covered vnode points back at the mount
 * (vnode->covered_by), which is how a walk crosses into it. Mounts stack: a
 * mount's root can itself be covered. The table and every covered_by field are
 * guarded by mount_lock. Mounts are never undone yet, so a struct mount lives
 * forever and walks may use a vnode's mnt without a reference.
 */
#include <fs/vfs.h>
#include <fs/tmpfs.h>
#include <fs/devfs.h>
#include <fs/ext4.h>
#include <fs/fat.h>
#include <core/klog.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "vfs_impl.h"

#define FSTYPE_MAX 16

static struct spinlock mount_lock = SPINLOCK_INIT("mount");
static const struct vfs_fstype *fstypes[FSTYPE_MAX];   /* mount_lock */
static struct list mount_list = LIST_INIT(mount_list); /* mount_lock */
static uint32_t mount_next_dev = 1;		       /* mount_lock */
static struct vnode *root_vnode; /* set by vfs_init, replaced once by vfs_mount_root at boot */

int vfs_register_fstype(const struct vfs_fstype *fs)
{
	int err = -ENOMEM, i;

	spin_lock(&mount_lock);
	for (i = 0; i < FSTYPE_MAX; i++) {
		if (fstypes[i] && !strcmp(fstypes[i]->name, fs->name)) {
			err = -EEXIST;
			goto out_unlock;
		}
	}
	for (i = 0; i < FSTYPE_MAX; i++) {
		if (!fstypes[i]) {
			fstypes[i] = fs;
			err = 0;
			goto out_unlock;
		}
	}
out_unlock:
	spin_unlock(&mount_lock);
	return err;
}

static const struct vfs_fstype *fstype_find(const char *name)
{
	const struct vfs_fstype *fs = NULL;

	spin_lock(&mount_lock);
	for (int i = 0; i < FSTYPE_MAX && !fs; i++)
		if (fstypes[i] && !strcmp(fstypes[i]->name, name))
			fs = fstypes[i];
	spin_unlock(&mount_lock);
	return fs;
}

struct vnode *vfs_cross_mounts(struct vnode *vn)
{
	for (;;) {
		struct vnode *next = NULL;

		spin_lock(&mount_lock);
		if (vn->covered_by)
			next = vnode_get(vn->covered_by->root);
		spin_unlock(&mount_lock);
		if (!next)
			return vn;
		vnode_put(vn);
		vn = next;
	}
}

/* Build an instance of fs; covered is NULL for the root mount. */
static int mount_create(const struct vfs_fstype *fs, const char *source, const void *data,
			struct mount **out)
{
	struct mount *m = kzalloc(sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	m->fstype = fs;
	spin_init(&m->rename_lock, "mount rename");
	list_init(&m->link);
	spin_lock(&mount_lock);
	m->dev = mount_next_dev++;
	spin_unlock(&mount_lock);
	err = fs->mount(m, source, data, &m->root);
	if (err) {
		kfree(m);
		return err;
	}
	*out = m;
	return 0;
}

/* Attach m over covered (a reference the mount keeps). */
static int mount_attach(struct mount *m, struct vnode *covered)
{
	int err = 0;

	spin_lock(&mount_lock);
	if (covered && covered->covered_by) {
		err = -EBUSY;
		goto out_unlock;
	}
	m->covered = covered;
	m->parent = covered ? covered->mnt : NULL;
	if (covered)
		covered->covered_by = m;
	list_add_tail(&mount_list, &m->link);
out_unlock:
	spin_unlock(&mount_lock);
	return err;
}

int vfs_mount(const char *fstype, const char *target, const char *source, const void *data)
{
	return vfs_mount_at(root_vnode, root_vnode, fstype, target, source, data);
}

int vfs_mount_at(struct vnode *root, struct vnode *cwd, const char *fstype, const char *target,
		 const char *source, const void *data)
{
	const struct vfs_fstype *fs = fstype_find(fstype);
	struct vnode *dir;
	struct mount *m;
	int err;

	if (!fs)
		return -ENODEV;
	if (!root_vnode)
		return -ENOENT;
	if ((fs->flags & VFS_FS_BLOCKING) && !sched_may_block())
		return -ESVC;
	err = vfs_lookup(root, cwd, target, VFS_LOOKUP_FOLLOW | VFS_LOOKUP_DIRECTORY, &dir);
	if (err)
		return err;
	err = mount_create(fs, source, data, &m);
	if (err)
		goto out_put;
	err = mount_attach(m, dir);
	if (err) {
		/* The new instance was never visible: drop its root and free it. */
		vnode_put(m->root);
		if (fs->unmount)
			fs->unmount(m);
		kfree(m);
		goto out_put;
	}
	return 0; /* the mount keeps the reference on dir */
out_put:
	vnode_put(dir);
	return err;
}

int vfs_umount_at(struct vnode *root, struct vnode *cwd, const char *target, bool detach)
{
	struct mount *m = NULL;
	struct vnode *vn;
	struct list *it;
	int err;

	err = vfs_lookup(root, cwd, target, VFS_LOOKUP_FOLLOW | VFS_LOOKUP_DIRECTORY, &vn);
	if (err)
		return err;
	vfs_dcache_flush();	/* cached names hold references into the mount */
	spin_lock(&mount_lock);
	list_for_each(it, &mount_list)
		if (list_entry(it, struct mount, link)->root == vn)
			m = list_entry(it, struct mount, link);
	if (!m || !m->covered)
		err = -EINVAL;	/* not a mount point, or the root */
	else if ((m->fstype->flags & VFS_FS_BLOCKING) && !sched_may_block())
		err = -ESVC;	/* its sync below may block: run it in the service */
	else if (vn->covered_by)
		err = -EBUSY;	/* something is mounted on top of it */
	else if (!detach && __atomic_load_n(&vn->refcount, __ATOMIC_RELAXED) > 2)
		err = -EBUSY;	/* a cwd or open file is on its root */
	if (!err) {
		m->covered->covered_by = NULL;
		list_del(&m->link);
	}
	spin_unlock(&mount_lock);
	vnode_put(vn);
	if (err)
		return err;
	/* Its dirty data goes to disk now. If no vnode of it is left (no open
	 * file or working directory below it), the instance is freed; else the
	 * mount header and the file system's state stay allocated, because those
	 * vnodes still point to them. */
	if (m->fstype->flags & VFS_FS_BLOCKING)
		vfs_pcache_sync_mount(m); /* pages stored through mappings first */
	if (m->fstype->sync)
		err = m->fstype->sync(m);
	vnode_put(m->covered);
	vnode_put(m->root);
	if (!detach && !__atomic_load_n(&m->nvnodes, __ATOMIC_ACQUIRE)) {
		if (m->fstype->unmount)
			m->fstype->unmount(m);
		kfree(m);
	}
	return err;
}

/* Is any mounted file system one whose hooks may block? */
static int any_blocking(struct mount *m, void *arg)
{
	(void)arg;
	return (m->fstype->flags & VFS_FS_BLOCKING) && m->fstype->sync ? 1 : 0;
}

static int sync_one(struct mount *m, void *arg)
{
	int *first = arg;
	int err = (m->fstype->flags & VFS_FS_BLOCKING) ? vfs_pcache_sync_mount(m) : 0;
	int err2 = m->fstype->sync ? m->fstype->sync(m) : 0;

	err = err ? err : err2;

	if (err && !*first)
		*first = err;
	return 0;
}

int vfs_sync_all(void)
{
	int first = 0;

	if (!sched_may_block() && vfs_mount_foreach(any_blocking, NULL))
		return -ESVC;
	vfs_mount_foreach(sync_one, &first);
	return first;
}

int vfs_statfs(struct vnode *vn, struct vfs_statfs *st)
{
	const struct vfs_fstype *fs = vn->mnt ? vn->mnt->fstype : NULL;

	if (!fs || !fs->statfs)
		return -ENOSYS;
	if ((fs->flags & VFS_FS_BLOCKING) && !sched_may_block())
		return -ESVC;
	return fs->statfs(vn->mnt, st);
}

int vfs_mount_foreach(int (*fn)(struct mount *m, void *arg), void *arg)
{
	struct mount **snap;
	unsigned n = 0, cap = 0;
	struct list *it;
	int r = 0;

	/* Snapshot with references, so fn may walk paths (which takes mount_lock). */
	spin_lock(&mount_lock);
	list_for_each(it, &mount_list)
		cap++;
	spin_unlock(&mount_lock);
	snap = kmalloc((cap + 8) * sizeof(*snap));
	if (!snap)
		return -ENOMEM;
	spin_lock(&mount_lock);
	list_for_each(it, &mount_list) {
		struct mount *m = list_entry(it, struct mount, link);
		if (n == cap + 8)
			break;
		vnode_get(m->root);
		if (m->covered)
			vnode_get(m->covered);
		snap[n++] = m;
	}
	spin_unlock(&mount_lock);
	for (unsigned i = 0; i < n; i++) {
		if (!r)
			r = fn(snap[i], arg);
		if (snap[i]->covered)
			vnode_put(snap[i]->covered);
		vnode_put(snap[i]->root);
	}
	kfree(snap);
	return r;
}

/* devfs has one instance: move its mount from the old root's /dev onto the
 * new root's (which holds a reference the mount keeps). */
static int move_devfs(void)
{
	struct vnode *dir, *old = NULL;
	struct list *it;
	int err = vfs_lookup(root_vnode, root_vnode, "/dev", VFS_LOOKUP_FOLLOW | VFS_LOOKUP_DIRECTORY,
			     &dir);

	if (err)
		return err;
	spin_lock(&mount_lock);
	list_for_each(it, &mount_list) {
		struct mount *m = list_entry(it, struct mount, link);
		if (m->fstype != &devfs_fstype || !m->covered)
			continue;
		if (dir->covered_by) {
			err = -EBUSY;
			break;
		}
		old = m->covered;
		old->covered_by = NULL;
		m->covered = dir;
		m->parent = dir->mnt;
		dir->covered_by = m;
		dir = NULL;
		break;
	}
	spin_unlock(&mount_lock);
	vnode_put(old);
	vnode_put(dir);
	return err;
}

int vfs_mount_root(const char *fstype, const char *source, const void *data)
{
	const struct vfs_fstype *fs = fstype_find(fstype);
	struct mount *m;
	int err;

	if (!fs)
		return -ENODEV;
	if ((fs->flags & VFS_FS_BLOCKING) && !sched_may_block())
		return -ESVC;
	err = mount_create(fs, source, data, &m);
	if (err)
		return err;
	spin_lock(&mount_lock);
	/* The old tree is unreachable from now on: its mounts leave the table
	 * (they stay allocated), but devfs, which moves below. */
	struct list *it, *tmp;
	list_for_each_safe(it, tmp, &mount_list) {
		struct mount *old = list_entry(it, struct mount, link);
		if (old->fstype != &devfs_fstype)
			list_del(&old->link);
	}
	list_add(&mount_list, &m->link); /* first: it is "/" now */
	root_vnode = m->root;
	spin_unlock(&mount_lock);
	vfs_dcache_flush();
	err = vfs_mkdir(root_vnode, root_vnode, "/dev", 0755);
	if (err && err != -EEXIST)
		return err;
	return move_devfs();
}

struct vnode *vfs_root(void)
{
	return root_vnode;
}

int vfs_init(void)
{
	struct mount *m;
	int err;

	kassert(!root_vnode);
	if ((err = vfs_vnode_cache_init()) || (err = vfs_file_cache_init()))
		return err;
	if ((err = vfs_register_fstype(&tmpfs_fstype)) ||
	    (err = vfs_register_fstype(&devfs_fstype)) ||
	    (err = vfs_register_fstype(&fat_fstype)) || (err = ext4_init()))
		return err;
	err = mount_create(&tmpfs_fstype, "rootfs", NULL, &m);
	if (err)
		return err;
	mount_attach(m, NULL);
	root_vnode = m->root;
	err = vfs_mkdir(root_vnode, root_vnode, "/dev", 0755);
	if (err)
		return err;
	return vfs_mount("devfs", "/dev", "devfs", NULL);
}
