/*
 * Helpers for the ext4 host tests: an image-backed block device (the image in
 * a file, or held in memory), mounting an instance of ext4_fstype outside the
 * system mount table, path-level file helpers over the VFS, and a tree walker.
 * Single-threaded test code.
 */
#ifndef EXT4_UTIL_H
#define EXT4_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fs/vfs.h>

struct e4u_dev {
	uint8_t *mem; /* image in memory, or NULL: file dev_fd */
	int fd;
	uint64_t size;
	unsigned long writes;	     /* write requests that reached the image */
	unsigned long writes_broken; /* ... after ext4 had found it inconsistent */
};
extern struct e4u_dev e4u_dev;
extern struct mount e4u_mnt;
extern struct vnode *e4u_root;

/* Path of fixture name (beside the test binary) into buf (4096 bytes). */
void e4u_fixture(char *buf, const char *name);
/* Copy fixture name to a scratch file; its path into buf. */
void e4u_scratch(char *buf, const char *name, const char *suffix);
/* Mount the image file path (or the in-memory image mem/size when path is NULL). */
int e4u_mount_file(const char *path, const char *opts);
int e4u_mount_mem(uint8_t *mem, uint64_t size, const char *opts);
/* Unmount (sync, free) and close the image; every vnode must be gone. */
void e4u_umount(void);
/* Run a shell command; its exit status. */
int e4u_system(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* VFS helpers from e4u_root: byte counts or -errno. */
long e4u_read(const char *path, void *buf, size_t len, uint64_t off);
long e4u_write(const char *path, const void *buf, size_t len, uint64_t off, unsigned oflags);
int e4u_stat(const char *path, struct vfs_stat *st);
/* Every name in the directory at path: fn(name, ino, dtype, arg) for each;
 * returns the count or -errno. */
long e4u_list(const char *path, void (*fn)(const char *, uint64_t, unsigned, void *), void *arg);

#endif
