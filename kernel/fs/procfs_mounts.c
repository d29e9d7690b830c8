/*
 * procfs /proc/mounts and /proc/filesystems.
 *
 * Mounts come from vfs_mount_foreach, in mount order; a mount point's path is
 * the path of the directory it covers (vfs_getcwd). /proc/filesystems lists
 * the types in use, since registered types are private to mount.c.
 */
#include <fs/vfs.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include <fs/vfs_extra.h>
#include "procfs_impl.h"

#define MOUNTS_PATHLEN 512

struct mounts_walk {
	int (*fn)(const char *path, struct mount *mnt, void *arg);
	void *arg;
	char path[MOUNTS_PATHLEN];
};

/* One mount: its mount point is the path of the directory it covers. */
static int mounts_visit(struct mount *m, void *arg)
{
	struct mounts_walk *w = arg;

	if (!m->covered)
		return w->fn("/", m, w->arg);
	long n = vfs_getcwd(vfs_root(), m->covered, w->path, sizeof(w->path));
	if (n == -ESVC)
		return -ESVC;	/* the path runs through a disk file system: ask its service */
	if (n < 0)
		return 0;	/* its directory was removed, or the path is too long */
	return w->fn(w->path, m, w->arg);
}

int procfs_mount_foreach(int (*fn)(const char *path, struct mount *mnt, void *arg), void *arg)
{
	struct mounts_walk *w;
	int r;

	if (!vfs_root())
		return 0;
	w = kmalloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fn = fn;
	w->arg = arg;
	r = vfs_mount_foreach(mounts_visit, w);
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
