/*
 * initrd unpacking: walk a newc cpio archive with lib/cpio and recreate its
 * entries in the root file system through the ordinary VFS calls, as if a
 * program had made them. Each entry's name is cleaned into an absolute path in
 * one scratch buffer; missing parent directories are created on the way.
 */
#include <fs/vfs.h>
#include <fs/initrd.h>
#include <core/klog.h>
#include <lib/cpio.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "vfs_impl.h"

/*
 * Turn an archive name into "/a/b" in path: drop leading "./" and "/", empty
 * and "." components. Returns 1 for a usable path, 0 for an entry to skip (the
 * archive root itself), -EINVAL for a ".." component, -ENAMETOOLONG.
 */
static int initrd_clean_name(const char *name, size_t len, char *path)
{
	size_t out = 0, i = 0;

	while (i < len) {
		size_t j = i;
		while (j < len && name[j] != '/')
			j++;
		size_t clen = j - i;
		if (clen == 2 && name[i] == '.' && name[i + 1] == '.')
			return -EINVAL;
		if (clen && !(clen == 1 && name[i] == '.')) {
			if (out + 1 + clen >= VFS_PATH_MAX)
				return -ENAMETOOLONG;
			path[out++] = '/';
			memcpy(path + out, name + i, clen);
			out += clen;
		}
		i = j + 1;
	}
	path[out] = 0;
	return out ? 1 : 0;
}

/* Create every missing directory on the way to path's last component; with
 * whole set, path itself too. */
static int initrd_mkdirs(struct vnode *root, char *path, bool whole)
{
	char *slash = path;

	for (;;) {
		slash = strchr(slash + 1, '/');
		if (!slash && !whole)
			return 0;
		if (slash)
			*slash = 0;
		int err = vfs_mkdir(root, root, path, 0755);
		if (slash)
			*slash = '/';
		if (err && err != -EEXIST)
			return err;
		if (!slash)
			return 0;
	}
}

static int initrd_set_attrs(struct vnode *vn, const struct cpio_entry *e)
{
	struct vfs_setattr a = {
	    .mask = VFS_ATTR_MODE | VFS_ATTR_UID | VFS_ATTR_GID | VFS_ATTR_MTIME,
	    .mode = e->mode & 07777,
	    .uid = e->uid,
	    .gid = e->gid,
	    .mtime_ns = e->mtime * 1000000000ULL,
	};

	if (vn->type == VLNK)
		a.mask &= ~VFS_ATTR_MODE;
	return vfs_setattr(vn, &a);
}

static int initrd_file(struct vnode *root, const char *path, const struct cpio_entry *e)
{
	unsigned flags = VFS_O_CREAT | VFS_O_WRONLY | VFS_O_TRUNC | VFS_O_NOFOLLOW;
	struct file *f;
	struct uio uio;
	long n;
	int err = vfs_open(root, root, path, flags, e->mode & 07777, &f);

	if (err == -ELOOP || err == -EISDIR) {
		/* Something else is in the way (a symlink, a directory): replace it. */
		vfs_unlink(root, root, path);
		err = vfs_open(root, root, path, flags, e->mode & 07777, &f);
	}
	if (err)
		return err;
	uio_init_kernel(&uio, (void *)e->data, e->size, 0);
	n = vfs_write(f, &uio);
	if (n >= 0 && (size_t)n != e->size)
		n = -ENOSPC;
	err = n < 0 ? (int)n : initrd_set_attrs(f->vn, e);
	file_put(f);
	return err;
}

static int initrd_symlink(struct vnode *root, const char *path, const struct cpio_entry *e,
			  char *target)
{
	int err;

	if (e->size == 0 || e->size >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(target, e->data, e->size);
	target[e->size] = 0;
	err = vfs_symlink(root, root, target, path);
	if (err == -EEXIST) {
		vfs_unlink(root, root, path);
		err = vfs_symlink(root, root, target, path);
	}
	return err;
}

static int initrd_entry(struct vnode *root, const struct cpio_entry *e, char *path, char *scratch)
{
	uint32_t type = e->mode & VFS_S_IFMT;
	struct vnode *vn;
	int err;

	err = initrd_mkdirs(root, path, type == VFS_S_IFDIR);
	if (err)
		return err;
	switch (type) {
	case VFS_S_IFDIR:
		err = vfs_lookup(root, root, path, 0, &vn);
		if (!err) {
			err = initrd_set_attrs(vn, e);
			vnode_put(vn);
		}
		return err;
	case VFS_S_IFREG:
		return initrd_file(root, path, e);
	case VFS_S_IFLNK:
		return initrd_symlink(root, path, e, scratch);
	default:
		return -EOPNOTSUPP;
	}
}

int initrd_unpack(const void *data, size_t len, const char **why)
{
	struct vnode *root = vfs_root();
	char *path = vfs_pathbuf_alloc(), *scratch = vfs_pathbuf_alloc();
	struct cpio_iter it;
	struct cpio_entry e;
	const char *w = NULL;
	unsigned count = 0;
	int r, err = 0;

	if (!path || !scratch || !root) {
		err = root ? -ENOMEM : -ENOENT;
		goto out;
	}
	cpio_iter_init(&it, data, len);
	while ((r = cpio_next(&it, &e, &w)) == 1) {
		r = initrd_clean_name(e.name, e.namelen, path);
		if (r <= 0) {
			if (r < 0)
				pr_warn("initrd: skipping unsafe name %s", e.name);
			continue;
		}
		r = initrd_entry(root, &e, path, scratch);
		if (r == -ENOMEM) {
			err = r;
			goto out;
		}
		if (r)
			pr_warn("initrd: %s: not unpacked (error %d)", path, r);
		else
			count++;
	}
	if (r < 0) {
		if (why)
			*why = w;
		pr_err("initrd: malformed archive after %u entries: %s", count, w ? w : "?");
		err = -EINVAL;
	} else {
		pr_info("initrd: unpacked %u entries", count);
	}
out:
	vfs_pathbuf_free(path);
	vfs_pathbuf_free(scratch);
	return err;
}
