/*
 * /proc/<pid>/fd for the Linux personality: the procfs hook that lists a
 * process's descriptors and what they refer to. procfs calls it under
 * proc_tree_lock. File references are taken under the descriptor table's lock,
 * and the names are worked out after it is dropped, since naming a directory
 * walks the VFS (whose locks come before the table's).
 *
 * Names: directories by path (vfs_getcwd; not /proc's own), pipes "pipe:[ino]", the console
 * "/dev/console", other files "inode:[dev:ino]" (regular files do not keep the
 * name they were opened by).
 */
#include <linux/lx.h>
#include <fs/procfs.h>
#include <fs/pipe.h>
#include <fs/vfs_extra.h>
#include <lib/fmt.h>
#include <lib/string.h>

extern const struct file_ops lx_console_fops;

static void name_of(struct file *f, char *buf, size_t size)
{
	struct vfs_stat st;

	if (f->fops == &lx_console_fops) {
		strlcpy(buf, "/dev/console", size);
	} else if (pipe_is_pipe(f) && pipe_stat(f, &st) == 0) {
		fmt_snprintf(buf, size, "pipe:[%lu]", (unsigned long)st.ino);
	} else if (f->vn && f->vn->type == VDIR && f->vn->mnt->fstype != &procfs_fstype &&
		   vfs_getcwd(vfs_root(), f->vn, buf, size) >= 0) {
		/* (not for /proc's own directories: naming them re-enters procfs, which
		 * takes proc_tree_lock, already held around this hook) */
		/* the path is in buf */
	} else if (f->vn) {
		fmt_snprintf(buf, size, "inode:[%u:%lu]", f->vn->mnt ? f->vn->mnt->dev : 0,
			     (unsigned long)f->vn->ino);
	} else {
		strlcpy(buf, "anon_inode:[file]", size);
	}
}

static int list_fds(struct proc *p, int from, struct procfs_fd *out, int max)
{
	struct lx_proc *lp = lx_of(p);
	struct file *files[16];
	int fds[16], n = 0;

	if (!lp || !lp->files || from < 0)
		return 0;
	if (max > 16)
		max = 16;	/* procfs asks again from the last fd + 1 */
	spin_lock(&lp->files->lock);
	for (int fd = from; fd < LX_NFD && n < max; fd++)
		if (lp->files->fd[fd]) {
			fds[n] = fd;
			files[n++] = file_get(lp->files->fd[fd]);
		}
	spin_unlock(&lp->files->lock);
	for (int i = 0; i < n; i++) {
		out[i].fd = fds[i];
		name_of(files[i], out[i].target, sizeof(out[i].target));
		file_put(files[i]);
	}
	return n;
}

void lx_procfd_init(void)
{
	procfs_fd_hook = list_fds;
}
