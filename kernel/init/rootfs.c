/*
 * The root file system named on the command line (root=/dev/vda, and
 * rootfstype=, ext4 by default). Mounting it reads the disk, which only a
 * context that may block does, so a boot kernel thread asks the fs service to
 * mount it, mount /proc on it and start init from it. Without root= the
 * initrd's tmpfs is the root and kmain starts init itself.
 */
#include <core/klog.h>
#include <core/kthread.h>
#include <fs/procfs.h>
#include <fs/vfs.h>
#include <lib/string.h>
#include <svc/services.h>
#include "boot.h"

static char root_dev[32];
static char root_type[16] = "ext4";

void rootfs_option(const char *tok)
{
	if (!strncmp(tok, "root=", 5))
		strlcpy(root_dev, tok + 5, sizeof(root_dev));
	else if (!strncmp(tok, "rootfstype=", 11))
		strlcpy(root_type, tok + 11, sizeof(root_type));
}

bool rootfs_requested(void)
{
	return root_dev[0] != 0;
}

static long mount_and_start(struct svc_req *r)
{
	int err = vfs_mount_root(root_type, root_dev, NULL);

	(void)r;
	if (err) {
		pr_err("boot: cannot mount %s (%s) as the root: error %d", root_dev, root_type, err);
		return err;
	}
	pr_info("boot: root is %s (%s)", root_dev, root_type);
	err = vfs_mkdir(vfs_root(), vfs_root(), "/proc", 0555);
	if ((err && err != -EEXIST) || (err = vfs_mount("proc", "/proc", "proc", NULL)))
		pr_warn("boot: no /proc on the root (%d)", err);
	boot_start_init();
	return 0;
}

static void boot_thread(void *arg)
{
	(void)arg;
	if (svc_call(&svc_fs, mount_and_start, NULL))
		weft_shutdown(1);
}

void rootfs_boot(void)
{
	if (!kthread_create("boot", boot_thread, NULL))
		panic("boot: out of memory");
}
