/*
 * Path resolution.
 *
 * The walk is iterative. The remaining path lives in one 4 KiB buffer; a symlink
 * is expanded in place by splicing its target in front of what is left, so no
 * recursion and no stack of pending paths is needed, and at most
 * VFS_SYMLINK_MAX expansions happen per walk. The walk holds exactly one vnode
 * reference (the current directory) between steps and no lock at all.
 *
 * ".." never climbs above the caller's root. From the root of a mount it first
 * steps to the vnode the mount covers, then asks that file system for the parent.
 * After every step down, mounts stacked on the result are crossed.
 */
#include <fs/vfs.h>
#include <core/klog.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "vfs_impl.h"

struct walk {
	struct vnode *root; /* borrowed */
	struct vnode *cur;  /* a reference */
	char *path;	    /* remaining path, NUL-terminated, from pos */
	size_t pos;
	char *link; /* scratch for symlink targets, allocated on demand */
	unsigned nlinks;
	char name[VFS_NAME_MAX + 1]; /* the component being looked at */
	bool last;		     /* name is the last component */
	bool trailing_slash;	     /* ... and slashes followed it */
};

int vfs_lookup_child_gen(struct vnode *dir, const char *name, struct vnode **out, uint64_t *gen)
{
	size_t len = strlen(name);
	struct vnode *child;
	int err;

	*gen = 0;
	if (dir->type != VDIR)
		return -ENOTDIR;
	if (dcache_lookup(dir, name, len, &child, gen) != 0) {
		if (!dir->ops->lookup)
			return -ENOENT;
		err = dir->ops->lookup(dir, name, &child);
		if (err)
			return err;
		dcache_insert(dir, name, len, child, *gen);
	}
	*out = vfs_cross_mounts(child);
	return 0;
}

int vfs_lookup_child(struct vnode *dir, const char *name, struct vnode **out)
{
	uint64_t gen;

	return vfs_lookup_child_gen(dir, name, out, &gen);
}

/* Step w->cur to its parent, staying at w->root. */
static int walk_dotdot(struct walk *w)
{
	struct vnode *parent;
	int err;

	for (;;) {
		if (w->cur == w->root)
			return 0;
		struct mount *m = w->cur->mnt;
		if (w->cur != m->root || !m->covered)
			break;
		/* The mount and its covered vnode outlive the reference we hold on
		 * the mount's root. */
		vnode_put(w->cur);
		w->cur = vnode_get(m->covered);
	}
	if (!w->cur->ops->lookup)
		return -ENOENT;
	err = w->cur->ops->lookup(w->cur, "..", &parent);
	if (err)
		return err;
	vnode_put(w->cur);
	w->cur = vfs_cross_mounts(parent);
	return 0;
}

/*
 * Cut the next component out of the path into w->name. Returns 1 if one was
 * found, 0 at the end of the path, or -ENAMETOOLONG.
 */
static int walk_next(struct walk *w)
{
	const char *p = w->path + w->pos;
	size_t len = 0;

	while (*p == '/')
		p++;
	if (!*p)
		return 0;
	while (p[len] && p[len] != '/')
		len++;
	if (len > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(w->name, p, len);
	w->name[len] = 0;
	p += len;
	w->trailing_slash = *p == '/';
	while (*p == '/')
		p++;
	w->last = !*p;
	w->pos = (size_t)(p - w->path);
	return 1;
}

/* Read link's target and splice it in front of the rest of the path. */
static int walk_splice_link(struct walk *w, struct vnode *link)
{
	struct uio uio;
	size_t tlen, rest;
	int err;

	if (++w->nlinks > VFS_SYMLINK_MAX)
		return -ELOOP;
	if (!link->ops->readlink)
		return -EINVAL;
	if (!w->link && !(w->link = vfs_pathbuf_alloc()))
		return -ENOMEM;
	uio_init_kernel(&uio, w->link, VFS_PATH_MAX, 0);
	err = link->ops->readlink(link, &uio);
	if (err)
		return err;
	tlen = VFS_PATH_MAX - uio.resid;
	if (tlen == 0)
		return -ENOENT;
	/* The rest starts after the component's slashes; keep one slash. */
	rest = strlen(w->path + w->pos);
	if (tlen + 1 + rest >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	memmove(w->path + tlen + 1, w->path + w->pos, rest + 1);
	memcpy(w->path, w->link, tlen);
	w->path[tlen] = (rest || w->trailing_slash) ? '/' : 0;
	w->pos = 0;
	if (w->link[0] == '/') {
		vnode_put(w->cur);
		w->cur = vnode_get(w->root);
	}
	return 0;
}

static bool walk_should_follow(const struct walk *w, unsigned flags)
{
	return !w->last || w->trailing_slash || (flags & VFS_LOOKUP_FOLLOW);
}

/*
 * Walk components until the end (stop_at_last false) or until the last one is
 * in w->name (stop_at_last true; then returns 1, or 0 if the path had none).
 */
static int walk_run(struct walk *w, unsigned flags, bool stop_at_last)
{
	struct vnode *child;
	int err;

	for (;;) {
		err = walk_next(w);
		if (err <= 0)
			return err;
		if (w->cur->type != VDIR)
			return -ENOTDIR;
		if (stop_at_last && w->last)
			return 1;
		if (!strcmp(w->name, "."))
			continue;
		if (!strcmp(w->name, "..")) {
			err = walk_dotdot(w);
			if (err)
				return err;
			continue;
		}
		err = vfs_lookup_child(w->cur, w->name, &child);
		if (err)
			return err;
		if (child->type == VLNK && walk_should_follow(w, flags)) {
			err = walk_splice_link(w, child);
			vnode_put(child);
			if (err)
				return err;
			continue;
		}
		vnode_put(w->cur);
		w->cur = child;
	}
}

static int walk_start(struct walk *w, struct vnode *root, struct vnode *cwd, const char *path)
{
	size_t len = strnlen(path, VFS_PATH_MAX);

	if (len >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	w->path = vfs_pathbuf_alloc();
	if (!w->path)
		return -ENOMEM;
	memcpy(w->path, path, len + 1);
	w->pos = 0;
	w->link = NULL;
	w->nlinks = 0;
	w->root = root;
	w->cur = vnode_get(path[0] == '/' ? root : cwd);
	w->last = w->trailing_slash = false;
	return 0;
}

static void walk_end(struct walk *w)
{
	vfs_pathbuf_free(w->path);
	vfs_pathbuf_free(w->link);
}

int vfs_lookup(struct vnode *root, struct vnode *cwd, const char *path, unsigned flags,
	       struct vnode **out)
{
	struct walk w;
	int err = walk_start(&w, root, cwd, path);

	if (err)
		return err;
	err = walk_run(&w, flags, false);
	/* A trailing slash on the original path ("a/") also demands a directory. */
	if (!err && (w.trailing_slash || (flags & VFS_LOOKUP_DIRECTORY)) && w.cur->type != VDIR)
		err = -ENOTDIR;
	if (err) {
		vnode_put(w.cur);
	} else {
		*out = w.cur;
	}
	walk_end(&w);
	return err;
}

int vfs_lookup_parent(struct vnode *root, struct vnode *cwd, const char *path, struct vfs_parent *p)
{
	struct walk w;
	int err = walk_start(&w, root, cwd, path);

	if (err)
		return err;
	err = walk_run(&w, 0, true);
	if (err < 0) {
		vnode_put(w.cur);
		goto out;
	}
	if (err == 0) {
		p->name[0] = 0; /* "/" (or "//"): no last component */
		p->trailing_slash = true;
	} else {
		memcpy(p->name, w.name, sizeof(p->name));
		p->trailing_slash = w.trailing_slash;
	}
	p->dir = w.cur;
	err = 0;
out:
	walk_end(&w);
	return err;
}

void vfs_parent_put(struct vfs_parent *p)
{
	vnode_put(p->dir);
	p->dir = NULL;
}
