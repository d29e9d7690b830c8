/*
 * The services Weft runs: "fs" (the disk file systems: every op of a
 * VFS_FS_BLOCKING mount, and the system calls that reach one) and "blk"
 * (the block drivers, behind every registered block device).
 */
#ifndef SVC_SERVICES_H
#define SVC_SERVICES_H

#include <svc/svc.h>

extern struct service svc_fs;
extern struct service svc_blk;

/* Start the fs and blk services and put the blk service in front of every
 * block device registered so far. Call once at boot, after the drivers have
 * probed and procfs is mounted. */
void svc_boot(void);

#endif
