/*
 * Pipes: a bounded byte FIFO with a read end and a write end, each an
 * anonymous struct file (no vnode). Linux pipe(7) semantics: 64 KiB of
 * capacity, writes of at most PIPE_BUF bytes are atomic, a read returns what is
 * there (0 at end of file, once every writer is gone), a write with no reader
 * left fails with -EPIPE. The file ops never wait: they return -EAGAIN with
 * nothing moved, and the syscall layer parks the thread on the queue the
 * wait_queue op names, after testing poll under that queue's lock. The pipe
 * wakes its queues whenever readiness may have changed, so no wake-up is lost.
 *
 * A write moves what fits and says how much; going on until the whole count
 * is in, and raising SIGPIPE on -EPIPE, is the syscall layer's business.
 * Not yet: F_SETPIPE_SZ and splice.
 */
#ifndef FS_PIPE_H
#define FS_PIPE_H

#include <stdbool.h>
#include <fs/vfs.h>
#include <core/sched.h>

#define PIPE_BUF      4096	  /* writes up to this size are never interleaved */
#define PIPE_CAPACITY (64 * 1024) /* bytes a pipe holds before writers wait */
#define PIPE_FIONREAD 0x541B	  /* ioctl: int bytes readable, to *arg */

/*
 * A new pipe: *rd is its read end (O_RDONLY), *wr its write end (O_WRONLY),
 * each a file with one reference owned by the caller. flags may hold
 * VFS_O_NONBLOCK (stored in both files' flags); any other bit is -EINVAL.
 * Returns 0, -EINVAL or -ENOMEM (then nothing is left allocated). The buffer
 * pages are allocated on demand, so an idle pipe costs about 300 bytes
 * (plus one page once it has been used).
 * Takes only allocator locks.
 */
int pipe_create(struct file **rd, struct file **wr, unsigned flags);

/*
 * Open FIFO vn (a VFIFO vnode) with open flags `flags`: a new file, an end of
 * the pipe every open of vn shares while any end is open (the data goes when
 * the last end closes). O_RDWR is both ends. -ENXIO for O_WRONLY|O_NONBLOCK
 * when no reader has it open, -EINVAL for a bad access mode, -ENOMEM. Never
 * waits: a blocking open then calls pipe_fifo_park until the other end came.
 */
int pipe_fifo_open(struct vnode *vn, unsigned flags, struct file **out);

/*
 * For a blocking open of a FIFO (f from pipe_fifo_open): 0 once an end of the
 * other kind has opened since f did (a reader waits for a writer and the
 * reverse), else park t on the pipe with continuation cont and -EPARKED (an
 * open of the other kind wakes it; cont calls this again). Takes the pipe's
 * wait-queue lock, then its lock.
 */
long pipe_fifo_park(struct file *f, struct thread *t, thread_cont_t cont);

/*
 * A new end of anonymous pipe f's pipe, opened with flags (access mode and
 * O_NONBLOCK), as opening /proc/<pid>/fd/<n> of a pipe does: it counts as a
 * reader and/or writer like the ends pipe_create made. Never waits. -EINVAL
 * if f is not an anonymous pipe, -ENXIO (O_WRONLY|O_NONBLOCK with no reader
 * left), -ENOMEM.
 */
int pipe_reopen(struct file *f, unsigned flags, struct file **out);

/* Is f an end of a pipe? (For fstat and fcntl; f is borrowed.) */
bool pipe_is_pipe(const struct file *f);

/*
 * Fill st for an end of a pipe the way Linux's pipefs does: S_IFIFO | 0600,
 * one link, a per-pipe inode number, size 0, blksize PAGE_SIZE. -EINVAL if f is
 * not a pipe. Takes no lock.
 */
int pipe_stat(const struct file *f, struct vfs_stat *st);

#endif
