/*
 * Helpers of the FAT host tests: an image file or memory buffer as the block
 * device "fat0", mounting it as vfat on /mnt through the VFS, unmounting the
 * way the kernel will (sync, detach, unmount hook), fsck.fat -n on an image,
 * and small file helpers over vfs_* calls.
 */
#ifndef FAT_UTIL_H
#define FAT_UTIL_H

#include <fs/vfs.h>
#include <stddef.h>
#include <stdint.h>

/* Backing of fat0: a file (fd >= 0) or memory. Counters of requests. */
struct fatt_disk {
	int fd;
	uint8_t *mem;
	uint64_t size;
	unsigned long reads, writes;
	uint8_t *written; /* if set: written[i] = 1 for each 4 KiB page written */
};
extern struct fatt_disk fatt_disk;

struct vnode *fatt_root(void);
/* Copy fixture src to dst (sparse). 0 or -1. */
int fatt_copy(const char *src, const char *dst);
/* Mount the image file path (or the memory mem[0..size)) on /mnt. */
int fatt_mount_file(const char *path, const char *opts);
int fatt_mount_mem(uint8_t *mem, uint64_t size, const char *opts);
/* The mounted instance (valid while mounted). */
struct mount *fatt_mount(void);
/* Sync, unmount, close. 0 or the sync error. */
int fatt_umount(void);
/* fsck.fat -n path: 0 if it exits 0 and reports nothing (output kept in
 * *report if non-NULL, a static buffer). */
int fatt_fsck(const char *path, const char **report);

int fatt_open(const char *path, unsigned flags, struct file **f);
long fatt_write(struct file *f, const void *buf, size_t n);
long fatt_read(struct file *f, void *buf, size_t n);
/* Write a whole file / read one (at most cap bytes): bytes or -errno. */
long fatt_put(const char *path, const void *data, size_t n);
long fatt_get(const char *path, void *buf, size_t cap);
/* Names in a directory (not "." or ".."), sorted, newline-separated, into
 * buf; the count or -errno. */
long fatt_list(const char *path, char *buf, size_t cap);

#endif
