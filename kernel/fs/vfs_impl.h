/*
 * Private interfaces between the files of the VFS core (vnode.c, file.c,
 * dcache.c, namei.c, mount.c, vfsops.c). Nothing outside kernel/fs includes this.
 */
#ifndef FS_VFS_IMPL_H
#define FS_VFS_IMPL_H

#include <fs/vfs.h>

/* Object caches for vnodes and files; 0 or -ENOMEM. Called by vfs_init. */
int vfs_vnode_cache_init(void);
int vfs_file_cache_init(void);

/*
 * Dentry cache: (parent vnode, name) -> child vnode. Each entry holds a
 * reference on its parent and its child. dcache_lookup returns a new reference
 * on a hit (0) or -ENOENT on a miss, and sets *gen to the parent's generation,
 * which dcache_insert compares so a name removed meanwhile is not cached.
 */
int dcache_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out,
		  uint64_t *gen);
void dcache_insert(struct vnode *dir, const char *name, size_t len, struct vnode *child,
		   uint64_t gen);
/* Forget (dir, name), if cached, and bump dir's generation. */
void dcache_invalidate(struct vnode *dir, const char *name, size_t len);
/* The parent and name of vn in the cache (any one, if it has several), in
 * *parent (a new reference) and name (VFS_NAME_MAX + 1 bytes): 0 or -ENOENT. */
int dcache_name_of(struct vnode *vn, struct vnode **parent, char *name);
/* vfs_lookup_child that also gives the dentry generation a miss read (for
 * caching a name the caller creates after the miss; 0 after a hit). */
int vfs_lookup_child_gen(struct vnode *dir, const char *name, struct vnode **out, uint64_t *gen);

/* True for "." and "..". */
static inline bool vfs_is_dot(const char *name)
{
	return name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0));
}

/* A 4 KiB scratch buffer for paths (from pmm, so its size is never a question
 * for the slab); NULL when out of memory. */
char *vfs_pathbuf_alloc(void);
void vfs_pathbuf_free(char *buf);

/* vfs_rename's checks once both parents are resolved (vfsnames.c): 0 or the
 * errno rename must fail with (EBUSY, EINVAL, EXDEV, ENOTDIR, lookup errors). */
int vfs_rename_check(struct vfs_parent *from, struct vfs_parent *to);

#endif
