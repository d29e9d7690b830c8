/*
 * The virtual file system: vnodes, open files, mounts and path resolution.
 *
 * A vnode is one in-memory file system object (an inode). It is reference
 * counted (vnode_get/vnode_put); when the last reference goes, its file system's
 * release op frees the private data and the VFS frees the vnode. Who holds
 * references: open files, the dentry cache (each cached name holds its parent and
 * its child), mounts (their root and the vnode they cover), path walks in
 * progress, and whatever the file system keeps itself (tmpfs directories hold
 * their entries' vnodes).
 *
 * A struct file is one open file description: a vnode, an offset and the open
 * flags, plus a file_ops table so devices, and later pipes and sockets, supply
 * their own read/write. Every operation moves data through a struct uio and never
 * sleeps: an operation that would have to wait returns -EAGAIN with nothing
 * consumed, and the syscall layer parks the thread and retries later.
 *
 * Nothing here holds a spinlock across copy_to_user/copy_from_user: file systems
 * copy through a bounded kernel buffer or pin a page and drop their lock first.
 *
 * Lock order (outermost first): mount->rename_lock; directory vnode locks (two
 * directories by address, or parent before child); other vnode locks; the dentry
 * cache lock and the mount table lock (leaves, never held while calling a file
 * system); the allocators' locks. No vnode_put runs with a vnode lock held.
 *
 * Not yet: permission checks (no credentials exist yet), negative dentries,
 * unmounting, wall-clock time (timestamps are nanoseconds since boot).
 */
#ifndef FS_VFS_H
#define FS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <core/list.h>
#include <core/sched.h>
#include <core/spinlock.h>
#include <hal/mmu.h>
#include <weft/errno.h>

#define VFS_NAME_MAX	255  /* longest path component */
#define VFS_PATH_MAX	4096 /* longest path, including the NUL */
#define VFS_SYMLINK_MAX 40   /* symlinks followed in one walk before -ELOOP */

/* st_mode bits (Linux values). */
#define VFS_S_IFMT   0170000
#define VFS_S_IFSOCK 0140000
#define VFS_S_IFLNK  0120000
#define VFS_S_IFREG  0100000
#define VFS_S_IFBLK  0060000
#define VFS_S_IFDIR  0040000
#define VFS_S_IFCHR  0020000
#define VFS_S_IFIFO  0010000

/* Open flags: Linux asm-generic values, so the personality passes them through. */
#define VFS_O_ACCMODE	0003
#define VFS_O_RDONLY	0000
#define VFS_O_WRONLY	0001
#define VFS_O_RDWR	0002
#define VFS_O_CREAT	0100
#define VFS_O_EXCL	0200
#define VFS_O_TRUNC	01000
#define VFS_O_APPEND	02000
#define VFS_O_NONBLOCK	04000
#define VFS_O_DIRECTORY 0200000
#define VFS_O_NOFOLLOW	0400000
#define VFS_O_CLOEXEC	02000000

#define VFS_SEEK_SET 0
#define VFS_SEEK_CUR 1
#define VFS_SEEK_END 2

/* poll readiness bits (Linux values). */
#define VFS_POLLIN  0x001
#define VFS_POLLOUT 0x004
#define VFS_POLLERR 0x008
#define VFS_POLLHUP 0x010

/* d_type values of struct vfs_dirent64. */
#define VFS_DT_UNKNOWN 0
#define VFS_DT_FIFO    1
#define VFS_DT_CHR     2
#define VFS_DT_DIR     4
#define VFS_DT_REG     8
#define VFS_DT_LNK     10

/* vfs_lookup flags. */
#define VFS_LOOKUP_FOLLOW    0x1 /* follow a symlink in the last component */
#define VFS_LOOKUP_DIRECTORY 0x2 /* the result must be a directory */

/* Largest file size the VFS lets a file system reach. */
#define VFS_FILE_SIZE_MAX (1ULL << 40)

enum vtype { VNON = 0, VREG, VDIR, VLNK, VCHR, VFIFO };

struct vnode;
struct file;
struct mount;
struct uio;
struct waitq;

/*
 * Bytes to move between a kernel buffer and a user or kernel range. base is a
 * user address when user is set, else a kernel pointer; off is the file offset
 * the transfer is at. uio_move and friends advance base and off and shrink resid.
 */
struct uio {
	uint64_t base;
	size_t resid;
	bool user;
	bool no_room;	/* a getdents record did not fit (vfs_dirent_emit) */
	uint64_t off;
};

/* getdents64 record layout; records are padded to 8 bytes. */
struct vfs_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

struct vfs_stat {
	uint64_t dev;
	uint64_t ino;
	uint32_t mode;
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint64_t rdev;
	uint64_t size;
	uint32_t blksize;
	uint64_t blocks; /* 512-byte units */
	uint64_t atime_ns, mtime_ns, ctime_ns;
};

/* vfs_setattr mask bits. */
#define VFS_ATTR_MODE  0x01
#define VFS_ATTR_UID   0x02
#define VFS_ATTR_GID   0x04
#define VFS_ATTR_ATIME 0x08
#define VFS_ATTR_MTIME 0x10

struct vfs_setattr {
	unsigned mask;
	uint32_t mode; /* permission bits only; the type never changes */
	uint32_t uid, gid;
	uint64_t atime_ns, mtime_ns;
};

/* vnode_ops write flags. */
#define VFS_IO_APPEND 0x1 /* write at the current end of file, atomically */

/*
 * What a file system implements. Conventions for every op:
 * - Return 0 or a negative errno. Names are NUL-terminated single components,
 *   never "." (the VFS handles it); ".." reaches lookup only for a directory that
 *   is not the root of its mount.
 * - An out vnode is a new reference owned by the caller.
 * - Data ops advance the uio; a fault after some bytes moved is reported by the
 *   VFS as a short count. The caller holds a reference on every vnode passed in
 *   and no VFS lock.
 * Ops may be NULL: the VFS then answers -EPERM (namespace ops), -EINVAL (data
 * ops) or -ENOTDIR (directory ops on a non-directory).
 */
struct vnode_ops {
	int (*lookup)(struct vnode *dir, const char *name, struct vnode **out);
	int (*create)(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out);
	int (*mkdir)(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out);
	/* A special file: mode holds its type (VFS_S_IFIFO...) and permissions. */
	int (*mknod)(struct vnode *dir, const char *name, uint32_t mode, uint32_t rdev,
		     struct vnode **out);
	int (*symlink)(struct vnode *dir, const char *name, const char *target, struct vnode **out);
	int (*link)(struct vnode *dir, const char *name, struct vnode *target);
	int (*unlink)(struct vnode *dir, const char *name);
	int (*rmdir)(struct vnode *dir, const char *name);
	/* Both directories are on the vnode's mount; the VFS checked that. */
	int (*rename)(struct vnode *olddir, const char *oldname, struct vnode *newdir,
		      const char *newname);
	int (*readlink)(struct vnode *vn, struct uio *uio);
	int (*read)(struct vnode *vn, struct uio *uio);
	int (*write)(struct vnode *vn, struct uio *uio, unsigned ioflags);
	int (*truncate)(struct vnode *vn, uint64_t size);
	/* Fill vfs_dirent64 records from directory position *pos, updating it. */
	int (*readdir)(struct vnode *dir, struct uio *uio, uint64_t *pos);
	/* Optional: refresh fields before a stat (the VFS copies them out itself). */
	int (*getattr)(struct vnode *vn, struct vfs_stat *st);
	int (*setattr)(struct vnode *vn, const struct vfs_setattr *attr);
	/* The page holding file offset off (page aligned), with a reference for the
	 * caller (drop it with pmm_unref). Holes are filled in when alloc is set. */
	int (*getpage)(struct vnode *vn, uint64_t off, bool alloc, paddr_t *out);
	/* Optional: write the file's data and metadata to stable storage. */
	int (*fsync)(struct vnode *vn);
	/* Optional: set f->fops/f->priv for a device node being opened. */
	int (*open)(struct vnode *vn, struct file *f);
	/* The last reference is gone: free the file system's private data. */
	void (*release)(struct vnode *vn);
};

struct vnode {
	/* Immutable after vnode_alloc. */
	enum vtype type;
	uint64_t ino;
	const struct vnode_ops *ops;
	struct mount *mnt;
	void *priv; /* file system private */
	uint32_t rdev;

	unsigned refcount; /* atomic */
	/* atomic: open files that may write it (> 0), or images being executed
	 * (< 0); each excludes the other (ETXTBSY): vnode_get_write. */
	int writecount;

	struct spinlock lock;
	uint32_t mode;			       /* lock: type and permission bits */
	uint32_t uid, gid;		       /* lock */
	uint32_t nlink;			       /* lock */
	uint64_t size;			       /* lock */
	uint64_t atime_ns, mtime_ns, ctime_ns; /* lock */

	struct vfs_pcache *pcache; /* lock: pages of a disk file system's file (pcache.c) */
	struct mount *covered_by; /* mount table lock: mount whose root hides this one */
	uint64_t dcache_gen;	  /* dentry cache lock: bumped when a name here goes away */
};

/*
 * Open-file operations. read/write use and advance uio->off; the VFS loads it
 * from the file's offset and stores it back for seekable files. -EAGAIN with
 * nothing moved means "would block". NULL read/write means -EINVAL, NULL lseek
 * means -ESPIPE, NULL ioctl means -ENOTTY, NULL poll means always ready.
 */
struct file_ops {
	int (*open)(struct file *f);
	int (*read)(struct file *f, struct uio *uio);
	int (*write)(struct file *f, struct uio *uio);
	int (*lseek)(struct file *f, int64_t off, int whence, uint64_t *newoff);
	/* Returns a non-negative result or a negative errno. */
	long (*ioctl)(struct file *f, unsigned long cmd, uint64_t arg);
	int (*readdir)(struct file *f, struct uio *uio);
	unsigned (*poll)(struct file *f);
	/* Optional: the queue a thread parks on when read (or write) said -EAGAIN;
	 * the file wakes it when that may have changed. NULL: the file never blocks. */
	struct waitq *(*wait_queue)(struct file *f, bool for_write);
	void (*release)(struct file *f);
};

struct file {
	unsigned refcount;	     /* atomic */
	struct vnode *vn;	     /* immutable; holds a reference (NULL for anonymous files) */
	unsigned flags;		     /* VFS_O_* given to open, minus CREAT/EXCL/TRUNC */
	const struct file_ops *fops; /* immutable after open */
	void *priv;		     /* file_ops private */
	struct spinlock lock;	     /* serialises changes of flags (F_SETFL) */
	uint64_t off;	/* file_off / file_set_off */
	bool has_locks; /* OFD or flock locks were set through it (fs/locks.h) */
	bool writer;	/* immutable: holds write access to vn (vnode_get_write) */
};

/* The offset of an open file, loaded and stored whole. Ops on one open file
 * are not serialised against each other (each reads the offset, moves, then
 * stores it), so a lock around the load or the store alone would add nothing. */
static inline uint64_t file_off(const struct file *f)
{
	return __atomic_load_n(&f->off, __ATOMIC_RELAXED);
}

static inline void file_set_off(struct file *f, uint64_t off)
{
	__atomic_store_n(&f->off, off, __ATOMIC_RELAXED);
}

/* A mounted file system instance. */
struct mount {
	const struct vfs_fstype *fstype; /* immutable */
	struct vnode *root;		 /* immutable; holds a reference */
	struct vnode *covered;		 /* immutable; holds a reference; NULL for / */
	struct mount *parent;		 /* immutable */
	void *priv;			 /* file system private */
	uint32_t dev;			 /* immutable: st_dev of its vnodes */
	struct spinlock rename_lock;	 /* serialises multi-vnode namespace ops */
	unsigned nvnodes;		 /* atomic: live vnodes of this instance */
	struct list link;		 /* mount table lock */
};

/* What statfs reports for a mounted instance. */
struct vfs_statfs {
	uint64_t magic;	      /* Linux f_type value */
	uint32_t bsize;	      /* block size */
	uint64_t blocks, bfree, bavail;
	uint64_t files, ffree;
	uint32_t namelen;
	bool readonly;
};

/* vfs_fstype flags. */
#define VFS_FS_BLOCKING 0x1 /* ops may sleep (disk I/O): run only where blocking is allowed */
#define VFS_FS_NOCASE	0x2 /* names match without case: removing one drops every cached
			     * name of its directory (other spellings may point to it) */

/*
 * The first statement of every vnode op (but release) and fstype hook of a
 * VFS_FS_BLOCKING file system. Outside a context that may block (a user
 * thread's syscall on the per-CPU stack) the op does nothing and returns
 * -ESVC; the syscall layer then runs the whole call again in the file-system
 * service, where it may block. So the op must come before any side effect of
 * the call, which holds because each call reaches one file system's ops only
 * after its own side-effect-free steps (path walk, fd lookup).
 */
#define VFS_MUST_BLOCK()                                                                           \
	do {                                                                                       \
		if (!sched_may_block())                                                            \
			return -ESVC;                                                              \
	} while (0)

struct vfs_fstype {
	const char *name;
	unsigned flags; /* VFS_FS_* */
	/* Build the root vnode of a new instance; mnt->priv may be set. */
	int (*mount)(struct mount *mnt, const char *source, const void *data, struct vnode **root);
	/* Optional, all called with a reference to the instance's root held: */
	/* write everything dirty to stable storage (sync, umount). */
	int (*sync)(struct mount *mnt);
	int (*statfs)(struct mount *mnt, struct vfs_statfs *st);
	/* The instance is being unmounted: write back and free mnt->priv. */
	void (*unmount)(struct mount *mnt);
	/* After a fault inside the file system's code: forget cached state that
	 * may be torn and re-read it from the disk. */
	void (*recover)(struct mount *mnt);
};

/* ---- vnodes (vnode.c) ---- */

/*
 * A new vnode with one reference, on mnt, with the given type and permission
 * bits (mode's type bits are ignored), nlink 1, times now and a fresh ino from
 * mnt. Returns 0 or -ENOMEM. Takes no lock the caller may hold except allocators.
 */
int vnode_alloc(struct mount *mnt, enum vtype type, uint32_t mode, const struct vnode_ops *ops,
		struct vnode **out);
/* Take another reference (the caller already has one). */
struct vnode *vnode_get(struct vnode *vn);
/* Take a reference unless the count already reached zero (the vnode is being
 * released): for a file system's own inode cache, looked up under the lock its
 * release op also takes. Returns vn, or NULL if it is going away. */
struct vnode *vnode_tryget(struct vnode *vn);
/* Drop a reference; the last one releases the vnode. NULL is ignored. Call with
 * no vnode lock held. */
void vnode_put(struct vnode *vn);
/*
 * Write access against execution (Linux's ETXTBSY): a regular file open for
 * writing holds write access, a running image denies it. vnode_get_write and
 * vnode_deny_write return 0, or -ETXTBSY when the other kind is held; each
 * success is undone by vnode_put_write / vnode_allow_write. Lock-free.
 */
int vnode_get_write(struct vnode *vn);
void vnode_put_write(struct vnode *vn);
int vnode_deny_write(struct vnode *vn);
void vnode_allow_write(struct vnode *vn);
/* Live vnodes in the system (for leak checks and statistics). */
unsigned long vfs_vnode_count(void);
/* The S_IF* bits of a vnode type, and the reverse. */
uint32_t vfs_type_to_mode(enum vtype t);
/* Current time for timestamps (ns). */
uint64_t vfs_now(void);

/* ---- uio (vnode.c) ---- */

/*
 * Move up to n bytes between kbuf and uio (to_uio: kbuf -> uio). Moves
 * min(n, resid) bytes. Returns 0 or -EFAULT (then nothing is accounted). Must be
 * called with no spinlock held when uio->user is set.
 */
int uio_move(void *kbuf, size_t n, struct uio *uio, bool to_uio);
/* Write n zero bytes into the uio (bounded by resid): 0 or -EFAULT. */
int uio_zero(size_t n, struct uio *uio);
/* Account n bytes as consumed without copying (for sinks like /dev/null). */
void uio_skip(size_t n, struct uio *uio);
/* A kernel-memory uio over buf[0..len) at offset off. */
void uio_init_kernel(struct uio *uio, void *buf, size_t len, uint64_t off);
void uio_init_user(struct uio *uio, uint64_t ubase, size_t len, uint64_t off);
/*
 * Append one getdents64 record to uio. Returns 0 when written, 1 when it does not
 * fit (nothing written; uio->no_room is set, so that vfs_getdents reports a
 * buffer too small for one record as -EINVAL), or -EFAULT.
 */
int vfs_dirent_emit(struct uio *uio, uint64_t ino, uint64_t next_pos, unsigned dtype,
		    const char *name, size_t namelen);
unsigned vfs_type_to_dtype(enum vtype t);

/* ---- files (file.c) ---- */

/* A new file with one reference on vn (takes its own vnode reference). fops is
 * set from the vnode (its open op, else the generic vnode file ops). */
int file_alloc(struct vnode *vn, unsigned flags, struct file **out);
struct file *file_get(struct file *f);
/* Drop a reference; the last runs fops->release and drops the vnode. */
void file_put(struct file *f);
/* Generic file_ops over vnode_ops, for regular files, directories and symlinks. */
extern const struct file_ops vfs_vnode_fops;

/* ---- path resolution (namei.c) ---- */

/*
 * Resolve path to a vnode. root is the caller's root directory (".." never goes
 * above it; absolute paths and symlinks start there), cwd the starting directory
 * of relative paths. Both are borrowed. flags: VFS_LOOKUP_*. A trailing slash
 * requires a directory and follows a final symlink. On success *out is a new
 * reference. Errors: -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG, -ENOMEM, or the
 * file system's. Takes and drops vnode and dentry cache locks; never sleeps.
 */
int vfs_lookup(struct vnode *root, struct vnode *cwd, const char *path, unsigned flags,
	       struct vnode **out);

/* Result of vfs_lookup_parent. */
struct vfs_parent {
	struct vnode *dir;	     /* a reference, dropped by vfs_parent_put */
	char name[VFS_NAME_MAX + 1]; /* last component: may be "", "." or ".." */
	bool trailing_slash;	     /* the path ended in '/' */
};

/*
 * Resolve all but the last component of path (following symlinks on the way):
 * p->dir is the directory that would hold it. -ENOTDIR if the parent is not a
 * directory. p->name is "" only for "/".
 */
int vfs_lookup_parent(struct vnode *root, struct vnode *cwd, const char *path,
		      struct vfs_parent *p);
void vfs_parent_put(struct vfs_parent *p);
/* One name in one directory: dentry cache, then the file system; crosses mounts
 * on the result. name must not be "." or "..". */
int vfs_lookup_child(struct vnode *dir, const char *name, struct vnode **out);

/* ---- dentry cache (dcache.c) ---- */

#define VFS_DCACHE_MAX 4096 /* cached names before least-recently-used eviction */

/* Drop every cached name (their references go too). */
void vfs_dcache_flush(void);
/* Names currently cached. */
unsigned vfs_dcache_count(void);

/* ---- mounts (mount.c) ---- */

/* Register a file system type (name and ops static). 0, -EEXIST or -ENOMEM. */
int vfs_register_fstype(const struct vfs_fstype *fs);
/*
 * Mount a new instance of fstype on the directory target (resolved from the root).
 * 0, -ENODEV (unknown type), -ENOTDIR, -EBUSY (something is already mounted
 * there), -ENOMEM or the file system's error.
 */
int vfs_mount(const char *fstype, const char *target, const char *source, const void *data);
/* The same with target resolved from root/cwd as vfs_lookup does. */
int vfs_mount_at(struct vnode *root, struct vnode *cwd, const char *fstype, const char *target,
		 const char *source, const void *data);
/* Call fn for every mount, in mount order, until it returns non-zero (which is
 * returned). fn runs with no lock held; the mount stays valid during the call. */
int vfs_mount_foreach(int (*fn)(struct mount *m, void *arg), void *arg);
/* Detach the mount whose root is target and write back its dirty data: 0,
 * -EINVAL (not a mount point or the root), -EBUSY (in use or covered, unless
 * detach), a lookup error, or the file system's sync error (it is detached). */
int vfs_umount_at(struct vnode *root, struct vnode *cwd, const char *target, bool detach);
/*
 * Set up the VFS: register tmpfs and devfs, mount tmpfs as / and devfs on /dev.
 * Called once at boot, before any other vfs_ call.
 */
int vfs_init(void);
/*
 * Make a new instance of fstype on source the root of the system (the boot's
 * root= file system): "/" and every later absolute path resolve there; the
 * old root tree stays mounted but unreachable. devfs moves to its /dev
 * (created if missing). Before any process exists. 0 or the mount's error.
 */
int vfs_mount_root(const char *fstype, const char *source, const void *data);
/* Write back every file system's dirty data: 0 or the first error. -ESVC
 * outside a blocking context when a disk file system is mounted. */
int vfs_sync_all(void);
/* The statfs figures of vn's file system: 0, -ENOSYS (it has none: the caller
 * makes them up), -ESVC, or its error. */
int vfs_statfs(struct vnode *vn, struct vfs_statfs *st);
/* The root directory of the system. Borrowed: the root mount never goes away. */
struct vnode *vfs_root(void);
/* If vn is covered by a mount, the root of the topmost one (a new reference,
 * vn's reference dropped); else vn. */
struct vnode *vfs_cross_mounts(struct vnode *vn);

/* ---- system-call level operations (vfsops.c) ---- */
/*
 * root and cwd as for vfs_lookup. All return 0 (or a byte count) or a negative
 * errno and never sleep.
 */
int vfs_open(struct vnode *root, struct vnode *cwd, const char *path, unsigned oflags,
	     uint32_t mode, struct file **out);
/* Open vn itself (found by other means than a path): a new open file
 * description with oflags (O_TRUNC applies; O_CREAT and O_EXCL do nothing). */
int vfs_open_vnode(struct vnode *vn, unsigned oflags, struct file **out);
/* Read/write at the file offset (write honours O_APPEND): bytes moved or -errno.
 * -EAGAIN with nothing moved means "would block". */
long vfs_read(struct file *f, struct uio *uio);
long vfs_write(struct file *f, struct uio *uio);
/* Read/write at uio->off without touching the file offset (-ESPIPE if the file
 * has no offset). */
long vfs_pread(struct file *f, struct uio *uio);
long vfs_pwrite(struct file *f, struct uio *uio);
int vfs_lseek(struct file *f, int64_t off, int whence, uint64_t *newoff);
long vfs_ioctl(struct file *f, unsigned long cmd, uint64_t arg);
unsigned vfs_poll(struct file *f);
/* Fill getdents64 records from the file's position: bytes written, 0 at end. */
long vfs_getdents(struct file *f, struct uio *uio);
int vfs_stat(struct vnode *vn, struct vfs_stat *st);
int vfs_setattr(struct vnode *vn, const struct vfs_setattr *attr);
int vfs_truncate(struct vnode *vn, uint64_t size);
int vfs_mkdir(struct vnode *root, struct vnode *cwd, const char *path, uint32_t mode);
/* Make a special file (mode: type and permission bits) at path: -EEXIST,
 * -EPERM if the file system cannot, or the lookup's errors. */
int vfs_mknod(struct vnode *root, struct vnode *cwd, const char *path, uint32_t mode,
	      uint32_t rdev);
int vfs_unlink(struct vnode *root, struct vnode *cwd, const char *path);
int vfs_rmdir(struct vnode *root, struct vnode *cwd, const char *path);
int vfs_rename(struct vnode *root, struct vnode *cwd, const char *oldpath, const char *newpath);
int vfs_symlink(struct vnode *root, struct vnode *cwd, const char *target, const char *linkpath);
/* Hard link: oldpath's last symlink is not followed (linkat without
 * AT_SYMLINK_FOLLOW). */
int vfs_link(struct vnode *root, struct vnode *cwd, const char *oldpath, const char *newpath);
/* The target of the symlink at path into uio (not NUL-terminated): its length. */
long vfs_readlink(struct vnode *root, struct vnode *cwd, const char *path, struct uio *uio);
/* Read up to len bytes at off into a kernel buffer: bytes read or -errno. */
long vfs_read_kernel(struct vnode *vn, uint64_t off, void *buf, size_t len);
/* A page of vn at off (page aligned) with a reference, for mmap and exec.
 * On a disk file system it comes from the page cache; a miss is -ESVC where
 * the file system cannot run (no blocking allowed, or a spinlock held). */
int vfs_getpage(struct vnode *vn, uint64_t off, bool alloc, paddr_t *out);

/* ---- page cache of disk file systems (pcache.c) ---- */

/* vfs_getpage for a VFS_FS_BLOCKING file system. */
int vfs_pcache_getpage(struct vnode *vn, uint64_t off, bool alloc, paddr_t *out);
/* Forget cached pages of vn in [from, to), dirty or not. */
void vfs_pcache_invalidate(struct vnode *vn, uint64_t from, uint64_t to);
/* write(2) put [from, to) into the file, whose size was old_size: the cached
 * pages there take the new bytes (read back from the file system, which may
 * block). */
void vfs_pcache_written(struct vnode *vn, uint64_t old_size, uint64_t from, uint64_t to);
/* The file was truncated from old_size to size: zero the last page's tail,
 * drop the pages past the end. */
void vfs_pcache_truncate(struct vnode *vn, uint64_t old_size, uint64_t size);
/* Drop the whole cache (the vnode is being released). */
void vfs_pcache_free(struct vnode *vn);

/* Dirty pages (pcache_wb.c). A store through a VM_SHARED mapping is about to
 * change the cached page at off (under vm->lock; does not sleep). */
void vfs_pcache_dirty(struct vnode *vn, uint64_t off);
/* Shared mappings of vn: prepare (0 or -ENOMEM) before mapping, then +1 per
 * region made, -1 per region gone (the pager's get and put). */
int vfs_pcache_share_prepare(struct vnode *vn);
void vfs_pcache_share(struct vnode *vn, int delta);
bool vfs_pcache_has_dirty(struct vnode *vn);
/* Write vn's dirty pages in [from, to) to the file: 0, -errno, or -ESVC
 * (nothing done) where there is some to write and blocking is not allowed. */
int vfs_pcache_flush(struct vnode *vn, uint64_t from, uint64_t to);
/* vfs_pcache_flush every dirty file of mount m (NULL: of all): the first error. */
int vfs_pcache_sync_mount(struct mount *m);

#endif
