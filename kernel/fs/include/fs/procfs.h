/*
 * procfs: the Linux /proc file system, generated from kernel state.
 *
 * Every file's text is generated into a kernel buffer when the file is opened;
 * reads are served from that snapshot at the file offset, and it is freed when
 * the file is closed, so a reader sees one consistent picture however it reads
 * and no kernel lock is held while bytes are copied out. Directories and
 * symlinks are computed at each lookup, readdir or readlink: /proc lists the
 * live pids, /proc/self names the caller's pid, /proc/<pid>/fd asks the
 * personality that owns file descriptors (procfs_fd_hook).
 */
#ifndef FS_PROCFS_H
#define FS_PROCFS_H

#include <fs/vfs.h>

struct proc;

#define PROCFS_FD_TARGET_MAX 128 /* longest /proc/<pid>/fd/<n> target, with NUL */

/* One open descriptor, as /proc/<pid>/fd shows it. */
struct procfs_fd {
	int fd;
	char target[PROCFS_FD_TARGET_MAX]; /* NUL-terminated: "/dev/console", "pipe:[7]" */
};

/*
 * Set once at boot by the personality that owns p->lx (the Linux layer); NULL
 * means "no descriptors". Fills out[0..max) with p's open descriptors numbered
 * >= from, ascending, and returns how many (0 when none), or a negative errno.
 * Called with proc_tree_lock held (p is live): it may take the descriptor
 * table's lock, must not sleep, and must not take proc_tree_lock.
 */
typedef int (*procfs_fd_hook_t)(struct proc *p, int from, struct procfs_fd *out, int max);
extern procfs_fd_hook_t procfs_fd_hook;

/* The file system type "proc" (one instance per mount; all show the same). */
extern const struct vfs_fstype procfs_fstype;

/*
 * Register "proc" and mount it on /proc, creating the directory if needed.
 * Call once at boot after the root file system is populated (after the initrd
 * is unpacked). 0, or the VFS's error (-EEXIST if already registered).
 */
int procfs_init(void);

/* Is vn /proc/<pid>/fd/<fd>? Then *pid and *fd name the descriptor (a "magic
 * link": the personality opens the file it refers to, not its text). */
bool procfs_fd_node(const struct vnode *vn, int *pid, int *fd);

#endif
