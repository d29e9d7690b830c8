/*
 * pipe2(2) for the Linux personality: decode the flags, make the pipe
 * (fs/pipe.c), install its two ends as descriptors and copy the int[2] out.
 * The fd table has no way to reserve numbers, so the ends are installed first
 * and closed again if the copy-out fails; the array is probed before anything
 * is created so a bad pointer normally fails with nothing made. pipe(2) is not a
 * riscv64 syscall (libcs call pipe2 with flags 0). Reads and writes go through
 * the generic read/write path (lx_fd.c), which parks on the pipe's queues.
 */
#include <linux/lx.h>
#include <fs/pipe.h>

/* lx_fd.c (no table-level close helper exists yet). */
long lx_sys_close(struct thread *t, const unsigned long *a);

static void lx_pipe_close(struct thread *t, int fd)
{
	lx_sys_close(t, (const unsigned long[]){(unsigned long)fd});
}

/* Install both ends: 0 with fds filled, or -EMFILE with nothing installed.
 * The references in rd and wr pass to the table, or are dropped on failure. */
static int lx_pipe_install(struct thread *t, struct file *rd, struct file *wr, bool cloexec,
			   int fds[2])
{
	fds[0] = lx_fd_install(t->proc, rd, cloexec);
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = lx_fd_install(t->proc, wr, cloexec);
	if (fds[1] < 0) {
		file_put(wr);
		lx_pipe_close(t, fds[0]);
		return fds[1];
	}
	return 0;
}

/* pipe2(int fds[2], int flags): flags O_CLOEXEC and O_NONBLOCK, others -EINVAL. */
long lx_sys_pipe2(struct thread *t, const unsigned long *a)
{
	uaddr_t ufds = a[0];
	unsigned flags = (unsigned)a[1];
	struct file *rd, *wr;
	int fds[2];
	long err;

	if (flags & ~(VFS_O_CLOEXEC | VFS_O_NONBLOCK))
		return -EINVAL;
	/* Probe the array (read it, write the same bytes back) before making anything. */
	if (copy_from_user(fds, ufds, sizeof(fds)) || copy_to_user(ufds, fds, sizeof(fds)))
		return -EFAULT;
	err = pipe_create(&rd, &wr, flags & VFS_O_NONBLOCK);
	if (err)
		return err;
	err = lx_pipe_install(t, rd, wr, flags & VFS_O_CLOEXEC, fds);
	if (err)
		return err;
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		lx_pipe_close(t, fds[0]);
		lx_pipe_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}
