/*
 * Helpers shared by the Linux personality's file syscalls (lx_fd.c, lx_path.c,
 * lx_fcntl.c): the AT_* flag values, copying a path in, the starting directory
 * of a *at call, resolving (dirfd, path, flags) to a vnode, and struct stat
 * output. Private to kernel/linux.
 */
#ifndef LINUX_LX_FILE_H
#define LINUX_LX_FILE_H

#include <linux/lx.h>

/* <linux/fcntl.h> values. AT_REMOVEDIR and AT_EACCESS share a bit: they belong
 * to different calls. */
#define AT_FDCWD	    (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR	    0x200
#define AT_EACCESS	    0x200
#define AT_SYMLINK_FOLLOW   0x400
#define AT_NO_AUTOMOUNT	    0x800
#define AT_EMPTY_PATH	    0x1000
#define AT_STATX_SYNC_TYPE  0x6000

/*
 * Copy the NUL-terminated path at upath into buf (VFS_PATH_MAX bytes): its
 * length, or -EFAULT, -ENAMETOOLONG, or -ENOENT for an empty path.
 */
long lx_get_path(char *buf, uaddr_t upath);

/*
 * The directory a *at call resolves path from: the cwd for AT_FDCWD or an
 * absolute path, else dirfd's directory. A new reference in *out; -EBADF, or
 * -ENOTDIR when dirfd is not a directory.
 */
int lx_at_dir(struct thread *t, int dirfd, const char *path, struct vnode **out);

/* Write vn's attributes to the user's struct stat at ust: 0, -EFAULT or the
 * file system's error. */
int lx_stat_out(struct vnode *vn, uaddr_t ust);

/*
 * Resolve (dirfd, upath) as the *at calls do. atflags may hold
 * AT_SYMLINK_NOFOLLOW (do not follow a final symlink) and AT_EMPTY_PATH (an
 * empty path names dirfd itself, or the cwd for AT_FDCWD); the caller rejects
 * other bits. On success *out is a new vnode reference and 0 is returned, or
 * 1 with *out NULL when AT_EMPTY_PATH named a file without a vnode (a pipe or
 * socket; its file reference goes to *anon if anon is not NULL, else it is
 * dropped). Errors: -EFAULT, -ENOENT, -ENOTDIR, -EBADF, -ELOOP, -ENAMETOOLONG,
 * -ENOMEM. Takes no lock across the user copy.
 */
int lx_at_lookup(struct thread *t, int dirfd, uaddr_t upath, unsigned atflags, struct vnode **out,
		 struct file **anon);

#endif
