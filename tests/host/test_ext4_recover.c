/*
 * Host tests of ext4's recovery after a fault in the fs service
 * (ext4_fstype.recover, kernel/fs/ext4/super.c): without numbered requests
 * it forgets every unsynced change; with them (bcache_begin_request, as the
 * fs service numbers its requests) it undoes only the failed request and
 * keeps what the requests before it did. e2fsck -fn finds the images clean.
 */
#include "ht.h"
#include "ext4_seeded.h"
#include "ext4_impl.h"
#include <fs/ext4.h>
#include <weft/errno.h>

/* recover() forgets unsynced changes and re-reads what vnodes show. */
HT_TEST(recover)
{
	char img[4096];
	struct vfs_stat st;

	e4u_scratch(img, "ext4-empty-4k.img", "rec");
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	HT_CHECK_EQ(write_content("/kept", "kept", 0, 10000, 0), 10000);
	HT_CHECK_EQ(ext4_fstype.sync(&e4u_mnt), 0);
	HT_CHECK_EQ(write_content("/kept", "kept", 10000, 10000, 0), 10000);
	HT_CHECK_EQ(write_content("/lost", "lost", 0, 100, 0), 100);
	ext4_fstype.recover(&e4u_mnt);
	vfs_dcache_flush();
	HT_CHECK(file_is("/kept", "kept", 10000));
	HT_CHECK_EQ(e4u_stat("/lost", &st), -ENOENT);
	HT_CHECK_EQ(write_content("/after", "after", 0, 3000, 0), 3000);
	e4u_umount();
	check_fsck(img);
}

/* With numbered requests, recover() undoes only the last one: what the
 * requests before it changed stays, synced or not (kernel/fs/bcache.c). */
HT_TEST(recover_undoes_one_request)
{
	char img[4096];
	struct vfs_stat st;

	e4u_scratch(img, "ext4-empty-1k.img", "undo");
	HT_CHECK_EQ(e4u_mount_file(img, NULL), 0);
	if (!e4u_root)
		return;
	bcache_begin_request();
	HT_CHECK_EQ(write_content("/a", "a", 0, 5000, 0), 5000);
	bcache_begin_request();
	HT_CHECK_EQ(vfs_mkdir(e4u_root, e4u_root, "/d", 0755), 0);
	bcache_begin_request();
	HT_CHECK_EQ(write_content("/a", "a", 5000, 3000, 0), 3000);
	bcache_begin_request(); /* the one that fails: a create and a write */
	HT_CHECK_EQ(write_content("/lost", "lost", 0, 700, 0), 700);
	ext4_fstype.recover(&e4u_mnt);
	vfs_dcache_flush();
	bcache_begin_request();
	HT_CHECK(file_is("/a", "a", 8000));
	HT_CHECK_EQ(e4u_stat("/d", &st), 0);
	HT_CHECK_EQ(e4u_stat("/lost", &st), -ENOENT);
	HT_CHECK_EQ(write_content("/after", "after", 0, 3000, 0), 3000);
	e4u_umount();
	check_fsck(img);
}

HT_MAIN(HT_CASE(recover), HT_CASE(recover_undoes_one_request))
