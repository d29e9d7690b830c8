/*
 * devfs: a flat directory of registered device nodes.
 *
 * Registrations live on one list under devfs_lock, in registration order (which
 * is also the readdir order: a node's cookie is its position). While devfs is
 * mounted, each node has a vnode of type VCHR, held by the node, whose open op
 * hands the registered file_ops and priv to the new file. Nodes are never
 * removed, so readdir can copy a name out under the lock and emit it without.
 */
#include <fs/vfs.h>
#include <fs/devfs.h>
#include <core/klog.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "devfs_impl.h"

struct devfs_node {
	struct list link;	       /* devfs_lock */
	char name[DEVFS_NAME_MAX + 1]; /* immutable */
	uint32_t mode;		       /* immutable: permission bits */
	const struct file_ops *fops;   /* immutable */
	void *priv;		       /* immutable */
	uint64_t cookie;	       /* immutable: readdir position */
	struct vnode *vn;	       /* devfs_lock: a reference, once mounted */
};

static struct spinlock devfs_lock = SPINLOCK_INIT("devfs");
static struct list devfs_nodes = LIST_INIT(devfs_nodes); /* devfs_lock */
static uint64_t devfs_next_cookie = 2;			 /* devfs_lock */
static struct mount *devfs_mnt;				 /* devfs_lock */
static struct vnode *devfs_rootvn;			 /* devfs_lock */

static const struct vnode_ops devfs_dev_ops;

static int devfs_node_vnode_locked(struct devfs_node *n)
{
	int err = vnode_alloc(devfs_mnt, VCHR, n->mode, &devfs_dev_ops, &n->vn);

	if (!err) {
		n->vn->priv = n;
		n->vn->rdev = (uint32_t)n->cookie;
	}
	return err;
}

static struct devfs_node *devfs_find_locked(const char *name)
{
	struct list *it;

	list_for_each(it, &devfs_nodes)
	{
		struct devfs_node *n = list_entry(it, struct devfs_node, link);
		if (!strcmp(n->name, name))
			return n;
	}
	return NULL;
}

int devfs_register(const char *name, uint32_t mode, const struct file_ops *fops, void *priv)
{
	size_t len = strnlen(name, DEVFS_NAME_MAX + 1);
	struct devfs_node *n;
	int err = 0;

	if (!len || len > DEVFS_NAME_MAX || strchr(name, '/'))
		return -EINVAL;
	n = kzalloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	memcpy(n->name, name, len + 1);
	n->mode = mode & 07777;
	n->fops = fops;
	n->priv = priv;
	spin_lock(&devfs_lock);
	if (devfs_find_locked(name))
		err = -EEXIST;
	else if (devfs_mnt)
		err = devfs_node_vnode_locked(n);
	if (!err) {
		n->cookie = devfs_next_cookie++;
		list_add_tail(&devfs_nodes, &n->link);
	}
	spin_unlock(&devfs_lock);
	if (err)
		kfree(n);
	return err;
}

static int devfs_lookup(struct vnode *dir, const char *name, struct vnode **out)
{
	struct devfs_node *n;
	int err = -ENOENT;

	spin_lock(&devfs_lock);
	n = devfs_find_locked(name);
	if (n && n->vn) {
		*out = vnode_get(n->vn);
		err = 0;
	}
	spin_unlock(&devfs_lock);
	return err;
}

/* The first node at or after pos: its name, ino, and the next position. */
static bool devfs_entry_at(uint64_t pos, char *name, uint64_t *ino, uint64_t *next)
{
	struct list *it;
	bool found = false;

	spin_lock(&devfs_lock);
	list_for_each(it, &devfs_nodes)
	{
		struct devfs_node *n = list_entry(it, struct devfs_node, link);
		if (n->cookie < pos || !n->vn)
			continue;
		memcpy(name, n->name, sizeof(n->name));
		*ino = n->vn->ino;
		*next = n->cookie + 1;
		found = true;
		break;
	}
	spin_unlock(&devfs_lock);
	return found;
}

static int devfs_readdir(struct vnode *dir, struct uio *uio, uint64_t *pos)
{
	char name[DEVFS_NAME_MAX + 1];
	uint64_t ino, next;
	bool any = false;
	int r = 0;

	while (uio->resid) {
		unsigned type = VFS_DT_CHR;
		if (*pos < 2) {
			name[0] = name[1] = '.';
			name[*pos + 1] = 0;
			ino = dir->ino; /* ".." of a mount root is answered by the VFS */
			next = *pos + 1;
			type = VFS_DT_DIR;
		} else if (!devfs_entry_at(*pos, name, &ino, &next)) {
			return 0;
		}
		r = vfs_dirent_emit(uio, ino, next, type, name, strlen(name));
		if (r)
			break;
		*pos = next;
		any = true;
	}
	if (r == 1)
		return any ? 0 : -EINVAL;
	return r;
}

static const struct vnode_ops devfs_root_ops = {
    .lookup = devfs_lookup,
    .readdir = devfs_readdir,
};

static int devfs_open(struct vnode *vn, struct file *f)
{
	struct devfs_node *n = vn->priv;

	f->fops = n->fops;
	f->priv = n->priv;
	return 0;
}

static const struct vnode_ops devfs_dev_ops = {
    .open = devfs_open,
};

static int devfs_mount_locked(struct mount *mnt, struct vnode **root)
{
	struct list *it;
	int err;

	if (devfs_mnt)
		return -EBUSY;
	err = vnode_alloc(mnt, VDIR, 0755, &devfs_root_ops, &devfs_rootvn);
	if (err)
		return err;
	devfs_rootvn->nlink = 2;
	devfs_mnt = mnt;
	list_for_each(it, &devfs_nodes)
	{
		struct devfs_node *n = list_entry(it, struct devfs_node, link);
		if (!n->vn && (err = devfs_node_vnode_locked(n)) != 0)
			return err;
	}
	*root = vnode_get(devfs_rootvn);
	return 0;
}

static int devfs_mount(struct mount *mnt, const char *source, const void *data, struct vnode **root)
{
	int err = devfs_register_builtins();

	if (err && err != -EEXIST)
		return err;
	spin_lock(&devfs_lock);
	err = devfs_mount_locked(mnt, root);
	spin_unlock(&devfs_lock);
	return err;
}

const struct vfs_fstype devfs_fstype = {
    .name = "devfs",
    .mount = devfs_mount,
};
