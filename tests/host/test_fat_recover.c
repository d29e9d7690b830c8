/*
 * Host tests of FAT's recovery after a fault in the fs service
 * (fat_fstype.recover, kernel/fs/fat/fat_super.c): without numbered requests
 * it forgets every unsynced change; with them (bcache_begin_request, as the
 * fs service numbers its requests) it undoes only the failed request. The
 * images are clean under fsck.fat -n after.
 */
#include "ht.h"
#include "fat_gen.h"
#include "../../kernel/fs/fat/fat_impl.h"
#include <fs/fat.h>
#include <weft/errno.h>

#define WORK "build/host/fat-recover-work.img"

/* recover after a "fault": changes since the last sync are forgotten, open
 * files see what the disk holds, and the instance goes on cleanly. */
HT_TEST(recover)
{
	struct file *f;
	char buf[64];

	HT_CHECK_EQ(fatt_copy(SMALL, WORK), 0);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	HT_CHECK_EQ(put_gen("/mnt/kept", 1, 10000), 10000);
	HT_CHECK_EQ(fatt_mount()->fstype->sync(fatt_mount()), 0);
	uint64_t free0 = bfree();
	HT_CHECK_EQ(fatt_open("/mnt/kept", VFS_O_RDWR | VFS_O_APPEND, &f), 0);
	HT_CHECK_EQ(fatt_write(f, "tail that is lost", 17), 17);
	HT_CHECK_EQ(put_gen("/mnt/lost", 2, 5000), 5000);
	struct vnode *lostdir;
	HT_CHECK_EQ(mkd("/mnt/lostdir"), 0);
	HT_CHECK_EQ(vfs_lookup(fatt_root(), fatt_root(), "/mnt/lostdir", 0, &lostdir), 0);
	/* A "fault" in the middle of an op: a block held and torn. */
	struct fat_mount *fm = fatt_mount()->priv;
	struct buf *b;
	HT_CHECK_EQ(fat_bread(fm, fm->fat_start >> fm->blk_shift, &b), 0);
	memset(b->data, 0xee, 64);
	fat_bdirty(fm, b);
	fatt_mount()->fstype->recover(fatt_mount());
	struct vnode *vn;
	HT_CHECK_EQ(lostdir->ops->create(lostdir, "x", 0644, &vn), -ENOENT);
	vnode_put(lostdir);
	HT_CHECK_EQ(bfree(), free0);
	struct vfs_stat st;
	HT_CHECK_EQ(vfs_stat(f->vn, &st), 0);
	HT_CHECK_EQ(st.size, 10000);
	file_put(f);
	HT_CHECK(check_gen("/mnt/kept", 1, 10000));
	HT_CHECK_EQ(fatt_get("/mnt/lost", buf, sizeof(buf)), -ENOENT);
	HT_CHECK_EQ(put_gen("/mnt/after", 3, 7000), 7000);
	HT_CHECK_EQ(fatt_umount(), 0);
	check_fsck(WORK);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	HT_CHECK(check_gen("/mnt/after", 3, 7000));
	HT_CHECK(check_gen("/mnt/kept", 1, 10000));
	HT_CHECK_EQ(fatt_umount(), 0);
}

/* With numbered requests, recover undoes only the failed one: earlier
 * requests' changes stay, synced or not (kernel/fs/bcache.c, undo_request in
 * fat_super.c), and what the failed one unlinked or created is gone. */
HT_TEST(recover_undoes_one_request)
{
	char buf[64];
	struct vfs_stat st;

	HT_CHECK_EQ(fatt_copy(SMALL, WORK), 0);
	HT_CHECK_EQ(fatt_mount_file(WORK, NULL), 0);
	bcache_begin_request();
	HT_CHECK_EQ(put_gen("/mnt/early", 1, 9000), 9000);
	bcache_begin_request();
	HT_CHECK_EQ(mkd("/mnt/d"), 0);
	bcache_begin_request();
	HT_CHECK_EQ(put_gen("/mnt/victim", 4, 3000), 3000);
	uint64_t free0 = bfree();
	bcache_begin_request(); /* fails after a create, a write and an unlink */
	HT_CHECK_EQ(put_gen("/mnt/lost", 2, 5000), 5000);
	HT_CHECK_EQ(vfs_unlink(fatt_root(), fatt_root(), "/mnt/victim"), 0);
	fatt_mount()->fstype->recover(fatt_mount());
	bcache_begin_request();
	HT_CHECK(check_gen("/mnt/early", 1, 9000));
	HT_CHECK_EQ(stat_path("/mnt/d", &st), 0);
	HT_CHECK(check_gen("/mnt/victim", 4, 3000));
	HT_CHECK_EQ(fatt_get("/mnt/lost", buf, sizeof(buf)), -ENOENT);
	HT_CHECK_EQ(bfree(), free0);
	HT_CHECK_EQ(put_gen("/mnt/after", 3, 7000), 7000);
	HT_CHECK_EQ(fatt_umount(), 0);
	check_fsck(WORK);
}

HT_MAIN(HT_CASE(recover), HT_CASE(recover_undoes_one_request))
