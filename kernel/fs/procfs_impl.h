/*
 * Private interfaces between the procfs files: procfs.c (the vnodes),
 * procfs_gen.c (the text buffer and the system-wide files), procfs_pid.c (the
 * per-process files) and procfs_mounts.c (the mount list). Host tests include
 * it to call the generators directly.
 *
 * The process and CPU views of obj/proc_iter.h are referenced weakly: every
 * file of kernel/fs is also linked into host tests that have no process
 * objects, where they are NULL and procfs shows no processes and no CPUs
 * (a host test may define them to feed its own). lib/fmt is referenced weakly
 * for the same reason until tests/host/fs.mk links lib/fmt.c: those tests never
 * mount procfs, so they never format.
 */
#ifndef FS_PROCFS_IMPL_H
#define FS_PROCFS_IMPL_H

#include <stdarg.h>
#include <fs/procfs.h>
#include <lib/fmt.h>
#include <obj/proc_iter.h>

#pragma weak proc_foreach
#pragma weak proc_with_pid
#pragma weak proc_info_get
#pragma weak proc_self_pid
#pragma weak proc_pid_list
#pragma weak proc_regions
#pragma weak proc_cpu_info
#pragma weak proc_sys_info
#pragma weak proc_image
#pragma weak fmt_vsnprintf
#pragma weak fmt_snprintf

#define PROCFS_SNAP_MAX (256u << 10) /* largest generated file */
#define PROCFS_USER_HZ	100	     /* clock ticks per second in the Linux ABI */
#define PROCFS_RELEASE	"6.1.0-weft" /* the release uname reports */

/* A growing-by-retry text buffer: text past cap sets overflow instead. */
struct procfs_buf {
	char *data;
	size_t len, cap;
	bool overflow;
};

void procfs_putc(struct procfs_buf *b, char c);
/* Text with ' ', '\t', '\n' and '\\' escaped as octal (the /proc/mounts rule). */
void procfs_put_escaped(struct procfs_buf *b, const char *s);


/* A generated file's snapshot. */
struct procfs_snap {
	size_t len;
	char data[];
};

/*
 * Run gen into a buffer big enough for its whole output (retrying with a
 * larger one, up to PROCFS_SNAP_MAX): *out is kmalloc'ed, freed with kfree.
 * 0, -ENOMEM, -EFBIG or gen's error.
 */
int procfs_generate(procfs_gen_t gen, int pid, struct procfs_snap **out);

/* A named file of a table. */
struct procfs_entry {
	const char *name;
	procfs_gen_t gen;
	procfs_write_t write; /* NULL: read-only */
};

/* System files in /proc (the built-in ones, then those registered by other
 * layers), and files in /proc/<pid>, in listing order. */
#define PROCFS_SYS_MAX 16
extern struct procfs_entry procfs_sys_files[PROCFS_SYS_MAX];
extern unsigned procfs_nsys_files;
extern const struct procfs_entry procfs_pid_files[];
extern const unsigned procfs_npid_files;

/* Individual generators (also reached through the tables). */
int procfs_gen_meminfo(struct procfs_buf *b, int pid);
int procfs_gen_slabinfo(struct procfs_buf *b, int pid);
int procfs_gen_cpuinfo(struct procfs_buf *b, int pid);
int procfs_gen_uptime(struct procfs_buf *b, int pid);
int procfs_gen_loadavg(struct procfs_buf *b, int pid);
int procfs_gen_stat(struct procfs_buf *b, int pid);
int procfs_gen_version(struct procfs_buf *b, int pid);
int procfs_gen_mounts(struct procfs_buf *b, int pid);
int procfs_gen_filesystems(struct procfs_buf *b, int pid);
int procfs_gen_pid_stat(struct procfs_buf *b, int pid);
int procfs_gen_pid_status(struct procfs_buf *b, int pid);
int procfs_gen_pid_statm(struct procfs_buf *b, int pid);
int procfs_gen_pid_cmdline(struct procfs_buf *b, int pid);
int procfs_gen_pid_comm(struct procfs_buf *b, int pid);
int procfs_gen_pid_maps(struct procfs_buf *b, int pid);

/* A live process's snapshot, -ESRCH (also when processes are not linked in). */
int procfs_pid_info(int pid, struct proc_info *out);
bool procfs_pid_alive(int pid);

/*
 * Up to max (at most PROCFS_FD_MAX) open descriptors of pid numbered >= from
 * (procfs_fd_hook under the tree lock): how many, 0 without a hook, or
 * -ESRCH. With names, each target is filled in afterwards (procfs_fd_name_hook,
 * no lock held), which may fail with -ESVC; without, only the numbers count.
 */
#define PROCFS_FD_MAX 16
int procfs_pid_fds(int pid, int from, struct procfs_fd *out, int max, bool names);

/*
 * Call fn(path, mnt, arg) for each mount reachable from the root: "/" first,
 * then mounts on directories one and two levels down. Stops at fn's first
 * non-zero result and returns it. Takes vnode and dentry-cache locks; call
 * with no lock held. (Interim: the VFS has no iterator over its mount table.)
 */
int procfs_mount_foreach(int (*fn)(const char *path, struct mount *mnt, void *arg), void *arg);

#endif
