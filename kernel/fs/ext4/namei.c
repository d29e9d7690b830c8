/*
 * ext4 namespace ops: lookup, create, mkdir, mknod, symlink, link, unlink,
 * rmdir, rename, and the vnode ops table.
 *
 * Each op checks what it can before changing anything, then changes the
 * directory entries and link counts. A new inode that could not be linked
 * gets link count 0 and is freed when its vnode is released. Ops of a mount
 * run one at a time (see ext4_impl.h); the VFS has already refused ".", ".."
 * and cross-mount renames.
 */
#include <core/slab.h>
#include <weft/errno.h>
#include "ext4_impl.h"

static int enter_dir(struct ext4_fs *fs, struct vnode *dir, bool write)
{
	int err = ext4_enter(fs, dir);
	if (!err && write)
		err = ext4_writable(fs);
	if (!err && dir->type != VDIR)
		err = -ENOTDIR;
	/* A removed directory (a process may still be in it) has no names and
	 * takes no new ones, as on Linux. */
	if (!err && !ext4_ilinks(ext4_ip(dir)->raw))
		err = -ENOENT;
	return err;
}

static void set_links(struct ext4_inode *ip, uint32_t n)
{
	put16(ip->raw, I_LINKS, (uint16_t)n);
}

static int ext4_lookup(struct vnode *dir, const char *name, struct vnode **out)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(dir);
	struct ext4_dirent de;
	int err = enter_dir(fs, dir, false);

	if (!err)
		err = ext4_dir_find(fs, ext4_ip(dir), name, &de);
	return err ? err : ext4_iget(fs, de.ino, out);
}

/* Names longer than a directory entry takes are refused before any work;
 * ext4_dir_add finds a name that is already there. */
static int name_ok(const char *name)
{
	return strlen(name) > VFS_NAME_MAX ? -ENAMETOOLONG : 0;
}

/* Undo a new inode that could not be linked: it goes at release. */
static void discard(struct ext4_fs *fs, struct vnode *vn)
{
	set_links(ext4_ip(vn), 0);
	ext4_iwrite(fs, ext4_ip(vn));
	vnode_put(vn);
}

/* Link a new inode under name; on failure it is discarded. */
static int link_new(struct ext4_fs *fs, struct vnode *dir, const char *name, struct vnode *vn,
		    int err, struct vnode **out)
{
	struct ext4_inode *ip = ext4_ip(vn);

	if (!err)
		err = ext4_dir_add(fs, ext4_ip(dir), name, ip->ino,
				   ext4_mode_to_ft(get16(ip->raw, I_MODE)));
	if (err) {
		discard(fs, vn);
		return err;
	}
	*out = vn;
	return 0;
}

static int ext4_create(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(dir);
	struct vnode *vn;
	int err = enter_dir(fs, dir, true);

	if (!err)
		err = name_ok(name);
	if (!err)
		err = ext4_inew(fs, dir, VFS_S_IFREG | (mode & 07777), 1, &vn);
	return err ? err : link_new(fs, dir, name, vn, 0, out);
}

static int ext4_mkdir(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(dir);
	struct ext4_inode *dp = ext4_ip(dir);
	struct vnode *vn;
	int err = enter_dir(fs, dir, true);

	if (!err && ext4_ilinks(dp->raw) >= EXT4_LINK_MAX)
		err = -EMLINK;
	if (!err)
		err = name_ok(name);
	if (!err)
		err = ext4_inew(fs, dir, VFS_S_IFDIR | (mode & 07777), 2, &vn);
	if (err)
		return err;
	err = ext4_dir_init_block(fs, ext4_ip(vn), dp->ino);
	err = link_new(fs, dir, name, vn, err, out);
	if (err)
		return err;
	set_links(dp, ext4_ilinks(dp->raw) + 1);
	return ext4_iwrite(fs, dp);
}

/*
 * A FIFO, socket or device node: an inode of that type with no blocks and
 * no extent tree (i_block holds a device's number), linked like a file. A
 * device node on disk is a name and a number only: opening it reaches no
 * driver (devfs has the devices). FIFOs and sockets ignore rdev, as Linux.
 */
static int ext4_mknod(struct vnode *dir, const char *name, uint32_t mode, uint32_t rdev,
		      struct vnode **out)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(dir);
	uint32_t type = mode & VFS_S_IFMT;
	bool dev = type == VFS_S_IFCHR || type == VFS_S_IFBLK;
	struct vnode *vn;
	int err = enter_dir(fs, dir, true);

	if (!err && !dev && type != VFS_S_IFIFO && type != VFS_S_IFSOCK)
		err = -EINVAL;
	if (!err)
		err = name_ok(name);
	if (!err)
		err = ext4_inew(fs, dir, type | (mode & 07777), 1, &vn);
	if (err)
		return err;
	if (dev) {
		ext4_rdev_set(ext4_ip(vn)->raw, rdev);
		vn->rdev = rdev; /* not yet linked: nobody else sees vn */
		err = ext4_iwrite(fs, ext4_ip(vn));
	}
	return link_new(fs, dir, name, vn, err, out);
}

/* Store target in a new symlink inode: in i_block if short, else a block. */
static int symlink_fill(struct ext4_fs *fs, struct ext4_inode *ip, const char *target, size_t len)
{
	uint64_t pblk;
	uint32_t got;
	struct buf *b;

	if (len < I_BLOCK_LEN) {
		memcpy(ip->raw + I_BLOCK, target, len);
	} else {
		put32(ip->raw, I_FLAGS, get32(ip->raw, I_FLAGS) | IFL_EXTENTS);
		ext4_ext_init_root(ip->raw);
		int err = ext4_alloc_map(fs, ip, 0, 1, &pblk, &got);
		if (!err)
			err = bcache_get(fs->bc, pblk, &b);
		if (err)
			return err;
		memset(b->data, 0, fs->bs);
		memcpy(b->data, target, len);
		bcache_dirty(b);
		bcache_put(b);
	}
	ext4_set_isize(ip->raw, len);
	return ext4_iwrite(fs, ip);
}

static int ext4_symlink(struct vnode *dir, const char *name, const char *target, struct vnode **out)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(dir);
	size_t len = strlen(target);
	struct vnode *vn;
	int err = enter_dir(fs, dir, true);

	if (!err && !len)
		err = -ENOENT;
	if (!err && (len >= fs->bs || len >= VFS_PATH_MAX))
		err = -ENAMETOOLONG;
	if (!err)
		err = name_ok(name);
	if (!err)
		err = ext4_inew(fs, dir, VFS_S_IFLNK | 0777, 1, &vn);
	if (err)
		return err;
	return link_new(fs, dir, name, vn, symlink_fill(fs, ext4_ip(vn), target, len), out);
}

static int ext4_link(struct vnode *dir, const char *name, struct vnode *target)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(dir);
	struct ext4_inode *ip = ext4_ip(target);
	int err = enter_dir(fs, dir, true);

	if (!err)
		err = ext4_enter(fs, target);
	if (err)
		return err;
	if (target->type == VDIR)
		return -EPERM;
	if (ext4_ilinks(ip->raw) >= EXT4_LINK_MAX)
		return -EMLINK;
	err = name_ok(name);
	if (!err)
		err = ext4_dir_add(fs, ext4_ip(dir), name, ip->ino,
				   ext4_mode_to_ft(get16(ip->raw, I_MODE)));
	if (err)
		return err;
	set_links(ip, ext4_ilinks(ip->raw) + 1);
	ext4_itouch(fs, ip->raw, false, true, false);
	return ext4_iwrite(fs, ip);
}

/* Look name up in dir: its entry and a reference on its vnode. */
static int find_child(struct ext4_fs *fs, struct vnode *dir, const char *name,
		      struct ext4_dirent *de, struct vnode **child)
{
	int err = ext4_dir_find(fs, ext4_ip(dir), name, de);
	return err ? err : ext4_iget(fs, de->ino, child);
}

/* One link fewer on ip (a directory loses both of its own); at none it is
 * an orphan until its blocks are freed (orphan.c). */
static int drop_link(struct ext4_fs *fs, struct ext4_inode *ip, bool dir)
{
	uint32_t n = ext4_ilinks(ip->raw);
	set_links(ip, dir || !n ? 0 : n - 1);
	ext4_itouch(fs, ip->raw, false, true, false);
	if (n && !ext4_ilinks(ip->raw))
		return ext4_orphan_add(fs, ip);
	return ext4_iwrite(fs, ip);
}

/* A directory lost a subdirectory. */
static int parent_unlinked(struct ext4_fs *fs, struct ext4_inode *dp)
{
	uint32_t n = ext4_ilinks(dp->raw);
	if (n > 2)
		set_links(dp, n - 1);
	return ext4_iwrite(fs, dp);
}

/* The entry name in dir and its vnode, for a change to dir (unlink, rmdir). */
static int find_victim(struct ext4_fs *fs, struct vnode *dir, const char *name,
		       struct ext4_dirent *de, struct vnode **child)
{
	int err = enter_dir(fs, dir, true);

	return err ? err : find_child(fs, dir, name, de, child);
}

static int ext4_unlink(struct vnode *dir, const char *name)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(dir);
	struct ext4_dirent de;
	struct vnode *child;
	int err = find_victim(fs, dir, name, &de, &child);

	if (err)
		return err;
	if (child->type == VDIR)
		err = -EISDIR;
	if (!err)
		err = ext4_dir_remove(fs, ext4_ip(dir), &de);
	if (!err)
		err = drop_link(fs, ext4_ip(child), false);
	vnode_put(child);
	return err;
}

static int ext4_rmdir(struct vnode *dir, const char *name)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(dir);
	struct ext4_dirent de;
	struct vnode *child;
	int err = find_victim(fs, dir, name, &de, &child);

	if (err)
		return err;
	if (child->type != VDIR)
		err = -ENOTDIR;
	if (!err) {
		err = ext4_dir_empty(fs, ext4_ip(child));
		err = err == 1 ? 0 : err ? err : -ENOTEMPTY;
	}
	if (!err)
		err = ext4_dir_remove(fs, ext4_ip(dir), &de);
	if (!err)
		err = drop_link(fs, ext4_ip(child), true);
	if (!err)
		err = parent_unlinked(fs, ext4_ip(dir));
	vnode_put(child);
	return err;
}

/* Is directory anc (inode number) dir itself or one of its ancestors? */
static int is_ancestor(struct ext4_fs *fs, uint32_t anc, uint32_t dir)
{
	struct ext4_inode *tmp = kzalloc(sizeof(*tmp) + fs->inode_size);
	struct ext4_dirent de;
	int err = 0, steps = 0;

	if (!tmp)
		return -ENOMEM;
	while (!err && dir != anc && dir != EXT4_ROOT_INO) {
		if (++steps > 4096) {
			err = ext4_corrupt(fs, dir, "directory loop");
			break;
		}
		tmp->ino = dir;
		err = ext4_iread(fs, dir, tmp->raw);
		if (!err)
			err = ext4_dir_find(fs, tmp, "..", &de);
		if (!err)
			dir = de.ino;
	}
	kfree(tmp);
	return err ? err : dir == anc;
}

/* Check that src may replace dst (both named, different inodes). */
static int replace_check(struct ext4_fs *fs, struct vnode *src, struct vnode *dst)
{
	if (src->type == VDIR && dst->type != VDIR)
		return -ENOTDIR;
	if (src->type != VDIR && dst->type == VDIR)
		return -EISDIR;
	if (dst->type != VDIR)
		return 0;
	int r = ext4_dir_empty(fs, ext4_ip(dst));
	return r == 1 ? 0 : r ? r : -ENOTEMPTY;
}

/* Put src under newname in newdir, replacing what is there. */
static int rename_target(struct ext4_fs *fs, struct vnode *src, struct vnode *newdir,
			 const char *newname, bool moving_dir)
{
	struct ext4_inode *sp = ext4_ip(src), *np = ext4_ip(newdir);
	uint8_t ft = ext4_mode_to_ft(get16(sp->raw, I_MODE));
	struct ext4_dirent de;
	struct vnode *dst;
	int err = find_child(fs, newdir, newname, &de, &dst);

	if (err == -ENOENT) {
		if (moving_dir && ext4_ilinks(np->raw) >= EXT4_LINK_MAX)
			return -EMLINK;
		return ext4_dir_add(fs, np, newname, sp->ino, ft);
	}
	if (err)
		return err;
	err = replace_check(fs, src, dst);
	if (!err)
		err = ext4_dir_retarget(fs, np, &de, sp->ino, ft);
	if (!err)
		err = drop_link(fs, ext4_ip(dst), dst->type == VDIR);
	if (!err && dst->type == VDIR)
		err = parent_unlinked(fs, np);
	vnode_put(dst);
	return err;
}

/* A directory moved from olddir to newdir: its ".." and both link counts. */
static int reparent(struct ext4_fs *fs, struct vnode *src, struct vnode *olddir,
		    struct vnode *newdir)
{
	struct ext4_inode *np = ext4_ip(newdir);
	struct ext4_dirent de;
	int err = ext4_dir_find(fs, ext4_ip(src), "..", &de);

	if (!err)
		err = ext4_dir_retarget(fs, ext4_ip(src), &de, np->ino, FT_DIR);
	if (!err)
		err = parent_unlinked(fs, ext4_ip(olddir));
	if (err)
		return err;
	set_links(np, ext4_ilinks(np->raw) + 1);
	return ext4_iwrite(fs, np);
}

static int rename_do(struct ext4_fs *fs, struct vnode *olddir, const char *oldname,
		     struct vnode *newdir, const char *newname, struct vnode *src)
{
	bool moving_dir = src->type == VDIR && olddir != newdir;
	struct ext4_dirent de;
	int err = 0;

	if (moving_dir) {
		err = is_ancestor(fs, (uint32_t)src->ino, (uint32_t)newdir->ino);
		if (err)
			return err < 0 ? err : -EINVAL;
	}
	err = rename_target(fs, src, newdir, newname, moving_dir);
	/* The add may have split entries of olddir: find the old name again. */
	if (!err)
		err = ext4_dir_find(fs, ext4_ip(olddir), oldname, &de);
	if (!err && de.ino != src->ino)
		err = ext4_corrupt(fs, (uint32_t)olddir->ino, "rename source changed");
	if (!err)
		err = ext4_dir_remove(fs, ext4_ip(olddir), &de);
	if (!err && moving_dir)
		err = reparent(fs, src, olddir, newdir);
	if (!err) {
		ext4_itouch(fs, ext4_ip(src)->raw, false, true, false);
		err = ext4_iwrite(fs, ext4_ip(src));
	}
	return err;
}

static int ext4_rename(struct vnode *olddir, const char *oldname, struct vnode *newdir,
		       const char *newname)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = ext4_fs_of(olddir);
	struct ext4_dirent de, nde;
	struct vnode *src;
	int err = enter_dir(fs, olddir, true);

	if (!err)
		err = enter_dir(fs, newdir, true);
	if (!err && strlen(newname) > VFS_NAME_MAX)
		err = -ENAMETOOLONG;
	if (!err)
		err = find_child(fs, olddir, oldname, &de, &src);
	if (err)
		return err;
	/* Renaming a name onto another link of the same inode does nothing. */
	int r = ext4_dir_find(fs, ext4_ip(newdir), newname, &nde);
	if (r == 0 && nde.ino == de.ino)
		err = 0;
	else if (r && r != -ENOENT)
		err = r;
	else
		err = rename_do(fs, olddir, oldname, newdir, newname, src);
	vnode_put(src);
	return err;
}

const struct vnode_ops ext4_vnode_ops = {
    .lookup = ext4_lookup,
    .create = ext4_create,
    .mkdir = ext4_mkdir,
    .mknod = ext4_mknod,
    .symlink = ext4_symlink,
    .link = ext4_link,
    .unlink = ext4_unlink,
    .rmdir = ext4_rmdir,
    .rename = ext4_rename,
    .readlink = ext4_readlink,
    .read = ext4_read,
    .write = ext4_write,
    .truncate = ext4_truncate,
    .readdir = ext4_readdir,
    .getattr = ext4_getattr,
    .setattr = ext4_setattr,
    .getpage = ext4_getpage,
    .fsync = ext4_fsync,
    .release = ext4_release,
};
