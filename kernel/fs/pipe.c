/*
 * Pipes (contract in fs/pipe.h).
 *
 * Model. A pipe is a ring of PIPE_CAPACITY bytes cut into PIPE_PAGES page
 * slots. rpos and wpos count the bytes ever consumed and committed, so
 * wpos - rpos is what the pipe holds and byte x lives in slot (x / PAGE_SIZE) %
 * PIPE_PAGES. Slots get a page when a write first needs one; when the pipe is
 * emptied, every page except the one the next write starts in goes back to the
 * page allocator, so an idle pipe holds at most one page.
 *
 * No lock is held across a user copy, so the two directions work differently:
 * - A writer reserves the free space behind wpos (wr_busy: one writer at a
 *   time), copies straight from user memory into those pages with the lock
 *   dropped, then commits what it copied. Readers never look past wpos, so the
 *   bytes only appear once complete: a write of at most PIPE_BUF bytes is
 *   committed whole or not at all, never interleaved with another writer's.
 * - A reader copies at most PIPE_CHUNK bytes under the lock into a stack
 *   buffer, copies that out with the lock dropped, and consumes the chunk only
 *   if rpos did not move meanwhile; if another reader got there first, it reads
 *   the chunk again (overwriting the user buffer before returning). Nothing is
 *   consumed that the caller did not receive, so a faulting read loses nothing.
 *
 * Waiting. Reads and writes never wait; they say -EAGAIN and the syscall layer
 * parks on rd_wait or wr_wait after testing poll under that queue's lock. Every
 * change that can turn poll ready is made under p->lock and followed by a wake
 * of the queue concerned, which takes that queue's lock: data committed (rd_wait),
 * data consumed or a writer's reservation ended (wr_wait), an end closed (both).
 * A writer parks only when its retry could not proceed: a write of n <= PIPE_BUF
 * needs n free bytes and a larger one needs one, and POLLOUT means PIPE_BUF free
 * bytes and no reservation, so a retry after POLLOUT always moves data.
 *
 * Lock order: a wait-queue lock, then p->lock (poll runs under the queue lock),
 * then the page allocator. p->lock is never held while waking.
 */
#include <fs/pipe.h>
#include <core/klog.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/uaccess.h>
#include <core/waitq.h>
#include <lib/string.h>
#include <weft/errno.h>

#define PIPE_PAGES (PIPE_CAPACITY / PAGE_SIZE)
/* Bytes a reader bounces at a time, through a per-CPU buffer: a syscall runs to
 * completion on its CPU with interrupts off, so nothing else uses it meanwhile.
 * Fewer, larger copies matter under QEMU, where each user-copy window (toggling
 * sstatus.SUM) flushes its software TLB. */
#define PIPE_CHUNK 4096
static char pipe_bounce[NCPU_MAX][PIPE_CHUNK];

_Static_assert(PIPE_CAPACITY % PAGE_SIZE == 0, "whole pages");
_Static_assert(PIPE_CAPACITY >= PIPE_BUF, "an atomic write must fit");

struct pipe {
	struct spinlock lock;
	struct waitq rd_wait;	   /* readers waiting for data or end of file */
	struct waitq wr_wait;	   /* writers waiting for space */
	uint64_t rpos;		   /* lock: bytes consumed since creation */
	uint64_t wpos;		   /* lock: bytes committed since creation */
	unsigned readers, writers; /* lock: open read and write ends */
	bool wr_busy;		   /* lock: a writer fills the space behind wpos */
	/* lock; while wr_busy, the slots of the reserved range are also read by
	 * the reserving writer without the lock (nobody else changes them then). */
	paddr_t page[PIPE_PAGES];
	unsigned refs;	   /* one per end file: atomic (a FIFO's: fifo_lock) */
	uint64_t ino;	   /* immutable: for fstat */
	uint64_t ctime_ns; /* immutable */
	/* Named pipes only: */
	struct vnode *vn;	      /* immutable: the FIFO's vnode (no reference: its files hold one) */
	uint64_t rd_opens, wr_opens;  /* lock: ends ever opened, for blocking opens */
	struct list fifo_link;	      /* in fifo_list (fifo_lock) */
};

static const struct file_ops pipe_read_fops;
static const struct file_ops pipe_write_fops;
static const struct file_ops pipe_rdwr_fops;
static uint64_t pipe_next_ino = 1; /* atomic */

/* The pipes of the FIFOs that are open somewhere, found by vnode. */
static struct spinlock fifo_lock = SPINLOCK_INIT("fifo");
static struct list fifo_list = LIST_INIT(fifo_list);

static size_t pipe_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

static unsigned pipe_slot(uint64_t pos)
{
	return (unsigned)((pos / PAGE_SIZE) % PIPE_PAGES);
}

/* Bytes from pos to the end of its page, at most n. */
static size_t pipe_seg(uint64_t pos, size_t n)
{
	return pipe_min(n, PAGE_SIZE - (size_t)(pos % PAGE_SIZE));
}

/* Kernel address of byte pos; its slot has a page. */
static char *pipe_at(const struct pipe *p, uint64_t pos)
{
	return (char *)hal_pa_to_kva(p->page[pipe_slot(pos)]) + pos % PAGE_SIZE;
}

static size_t pipe_used_locked(const struct pipe *p)
{
	kassert(spin_held(&p->lock));
	return (size_t)(p->wpos - p->rpos);
}

/* Give back the pages of an empty pipe, except the one the next write uses. */
static void pipe_trim_locked(struct pipe *p)
{
	unsigned keep = pipe_slot(p->wpos);

	if (pipe_used_locked(p) || p->wr_busy)
		return;
	for (unsigned i = 0; i < PIPE_PAGES; i++) {
		if (i != keep && p->page[i]) {
			pmm_free(p->page[i], 0);
			p->page[i] = 0;
		}
	}
}

/* Give pages to the slots of [pos, pos + n): how many bytes from pos are backed
 * (less than n only when memory ran out). */
static size_t pipe_back_locked(struct pipe *p, uint64_t pos, size_t n)
{
	size_t done = 0;

	while (done < n) {
		unsigned slot = pipe_slot(pos + done);
		if (!p->page[slot])
			p->page[slot] = pmm_alloc(0);
		if (!p->page[slot])
			break;
		done += pipe_seg(pos + done, n - done);
	}
	return done;
}

static void pipe_peek_locked(const struct pipe *p, uint64_t pos, char *buf, size_t n)
{
	while (n) {
		size_t k = pipe_seg(pos, n);
		memcpy(buf, pipe_at(p, pos), k);
		buf += k;
		pos += k;
		n -= k;
	}
}

/* ---- reading ---- */

/*
 * Move one chunk (at most PIPE_CHUNK bytes) from p to uio: bytes moved, 0 at
 * end of file, -EAGAIN if empty with a writer left, or -EFAULT (nothing moved).
 */
static long pipe_read_chunk(struct pipe *p, struct uio *uio)
{
	char *buf = pipe_bounce[hal_cpu_id()];

	for (;;) {
		struct uio save = *uio;
		uint64_t start;
		size_t n;
		int err;

		spin_lock(&p->lock);
		start = p->rpos;
		n = pipe_min(pipe_min(pipe_used_locked(p), uio->resid), PIPE_CHUNK);
		if (!n) {
			err = p->writers ? -EAGAIN : 0;
			spin_unlock(&p->lock);
			return err;
		}
		pipe_peek_locked(p, start, buf, n);
		spin_unlock(&p->lock);
		err = uio_move(buf, n, uio, true);
		if (err)
			return err;
		spin_lock(&p->lock);
		if (p->rpos == start) {
			p->rpos += n;
			pipe_trim_locked(p);
			spin_unlock(&p->lock);
			return (long)n;
		}
		spin_unlock(&p->lock);
		*uio = save; /* another reader took these bytes: read what follows */
	}
}

/* Read what is there (up to one pipe's worth per call, to bound the time spent). */
static int pipe_read(struct file *f, struct uio *uio)
{
	struct pipe *p = f->priv;
	size_t moved = 0;
	long r = 0;

	while (uio->resid && moved < PIPE_CAPACITY) {
		r = pipe_read_chunk(p, uio);
		if (r <= 0)
			break;
		moved += (size_t)r;
	}
	if (moved)
		waitq_wake(&p->wr_wait, -1, 0);
	return r < 0 ? (int)r : 0;
}

/* ---- writing ---- */

/*
 * Reserve the space behind wpos for a write of want bytes (atomic: all or
 * nothing). On success wr_busy is set and [*start, *start + *n) is backed by pages.
 */
static int pipe_reserve_locked(struct pipe *p, size_t want, bool atomic, uint64_t *start, size_t *n)
{
	size_t len = pipe_min(want, PIPE_CAPACITY - pipe_used_locked(p));

	if (!p->readers)
		return -EPIPE;
	if (p->wr_busy || !len || (atomic && len < want))
		return -EAGAIN;
	len = pipe_back_locked(p, p->wpos, len);
	if (!len || (atomic && len < want)) {
		pipe_trim_locked(p);
		return -ENOMEM;
	}
	p->wr_busy = true;
	*start = p->wpos;
	*n = len;
	return 0;
}

/* Copy n bytes from uio into the reserved pages at pos (no lock: see struct pipe). */
static int pipe_fill(struct pipe *p, uint64_t pos, size_t n, struct uio *uio)
{
	while (n) {
		size_t k = pipe_seg(pos, n);
		int err = uio_move(pipe_at(p, pos), k, uio, false);
		if (err)
			return err;
		pos += k;
		n -= k;
	}
	return 0;
}

/*
 * One reservation's worth of a write: bytes committed, or -EPIPE, -EAGAIN,
 * -ENOMEM or -EFAULT with nothing committed. An atomic write that faults
 * commits nothing and leaves uio as it was.
 */
static long pipe_write_step(struct pipe *p, struct uio *uio, bool atomic)
{
	struct uio save = *uio;
	uint64_t start = 0;
	size_t n = 0, done;
	int err;

	spin_lock(&p->lock);
	err = pipe_reserve_locked(p, uio->resid, atomic, &start, &n);
	spin_unlock(&p->lock);
	if (err)
		return err;
	err = pipe_fill(p, start, n, uio);
	if (err && atomic)
		*uio = save;
	done = save.resid - uio->resid;
	spin_lock(&p->lock);
	p->wpos += done;
	p->wr_busy = false;
	pipe_trim_locked(p);
	spin_unlock(&p->lock);
	if (done)
		waitq_wake(&p->rd_wait, -1, 0);
	/* Writers that found the reservation taken may go now. */
	waitq_wake(&p->wr_wait, -1, 0);
	return done ? (long)done : err;
}

/* Write all of uio, or what fits (only when more than PIPE_BUF bytes). */
static int pipe_write(struct file *f, struct uio *uio)
{
	struct pipe *p = f->priv;
	bool atomic = uio->resid <= PIPE_BUF;
	size_t moved = 0;
	long r = 0;

	while (uio->resid && moved < PIPE_CAPACITY) {
		r = pipe_write_step(p, uio, atomic);
		if (r <= 0)
			break;
		moved += (size_t)r;
	}
	return r < 0 ? (int)r : 0;
}

/* ---- the other file ops ---- */

static unsigned pipe_poll_read(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned mask = 0;

	spin_lock(&p->lock);
	if (pipe_used_locked(p))
		mask |= VFS_POLLIN;
	if (!p->writers)
		mask |= VFS_POLLHUP;
	spin_unlock(&p->lock);
	return mask;
}

static unsigned pipe_poll_write(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned mask = 0;

	spin_lock(&p->lock);
	if (!p->readers)
		mask = VFS_POLLOUT | VFS_POLLERR;
	else if (!p->wr_busy && PIPE_CAPACITY - pipe_used_locked(p) >= PIPE_BUF)
		mask = VFS_POLLOUT;
	spin_unlock(&p->lock);
	return mask;
}

static unsigned pipe_poll_rdwr(struct file *f)
{
	return pipe_poll_read(f) | pipe_poll_write(f);
}

static bool pipe_end_reads(const struct file *f)
{
	return (f->flags & VFS_O_ACCMODE) != VFS_O_WRONLY;
}

static bool pipe_end_writes(const struct file *f)
{
	return (f->flags & VFS_O_ACCMODE) != VFS_O_RDONLY;
}

static long pipe_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct pipe *p = f->priv;
	int n;

	if (cmd != PIPE_FIONREAD)
		return -ENOTTY;
	spin_lock(&p->lock);
	n = (int)pipe_used_locked(p);
	spin_unlock(&p->lock);
	return copy_to_user((uaddr_t)arg, &n, sizeof(n));
}

static struct waitq *pipe_wait_queue(struct file *f, bool for_write)
{
	struct pipe *p = f->priv;

	if (for_write ? !pipe_end_writes(f) : !pipe_end_reads(f))
		return NULL;
	return for_write ? &p->wr_wait : &p->rd_wait;
}

static void pipe_free(struct pipe *p)
{
	/* Every park happens under an end's reference, and each end's release
	 * woke both queues: nobody can still wait here. */
	kassert(list_empty(&p->rd_wait.waiters) && list_empty(&p->wr_wait.waiters));
	for (unsigned i = 0; i < PIPE_PAGES; i++)
		if (p->page[i])
			pmm_free(p->page[i], 0);
	kfree(p);
}

/* Drop an end's reference. A FIFO's count moves under fifo_lock, so an open
 * never finds a pipe that is being freed. */
static void pipe_put(struct pipe *p)
{
	bool last;

	if (!p->vn) {
		if (!__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL))
			pipe_free(p);
		return;
	}
	spin_lock(&fifo_lock);
	last = !--p->refs;
	if (last)
		list_del(&p->fifo_link);
	spin_unlock(&fifo_lock);
	if (last)
		pipe_free(p);
}

/* The last reference to an end is gone: the other side sees EOF or EPIPE. */
static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;

	spin_lock(&p->lock);
	if (pipe_end_writes(f))
		p->writers--;
	if (pipe_end_reads(f))
		p->readers--;
	spin_unlock(&p->lock);
	waitq_wake(&p->rd_wait, -1, 0);
	waitq_wake(&p->wr_wait, -1, 0);
	pipe_put(p);
}

static const struct file_ops pipe_read_fops = {
    .read = pipe_read,
    .ioctl = pipe_ioctl,
    .poll = pipe_poll_read,
    .wait_queue = pipe_wait_queue,
    .release = pipe_release,
};

static const struct file_ops pipe_write_fops = {
    .write = pipe_write,
    .ioctl = pipe_ioctl,
    .poll = pipe_poll_write,
    .wait_queue = pipe_wait_queue,
    .release = pipe_release,
};

/* A FIFO opened for reading and writing is both ends at once. */
static const struct file_ops pipe_rdwr_fops = {
    .read = pipe_read,
    .write = pipe_write,
    .ioctl = pipe_ioctl,
    .poll = pipe_poll_rdwr,
    .wait_queue = pipe_wait_queue,
    .release = pipe_release,
};

/* ---- creation and inspection ---- */

static void pipe_init(struct pipe *p, unsigned ends)
{
	spin_init(&p->lock, "pipe");
	waitq_init(&p->rd_wait, "pipe-rd");
	waitq_init(&p->wr_wait, "pipe-wr");
	p->readers = ends;
	p->writers = ends;
	p->refs = 2 * ends;
	p->ino = __atomic_fetch_add(&pipe_next_ino, 1, __ATOMIC_RELAXED);
	p->ctime_ns = vfs_now();
}

int pipe_create(struct file **rd, struct file **wr, unsigned flags)
{
	struct file *r = NULL, *w = NULL;
	struct pipe *p;
	int err;

	if (flags & ~VFS_O_NONBLOCK)
		return -EINVAL;
	p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	/* Both files start as plain anonymous files (no release op), so a
	 * failure here frees them without touching the pipe. */
	err = file_alloc(NULL, VFS_O_RDONLY | flags, &r);
	if (!err)
		err = file_alloc(NULL, VFS_O_WRONLY | flags, &w);
	if (err) {
		file_put(r);
		kfree(p);
		return err;
	}
	pipe_init(p, 1);
	r->priv = p;
	r->fops = &pipe_read_fops;
	w->priv = p;
	w->fops = &pipe_write_fops;
	*rd = r;
	*wr = w;
	return 0;
}

bool pipe_is_pipe(const struct file *f)
{
	return f->fops == &pipe_read_fops || f->fops == &pipe_write_fops ||
	       f->fops == &pipe_rdwr_fops;
}

int pipe_stat(const struct file *f, struct vfs_stat *st)
{
	const struct pipe *p = f->priv;

	if (!pipe_is_pipe(f))
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->ino = p->ino;
	st->mode = VFS_S_IFIFO | 0600;
	st->nlink = 1;
	st->blksize = PAGE_SIZE;
	st->atime_ns = st->mtime_ns = st->ctime_ns = p->ctime_ns;
	return 0;
}

/* ---- named pipes (FIFOs) and reopened pipes ---- */

/* The file ops of an end opened with access mode acc. */
static const struct file_ops *end_fops(unsigned acc)
{
	if (acc == VFS_O_RDONLY)
		return &pipe_read_fops;
	return acc == VFS_O_WRONLY ? &pipe_write_fops : &pipe_rdwr_fops;
}

static struct pipe *fifo_find_locked(struct vnode *vn)
{
	struct list *it;

	kassert(spin_held(&fifo_lock));
	list_for_each(it, &fifo_list) {
		struct pipe *p = list_entry(it, struct pipe, fifo_link);
		if (p->vn == vn)
			return p;
	}
	return NULL;
}

/* The pipe of FIFO vn with a reference for a new end, made if none is open. */
static struct pipe *fifo_get(struct vnode *vn)
{
	struct pipe *p, *fresh = kzalloc(sizeof(*fresh));

	if (fresh) {
		pipe_init(fresh, 0);
		fresh->vn = vn;
	}
	spin_lock(&fifo_lock);
	p = fifo_find_locked(vn);
	if (!p && fresh) {
		p = fresh;
		fresh = NULL;
		list_add_tail(&fifo_list, &p->fifo_link);
	}
	if (p)
		p->refs++;
	spin_unlock(&fifo_lock);
	kfree(fresh);
	return p;
}

/* Count f as an open end of p: -ENXIO for a non-blocking writer that finds
 * no reader (nothing changed then). Records in f->off how many ends of the
 * other kind had opened, for pipe_fifo_park. */
static int fifo_add_end(struct pipe *p, struct file *f)
{
	bool rd = pipe_end_reads(f), wr = pipe_end_writes(f);

	spin_lock(&p->lock);
	if (wr && !rd && !p->readers && (f->flags & VFS_O_NONBLOCK)) {
		spin_unlock(&p->lock);
		return -ENXIO;
	}
	p->readers += rd;
	p->rd_opens += rd;
	p->writers += wr;
	p->wr_opens += wr;
	f->off = rd ? p->wr_opens : p->rd_opens;
	spin_unlock(&p->lock);
	waitq_wake(&p->rd_wait, -1, 0);
	waitq_wake(&p->wr_wait, -1, 0);
	return 0;
}

/* Make f, a new file, an end of p (the caller took p's reference for it):
 * 0 and f in *out, or the error with f and that reference dropped. */
static int attach_end(struct pipe *p, struct file *f, struct file **out)
{
	int err = fifo_add_end(p, f);

	if (err) {
		file_put(f);
		pipe_put(p);
		return err;
	}
	f->priv = p;
	f->fops = end_fops(f->flags & VFS_O_ACCMODE);
	*out = f;
	return 0;
}

int pipe_fifo_open(struct vnode *vn, unsigned flags, struct file **out)
{
	unsigned acc = flags & VFS_O_ACCMODE;
	struct pipe *p;
	struct file *f;
	int err;

	if (acc == 3)
		return -EINVAL;
	err = file_alloc(vn, flags, &f);
	if (err)
		return err;
	p = fifo_get(vn);
	if (!p) {
		file_put(f);
		return -ENOMEM;
	}
	return attach_end(p, f, out);
}

/* Has the other kind of end opened since f did (or is f both kinds)? */
static bool fifo_partner_came_locked(const struct pipe *p, const struct file *f)
{
	if (pipe_end_reads(f) && pipe_end_writes(f))
		return true;
	if (pipe_end_reads(f))
		return p->writers || p->wr_opens != f->off;
	return p->readers || p->rd_opens != f->off;
}

long pipe_fifo_park(struct file *f, struct thread *t, thread_cont_t cont)
{
	struct pipe *p = f->priv;
	struct waitq *wq = pipe_end_reads(f) ? &p->rd_wait : &p->wr_wait;
	bool came;

	spin_lock(&wq->lock);
	spin_lock(&p->lock);
	came = fifo_partner_came_locked(p, f);
	spin_unlock(&p->lock);
	if (!came)
		waitq_park_locked(wq, t, cont, 0);
	spin_unlock(&wq->lock);
	return came ? 0 : -EPARKED;
}

int pipe_reopen(struct file *f, unsigned flags, struct file **out)
{
	struct pipe *p = f->priv;
	struct file *nf;
	int err;

	if (!pipe_is_pipe(f) || p->vn || (flags & VFS_O_ACCMODE) == 3)
		return -EINVAL;
	err = file_alloc(NULL, flags & (VFS_O_ACCMODE | VFS_O_NONBLOCK), &nf);
	if (err)
		return err;
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
	return attach_end(p, nf, out);
}
