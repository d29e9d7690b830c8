/*
 * Host tests of the ext4 orphan list (kernel/fs/ext4/orphan.c) on images made
 * by the real mkfs.ext4: files unlinked while still referenced (open) are on
 * the on-disk list from s_last_orphan; a "crash" is a copy of the image taken
 * after a sync while they are still open. The real e2fsck must accept that
 * list (it clears the orphans and then finds nothing else), and our next
 * mount must free them the same way, leaving an image e2fsck -fn finds clean
 * with every block and inode back. Without a crash, the last reference frees
 * the inode and takes it off the list, also from the middle of the list.
 */
#include "ext4_util.h"
#include "ht.h"
#include "ext4_impl.h"
#include <fs/ext4.h>
#include <weft/errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SB_LAST_ORPHAN 0xE8

static uint8_t block[8192];

static int fsck_clean(const char *img)
{
	int st = e4u_system("e2fsck -fn '%s' >'%s.fsck' 2>&1", img, img);

	if (st)
		e4u_system("cat '%s.fsck' >&2", img);
	e4u_system("rm -f '%s.fsck'", img);
	return st;
}

/* Create path with n bytes and return its vnode (a reference: "open"). */
static struct vnode *make_open(const char *path, size_t n)
{
	struct vnode *vn = NULL;

	memset(block, path[1], sizeof(block));
	for (size_t off = 0; off < n; off += sizeof(block))
		HT_CHECK_EQ(e4u_write(path, block, sizeof(block), off, 0), (long)sizeof(block));
	HT_CHECK_EQ(vfs_lookup(e4u_root, e4u_root, path, 0, &vn), 0);
	return vn;
}

static uint32_t last_orphan(void)
{
	return get32(((struct ext4_fs *)e4u_mnt.priv)->sb, SB_LAST_ORPHAN);
}

static void crash_and_recover(const char *fixture, const char *tag)
{
	char img[4096], crash[4200], probe[4300];
	struct vfs_statfs before, after;
	struct vnode *x, *y, *z;

	e4u_scratch(img, fixture, tag);
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &before), 0);
	x = make_open("/x", 64 * 1024);
	y = make_open("/y", 200 * 1024);
	z = make_open("/z", 8 * 1024);
	HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, "/x"), 0);
	HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, "/y"), 0);
	HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, "/z"), 0);
	vfs_dcache_flush();
	HT_CHECK_EQ(last_orphan(), (uint32_t)z->ino); /* z -> y -> x */
	/* y closes first: it leaves from the middle of the list. */
	vnode_put(y);
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	HT_CHECK_EQ(last_orphan(), (uint32_t)z->ino);
	/* The crash: the disk as it is now, with x and z still open. */
	snprintf(crash, sizeof(crash), "%s.crash", img);
	HT_CHECK_EQ(e4u_system("cp '%s' '%s'", img, crash), 0);
	/* Here they are closed: freed, off the list, clean. */
	vnode_put(x);
	vnode_put(z);
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	HT_CHECK_EQ(last_orphan(), 0);
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &after), 0);
	HT_CHECK_EQ(after.bfree, before.bfree);
	HT_CHECK_EQ(after.ffree, before.ffree);
	e4u_umount();
	HT_CHECK_EQ(fsck_clean(img), 0);

	/* e2fsck reads the crashed image's list as Linux's: it clears both
	 * orphans (routine: exit 0) and has nothing else to say. */
	snprintf(probe, sizeof(probe), "%s.probe", img);
	HT_CHECK_EQ(e4u_system("cp '%s' '%s'", crash, probe), 0);
	HT_CHECK_EQ(e4u_system("e2fsck -fy '%s' >'%s.out' 2>&1", probe, probe), 0);
	HT_CHECK_EQ(e4u_system("test $(grep -c 'Clearing orphaned inode' '%s.out') = 2", probe), 0);
	HT_CHECK_EQ(fsck_clean(probe), 0);
	e4u_system("rm -f '%s' '%s.out'", probe, probe);

	/* Our mount of the crashed image frees them the same way. */
	HT_CHECK_EQ(e4u_mount_file(crash, NULL), 0);
	if (!e4u_root)
		return;
	HT_CHECK_EQ(last_orphan(), 0);
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	HT_CHECK_EQ(ext4_fstype.statfs(&e4u_mnt, &after), 0);
	HT_CHECK_EQ(after.bfree, before.bfree);
	HT_CHECK_EQ(after.ffree, before.ffree);
	e4u_umount();
	HT_CHECK_EQ(fsck_clean(crash), 0);
	unlink(crash);
	unlink(img);
}

HT_TEST(orphans_after_crash_4k)
{
	crash_and_recover("ext4-empty-4k.img", "or4");
}

HT_TEST(orphans_after_crash_1k)
{
	crash_and_recover("ext4-empty-1k.img", "or1");
}

/* A file unlinked while open keeps its data until the last close. */
HT_TEST(unlinked_open_file_reads)
{
	char img[4096];
	uint8_t got[512];
	struct uio u;

	e4u_scratch(img, "ext4-empty-4k.img", "oro");
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	struct vnode *vn = make_open("/k", 16 * 1024);
	HT_CHECK_EQ(vfs_unlink(e4u_root, e4u_root, "/k"), 0);
	vfs_dcache_flush();
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	uio_init_kernel(&u, got, sizeof(got), 9000);
	HT_CHECK_EQ(vn->ops->read(vn, &u), 0);
	HT_CHECK_EQ(u.resid, 0);
	HT_CHECK(got[0] == 'k' && got[511] == 'k');
	HT_CHECK_EQ(e4u_write("/other", "o", 1, 0, 0), 1); /* ops go on meanwhile */
	vnode_put(vn);
	e4u_umount();
	HT_CHECK_EQ(fsck_clean(img), 0);
	unlink(img);
}

HT_MAIN(HT_CASE(orphans_after_crash_4k), HT_CASE(orphans_after_crash_1k),
	HT_CASE(unlinked_open_file_reads))
