/*
 * Path syscalls of the Linux personality: the namespace calls (mkdirat,
 * unlinkat, renameat2, linkat, symlinkat, readlinkat), attributes (faccessat,
 * fchmod*, fchown*, utimensat, truncate, statx, statfs) and the working
 * directory (chdir, fchdir, getcwd).
 *
 * Every handler decodes in the same order Linux does, so the same bad call gets
 * the same error: flags first, then the path copy (-EFAULT, -ENOENT for ""),
 * then the lookup, then the call's own checks. Paths are copied into a 4 KiB
 * kernel buffer before any VFS call, so no lock is ever held across a user
 * copy. There is a single user, root: permission checks reduce to what root is
 * refused (executing a regular file without any x bit).
 *
 * The working directory is one vnode reference in struct lx_fs (shared by
 * CLONE_FS), swapped by chdir under its lock; a reader takes its own reference under the same
 * lock (lx_cwd_get), so a thread's chdir never frees a directory another
 * thread is walking from.
 */
#include "lx_file.h"
#include <fs/vfs_extra.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <lib/string.h>

#define RENAME_NOREPLACE 0x1
#define RENAME_EXCHANGE	 0x2
#define RENAME_WHITEOUT	 0x4

#define LX_X_OK 1
#define LX_W_OK 2
#define LX_R_OK 4

#define LX_S_ISUID 04000
#define LX_S_ISGID 02000
#define LX_S_IXGRP 00010
#define LX_S_IXUGO 00111

/* A *at call's path (kmalloc'd into *pathp) and starting directory (a
 * reference in *dirp). On failure there is nothing to free. */
static int at_begin(struct thread *t, int dirfd, uaddr_t upath, char **pathp, struct vnode **dirp)
{
	char *path = kmalloc(VFS_PATH_MAX);
	long err;

	if (!path)
		return -ENOMEM;
	err = lx_get_path(path, upath);
	if (err >= 0)
		err = lx_at_dir(t, dirfd, path, dirp);
	if (err < 0) {
		kfree(path);
		return (int)err;
	}
	*pathp = path;
	return 0;
}

static void at_end(char *path, struct vnode *dir)
{
	vnode_put(dir);
	kfree(path);
}

/* fd's vnode (new reference, returns 0), or 1 with *out NULL for a file that
 * has none (its reference moves to *anon when anon is set), or -EBADF. */
static int fd_vnode(struct thread *t, int fd, struct vnode **out, struct file **anon)
{
	struct file *f = lx_fd_get(t->proc, fd);

	if (!f)
		return -EBADF;
	*out = f->vn ? vnode_get(f->vn) : NULL;
	if (*out || !anon)
		file_put(f);
	else
		*anon = f;
	return *out ? 0 : 1;
}

int lx_at_lookup(struct thread *t, int dirfd, uaddr_t upath, unsigned atflags, struct vnode **out,
		 struct file **anon)
{
	struct lx_proc *lp = lx_of(t->proc);
	unsigned lf = (atflags & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_LOOKUP_FOLLOW;
	char *path = kmalloc(VFS_PATH_MAX);
	struct vnode *dir;
	long err;

	if (!path)
		return -ENOMEM;
	err = copy_str_from_user(path, upath, VFS_PATH_MAX);
	if (err == 0 && !(atflags & AT_EMPTY_PATH)) {
		err = -ENOENT;
	} else if (err == 0 && dirfd == AT_FDCWD) {
		*out = lx_cwd_get(lp);
	} else if (err == 0) {
		err = fd_vnode(t, dirfd, out, anon);
	} else if (err > 0) {
		err = lx_at_dir(t, dirfd, path, &dir);
		if (!err) {
			err = vfs_lookup(lp->fs->root, dir, path, lf, out);
			vnode_put(dir);
		}
	}
	kfree(path);
	return (int)err;
}

/* ---- namespace ---- */

long lx_sys_mkdirat(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	struct vnode *dir;
	char *path;
	int err = at_begin(t, (int)a[0], a[1], &path, &dir);

	if (err)
		return err;
	err = vfs_mkdir(lp->fs->root, dir, path, (uint32_t)a[2] & 01777 & ~lp->fs->umask);
	at_end(path, dir);
	return err;
}

/* A regular file made by mknod: an exclusive create, closed at once. */
static int mknod_regular(struct lx_proc *lp, struct vnode *dir, const char *path, uint32_t mode)
{
	struct file *f;
	int err = vfs_open(lp->fs->root, dir, path, VFS_O_CREAT | VFS_O_EXCL | VFS_O_NOFOLLOW, mode, &f);

	if (!err)
		file_put(f);
	return err;
}

/* mknodat(dirfd, path, mode, dev): FIFOs and regular files. Device nodes are
 * -EPERM (devfs has the devices), as are directories, like Linux's. */
long lx_sys_mknodat(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	uint32_t type = (uint32_t)a[2] & VFS_S_IFMT, perm = (uint32_t)a[2] & 07777 & ~lp->fs->umask;
	struct vnode *dir;
	char *path;
	int err;

	if (type != 0 && type != VFS_S_IFREG && type != VFS_S_IFIFO && type != VFS_S_IFCHR &&
	    type != VFS_S_IFBLK && type != VFS_S_IFSOCK)
		return type == VFS_S_IFDIR ? -EPERM : -EINVAL;
	err = at_begin(t, (int)a[0], a[1], &path, &dir);
	if (err)
		return err;
	if (type == VFS_S_IFIFO)
		err = vfs_mknod(lp->fs->root, dir, path, type | perm, 0);
	else if (type == 0 || type == VFS_S_IFREG)
		err = mknod_regular(lp, dir, path, perm);
	else
		err = -EPERM;
	at_end(path, dir);
	return err;
}

long lx_sys_unlinkat(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	struct vnode *dir;
	char *path;
	int err;

	if (a[2] & ~(unsigned long)AT_REMOVEDIR)
		return -EINVAL;
	err = at_begin(t, (int)a[0], a[1], &path, &dir);
	if (err)
		return err;
	if (a[2] & AT_REMOVEDIR)
		err = vfs_rmdir(lp->fs->root, dir, path);
	else
		err = vfs_unlink(lp->fs->root, dir, path);
	at_end(path, dir);
	return err;
}

long lx_sys_symlinkat(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	char *target = kmalloc(VFS_PATH_MAX), *path;
	struct vnode *dir;
	long err;

	if (!target)
		return -ENOMEM;
	err = lx_get_path(target, a[0]);
	if (err >= 0)
		err = at_begin(t, (int)a[1], a[2], &path, &dir);
	if (err >= 0) {
		err = vfs_symlink(lp->fs->root, dir, target, path);
		at_end(path, dir);
	}
	kfree(target);
	return err;
}

long lx_sys_linkat(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	unsigned flags = (unsigned)a[4];
	struct vnode *old, *dir;
	char *path;
	int err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = lx_at_lookup(t, (int)a[0], a[1],
			   (flags & AT_EMPTY_PATH) |
			       ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW),
			   &old, NULL);
	if (err)
		return err > 0 ? -ENOENT : err; /* a pipe has no name to add to */
	err = at_begin(t, (int)a[2], a[3], &path, &dir);
	if (!err) {
		err = vfs_link_vnode(lp->fs->root, old, dir, path);
		at_end(path, dir);
	}
	vnode_put(old);
	return err;
}

long lx_sys_renameat2(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	unsigned flags = (unsigned)a[4];
	struct vnode *odir, *ndir;
	char *opath, *npath;
	int err;

	/* EXCHANGE and WHITEOUT are valid on Linux but not supported here. */
	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	err = at_begin(t, (int)a[0], a[1], &opath, &odir);
	if (err)
		return err;
	err = at_begin(t, (int)a[2], a[3], &npath, &ndir);
	if (!err) {
		err = vfs_rename2(lp->fs->root, odir, opath, ndir, npath,
				  (flags & RENAME_NOREPLACE) ? VFS_RENAME_NOREPLACE : 0);
		at_end(npath, ndir);
	}
	at_end(opath, odir);
	return err;
}

long lx_sys_readlinkat(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	struct vnode *dir;
	struct uio u;
	char *path;
	long err;

	if ((int)a[3] <= 0)
		return -EINVAL;
	err = at_begin(t, (int)a[0], a[1], &path, &dir);
	if (err)
		return err;
	uio_init_user(&u, a[2], (size_t)(int)a[3], 0);
	err = vfs_readlink(lp->fs->root, dir, path, &u);
	at_end(path, dir);
	return err;
}

/* ---- attributes ---- */

/* Root may read and write anything; executing needs an x bit on a file. */
static long access_check(struct thread *t, const unsigned long *a, unsigned atflags)
{
	struct vnode *vn;
	uint32_t mode;
	int err;

	if (a[2] & ~(unsigned long)(LX_R_OK | LX_W_OK | LX_X_OK))
		return -EINVAL;
	err = lx_at_lookup(t, (int)a[0], a[1], atflags, &vn, NULL);
	if (err)
		return err > 0 ? 0 : err;
	spin_lock(&vn->lock);
	mode = vn->mode;
	spin_unlock(&vn->lock);
	if ((a[2] & LX_X_OK) && vn->type != VDIR && !(mode & LX_S_IXUGO))
		err = -EACCES;
	vnode_put(vn);
	return err;
}

long lx_sys_faccessat(struct thread *t, const unsigned long *a)
{
	return access_check(t, a, 0);
}

long lx_sys_faccessat2(struct thread *t, const unsigned long *a)
{
	unsigned flags = (unsigned)a[3];

	/* AT_EACCESS makes no difference: real and effective ids are both root. */
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return access_check(t, a, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
}

static int chmod_vnode(struct vnode *vn, unsigned long mode)
{
	struct vfs_setattr at = {.mask = VFS_ATTR_MODE, .mode = (uint32_t)mode & 07777};

	return vfs_setattr(vn, &at);
}

/* A vnode-less file (a pipe) has no inode to keep attributes: the change is
 * accepted and dropped, as fstat reports fixed values for it anyway. */
long lx_sys_fchmod(struct thread *t, const unsigned long *a)
{
	struct vnode *vn;
	int err = fd_vnode(t, (int)a[0], &vn, NULL);

	if (err)
		return err > 0 ? 0 : err;
	err = chmod_vnode(vn, a[1]);
	vnode_put(vn);
	return err;
}

/* The system call has no flags argument (glibc's fchmodat emulates them). */
long lx_sys_fchmodat(struct thread *t, const unsigned long *a)
{
	struct vnode *vn;
	int err = lx_at_lookup(t, (int)a[0], a[1], 0, &vn, NULL);

	if (err)
		return err;
	err = chmod_vnode(vn, a[2]);
	vnode_put(vn);
	return err;
}

/* -1 leaves an id alone. Like Linux (even for root), a change of owner clears
 * set-user-ID, and set-group-ID when the group may execute. */
static int chown_vnode(struct vnode *vn, unsigned long uid, unsigned long gid)
{
	struct vfs_setattr at = {0};
	uint32_t mode;

	if ((uint32_t)uid != (uint32_t)-1) {
		at.mask |= VFS_ATTR_UID;
		at.uid = (uint32_t)uid;
	}
	if ((uint32_t)gid != (uint32_t)-1) {
		at.mask |= VFS_ATTR_GID;
		at.gid = (uint32_t)gid;
	}
	spin_lock(&vn->lock);
	mode = vn->mode & 07777;
	spin_unlock(&vn->lock);
	at.mode = mode & ~LX_S_ISUID;
	if ((mode & (LX_S_ISGID | LX_S_IXGRP)) == (LX_S_ISGID | LX_S_IXGRP))
		at.mode &= ~LX_S_ISGID;
	if (vn->type != VDIR && vn->type != VLNK && at.mode != mode)
		at.mask |= VFS_ATTR_MODE;
	return vfs_setattr(vn, &at);
}

long lx_sys_fchown(struct thread *t, const unsigned long *a)
{
	struct vnode *vn;
	int err = fd_vnode(t, (int)a[0], &vn, NULL);

	if (err)
		return err > 0 ? 0 : err;
	err = chown_vnode(vn, a[1], a[2]);
	vnode_put(vn);
	return err;
}

long lx_sys_fchownat(struct thread *t, const unsigned long *a)
{
	unsigned flags = (unsigned)a[4];
	struct vnode *vn;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = lx_at_lookup(t, (int)a[0], a[1], flags, &vn, NULL);
	if (err)
		return err > 0 ? 0 : err;
	err = chown_vnode(vn, a[2], a[3]);
	vnode_put(vn);
	return err;
}

struct lx_timespec {
	int64_t tv_sec, tv_nsec;
};

#define UTIME_NOW  ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

/* One utimensat time into attr: a mask bit (or none for UTIME_OMIT) and its
 * value. Times before 1970 are stored as 0: the VFS keeps unsigned ns. */
static int utime_one(const struct lx_timespec *ts, unsigned bit, uint64_t *ns, unsigned *mask)
{
	if (ts->tv_nsec == UTIME_OMIT)
		return 0;
	*mask |= bit;
	if (ts->tv_nsec == UTIME_NOW) {
		*ns = vfs_now();
		return 0;
	}
	if (ts->tv_nsec < 0 || ts->tv_nsec > 999999999)
		return -EINVAL;
	*ns = ts->tv_sec < 0 ? 0 : (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
	return 0;
}

static int utimes_vnode(struct vnode *vn, const struct lx_timespec *ts)
{
	struct vfs_setattr at = {0};
	int err;

	if (!ts) {
		at.mask = VFS_ATTR_ATIME | VFS_ATTR_MTIME;
		at.atime_ns = at.mtime_ns = vfs_now();
		return vfs_setattr(vn, &at);
	}
	err = utime_one(&ts[0], VFS_ATTR_ATIME, &at.atime_ns, &at.mask);
	if (!err)
		err = utime_one(&ts[1], VFS_ATTR_MTIME, &at.mtime_ns, &at.mask);
	return err ? err : vfs_setattr(vn, &at);
}

/* utimensat(dirfd, path, times, flags); a NULL path (a Linux extension that
 * futimens uses) names dirfd itself. */
long lx_sys_utimensat(struct thread *t, const unsigned long *a)
{
	struct lx_timespec ts[2];
	unsigned flags = (unsigned)a[3];
	struct vnode *vn;
	int err;

	if (a[2]) {
		if (copy_from_user(ts, a[2], sizeof(ts)))
			return -EFAULT;
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0; /* Linux does not even look the path up */
	}
	if (!a[1] && (int)a[0] != AT_FDCWD)
		err = flags ? -EINVAL : fd_vnode(t, (int)a[0], &vn, NULL);
	else if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		err = -EINVAL;
	else
		err = lx_at_lookup(t, (int)a[0], a[1], flags, &vn, NULL);
	if (err)
		return err > 0 ? 0 : err;
	err = utimes_vnode(vn, a[2] ? ts : NULL);
	vnode_put(vn);
	return err;
}

long lx_sys_truncate(struct thread *t, const unsigned long *a)
{
	struct vnode *vn;
	int err;

	if ((long)a[1] < 0)
		return -EINVAL;
	err = lx_at_lookup(t, AT_FDCWD, a[0], 0, &vn, NULL);
	if (err)
		return err;
	err = vfs_truncate(vn, a[1]);
	vnode_put(vn);
	return err;
}

/* ---- working directory ---- */

long lx_sys_chdir(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	struct vnode *dir;
	char *path;
	int err = at_begin(t, AT_FDCWD, a[0], &path, &dir);
	struct vnode *vn;

	if (err)
		return err;
	err = vfs_lookup(lp->fs->root, dir, path, VFS_LOOKUP_FOLLOW | VFS_LOOKUP_DIRECTORY, &vn);
	if (!err)
		lx_cwd_set(lp, vn);
	at_end(path, dir);
	return err;
}

long lx_sys_fchdir(struct thread *t, const unsigned long *a)
{
	struct vnode *vn;
	int err = fd_vnode(t, (int)a[0], &vn, NULL);

	if (err)
		return err > 0 ? -ENOTDIR : err;
	if (vn->type != VDIR) {
		vnode_put(vn);
		return -ENOTDIR;
	}
	lx_cwd_set(lx_of(t->proc), vn);
	return 0;
}

/* The raw call returns the length including the NUL. */
long lx_sys_getcwd(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	char *buf = kmalloc(VFS_PATH_MAX);
	struct vnode *cwd = lx_cwd_get(lp);
	long n = buf ? vfs_getcwd(lp->fs->root, cwd, buf, VFS_PATH_MAX) : -ENOMEM;

	vnode_put(cwd);
	if (n >= 0 && (size_t)n + 1 > a[1])
		n = -ERANGE;
	else if (n >= 0)
		n = copy_to_user(a[0], buf, (size_t)n + 1) ? -EFAULT : n + 1;
	kfree(buf);
	return n;
}

/* ---- statx ---- */

#define STATX_BASIC_STATS 0x7ffu
#define STATX_MNT_ID	  0x1000u
#define STATX__RESERVED	  0x80000000u

struct lx_statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

/* <linux/stat.h> struct statx: 256 bytes. */
struct lx_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct lx_statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t mnt_id;
	uint32_t dio_mem_align, dio_offset_align;
	uint64_t spare3[12];
};
_Static_assert(sizeof(struct lx_statx) == 256, "struct statx is 256 bytes");

static struct lx_statx_ts statx_ts(uint64_t ns)
{
	return (struct lx_statx_ts){.tv_sec = (int64_t)(ns / 1000000000),
				    .tv_nsec = (uint32_t)(ns % 1000000000)};
}

/* glibc's major()/minor() of a dev_t, so statx agrees with stat. */
static uint32_t dev_major(uint64_t d)
{
	return (uint32_t)(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffull));
}

static uint32_t dev_minor(uint64_t d)
{
	return (uint32_t)((d & 0xff) | ((d >> 12) & ~0xffull));
}

static void statx_fill(struct lx_statx *sx, const struct vfs_stat *st)
{
	memset(sx, 0, sizeof(*sx));
	sx->mask = STATX_BASIC_STATS | STATX_MNT_ID;
	sx->blksize = st->blksize;
	sx->nlink = st->nlink;
	sx->uid = st->uid;
	sx->gid = st->gid;
	sx->mode = (uint16_t)st->mode;
	sx->ino = st->ino;
	sx->size = st->size;
	sx->blocks = st->blocks;
	sx->atime = statx_ts(st->atime_ns);
	sx->mtime = statx_ts(st->mtime_ns);
	sx->ctime = statx_ts(st->ctime_ns);
	sx->rdev_major = dev_major(st->rdev);
	sx->rdev_minor = dev_minor(st->rdev);
	sx->dev_major = dev_major(st->dev);
	sx->dev_minor = dev_minor(st->dev);
	sx->mnt_id = st->dev;
}

/* statx(dirfd, path, flags, mask, buf). Everything the VFS keeps is returned
 * whatever the mask asks (Linux may do so too); there is no birth time. */
long lx_sys_statx(struct thread *t, const unsigned long *a)
{
	unsigned flags = (unsigned)a[2];
	struct vfs_stat st;
	struct lx_statx sx;
	struct vnode *vn;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (a[3] & STATX__RESERVED))
		return -EINVAL;
	err = lx_at_lookup(t, (int)a[0], a[1], flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH), &vn,
			   NULL);
	if (err < 0)
		return err;
	memset(&st, 0, sizeof(st));
	if (err > 0) {
		/* Same as fstat reports for a file without a vnode. */
		st.mode = VFS_S_IFCHR | 0620;
		st.blksize = 1024;
		err = 0;
	} else {
		err = vfs_stat(vn, &st);
		vnode_put(vn);
	}
	if (err)
		return err;
	statx_fill(&sx, &st);
	return copy_to_user(a[4], &sx, sizeof(sx));
}

/* ---- statfs ---- */

#define TMPFS_MAGIC	  0x01021994
#define PROC_SUPER_MAGIC  0x9fa0
#define EXT4_SUPER_MAGIC  0xef53
#define MSDOS_SUPER_MAGIC 0x4d44
#define PIPEFS_MAGIC	  0x50495045
#define ST_RDONLY	  0x0001
#define ST_VALID	  0x0020

/* asm-generic struct statfs on a 64-bit machine: 120 bytes. */
struct lx_statfs {
	int64_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};
_Static_assert(sizeof(struct lx_statfs) == 120, "struct statfs is 120 bytes");

/* Linux's magic for a file system type. devtmpfs is a tmpfs instance on Linux
 * and reports tmpfs's magic, so devfs does too. */
static int64_t fs_magic(const char *name)
{
	static const struct {
		const char *name;
		int64_t magic;
	} tab[] = {{"tmpfs", TMPFS_MAGIC},     {"devfs", TMPFS_MAGIC},
		   {"proc", PROC_SUPER_MAGIC}, {"procfs", PROC_SUPER_MAGIC},
		   {"ext4", EXT4_SUPER_MAGIC}, {"fat32", MSDOS_SUPER_MAGIC},
		   {"vfat", MSDOS_SUPER_MAGIC}};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(tab[i].name, name))
			return tab[i].magic;
	return 0;
}

/* vn NULL: a pipe. tmpfs may use all free memory, so that is its size; the
 * inode count is an estimate (one page per inode) for tools that divide. */
static int statfs_out(struct vnode *vn, uaddr_t ubuf)
{
	struct lx_statfs sf;
	struct vfs_statfs fs;
	int err = vn ? vfs_statfs(vn, &fs) : -ENOSYS;

	if (err && err != -ENOSYS)
		return err;
	memset(&sf, 0, sizeof(sf));
	sf.f_type = vn ? fs_magic(vn->mnt->fstype->name) : PIPEFS_MAGIC;
	sf.f_bsize = sf.f_frsize = PAGE_SIZE;
	sf.f_namelen = VFS_NAME_MAX;
	sf.f_flags = ST_VALID;
	if (vn) {
		sf.f_fsid[0] = (int32_t)vn->mnt->dev;
		if (!strcmp(vn->mnt->fstype->name, "tmpfs")) {
			unsigned long live = vfs_vnode_count();
			sf.f_blocks = (int64_t)pmm_total_pages();
			sf.f_bfree = sf.f_bavail = (int64_t)pmm_free_pages();
			sf.f_files = sf.f_blocks > (int64_t)live ? sf.f_blocks : (int64_t)live;
			sf.f_ffree = sf.f_files - (int64_t)live;
		}
	}
	if (!err) {
		sf.f_type = (int64_t)fs.magic;
		sf.f_bsize = sf.f_frsize = fs.bsize;
		sf.f_blocks = (int64_t)fs.blocks;
		sf.f_bfree = (int64_t)fs.bfree;
		sf.f_bavail = (int64_t)fs.bavail;
		sf.f_files = (int64_t)fs.files;
		sf.f_ffree = (int64_t)fs.ffree;
		sf.f_namelen = fs.namelen;
		if (fs.readonly)
			sf.f_flags |= ST_RDONLY;
	}
	return copy_to_user(ubuf, &sf, sizeof(sf));
}

long lx_sys_statfs(struct thread *t, const unsigned long *a)
{
	struct vnode *vn;
	int err = lx_at_lookup(t, AT_FDCWD, a[0], 0, &vn, NULL);

	if (err)
		return err;
	err = statfs_out(vn, a[1]);
	vnode_put(vn);
	return err;
}

long lx_sys_fstatfs(struct thread *t, const unsigned long *a)
{
	struct vnode *vn;
	int err = fd_vnode(t, (int)a[0], &vn, NULL);

	if (err < 0)
		return err;
	err = statfs_out(vn, a[1]);
	vnode_put(vn);
	return err;
}
