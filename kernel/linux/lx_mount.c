/*
 * mount and umount2. File system types: tmpfs, devfs (also under its Linux name
 * devtmpfs) and proc. Mount flags that only restrict access (nosuid, nodev,
 * noexec, noatime, silent) are accepted and not enforced yet; remount, bind
 * and move are not supported (EINVAL). umount2 honours MNT_DETACH.
 */
#include <linux/lx.h>
#include <core/slab.h>
#include <lib/string.h>

#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_NOATIME 1024
#define MS_NODIRATIME 2048
#define MS_SILENT 32768
#define MS_RELATIME (1 << 21)
#define MS_ACCEPTED (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_SILENT | \
		     MS_RELATIME | 0xC0ED0000u /* the old magic in the high bits */)
#define MNT_FORCE 1
#define MNT_DETACH 2

long lx_sys_mount(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	char *target = kmalloc(VFS_PATH_MAX), type[32], source[64] = "none";
	const char *fs = type;
	long err;

	if (!target)
		return -ENOMEM;
	err = (a[3] & ~(unsigned long)MS_ACCEPTED) ? -EINVAL : 0;
	if (!err)
		err = copy_str_from_user(target, a[1], VFS_PATH_MAX);
	if (err >= 0)
		err = a[2] ? copy_str_from_user(type, a[2], sizeof(type)) : -EINVAL;
	/* The source is informational here: a name too long for it is cut. */
	if (err >= 0 && a[0] && copy_str_from_user(source, a[0], sizeof(source)) == -EFAULT)
		err = -EFAULT;
	source[sizeof(source) - 1] = 0;
	if (err >= 0) {
		if (!strcmp(type, "devtmpfs"))
			fs = "devfs";
		struct vnode *cwd = lx_cwd_get(lp);
		err = vfs_mount_at(lp->fs->root, cwd, fs, target, source, NULL);
		vnode_put(cwd);
	}
	kfree(target);
	return err < 0 ? err : 0;
}

long lx_sys_umount2(struct thread *t, const unsigned long *a)
{
	struct lx_proc *lp = lx_of(t->proc);
	char *target;
	long err;

	if (a[1] & ~(unsigned long)(MNT_FORCE | MNT_DETACH))
		return -EINVAL;
	target = kmalloc(VFS_PATH_MAX);
	if (!target)
		return -ENOMEM;
	err = copy_str_from_user(target, a[0], VFS_PATH_MAX);
	if (err >= 0) {
		struct vnode *cwd = lx_cwd_get(lp);
		err = vfs_umount_at(lp->fs->root, cwd, target, a[1] & MNT_DETACH);
		vnode_put(cwd);
	}
	kfree(target);
	return err < 0 ? err : 0;
}
