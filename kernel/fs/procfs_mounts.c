/*
 * procfs /proc/mounts and /proc/filesystems.
 *
 * The VFS keeps its mount table private and has no iterator yet, so mounts are
 * found by looking: "/" is the root's mount, and every directory one or two
 * levels below the root whose vnode, after crossing mounts, sits on another
 * mount than its parent is a mount point. That finds what Weft mounts today
 * (/dev, /proc, /tmp-like mounts and mounts below them) but misses deeper mount
 * points and mounts hidden under another mount; vfs_mount_foreach should
 * replace procfs_mount_foreach when mount.c offers it. /proc/filesystems lists
 * the types in use, since registered types are private to mount.c too.
 */
#include <fs/vfs.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "procfs_impl.h"

#define MOUNTS_DEPTH   2    /* directory levels below "/" searched */
#define MOUNTS_DIRBUF  2048 /* getdents buffer per level */
#define MOUNTS_PATHLEN (MOUNTS_DEPTH * (VFS_NAME_MAX + 1) + 2)

struct mounts_walk {
	int (*fn)(const char *path, struct mount *mnt, void *arg);
	void *arg;
	char path[MOUNTS_PATHLEN];
};

static int mounts_scan(struct mounts_walk *w, struct vnode *dir, size_t plen, int depth);

/* One directory entry of the scan: report it if it is a mount, descend. */
static int mounts_visit(struct mounts_walk *w, struct vnode *dir, const char *name, size_t plen,
			int depth)
{
	size_t nlen = strlen(name);
	struct vnode *child;
	int r = 0;

	if (vfs_lookup_child(dir, name, &child))
		return 0; /* gone since the readdir */
	w->path[plen] = '/';
	memcpy(w->path + plen + 1, name, nlen + 1);
	if (child->mnt != dir->mnt)
		r = w->fn(w->path, child->mnt, w->arg);
	if (!r && depth < MOUNTS_DEPTH && child->mnt->fstype != &procfs_fstype)
		r = mounts_scan(w, child, plen + 1 + nlen, depth + 1);
	vnode_put(child);
	return r;
}

/* The subdirectories of dir (path in w->path[0..plen)), at depth 1.. */
static int mounts_scan(struct mounts_walk *w, struct vnode *dir, size_t plen, int depth)
{
	char *buf;
	uint64_t pos = 0;
	int r = 0;

	if (dir->type != VDIR || !dir->ops->readdir || !(buf = kmalloc(MOUNTS_DIRBUF)))
		return 0;
	for (;;) {
		struct uio uio;
		size_t used, off;

		uio_init_kernel(&uio, buf, MOUNTS_DIRBUF, 0);
		if (dir->ops->readdir(dir, &uio, &pos) || uio.resid == MOUNTS_DIRBUF)
			break;
		used = MOUNTS_DIRBUF - uio.resid;
		for (off = 0; off < used && !r;) {
			struct vfs_dirent64 *d = (struct vfs_dirent64 *)(buf + off);
			off += d->d_reclen;
			if (d->d_type == VFS_DT_DIR && strcmp(d->d_name, ".") &&
			    strcmp(d->d_name, ".."))
				r = mounts_visit(w, dir, d->d_name, plen, depth);
		}
		if (r)
			break;
	}
	kfree(buf);
	return r;
}

int procfs_mount_foreach(int (*fn)(const char *path, struct mount *mnt, void *arg), void *arg)
{
	struct vnode *root = vfs_root();
	struct mounts_walk *w;
	int r;

	if (!root)
		return 0;
	r = fn("/", root->mnt, arg);
	if (r)
		return r;
	w = kmalloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fn = fn;
	w->arg = arg;
	r = mounts_scan(w, root, 0, 1);
	kfree(w);
	return r;
}

static int mounts_line(const char *path, struct mount *mnt, void *arg)
{
	struct procfs_buf *b = arg;
	const char *type = mnt->fstype->name;

	procfs_printf(b, "%s ", type);	/* df skips a source named "rootfs" */
	procfs_put_escaped(b, path);
	procfs_printf(b, " %s rw 0 0\n", type);
	return b->overflow;
}

int procfs_gen_mounts(struct procfs_buf *b, int pid)
{
	int r = procfs_mount_foreach(mounts_line, b);

	return r < 0 ? r : 0;
}

#define FSTYPES_MAX 16

struct fstypes {
	const char *name[FSTYPES_MAX];
	int n;
};

static int fstypes_add(const char *path, struct mount *mnt, void *arg)
{
	struct fstypes *t = arg;
	const char *name = mnt->fstype->name;

	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->name[i], name))
			return 0;
	if (t->n < FSTYPES_MAX)
		t->name[t->n++] = name;
	return 0;
}

int procfs_gen_filesystems(struct procfs_buf *b, int pid)
{
	struct fstypes t = {.n = 0};
	int r = procfs_mount_foreach(fstypes_add, &t);

	if (r < 0)
		return r;
	/* Every type Weft has keeps its data in memory: all are "nodev". */
	for (int i = 0; i < t.n; i++)
		procfs_printf(b, "nodev\t%s\n", t.name[i]);
	return 0;
}
