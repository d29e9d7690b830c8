/*
 * Unpacking the boot initrd (a "newc" cpio archive) into the root tmpfs.
 */
#ifndef FS_INITRD_H
#define FS_INITRD_H

#include <stddef.h>

/*
 * Create the archive's directories (and any missing parents), regular files
 * with their data, and symlinks under the root directory, keeping mode, owner
 * and mtime. Names are taken relative to / ("./a", "/a" and "a" are the same);
 * entries with a ".." component, device nodes, FIFOs and sockets are skipped
 * with a warning, as are entries that fail to be created (the error is logged).
 * An existing file is replaced. Returns 0, -ENOMEM (unpacking stopped), or
 * -EINVAL for a malformed archive: then *why (if why is not NULL) names the
 * problem, a klog error line with "initrd:" and "malformed" was printed, and the
 * entries before the bad one stay unpacked. Needs vfs_init done; never sleeps,
 * but may run long for a big archive (boot only).
 */
int initrd_unpack(const void *data, size_t len, const char **why);

#endif
