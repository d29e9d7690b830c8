/*
 * The ext4 orphan list: inodes whose last link is gone but whose blocks are
 * not freed yet (the file is still open, or its freeing is deferred to the
 * next op: inode.c). As on Linux (without the orphan_file feature), the list
 * is on disk: the superblock's s_last_orphan names the first inode, and each
 * orphan's i_dtime names the next (0 ends it). An inode joins the list when
 * its link count drops to 0 and leaves it when it is destroyed; a mount that
 * may write walks what a crash left on it and frees those inodes, as e2fsck
 * would ("Clearing orphaned inode").
 *
 * Runs inside the mount's serialised ops. An orphan that is still open has
 * an in-memory inode whose raw bytes are written back whole by later ops,
 * so its "next" field is changed there (cache_find), never only on disk.
 * A chain that leads out of the inode table or loops is an inconsistency
 * (ext4_corrupt); the mount-time walk then stops and forgets the list, and
 * what it held is left for e2fsck.
 */
#include <core/klog.h>
#include <core/slab.h>
#include <weft/errno.h>
#include "ext4_impl.h"

#define SB_LAST_ORPHAN 0xE8

static uint32_t head(const struct ext4_fs *fs)
{
	return get32(fs->sb, SB_LAST_ORPHAN);
}

static void set_head(struct ext4_fs *fs, uint32_t ino)
{
	uint64_t req = bcache_request();

	if (req && fs->orphan_req != req) { /* the head before this request, for its undo */
		fs->orphan_req = req;
		fs->orphan_undo = head(fs);
	}
	put32(fs->sb, SB_LAST_ORPHAN, ino);
	fs->sb_dirty = true;
}

static bool ino_ok(const struct ext4_fs *fs, uint32_t ino)
{
	return ino >= fs->first_ino && ino <= fs->ninodes;
}

/* A scratch inode for ino, read from disk: free it with kfree. */
static int scratch_read(struct ext4_fs *fs, uint32_t ino, struct ext4_inode **out)
{
	struct ext4_inode *ip = kzalloc(sizeof(*ip) + fs->inode_size);
	int err;

	if (!ip)
		return -ENOMEM;
	ip->ino = ino;
	err = ext4_iread(fs, ino, ip->raw);
	if (err) {
		kfree(ip);
		return err;
	}
	*out = ip;
	return 0;
}

/* Set orphan ino's link to next: in its in-memory inode if it has one. */
static int set_next(struct ext4_fs *fs, uint32_t ino, uint32_t next)
{
	struct vnode *vn = ext4_icache_find(fs, ino);
	struct ext4_inode *ip;
	int err;

	if (vn) {
		put32(ext4_ip(vn)->raw, I_DTIME, next);
		err = ext4_iwrite(fs, ext4_ip(vn));
		vnode_put(vn);
		return err;
	}
	err = scratch_read(fs, ino, &ip);
	if (err)
		return err;
	put32(ip->raw, I_DTIME, next);
	err = ext4_iwrite(fs, ip);
	kfree(ip);
	return err;
}

static int next_of(struct ext4_fs *fs, uint32_t ino, uint32_t *next)
{
	struct vnode *vn = ext4_icache_find(fs, ino);
	struct ext4_inode *ip;
	int err = 0;

	if (vn) {
		*next = get32(ext4_ip(vn)->raw, I_DTIME);
		vnode_put(vn);
		return 0;
	}
	err = scratch_read(fs, ino, &ip);
	if (!err) {
		*next = get32(ip->raw, I_DTIME);
		kfree(ip);
	}
	return err;
}

void ext4_orphan_undo(struct ext4_fs *fs)
{
	if (fs->orphan_req && fs->orphan_req == bcache_request())
		put32(fs->sb, SB_LAST_ORPHAN, fs->orphan_undo);
	fs->orphan_req = 0;
}

int ext4_orphan_add(struct ext4_fs *fs, struct ext4_inode *ip)
{
	put32(ip->raw, I_DTIME, head(fs));
	set_head(fs, ip->ino);
	return ext4_iwrite(fs, ip);
}

int ext4_orphan_del(struct ext4_fs *fs, uint32_t ino, uint32_t next)
{
	uint32_t at = head(fs);

	if (at == ino) {
		set_head(fs, ino_ok(fs, next) ? next : 0);
		return 0;
	}
	for (uint32_t steps = 0; at; steps++) {
		uint32_t after;
		if (!ino_ok(fs, at) || steps > fs->ninodes)
			return ext4_corrupt(fs, at, "orphan list");
		int err = next_of(fs, at, &after);
		if (err)
			return err;
		if (after == ino)
			return set_next(fs, at, ino_ok(fs, next) ? next : 0);
		at = after;
	}
	return 0; /* not on the list (it was never added, or the list was lost) */
}

int ext4_orphan_recover(struct ext4_fs *fs)
{
	unsigned freed = 0, kept = 0;
	uint32_t ino;
	int err = 0;

	if (!head(fs) || ext4_writable(fs))
		return 0;
	while (!err && (ino = head(fs))) {
		struct ext4_inode *ip;
		bool used = false;
		if (ino_ok(fs, ino) && freed + kept <= fs->ninodes)
			err = ext4_iused(fs, ino, &used);
		if (err)
			break;
		if (!used) { /* out of the table, a loop, or a free inode */
			set_head(fs, 0);
			return ext4_corrupt(fs, ino, "orphan list");
		}
		err = scratch_read(fs, ino, &ip);
		if (err)
			break;
		if (!ext4_ilinks(ip->raw)) {
			kfree(ip);
			err = ext4_idestroy(fs, ino); /* leaves the list (head) too */
			freed++;
			if (!err && head(fs) == ino)
				err = ext4_corrupt(fs, ino, "orphan not destroyed");
			continue;
		}
		/* Linked again (a truncation orphan, on Linux): just unlist it. */
		uint32_t next = get32(ip->raw, I_DTIME);
		put32(ip->raw, I_DTIME, 0);
		err = ext4_iwrite(fs, ip);
		kfree(ip);
		set_head(fs, ino_ok(fs, next) ? next : 0);
		kept++;
	}
	if (freed || kept)
		pr_info("ext4: freed %u orphan inode%s left by an unclean shutdown", freed,
			freed == 1 ? "" : "s");
	return err;
}
