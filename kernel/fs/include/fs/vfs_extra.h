/*
 * VFS additions for the Linux path syscalls: the path string of a directory
 * (getcwd), and the namespace operations whose two paths start from two
 * different directories (renameat2, linkat). Same rules as <fs/vfs.h>: 0 or a
 * negative errno, references borrowed unless said otherwise, never sleeps, no
 * lock held on entry or return.
 */
#ifndef FS_VFS_EXTRA_H
#define FS_VFS_EXTRA_H

#include <fs/vfs.h>

/*
 * The absolute path of directory dir as seen from root, written NUL-terminated
 * into buf[0..size). Returns its length (without the NUL), -ENOENT if dir (or a
 * directory above it) was removed, -ENAMETOOLONG if it does not fit, or
 * -ENOMEM. A directory outside root (reachable only through a descriptor opened
 * before a root change) gets the path from its file system's top, as if root
 * were there. Walks ".." and searches each parent for the child's inode number.
 */
long vfs_getcwd(struct vnode *root, struct vnode *dir, char *buf, size_t size);

/*
 * The path of vn from root into buf (size bytes, NUL-terminated): the length,
 * or -ENOENT when no name is known (a file's name is found in the dentry
 * cache, where every open by name or create puts it, so a file whose name
 * was evicted has none), -ENAMETOOLONG, -ENOMEM. Directories as vfs_getcwd.
 */
long vfs_path_of(struct vnode *root, struct vnode *vn, char *buf, size_t size);

/* vfs_rename2 flags. */
#define VFS_RENAME_NOREPLACE 0x1 /* -EEXIST if newpath exists */

/*
 * Rename oldpath (from olddir) to newpath (from newdir); root as for
 * vfs_lookup. Errors as vfs_rename, plus -EEXIST for VFS_RENAME_NOREPLACE and
 * -EINVAL for an unknown flag. NOREPLACE is checked before the file system
 * renames, under no lock: a name created in that window is replaced (Linux
 * makes the check atomic; tmpfs's rename op has no flag to do it).
 */
int vfs_rename2(struct vnode *root, struct vnode *olddir, const char *oldpath, struct vnode *newdir,
		const char *newpath, unsigned flags);

/*
 * Give vnode old (resolved by the caller, so a symlink is linked itself unless
 * the caller followed it) the new name newpath, resolved from newdir. -EPERM for
 * a directory, -EXDEV across mounts, -EEXIST, -ENOENT (newpath ends in '/', or
 * old was unlinked meanwhile), or the file system's error.
 */
int vfs_link_vnode(struct vnode *root, struct vnode *old, struct vnode *newdir,
		   const char *newpath);

#endif
