/*
 * The file-system service as capability objects, over the same VFS tree the
 * Linux personality sees (every VFS call the native side makes is in
 * kernel/svc/fsobj.c, so that disk file systems served by service threads
 * later change only that file).
 *
 * Three object types, all speaking WEFT_PROTO_FS:
 *  - the service (WEFT_OBJ_FSSVC): fs_root gives its root directory;
 *  - a directory (WEFT_OBJ_DIR): dir_lookup resolves a relative path inside
 *    it to a directory or a regular file. The directory is the root of that
 *    resolution: "..", absolute paths and symlinks never leave it;
 *  - a regular file (WEFT_OBJ_FILE): read/write at an offset.
 * Rights only shrink along the way: what a lookup yields has at most the
 * rights of the directory handle it came from (a read-only directory yields
 * read-only files). READ is needed to look up and read, WRITE to write.
 * Other file types (devices, fifos, sockets) are not served: -ENOTSUP.
 */
#ifndef SVC_FSOBJ_H
#define SVC_FSOBJ_H

#include <obj/object.h>
#include <core/uaccess.h>

/* The service object for the whole VFS tree (one reference for the caller). */
int fsobj_service(struct kobject **out);

/* The root directory of service svc: *out a new reference. */
int fsobj_root(struct kobject *svc, struct kobject **out);

/* Resolve path (kernel string) in dir: a DIR or FILE object in *out. The
 * file is opened for the access `rights` allow (READ and/or WRITE). */
int fsobj_lookup(struct kobject *dir, const char *path, rights_t rights, struct kobject **out);

/* Read or write len bytes at off between file and user memory: bytes moved
 * or -errno. */
long fsobj_read(struct kobject *file, uint64_t off, uaddr_t ubuf, size_t len);
long fsobj_write(struct kobject *file, uint64_t off, uaddr_t ubuf, size_t len);

/* Read len bytes at off of file into a kernel buffer (the ELF loader). */
long fsobj_read_kernel(struct kobject *file, uint64_t off, void *buf, size_t len);

/* Size in bytes of a file object, or -errno. */
long fsobj_size(struct kobject *file);

#endif
