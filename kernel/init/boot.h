/*
 * Boot steps shared by kernel/init's files: starting init (main.c) and the
 * root file system from the command line (rootfs.c).
 */
#ifndef INIT_BOOT_H
#define INIT_BOOT_H

#include <stdbool.h>
#include <linux/lx.h>

/* Create the init process and exec the init= program (from the root). */
void boot_start_init(void);
/* Take a root= or rootfstype= option. */
void rootfs_option(const char *tok);
bool rootfs_requested(void);
/* Mount the root= file system from a boot thread, then start init. */
void rootfs_boot(void);

#endif
