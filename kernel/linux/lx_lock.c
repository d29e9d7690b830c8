/*
 * File locks of the Linux personality: fcntl's record locks (F_GETLK,
 * F_SETLK, F_SETLKW and the open-file-description forms F_OFD_*) and
 * flock(2), decoded here and kept by fs/locks.c.
 *
 * A POSIX lock belongs to the process (its struct proc is the owner): any
 * close of any descriptor of the file by the process drops all of them
 * (lx_fd_closed), and so does exit. OFD and flock locks belong to the open
 * file description and go with its last reference. A blocking request that
 * meets a conflict parks with "restart the call": nothing was changed, and a
 * signal ends it with -EINTR (or a restart under SA_RESTART, like Linux's
 * -ERESTARTSYS). F_SETLKW that would close a cycle of two (or more) waiting
 * processes fails with -EDEADLK.
 */
#include "lx_file.h"
#include <fs/locks.h>

#define F_GETLK	     5
#define F_SETLK	     6
#define F_SETLKW     7
#define F_OFD_GETLK  36
#define F_OFD_SETLK  37
#define F_OFD_SETLKW 38

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

/* struct flock on riscv64 (asm-generic, 64-bit off_t). */
struct lx_flock {
	int16_t type, whence;
	int32_t pad;
	int64_t start, len;
	int32_t pid, pad2;
};

bool lx_is_lock_cmd(int cmd)
{
	return (cmd >= F_GETLK && cmd <= F_SETLKW) || (cmd >= F_OFD_GETLK && cmd <= F_OFD_SETLKW);
}

/* The byte range fl names in f: [*s, *e], *e LOCKS_EOF for "to the end".
 * l_whence and l_start resolve as lseek would (without moving the offset). */
static int lock_range(struct file *f, const struct lx_flock *fl, uint64_t *s, uint64_t *e)
{
	int64_t len = fl->len;
	uint64_t start;
	int err;

	if (fl->whence == VFS_SEEK_SET && fl->start >= 0)
		start = (uint64_t)fl->start;
	else if (!f->fops->lseek || (fl->whence != VFS_SEEK_SET && fl->whence != VFS_SEEK_CUR &&
				     fl->whence != VFS_SEEK_END))
		return -EINVAL;
	else if ((err = f->fops->lseek(f, fl->start, fl->whence, &start)) != 0)
		return err;
	if (len < 0) { /* the -len bytes before start */
		if ((uint64_t)-len > start)
			return -EINVAL;
		start -= (uint64_t)-len;
		len = -len;
	}
	*s = start;
	*e = len ? start + (uint64_t)len - 1 : LOCKS_EOF;
	return *e < *s ? -EOVERFLOW : 0;
}

/* Decode a struct flock into a request (for F_GETLK too: type RD/WR only). */
static int lock_decode(struct thread *t, struct file *f, int cmd, const struct lx_flock *fl,
		       struct locks_req *r)
{
	bool ofd = cmd >= F_OFD_GETLK;
	unsigned acc = f->flags & VFS_O_ACCMODE;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;

	if (fl->type < LOCKS_RD || fl->type > LOCKS_UN || (get && fl->type == LOCKS_UN))
		return -EINVAL;
	if (ofd && fl->pid)
		return -EINVAL;
	if (!get && fl->type == LOCKS_RD && acc == VFS_O_WRONLY)
		return -EBADF;
	if (!get && fl->type == LOCKS_WR && acc == VFS_O_RDONLY)
		return -EBADF;
	r->kind = ofd ? LOCKS_OFD : LOCKS_POSIX;
	r->type = (enum locks_type)fl->type;
	r->owner = ofd ? (void *)f : (void *)t->proc;
	r->pid = ofd ? -1 : t->proc->pid;
	return lock_range(f, fl, &r->start, &r->end);
}

long lx_fcntl_lock(struct thread *t, struct file *f, int cmd, uaddr_t ufl)
{
	struct lx_flock fl;
	struct locks_req r;
	long err;

	if (copy_from_user(&fl, ufl, sizeof(fl)))
		return -EFAULT;
	if (!f->vn)
		return -EINVAL;
	err = lock_decode(t, f, cmd, &fl, &r);
	if (err)
		return err;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		locks_test(f->vn, &r);
		fl.type = (int16_t)r.type;
		if (r.type != LOCKS_UN) {
			fl.whence = VFS_SEEK_SET;
			fl.start = (int64_t)r.start;
			fl.len = r.end == LOCKS_EOF ? 0 : (int64_t)(r.end - r.start + 1);
			fl.pid = r.pid;
		}
		return copy_to_user(ufl, &fl, sizeof(fl));
	}
	return locks_set(f->vn, f, &r, cmd == F_SETLKW || cmd == F_OFD_SETLKW ? t : NULL,
			 sched_cont_restart);
}

/* flock(fd, op): whole-file locks of the open file description. */
long lx_sys_flock(struct thread *t, const unsigned long *a)
{
	unsigned op = (unsigned)a[1];
	struct locks_req r = {.kind = LOCKS_FLOCK, .start = 0, .end = LOCKS_EOF};
	struct file *f;
	long err;

	switch (op & ~LOCK_NB) {
	case LOCK_SH:
		r.type = LOCKS_RD;
		break;
	case LOCK_EX:
		r.type = LOCKS_WR;
		break;
	case LOCK_UN:
		r.type = LOCKS_UN;
		break;
	default:
		return -EINVAL;
	}
	f = lx_fd_get(t->proc, (int)a[0]);
	if (!f)
		return -EBADF;
	r.owner = f;
	r.pid = t->proc->pid;
	err = f->vn ? locks_set(f->vn, f, &r, (op & LOCK_NB) ? NULL : t, sched_cont_restart)
		    : -EINVAL;
	file_put(f);
	return err == -EAGAIN ? -EWOULDBLOCK : err;
}

void lx_fd_closed(struct proc *p, struct file *f)
{
	if (f && f->vn && locks_nr_files())
		locks_release_owner(f->vn, p);
	file_put(f);
}
