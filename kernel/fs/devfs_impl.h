/*
 * devfs internals: the built-in devices (devfs_builtin.c) that devfs.c
 * registers when it is first mounted.
 */
#ifndef FS_DEVFS_IMPL_H
#define FS_DEVFS_IMPL_H

/* Register null, zero, full, random, urandom: 0, or the first error
 * (-EEXIST if they are already there). */
int devfs_register_builtins(void);

#endif
