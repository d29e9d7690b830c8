/*
 * The fs service: one worker runs every operation of the disk file systems,
 * so the code of one mounted instance never runs twice at once. Requests are
 * whole system calls (or page faults) that a VFS_FS_BLOCKING op sent here
 * with -ESVC. After a fault, every disk file system forgets the state the
 * fault may have torn (its recover hook: caches dropped, metadata re-read).
 */
#include <svc/services.h>
#include <fs/vfs.h>

#define FS_WATCHDOG_NS (2ull * 1000 * 1000 * 1000)

static int recover_one(struct mount *m, void *arg)
{
	(void)arg;
	if ((m->fstype->flags & VFS_FS_BLOCKING) && m->fstype->recover)
		m->fstype->recover(m);
	return 0;
}

static void fs_recover(struct service *s)
{
	(void)s;
	vfs_mount_foreach(recover_one, NULL);
	vfs_dcache_flush(); /* names cached by the failed request may not exist */
}

struct service svc_fs = {
    .name = "fs",
    .nworkers = 1,
    .watchdog_ns = FS_WATCHDOG_NS,
    .recover = fs_recover,
};
