/*
 * tmpfs: a file system that lives only in memory.
 *
 * Every tmpfs object is a vnode that stays in memory while a directory entry or
 * any other reference holds it. Directories keep an ordered list of entries;
 * file data lives in whole pages from pmm, indexed by a small radix tree, so
 * sparse files cost nothing for their holes. Unlinking an open file keeps its
 * data until the last reference goes. Mount it with vfs_mount("tmpfs", ...);
 * vfs_init mounts one as the root.
 */
#ifndef FS_TMPFS_H
#define FS_TMPFS_H

#include <fs/vfs.h>

extern const struct vfs_fstype tmpfs_fstype;

/* Data pages held by all tmpfs files (for statistics and leak checks). */
unsigned long tmpfs_page_count(void);

#endif
