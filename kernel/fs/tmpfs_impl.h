/*
 * tmpfs internals shared by tmpfs.c (directories, symlinks, mounting) and
 * tmpfs_file.c (file data). Every field of a tmpfs_node is guarded by the lock
 * of the vnode it belongs to, except where noted.
 */
#ifndef FS_TMPFS_IMPL_H
#define FS_TMPFS_IMPL_H

#include <fs/vfs.h>

struct tmpfs_dirent {
	struct list link; /* the directory's vnode lock */
	uint64_t cookie;  /* immutable: readdir position, increasing in list order */
	struct vnode *vn; /* immutable: holds a reference */
	uint16_t len;	  /* immutable */
	char name[];	  /* immutable, NUL-terminated */
};

struct tmpfs_dir {
	struct list entries;  /* of tmpfs_dirent, in cookie order */
	uint64_t next_cookie; /* first is 2: 0 and 1 are "." and ".." */
	uint32_t count;	      /* entries */
	bool dead;	      /* removed by rmdir: nothing may be created in it */
	/* The parent directory, a reference (itself, without one, for a mount's
	 * root). Written under the mount's rename_lock and this vnode's lock. */
	struct vnode *parent;
};

/* File data: a radix tree of pages, 512 slots per node; height 0 is empty. */
struct tmpfs_file {
	paddr_t root;
	unsigned height;
};

struct tmpfs_node {
	union {
		struct tmpfs_dir dir;
		struct tmpfs_file file;
		char *target; /* symlink: immutable, NUL-terminated */
	};
};

static inline struct tmpfs_node *tmpfs_node(struct vnode *vn)
{
	return vn->priv;
}

extern const struct vnode_ops tmpfs_vnode_ops;

/* File data ops (tmpfs_file.c). */
int tmpfs_file_read(struct vnode *vn, struct uio *uio);
int tmpfs_file_write(struct vnode *vn, struct uio *uio, unsigned ioflags);
int tmpfs_file_truncate(struct vnode *vn, uint64_t size);
int tmpfs_file_getpage(struct vnode *vn, uint64_t off, bool alloc, paddr_t *out);
/* Free every page of a file that nobody references any more. */
void tmpfs_file_destroy(struct tmpfs_file *f);

#endif
