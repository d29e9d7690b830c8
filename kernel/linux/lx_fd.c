/*
 * File descriptor tables and the file syscalls of the Linux personality.
 * A table maps small integers to open files (struct file references) plus a
 * close-on-exec bit; fork copies it (each file gains a reference), exec closes
 * the marked ones. Reads that would block park the thread on the file's wait
 * queue with "restart the syscall" as continuation, so nothing is consumed
 * before the data is there. A blocking write that must wait after part of it
 * went in parks with a continuation that goes on from there (write_more).
 */
#include <linux/lx.h>
#include <core/slab.h>
#include <lib/string.h>
#include <core/waitq.h>
#include "lx_file.h"
#include <fs/pipe.h>

struct file *lx_fd_get(struct proc *p, int fd)
{
	struct lx_files *fs = lx_of(p)->files;
	struct file *f = NULL;

	if (fd < 0 || fd >= LX_NFD)
		return NULL;
	spin_lock(&fs->lock);
	if (fs->fd[fd])
		f = file_get(fs->fd[fd]);
	spin_unlock(&fs->lock);
	return f;
}

struct file *lx_fd_borrow(struct proc *p, int fd, bool *ref)
{
	struct lx_files *fs = lx_of(p)->files;

	/* Only this thread uses the table: nobody can close fd before the call
	 * ends, so the table's own reference is enough (Linux's fdget does the
	 * same). A new thread or a CLONE_FILES child could only be made by this
	 * thread, and neither is mid-creation while it runs this call. */
	if (__atomic_load_n(&p->nthreads, __ATOMIC_RELAXED) == 1 &&
	    __atomic_load_n(&fs->refs, __ATOMIC_RELAXED) == 1) {
		*ref = false;
		return fd >= 0 && fd < LX_NFD ? fs->fd[fd] : NULL;
	}
	*ref = true;
	return lx_fd_get(p, fd);
}

int lx_fd_install(struct proc *p, struct file *f, bool cloexec)
{
	struct lx_files *fs = lx_of(p)->files;
	int fd;

	spin_lock(&fs->lock);
	for (fd = 0; fd < LX_NFD && fs->fd[fd]; fd++)
		;
	if (fd < LX_NFD)
		lx_fd_fill_locked(fs, fd, f, cloexec);
	spin_unlock(&fs->lock);
	return fd < LX_NFD ? fd : -EMFILE;
}

static struct file *fd_remove(struct lx_files *fs, int fd)
{
	struct file *f;

	if (fd < 0 || fd >= LX_NFD)
		return NULL;
	spin_lock(&fs->lock);
	f = fs->fd[fd];
	fs->fd[fd] = NULL;
	spin_unlock(&fs->lock);
	return f;
}

struct lx_files *lx_files_dup(struct lx_files *src)
{
	struct lx_files *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	spin_init(&fs->lock, "fdtable");
	fs->refs = 1;
	if (!src)
		return fs;
	spin_lock(&src->lock);
	for (int i = 0; i < src->hi; i++)
		if (src->fd[i])
			fs->fd[i] = file_get(src->fd[i]);
	memcpy(fs->cloexec, src->cloexec, sizeof(fs->cloexec));
	fs->hi = src->hi;
	spin_unlock(&src->lock);
	return fs;
}

void lx_files_put(struct lx_files *fs)
{
	if (!fs || __atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (int i = 0; i < fs->hi; i++)
		if (fs->fd[i])
			file_put(fs->fd[i]);
	kfree(fs);
}

void lx_files_close_on_exec(struct proc *p)
{
	struct lx_files *fs = lx_of(p)->files;

	for (int i = 0; i < fs->hi; i++)
		if (fs->cloexec[i / 64] & (1ull << (i % 64))) {
			lx_fd_closed(p, fd_remove(fs, i));
			fs->cloexec[i / 64] &= ~(1ull << (i % 64));
		}
}

long lx_get_path(char *buf, uaddr_t upath)
{
	long n = copy_str_from_user(buf, upath, VFS_PATH_MAX);

	return n == 0 ? -ENOENT : n;
}

int lx_at_dir(struct thread *t, int dirfd, const char *path, struct vnode **out)
{
	struct file *f;

	if (path[0] == '/' || dirfd == AT_FDCWD) {
		*out = lx_cwd_get(lx_of(t->proc));
		return 0;
	}
	f = lx_fd_get(t->proc, dirfd);
	if (!f)
		return -EBADF;
	if (!f->vn || f->vn->type != VDIR) {
		file_put(f);
		return -ENOTDIR;
	}
	*out = vnode_get(f->vn);
	file_put(f);
	return 0;
}

long lx_park_on_file_cont(struct thread *t, struct file *f, bool want_write, thread_cont_t cont)
{
	struct waitq *wq = f->fops->wait_queue ? f->fops->wait_queue(f, want_write) : NULL;
	unsigned need = want_write ? VFS_POLLOUT : VFS_POLLIN;

	if (!wq)
		return -EAGAIN;
	/* Test readiness under the queue's lock: the file changes state and wakes
	 * under it too, so the wake-up cannot slip between the test and the park. */
	spin_lock(&wq->lock);
	if (vfs_poll(f) & (need | VFS_POLLHUP | VFS_POLLERR)) {
		spin_unlock(&wq->lock);
		return 0;	/* became ready meanwhile: retry the call */
	}
	waitq_park_locked(wq, t, cont, 0);
	spin_unlock(&wq->lock);
	return -EPARKED;
}

long lx_park_on_file(struct thread *t, struct file *f, bool want_write)
{
	return lx_park_on_file_cont(t, f, want_write, sched_cont_restart);
}

long lx_epipe(struct thread *t, long r)
{
	if (r == -EPIPE) {
		struct lx_sigsrc src = { 0 /* SI_USER */, t->proc->pid, 0, 0 };
		lx_send_signal(NULL, t, LX_SIGPIPE, &src);
	}
	return r;
}

/*
 * A blocking open of a FIFO waits, parked, until the other end opens; the
 * file is already open (counted as an end) and held in t->wait[0], its
 * close-on-exec bit in t->wait[1]. A signal closes it again (-EINTR, or a
 * restart under SA_RESTART, as Linux's -ERESTARTSYS does).
 */
static long fifo_open_cont(struct thread *t)
{
	struct file *f = (struct file *)t->wait[0];
	long r;

	if (t->wake_result == -EINTR) {
		file_put(f);
		lx_interrupted(t);
		return 0;
	}
	r = pipe_fifo_park(f, t, fifo_open_cont);
	if (r == -EPARKED)
		return r;
	r = lx_fd_install(t->proc, f, t->wait[1]);
	if (r < 0)
		file_put(f);
	hal_tf_set_ret(&t->tf, r);
	return 0;
}

/* Install f, a file just opened with flags; a FIFO may wait for its partner. */
static long open_install(struct thread *t, struct file *f, unsigned flags)
{
	long r;

	if (f->vn && f->vn->type == VFIFO && !(flags & VFS_O_NONBLOCK)) {
		t->wait[0] = (uint64_t)f;
		t->wait[1] = (flags & VFS_O_CLOEXEC) != 0;
		r = pipe_fifo_park(f, t, fifo_open_cont);
		if (r == -EPARKED)
			return r;
	}
	r = lx_fd_install(t->proc, f, flags & VFS_O_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

long lx_sys_openat(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	char *path = kmalloc(VFS_PATH_MAX);
	struct vnode *dir = NULL;
	struct file *f;
	long err;

	if (!path)
		return -ENOMEM;
	err = lx_get_path(path, a[1]);
	if (err >= 0)
		err = lx_at_dir(t, (int)a[0], path, &dir);
	if (err >= 0)
		err = lx_procfd_open(t, dir, path, (unsigned)a[2], &f);
	if (err == 1)
		err = vfs_open(lp->fs->root, dir, path, (unsigned)a[2], (uint32_t)a[3] & ~lp->fs->umask, &f);
	if (err >= 0)
		err = open_install(t, f, (unsigned)a[2]);
	vnode_put(dir);
	kfree(path);
	return err;
}

long lx_sys_close(struct thread *t, const unsigned long *a)
{
	struct file *f = fd_remove(lx_of(t->proc)->files, (int)a[0]);

	if (!f)
		return -EBADF;
	lx_fd_closed(t->proc, f);
	return 0;
}

/*
 * One read or write of f. A blocking file with nothing to give (or no room)
 * parks the thread with cont (-EPARKED) when may_park, else says -EAGAIN.
 */
static long rw_file(struct thread *t, struct file *f, uaddr_t buf, size_t len, bool write,
		    thread_cont_t cont)
{
	struct uio u;
	long r;

	for (;;) {
		uio_init_user(&u, buf, len, 0);
		r = write ? vfs_write(f, &u) : vfs_read(f, &u);
		if (r != -EAGAIN || (f->flags & VFS_O_NONBLOCK) || !cont)
			return r;
		r = lx_park_on_file_cont(t, f, write, cont);
		if (r)
			return r;	/* parked, or the file cannot wait (-EAGAIN) */
	}
}

/*
 * A blocking write goes on until every byte is written (POSIX: a partial
 * count only on a signal or an error). Once some bytes are in, a restart
 * would write them twice, so the thread parks with write_cont instead, which
 * keeps the progress in t->wait[]: the fd, the buffer, the length and the
 * bytes done. The fd is looked up again on each resume; if it was closed
 * meanwhile, the call ends with what was written.
 */
enum { WR_FD, WR_BUF, WR_LEN, WR_DONE };

static long write_cont(struct thread *t);

/* Write more of t->wait[]'s buffer: the result for a0, or -EPARKED. */
static long write_more(struct thread *t, struct file *f)
{
	for (;;) {
		size_t done = t->wait[WR_DONE], len = t->wait[WR_LEN];
		long r = rw_file(t, f, t->wait[WR_BUF] + done, len - done, true,
				 done ? write_cont : sched_cont_restart);
		uint64_t gen;

		if (r == -EPARKED)
			return r;
		if (r < 0 && done)
			lx_epipe(t, r);	/* SIGPIPE even after a partial count */
		if (r < 0)
			return done ? (long)done : r;
		done += (size_t)r;
		t->wait[WR_DONE] = done;
		if (done == len || !r || !f->fops->wait_queue || (f->flags & VFS_O_NONBLOCK))
			return (long)done;
		/* Room is freed by a reader meanwhile: let others run before the
		 * next piece, so one large write never holds this hart for long. */
		gen = thread_park_begin(t, write_cont);
		thread_wake(t, gen, 0);
		return -EPARKED;
	}
}

static long write_cont(struct thread *t)
{
	struct file *f;
	long r;

	if (t->wake_result == -EINTR) {	/* a partial count, as Linux gives */
		hal_tf_set_ret(&t->tf, (long)t->wait[WR_DONE]);
		return 0;
	}
	f = lx_fd_get(t->proc, (int)t->wait[WR_FD]);
	if (!f) {
		hal_tf_set_ret(&t->tf, (long)t->wait[WR_DONE]);
		return 0;
	}
	r = lx_epipe(t, write_more(t, f));
	file_put(f);
	if (r != -EPARKED)
		hal_tf_set_ret(&t->tf, r);
	return r == -EPARKED ? r : 0;
}

/* read(2) or write(2), or one piece of readv/writev (then !whole: no parking
 * once some bytes moved, and a write does not go on past a short count). */
static long rw(struct thread *t, int fd, uaddr_t buf, size_t len, bool write, bool may_park)
{
	bool ref;
	struct file *f = lx_fd_borrow(t->proc, fd, &ref);
	long r;

	if (!f)
		return -EBADF;
	if (len > 0x7ffff000)
		len = 0x7ffff000;
	if (!uaccess_ok(buf, len)) {
		lx_fd_return(f, ref);
		return -EFAULT;
	}
	if (write && may_park) {
		t->wait[WR_FD] = (uint64_t)fd;
		t->wait[WR_BUF] = buf;
		t->wait[WR_LEN] = len;
		t->wait[WR_DONE] = 0;
		r = write_more(t, f);
	} else {
		r = rw_file(t, f, buf, len, write, may_park ? sched_cont_restart : NULL);
	}
	lx_fd_return(f, ref);
	return write ? lx_epipe(t, r) : r;
}

long lx_sys_read(struct thread *t, const unsigned long *a)
{
	return rw(t, (int)a[0], a[1], a[2], false, true);
}

long lx_sys_write(struct thread *t, const unsigned long *a)
{
	return rw(t, (int)a[0], a[1], a[2], true, true);
}

struct lx_iovec {
	uint64_t base, len;
};

static long rwv(struct thread *t, const unsigned long *a, bool write)
{
	struct lx_iovec iov[16];
	int cnt = (int)a[2];
	long total = 0;

	if (cnt < 0 || cnt > 1024)
		return -EINVAL;
	for (int i = 0; i < cnt; i += 16) {
		int n = cnt - i < 16 ? cnt - i : 16;
		if (copy_from_user(iov, a[1] + (uaddr_t)i * sizeof(iov[0]), n * sizeof(iov[0])))
			return -EFAULT;
		for (int j = 0; j < n; j++) {
			long r;
			if (!iov[j].len)
				continue;
			r = rw(t, (int)a[0], iov[j].base, iov[j].len, write, total == 0);
			if (r == -EAGAIN && total)
				return total;
			if (r < 0)
				return total ? total : r;
			total += r;
			if ((uint64_t)r < iov[j].len)
				return total;
		}
	}
	return total;
}

long lx_sys_readv(struct thread *t, const unsigned long *a)
{
	return rwv(t, a, false);
}

long lx_sys_writev(struct thread *t, const unsigned long *a)
{
	return rwv(t, a, true);
}

long lx_sys_lseek(struct thread *t, const unsigned long *a)
{
	struct file *f = lx_fd_get(t->proc, (int)a[0]);
	uint64_t off;
	int err;

	if (!f)
		return -EBADF;
	err = vfs_lseek(f, (int64_t)a[1], (int)a[2], &off);
	file_put(f);
	return err ? err : (long)off;
}

long lx_sys_ioctl(struct thread *t, const unsigned long *a)
{
	struct file *f = lx_fd_get(t->proc, (int)a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = vfs_ioctl(f, a[1], a[2]);
	file_put(f);
	return r;
}

/* Linux's struct stat on riscv64 (asm-generic layout). */
struct lx_stat {
	uint64_t st_dev, st_ino;
	uint32_t st_mode, st_nlink, st_uid, st_gid;
	uint64_t st_rdev, pad1;
	int64_t st_size;
	int32_t st_blksize, pad2;
	int64_t st_blocks;
	int64_t st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
	uint32_t unused[2];
};

int lx_stat_out(struct vnode *vn, uaddr_t ust)
{
	struct vfs_stat st;
	struct lx_stat ls;
	int err = vfs_stat(vn, &st);

	if (err)
		return err;
	memset(&ls, 0, sizeof(ls));
	ls.st_dev = st.dev;
	ls.st_ino = st.ino;
	ls.st_mode = st.mode;
	ls.st_nlink = st.nlink;
	ls.st_uid = st.uid;
	ls.st_gid = st.gid;
	ls.st_rdev = st.rdev;
	ls.st_size = (int64_t)st.size;
	ls.st_blksize = (int32_t)st.blksize;
	ls.st_blocks = (int64_t)st.blocks;
	ls.st_atime = (int64_t)(st.atime_ns / 1000000000);
	ls.st_atime_nsec = (int64_t)(st.atime_ns % 1000000000);
	ls.st_mtime = (int64_t)(st.mtime_ns / 1000000000);
	ls.st_mtime_nsec = (int64_t)(st.mtime_ns % 1000000000);
	ls.st_ctime = (int64_t)(st.ctime_ns / 1000000000);
	ls.st_ctime_nsec = (int64_t)(st.ctime_ns % 1000000000);
	return copy_to_user(ust, &ls, sizeof(ls));
}

/* A console or pipe file has no vnode: report it as a character device. */
static int stat_file(struct file *f, uaddr_t ust)
{
	struct lx_stat ls;

	if (f->vn)
		return lx_stat_out(f->vn, ust);
	memset(&ls, 0, sizeof(ls));
	if (pipe_is_pipe(f)) {
		struct vfs_stat st;
		pipe_stat(f, &st);
		ls.st_mode = st.mode;
		ls.st_nlink = st.nlink;
		ls.st_ino = st.ino;
		ls.st_blksize = PAGE_SIZE;
	} else {
		ls.st_mode = VFS_S_IFCHR | 0620;
		ls.st_blksize = 1024;
	}
	return copy_to_user(ust, &ls, sizeof(ls));
}

long lx_sys_fstat(struct thread *t, const unsigned long *a)
{
	struct file *f = lx_fd_get(t->proc, (int)a[0]);
	int err;

	if (!f)
		return -EBADF;
	err = stat_file(f, a[1]);
	file_put(f);
	return err;
}

long lx_sys_newfstatat(struct thread *t, const unsigned long *a)
{
	struct vnode *vn = NULL;
	struct file *anon = NULL;
	int err;

	if (a[3] & ~(unsigned long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	err = lx_at_lookup(t, (int)a[0], a[1], (unsigned)a[3], &vn, &anon);
	if (err == 1) {
		err = stat_file(anon, a[2]);
		file_put(anon);
		return err;
	}
	if (!err)
		err = lx_stat_out(vn, a[2]);
	vnode_put(vn);
	return err;
}

long lx_sys_getdents64(struct thread *t, const unsigned long *a)
{
	struct file *f = lx_fd_get(t->proc, (int)a[0]);
	struct uio u;
	long r;

	if (!f)
		return -EBADF;
	uio_init_user(&u, a[1], a[2], 0);
	r = vfs_getdents(f, &u);
	file_put(f);
	return r;
}

long lx_sys_dup(struct thread *t, const unsigned long *a)
{
	struct file *f = lx_fd_get(t->proc, (int)a[0]);
	int fd;

	if (!f)
		return -EBADF;
	fd = lx_fd_install(t->proc, f, false);
	if (fd < 0)
		file_put(f);
	return fd;
}

long lx_sys_umask(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	/* Atomic: processes sharing the lx_fs (CLONE_FS) may race. */
	return __atomic_exchange_n(&lp->fs->umask, (uint32_t)a[0] & 0777, __ATOMIC_RELAXED);
}
