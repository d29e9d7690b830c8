/*
 * The fs service: one worker runs every operation of the disk file systems,
 * so the code of one mounted instance never runs twice at once. Requests are
 * whole system calls (or page faults) that a VFS_FS_BLOCKING op sent here
 * with -ESVC. Each request is numbered for the buffer caches' undo (begin);
 * after a fault, every disk file system forgets the state the fault may have
 * torn (its recover hook: the failed request undone, or caches dropped and
 * metadata re-read).
 */
#include <svc/services.h>
#include <fs/bcache.h>
#include <fs/vfs.h>

/* CPU time a request may use. The guest cannot see the host descheduling
 * its vCPU, so that counts as running: at -smp 4 on 2 host cores a FAT fsync
 * of a few MiB once passed 2 s. */
#define FS_WATCHDOG_NS (5ull * 1000 * 1000 * 1000)

static int recover_one(struct mount *m, void *arg)
{
	bool keep = arg != NULL;

	if (!(m->fstype->flags & VFS_FS_BLOCKING))
		return 0;
	if (keep && m->fstype->sync)
		m->fstype->sync(m);
	if (m->fstype->recover)
		m->fstype->recover(m);
	return 0;
}

/*
 * A fault before the request's own code ran (at its start: the injected
 * faults) left what earlier requests did intact: write that to the disks
 * first. The undo alone would keep it too, but a request that takes more
 * dirty blocks than the cache can copy (a lookup scanning a large directory
 * of unsynced FAT blocks) cannot be undone, and then everything not on the
 * disks is dropped: syncing here keeps what is dirty small. A fault inside
 * file-system code may have torn cached metadata: ext4 and FAT undo what the
 * failed request did to their cached blocks (bcache_undo_request) and to
 * their own state, and keep the rest; a request too big to undo drops
 * everything not yet on the disks (the changes since the last sync are lost,
 * the disk stays as it was).
 */
static void fs_recover(struct service *s)
{
	vfs_mount_foreach(recover_one, s->fault_in_work ? NULL : (void *)1);
	vfs_dcache_flush(); /* names cached by the failed request may not exist */
}

/* Number the request, so that the buffer caches can undo it after a fault;
 * once its code returned, a new number, so that no fault undoes it now (the
 * watchdog may fault the worker just after the request it timed). */
static void fs_begin(struct service *s)
{
	(void)s;
	bcache_begin_request();
}

struct service svc_fs = {
    .name = "fs",
    .begin = fs_begin,
    .end = fs_begin,
    .nworkers = 1,
    .watchdog_ns = FS_WATCHDOG_NS,
    .recover = fs_recover,
};
