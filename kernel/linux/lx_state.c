/*
 * Per-process Linux state: creation for init, copy at fork, release at exit.
 * init gets the console on fds 0, 1 and 2, and / as root and cwd. The fd
 * table (CLONE_FILES) and the cwd/root/umask block (CLONE_FS) are counted
 * objects that clone may share between processes; the last one out of a
 * shared block drops its references.
 */
#include <linux/lx.h>
#include <core/slab.h>
#include <fs/locks.h>

static void lx_exit(struct proc *p)
{
	struct lx_proc *lp = lx_of(p);

	if (!lp)
		return;
	if (lp->files)	/* the first call (lx_free calls again) */
		lx_orphan_leader_exit(p);
	lx_itimer_stop(p);
	lx_exe_set(p, NULL);	/* before the files close, as Linux drops the mm first */
	locks_release_owner(NULL, p);
	lx_files_put(lp->files);
	lp->files = NULL;
	lx_fs_put(lp->fs);
	lp->fs = NULL;
}

void lx_exe_set(struct proc *p, struct vnode *vn)
{
	struct lx_proc *lp = lx_of(p);
	struct vnode *old = lp->exe;

	lp->exe = vn;
	if (old) {
		vnode_allow_write(old);
		vnode_put(old);
	}
}

static void lx_free(struct proc *p)
{
	lx_exit(p);
	kfree(p->lx);
	p->lx = NULL;
}

static void lx_thread_free(struct thread *t)
{
	kfree(t->lx);
	t->lx = NULL;
}

static void lx_child_exited(struct proc *parent, struct proc *child)
{
	struct lx_sigsrc src = { (child->exit_status & 0x7f) ? 2 /* CLD_KILLED */ : 1 /* CLD_EXITED */,
				 child->pid, (child->exit_status & 0x7f) ?: (child->exit_status >> 8) & 0xff,
				 0 };

	lx_send_signal(parent, NULL, LX_SIGCHLD, &src);
}

static const struct proc_ops lx_proc_ops = {
	.child_exited = lx_child_exited,
	.exit_tree = lx_orphan_exit_locked,
	.exit = lx_exit,
	.free = lx_free,
	.thread_free = lx_thread_free,
};

struct vnode *lx_cwd_get(struct lx_proc *lp)
{
	struct lx_fs *fs = lp->fs;
	struct vnode *vn;

	spin_lock(&fs->lock);
	vn = vnode_get(fs->cwd);
	spin_unlock(&fs->lock);
	return vn;
}

void lx_cwd_set(struct lx_proc *lp, struct vnode *dir)
{
	struct lx_fs *fs = lp->fs;
	struct vnode *old;

	spin_lock(&fs->lock);
	old = fs->cwd;
	fs->cwd = dir;
	spin_unlock(&fs->lock);
	vnode_put(old); /* after the lock: a last put calls the file system */
}

/* A new cwd/root/umask block holding root and cwd (whose reference it takes). */
static struct lx_fs *lx_fs_new(struct vnode *root, struct vnode *cwd, uint32_t umask)
{
	struct lx_fs *fs = kzalloc(sizeof(*fs));

	if (!fs) {
		vnode_put(cwd);
		return NULL;
	}
	spin_init(&fs->lock, "lx-fs");
	fs->refs = 1;
	fs->root = vnode_get(root);
	fs->cwd = cwd;
	fs->umask = umask;
	return fs;
}

void lx_fs_put(struct lx_fs *fs)
{
	if (!fs || __atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL))
		return;
	vnode_put(fs->cwd);
	vnode_put(fs->root);
	kfree(fs);
}

/* New Linux state with fs and a copy of the fd table from (or from itself,
 * shared). Takes the reference to fs, also on failure. */
static struct lx_proc *lx_alloc(struct lx_files *from, bool share, struct lx_fs *fs)
{
	struct lx_proc *lp = fs ? kzalloc(sizeof(*lp)) : NULL;

	if (!lp)
		goto fail;
	if (share)
		__atomic_add_fetch(&from->refs, 1, __ATOMIC_ACQ_REL);
	lp->files = share ? from : lx_files_dup(from);
	if (!lp->files)
		goto fail;
	spin_init(&lp->siglock, "signals");
	lp->fs = fs;
	return lp;
fail:
	lx_fs_put(fs);
	kfree(lp);
	return NULL;
}

int lx_files_unshare(struct proc *p)
{
	struct lx_proc *lp = lx_of(p);
	struct lx_files *mine;

	if (__atomic_load_n(&lp->files->refs, __ATOMIC_ACQUIRE) == 1)
		return 0;
	mine = lx_files_dup(lp->files);
	if (!mine)
		return -ENOMEM;
	lx_files_put(lp->files);
	lp->files = mine;
	return 0;
}

int lx_proc_fork(struct proc *parent, struct proc *child, bool share_files, bool share_fs)
{
	struct lx_proc *pp = lx_of(parent);
	struct lx_fs *fs;

	if (share_fs) {
		fs = pp->fs;
		__atomic_add_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL);
	} else {
		fs = lx_fs_new(pp->fs->root, lx_cwd_get(pp),
			       __atomic_load_n(&pp->fs->umask, __ATOMIC_RELAXED));
	}
	child->lx = lx_alloc(pp->files, share_files, fs);
	if (!child->lx)
		return -ENOMEM;
	/* The child runs the same image: it denies writes to it too (this cannot
	 * fail while the parent's denial stands). */
	if (pp->exe && vnode_deny_write(pp->exe) == 0)
		lx_of(child)->exe = vnode_get(pp->exe);
	for (int i = 0; i < 3; i++) {
		lx_of(child)->uid[i] = pp->uid[i];
		lx_of(child)->gid[i] = pp->gid[i];
	}
	spin_lock(&pp->siglock);
	for (int s = 1; s <= LX_NSIG; s++)
		lx_of(child)->act[s] = pp->act[s];
	spin_unlock(&pp->siglock);
	return 0;
}

int lx_setup_init(struct proc *p)
{
	struct file *con;
	int err;

	proc_ops = &lx_proc_ops;
	p->lx = lx_alloc(NULL, false, lx_fs_new(vfs_root(), vnode_get(vfs_root()), 022));
	if (!p->lx)
		return -ENOMEM;
	err = vfs_open(vfs_root(), vfs_root(), "/dev/console", VFS_O_RDWR, 0, &con);
	if (err)
		return err;
	for (int fd = 0; fd < 3; fd++)
		lx_fd_install(p, fd ? file_get(con) : con, false);
	return 0;
}
