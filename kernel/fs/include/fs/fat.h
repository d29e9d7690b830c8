/*
 * FAT32 with VFAT long names, on a block device through the buffer cache.
 *
 * Mount with vfs_mount("vfat", target, "vdb" or "/dev/vdb", NULL or "ro").
 * Every op of one instance must run one at a time in a context that may block
 * on disk I/O (VFS_FS_BLOCKING): the fs service thread serialises them. Only
 * the vnode release op runs from any context, concurrently with ops.
 *
 * unmount writes everything back; files still open after it stay readable
 * (changing them is -EIO) and the instance is freed with the last of them.
 *
 * An image found inconsistent (cluster chains out of range or looping, bad
 * directory entries, a FAT too small for the volume) makes the op fail with
 * -EUCLEAN and turns the instance read-only: nothing more reaches the disk.
 */
#ifndef FS_FAT_H
#define FS_FAT_H

#include <fs/vfs.h>

#define FAT_STATFS_MAGIC 0x4d44 /* Linux MSDOS_SUPER_MAGIC */

extern const struct vfs_fstype fat_fstype;

#endif
