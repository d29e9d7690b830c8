/*
 * /proc/<pid>/fd for the Linux personality: the procfs hooks that list a
 * process's descriptors and name what they refer to. procfs calls the list
 * hook under proc_tree_lock; it takes file references under the descriptor
 * table's lock. The names are worked out by the name hook after procfs has
 * dropped both, since naming a file walks the VFS (whose locks come before
 * the table's) and, on a disk file system, may need the fs service (-ESVC).
 *
 * Names: files and directories by path (vfs_path_of; not /proc's own), pipes
 * "pipe:[ino]", the console "/dev/console", a file whose name is unknown
 * (removed, or gone from the name cache) "inode:[dev:ino]".
 *
 * Opening /proc/<pid>/fd/<n> opens the file the descriptor refers to, not the
 * path its link text names (Linux's "magic link"): a new open file
 * description of the same vnode, or a new end of the same pipe.
 */
#include <linux/lx.h>
#include <obj/proc_iter.h>
#include <fs/procfs.h>
#include <fs/pipe.h>
#include <fs/vfs_extra.h>
#include <lib/fmt.h>
#include <lib/string.h>

extern const struct file_ops lx_console_fops;

static int name_of(struct file *f, char *buf, size_t size)
{
	struct vfs_stat st;
	long n;

	if (f->fops == &lx_console_fops) {
		strlcpy(buf, "/dev/console", size);
		return 0;
	}
	if (pipe_is_pipe(f) && pipe_stat(f, &st) == 0) {
		fmt_snprintf(buf, size, "pipe:[%lu]", (unsigned long)st.ino);
		return 0;
	}
	if (!f->vn) {
		strlcpy(buf, "anon_inode:[file]", size);
		return 0;
	}
	/* Not for /proc's own directories: naming them would list /proc. A disk
	 * file system outside the fs service says -ESVC: the call runs again. */
	n = f->vn->mnt->fstype != &procfs_fstype ? vfs_path_of(vfs_root(), f->vn, buf, size)
						 : -ENOENT;
	if (n == -ESVC)
		return -ESVC;
	if (n < 0)
		fmt_snprintf(buf, size, "inode:[%u:%lu]", f->vn->mnt ? f->vn->mnt->dev : 0,
			     (unsigned long)f->vn->ino);
	return 0;
}

static int list_fds(struct proc *p, int from, struct procfs_fd *out, int max)
{
	struct lx_proc *lp = lx_of(p);
	int n = 0;

	if (!lp || !lp->files || from < 0)
		return 0;
	spin_lock(&lp->files->lock);
	for (int fd = from; fd < LX_NFD && n < max; fd++)
		if (lp->files->fd[fd]) {
			out[n].fd = fd;
			out[n++].file = file_get(lp->files->fd[fd]);
		}
	spin_unlock(&lp->files->lock);
	return n;
}

struct fd_of {
	int fd;
	struct file *f;
};

static int fd_of_visit(struct proc *p, void *arg)
{
	struct fd_of *c = arg;

	c->f = lx_of(p) && lx_of(p)->files ? lx_fd_get(p, c->fd) : NULL;
	return 0;
}

/* Does path name something under /proc/.../fd/ (else no lookup is spent)? */
static bool maybe_fd_link(const char *path)
{
	if (strncmp(path, "/proc/", 6))
		return false;
	for (const char *s = path; *s; s++)
		if (!strncmp(s, "/fd/", 4))
			return true;
	return false;
}

int lx_procfd_open(struct thread *t, struct vnode *dir, const char *path, unsigned flags,
		   struct file **out)
{
	struct fd_of c = {0, NULL};
	struct vnode *vn;
	int pid, err;
	bool magic;

	if (!maybe_fd_link(path) || vfs_lookup(lx_of(t->proc)->fs->root, dir, path, 0, &vn))
		return 1;
	magic = procfs_fd_node(vn, &pid, &c.fd);
	vnode_put(vn);
	if (!magic)
		return 1;
	if (flags & VFS_O_NOFOLLOW)
		return -ELOOP;
	if (proc_with_pid(pid, fd_of_visit, &c) || !c.f)
		return -ENOENT;
	if (c.f->vn)
		err = vfs_open_vnode(c.f->vn, flags, out);
	else if (pipe_is_pipe(c.f))
		err = pipe_reopen(c.f, flags, out);
	else
		*out = file_get(c.f), err = 0; /* the console: one description */
	file_put(c.f);
	return err;
}

void lx_procfd_init(void)
{
	procfs_fd_name_hook = name_of;
	procfs_fd_hook = list_fds;
}
