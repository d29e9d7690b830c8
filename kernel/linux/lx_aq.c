/*
 * AsyncQ ops on Linux file descriptors (WEFT_AQ_OP_FD_READ/WRITE), so that
 * pipes and files join a native completion queue (the op state machine is
 * kernel/obj/asyncq.c).
 *
 * An op resolves its fd in the caller's table on its first run and keeps the
 * file referenced until it is freed. A read or write that would block does
 * not park anybody: it links the op's own waiter node on the file's wait
 * queue (the queue a blocking read(2) would park on) with fd_woken as its
 * callback, after testing readiness under that queue's lock, as
 * lx_park_on_file does; the file's wake then marks the op QUEUED and a thread
 * of the owner runs it again. A read completes with what one read returns
 * (0 at end of file). A write completes once all of its bytes are written,
 * like a blocking write(2), or with the count written before an error; once
 * it wrote anything it can no longer be cancelled. An offset of -1 uses and
 * moves the file position; any other offset reads or writes there (pread).
 * A file opened O_NONBLOCK completes with -EAGAIN instead of waiting. No
 * SIGPIPE is sent: a write to a pipe without readers completes with -EPIPE.
 * Files of disk file systems (ext4, FAT) answer -ESVC here (their I/O may
 * block): the op is then handed to the fs service whole (lx_aq_svc.c) and
 * completes from there.
 */
#include <linux/lx.h>
#include <obj/asyncq.h>
#include <core/waitq.h>
#include "lx_aq.h"

#define LX_AQ_MAX_LEN 0x7ffff000ull

static void fd_woken(struct waiter *w, long result)
{
	(void)result;
	aq_op_event(container_of(w, struct aq_op, w), 0, false, 0, 0);
}

/* The file would block: link the op on its queue. 1 when armed, 0 when it
 * became ready meanwhile (try again), -EOPNOTSUPP for a file that cannot wait. */
static long arm(struct aq_op *op, struct file *f, bool write)
{
	struct waitq *wq = f->fops->wait_queue ? f->fops->wait_queue(f, write) : NULL;
	unsigned need = write ? VFS_POLLOUT : VFS_POLLIN;

	if (!wq)
		return -EOPNOTSUPP;
	spin_lock(&wq->lock);
	if (vfs_poll(f) & (need | VFS_POLLHUP | VFS_POLLERR)) {
		spin_unlock(&wq->lock);
		return 0;
	}
	op->wq = wq;
	waitq_add_fn_locked(wq, &op->w, fd_woken);
	spin_unlock(&wq->lock);
	return 1;
}

/* The op's file (taken on the first run), after checking the SQE. */
static long op_file(struct thread *t, struct aq_op *op, struct file **f)
{
	const struct weft_aq_sqe *s = &op->sqe;

	if (s->op_flags || s->len > LX_AQ_MAX_LEN)
		return -EINVAL;
	if (!uaccess_ok(s->addr, s->len))
		return -EFAULT;
	if (!op->file)
		op->file = lx_fd_get(t->proc, s->fd);
	*f = op->file;
	return *f ? 0 : -EBADF;
}

static long xfer(struct file *f, struct aq_op *op, bool write)
{
	const struct weft_aq_sqe *s = &op->sqe;
	bool at_pos = s->offset == UINT64_MAX;
	struct uio u;

	long r;

	uio_init_user(&u, s->addr + op->done, s->len - op->done, at_pos ? 0 : s->offset + op->done);
	if (at_pos)
		r = write ? vfs_write(f, &u) : vfs_read(f, &u);
	else
		r = write ? vfs_pwrite(f, &u) : vfs_pread(f, &u);
	return r;
}

static long fd_read_run(struct thread *t, struct aq_op *op)
{
	struct file *f;
	long r = op_file(t, op, &f);

	while (!r) {
		r = xfer(f, op, false);
		if (r == -ESVC) /* a disk file system's file */
			return lx_aq_svc_start(t, op, f, false);
		if (r != -EAGAIN || (f->flags & VFS_O_NONBLOCK))
			return r;
		r = arm(op, f, false);
		if (r == 1)
			return -EPARKED;
	}
	return r;
}

static long fd_write_run(struct thread *t, struct aq_op *op)
{
	struct file *f;
	long r = op_file(t, op, &f);

	while (!r && op->done < op->sqe.len) {
		r = xfer(f, op, true);
		if (r > 0) {
			op->done += (uint64_t)r;
			aq_op_progress(op);
			r = 0;
		} else if (r == -ESVC) { /* a disk file system's file */
			r = lx_aq_svc_start(t, op, f, true);
			if (r == -EPARKED)
				return r;
		} else if (r == -EAGAIN && !(f->flags & VFS_O_NONBLOCK)) {
			r = arm(op, f, true);
			if (r == 1)
				return -EPARKED;
		} else if (!r) {
			r = -EIO; /* a file that takes nothing and says nothing */
		}
	}
	return op->done ? (long)op->done : r;
}

static void fd_disarm(struct aq_op *op)
{
	lx_aq_svc_disarm(op);
	waitq_remove(&op->w);
	if (op->wq) { /* wait out a wake that took it off and runs fd_woken */
		spin_lock(&op->wq->lock);
		spin_unlock(&op->wq->lock);
	}
}

static void fd_release(struct aq_op *op)
{
	lx_aq_svc_release(op);
	if (op->file)
		file_put(op->file);
}

const struct aq_kind aq_kind_fd_read = {
    .run = fd_read_run, .disarm = fd_disarm, .release = fd_release};
const struct aq_kind aq_kind_fd_write = {
    .run = fd_write_run, .disarm = fd_disarm, .release = fd_release};
