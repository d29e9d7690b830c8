/*
 * ext4 on a block device: the file-system type "ext4" for vfs_mount.
 *
 * mount(source = device name, as bdev_find takes it; data = NULL or "ro").
 * Images with the default features of mkfs.ext4 are read and written
 * (extents, 64bit, flex_bg, metadata_csum, dir_index, huge_file, dir_nlink,
 * extra_isize); the journal is never replayed nor written, so an image whose
 * journal needs recovery is mounted read-only. Ops may block on disk I/O
 * (VFS_FS_BLOCKING) and must be serialised per mount by the caller; only the
 * vnode release op may run concurrently, from any context.
 */
#ifndef FS_EXT4_H
#define FS_EXT4_H

#include <fs/vfs.h>

extern const struct vfs_fstype ext4_fstype;

/* Register the "ext4" type (vfs_init calls it): 0, -EEXIST or -ENOMEM. */
int ext4_init(void);

#endif
