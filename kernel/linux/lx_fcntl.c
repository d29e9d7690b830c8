/*
 * Descriptor-level file syscalls of the Linux personality: dup3 and fcntl
 * (which edit the descriptor table), positional I/O (pread64, pwrite64),
 * in-kernel copies (sendfile, copy_file_range), size and durability
 * (ftruncate, fsync, fdatasync, sync).
 *
 * The table is struct lx_files from <linux/lx.h>: a slot and its close-on-exec
 * bit change together under the table's lock, and a file replaced in a slot is
 * released after the lock is dropped (its release may do anything).
 *
 * sendfile and copy_file_range move data through one kernel page: read a chunk
 * at the source offset, write it to the destination, and advance the offsets by
 * what was written, so nothing read is lost when the destination takes less. A
 * call copies at most LX_XFER_MAX bytes, keeping the hart's syscall short;
 * callers loop on short counts. The source offset is stored back only at the
 * end, so a call that parks (the destination pipe is full and nothing moved
 * yet) restarts from scratch with nothing consumed.
 *
 * Record locks (F_GETLK, F_SETLK, F_SETLKW and the OFD variants) are in
 * lx_lock.c. tmpfs keeps everything in memory, so fsync and friends only validate.
 */
#include "lx_file.h"
#include <core/slab.h>
#include <lib/string.h>

#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_GETOWN	9
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC	1

#define LX_O_LARGEFILE 0100000 /* asm-generic; every open on a 64-bit kernel */
#define LX_SETFL_MASK  (VFS_O_APPEND | VFS_O_NONBLOCK)

#define LX_RW_MAX     0x7ffff000UL /* Linux's MAX_RW_COUNT */
#define LX_XFER_CHUNK PAGE_SIZE
#define LX_XFER_MAX   (1UL << 20)

/* ---- descriptor table ---- */

static bool cloexec_locked(struct lx_files *fs, int fd)
{
	return fs->cloexec[fd / 64] & (1ull << (fd % 64));
}


/* Put f (whose reference the table takes) into slot fd; the file that was
 * there, if any, is dropped after the lock. */
static void fd_replace(struct proc *p, int fd, struct file *f, bool cloexec)
{
	struct lx_files *fs = lx_of(p)->files;
	struct file *old;

	spin_lock(&fs->lock);
	old = fs->fd[fd];
	lx_fd_fill_locked(fs, fd, f, cloexec);
	spin_unlock(&fs->lock);
	lx_fd_closed(p, old);
}

/* Install f (reference taken) in the lowest free slot >= min: the fd or -EMFILE. */
static int fd_install_from(struct proc *p, int min, struct file *f, bool cloexec)
{
	struct lx_files *fs = lx_of(p)->files;
	int fd;

	spin_lock(&fs->lock);
	for (fd = min; fd < LX_NFD && fs->fd[fd]; fd++)
		;
	if (fd < LX_NFD)
		lx_fd_fill_locked(fs, fd, f, cloexec);
	spin_unlock(&fs->lock);
	return fd < LX_NFD ? fd : -EMFILE;
}

long lx_sys_dup3(struct thread *t, const unsigned long *a)
{
	int oldfd = (int)a[0], newfd = (int)a[1];
	struct file *f;

	if (a[2] & ~(unsigned long)VFS_O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if (newfd < 0 || newfd >= LX_NFD)
		return -EBADF;
	f = lx_fd_get(t->proc, oldfd);
	if (!f)
		return -EBADF;
	fd_replace(t->proc, newfd, f, a[2] & VFS_O_CLOEXEC);
	return newfd;
}

/* F_GETFD / F_SETFD: the close-on-exec bit of an open slot, or -EBADF. */
static long fcntl_fd_flags(struct proc *p, int fd, bool set, unsigned long arg)
{
	struct lx_files *fs = lx_of(p)->files;
	long r = -EBADF;

	if (fd < 0 || fd >= LX_NFD)
		return -EBADF;
	spin_lock(&fs->lock);
	if (fs->fd[fd]) {
		r = cloexec_locked(fs, fd) ? FD_CLOEXEC : 0;
		if (set) {
			lx_fd_set_cloexec_locked(fs, fd, arg & FD_CLOEXEC);
			r = 0;
		}
	}
	spin_unlock(&fs->lock);
	return r;
}

/* F_GETFL: the open flags (O_CLOEXEC belongs to the descriptor, not here). */
static long fcntl_getfl(struct file *f)
{
	unsigned fl = __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & ~VFS_O_CLOEXEC;

	return (long)(f->vn ? fl | LX_O_LARGEFILE : fl);
}

/* F_SETFL: only O_APPEND and O_NONBLOCK change; other bits are ignored. */
static long fcntl_setfl(struct file *f, unsigned long arg)
{
	spin_lock(&f->lock);
	unsigned fl = (f->flags & ~LX_SETFL_MASK) | ((unsigned)arg & LX_SETFL_MASK);
	__atomic_store_n(&f->flags, fl, __ATOMIC_RELAXED);
	spin_unlock(&f->lock);
	return 0;
}

static long fcntl_file(struct thread *t, struct file *f, int cmd, unsigned long arg)
{
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= LX_NFD)
			return -EINVAL;
		return fd_install_from(t->proc, (int)arg, file_get(f), cmd == F_DUPFD_CLOEXEC);
	case F_GETFL:
		return fcntl_getfl(f);
	case F_SETFL:
		return fcntl_setfl(f, arg);
	case F_GETOWN:
		return 0; /* no SIGIO owner can be set */
	default:
		if (lx_is_lock_cmd(cmd))
			return lx_fcntl_lock(t, f, cmd, arg);
		return -EINVAL; /* F_SETOWN, leases, seals... */
	}
}

long lx_sys_fcntl(struct thread *t, const unsigned long *a)
{
	int fd = (int)a[0], cmd = (int)a[1];
	struct file *f;
	long r;

	if (cmd == F_GETFD || cmd == F_SETFD)
		return fcntl_fd_flags(t->proc, fd, cmd == F_SETFD, a[2]);
	f = lx_fd_get(t->proc, fd);
	if (!f)
		return -EBADF;
	r = fcntl_file(t, f, cmd, a[2]);
	file_put(f);
	if (r == -EMFILE && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		file_put(f); /* the reference meant for the new slot */
	return r;
}

/* ---- positional I/O ---- */

static long prw(struct thread *t, const unsigned long *a, bool write)
{
	size_t len = a[2] > LX_RW_MAX ? LX_RW_MAX : a[2];
	int64_t off = (int64_t)a[3];
	struct file *f;
	struct uio u;
	long r;

	if (off < 0)
		return -EINVAL;
	f = lx_fd_get(t->proc, (int)a[0]);
	if (!f)
		return -EBADF;
	if (!uaccess_ok(a[1], len)) {
		file_put(f);
		return -EFAULT;
	}
	uio_init_user(&u, a[1], len, (uint64_t)off);
	r = write ? vfs_pwrite(f, &u) : vfs_pread(f, &u);
	file_put(f);
	return r;
}

long lx_sys_pread64(struct thread *t, const unsigned long *a)
{
	return prw(t, a, false);
}

long lx_sys_pwrite64(struct thread *t, const unsigned long *a)
{
	return prw(t, a, true);
}

/* ---- in-kernel copies ---- */

struct xfer {
	struct file *in, *out;
	uint64_t in_off;  /* advanced by what was written */
	uint64_t out_off; /* used and advanced when out_pos */
	bool out_pos;	  /* write out at out_off (else at out's own offset) */
	size_t count;
};

/* Move up to x->count bytes: the count moved, or the first error if none. */
static long xfer_run(struct xfer *x)
{
	char *buf = kmalloc(LX_XFER_CHUNK);
	size_t total = 0, max = x->count < LX_XFER_MAX ? x->count : LX_XFER_MAX;
	long r = 0;

	if (!buf)
		return -ENOMEM;
	while (total < max) {
		size_t n = max - total < LX_XFER_CHUNK ? max - total : LX_XFER_CHUNK;
		struct uio u;
		long got;

		uio_init_kernel(&u, buf, n, x->in_off);
		got = r = vfs_pread(x->in, &u);
		if (r <= 0)
			break;
		uio_init_kernel(&u, buf, (size_t)got, x->out_off);
		r = x->out_pos ? vfs_pwrite(x->out, &u) : vfs_write(x->out, &u);
		if (r <= 0)
			break;
		total += (size_t)r;
		x->in_off += (uint64_t)r;
		x->out_off += (uint64_t)r;
		if (r < got)
			break;
	}
	kfree(buf);
	return total ? (long)total : r;
}


static bool file_can(const struct file *f, bool write)
{
	unsigned acc = f->flags & VFS_O_ACCMODE;

	return write ? acc == VFS_O_WRONLY || acc == VFS_O_RDWR
		     : acc == VFS_O_RDONLY || acc == VFS_O_RDWR;
}

/* sendfile's checks on its two files, in Linux's order. */
static int sendfile_check(struct file *in, struct file *out)
{
	if (!file_can(in, false))
		return -EBADF;
	if (!in->vn || !in->fops->lseek)
		return -ESPIPE;
	if (in->vn->type == VDIR)
		return -EINVAL;
	if (!out)
		return -EBADF;
	if (!file_can(out, true))
		return -EBADF;
	if (out->flags & VFS_O_APPEND)
		return -EINVAL;
	return 0;
}

/* One sendfile pass: parks (restart) when a blocking out has no room yet. */
static long sendfile_run(struct thread *t, struct xfer *x)
{
	for (;;) {
		long r = xfer_run(x);
		if (r != -EAGAIN || (x->out->flags & VFS_O_NONBLOCK))
			return r;
		r = lx_park_on_file(t, x->out, true);
		if (r)
			return r;
	}
}

/* sendfile(out_fd, in_fd, offset, count): from a seekable file to anything. */
long lx_sys_sendfile(struct thread *t, const unsigned long *a)
{
	struct xfer x = {.count = a[3] > LX_RW_MAX ? LX_RW_MAX : a[3]};
	int64_t off = 0;
	long r;

	if (a[2] && copy_from_user(&off, a[2], sizeof(off)))
		return -EFAULT;
	x.in = lx_fd_get(t->proc, (int)a[1]);
	if (!x.in)
		return -EBADF;
	x.out = lx_fd_get(t->proc, (int)a[0]);
	r = sendfile_check(x.in, x.out);
	if (!r && a[2] && off < 0)
		r = -EINVAL;
	if (r)
		goto out_put;
	x.in_off = a[2] ? (uint64_t)off : file_off(x.in);
	r = x.count ? lx_epipe(t, sendfile_run(t, &x)) : 0;
	if (r >= 0 && a[2]) {
		off = (int64_t)x.in_off;
		if (copy_to_user(a[2], &off, sizeof(off)))
			r = -EFAULT;
	} else if (r > 0) {
		file_set_off(x.in, x.in_off);
	}
out_put:
	file_put(x.out);
	file_put(x.in);
	return r;
}

/* copy_file_range's checks, in Linux's order. */
static int cfr_check(struct file *in, struct file *out, const struct xfer *x, unsigned long flags)
{
	if (flags)
		return -EINVAL;
	if (!in->vn || !out->vn)
		return -EINVAL;
	if (in->vn->type == VDIR || out->vn->type == VDIR)
		return -EISDIR;
	if (in->vn->type != VREG || out->vn->type != VREG)
		return -EINVAL;
	if (!file_can(in, false) || !file_can(out, true) || (out->flags & VFS_O_APPEND))
		return -EBADF;
	if ((int64_t)x->in_off < 0 || (int64_t)x->out_off < 0)
		return -EINVAL;
	if (in->vn == out->vn && x->in_off < x->out_off + x->count &&
	    x->out_off < x->in_off + x->count)
		return -EINVAL; /* overlapping ranges of one file */
	return 0;
}

/* Read a user loff_t at uoff, or the file's offset when uoff is NULL. */
static int cfr_offset(struct file *f, uaddr_t uoff, uint64_t *off)
{
	if (!uoff) {
		*off = file_off(f);
		return 0;
	}
	return copy_from_user(off, uoff, sizeof(*off));
}

/* Write an offset back to the user's loff_t, or to the file. */
static int cfr_store(struct file *f, uaddr_t uoff, uint64_t off)
{
	if (uoff)
		return copy_to_user(uoff, &off, sizeof(off));
	file_set_off(f, off);
	return 0;
}

/* copy_file_range(fd_in, off_in, fd_out, off_out, len, flags) between regular
 * files, through the page cache-less tmpfs: a plain copy. */
long lx_sys_copy_file_range(struct thread *t, const unsigned long *a)
{
	struct xfer x = {.count = a[4] > LX_RW_MAX ? LX_RW_MAX : a[4], .out_pos = true};
	long r = -EBADF;

	x.in = lx_fd_get(t->proc, (int)a[0]);
	x.out = lx_fd_get(t->proc, (int)a[2]);
	if (!x.in || !x.out)
		goto out_put;
	r = -EFAULT;
	if (cfr_offset(x.in, a[1], &x.in_off) || cfr_offset(x.out, a[3], &x.out_off))
		goto out_put;
	r = cfr_check(x.in, x.out, &x, a[5]);
	if (!r && x.count)
		r = xfer_run(&x);
	if (r > 0 && (cfr_store(x.in, a[1], x.in_off) || cfr_store(x.out, a[3], x.out_off)))
		r = -EFAULT;
out_put:
	file_put(x.out);
	file_put(x.in);
	return r;
}

/* ---- size and durability ---- */

long lx_sys_ftruncate(struct thread *t, const unsigned long *a)
{
	struct file *f;
	int err;

	if ((long)a[1] < 0)
		return -EINVAL;
	f = lx_fd_get(t->proc, (int)a[0]);
	if (!f)
		return -EBADF;
	if (!f->vn || f->vn->type != VREG || !file_can(f, true))
		err = -EINVAL;
	else
		err = vfs_truncate(f->vn, a[1]);
	file_put(f);
	return err;
}

/* Files and directories of a disk file system are written back by its fsync;
 * others are always durable (tmpfs); devices and pipes have no fsync, as on
 * Linux. */
static long sync_fd(struct thread *t, int fd)
{
	struct file *f = lx_fd_get(t->proc, fd);
	long r;

	if (!f)
		return -EBADF;
	r = f->vn && (f->vn->type == VREG || f->vn->type == VDIR) ? 0 : -EINVAL;
	if (!r && f->vn->type == VREG && vfs_pcache_has_dirty(f->vn))
		r = vfs_pcache_flush(f->vn, 0, UINT64_MAX); /* stores through mappings */
	if (!r && f->vn->ops->fsync)
		r = f->vn->ops->fsync(f->vn);
	file_put(f);
	return r;
}

long lx_sys_fsync(struct thread *t, const unsigned long *a)
{
	return sync_fd(t, (int)a[0]);
}

long lx_sys_fdatasync(struct thread *t, const unsigned long *a)
{
	return sync_fd(t, (int)a[0]);
}

long lx_sys_sync(struct thread *t, const unsigned long *a)
{
	(void)t;
	(void)a;
	long r = vfs_sync_all();

	return r == -ESVC ? r : 0; /* sync(2) reports no errors */
}
