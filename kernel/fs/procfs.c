/*
 * procfs vnodes: the /proc tree (model in fs/procfs.h).
 *
 * A procfs vnode is fully described by three numbers packed into vn->priv: its
 * kind, a pid (0 for system entries) and an index (the file's slot in a table,
 * or a descriptor number). They also make its inode number, so the same name
 * always has the same ino. Lookups build a fresh vnode each time the dentry
 * cache misses; nothing else is kept, so there is nothing to free but the
 * open files' snapshots.
 *
 * The dentry cache may hold /proc/<pid> after the process is reaped. Every
 * operation on a per-process vnode therefore checks that its pid is still
 * live and answers -ENOENT if not, and drops the stale name from the cache so
 * the next walk asks again. A pid reused by a new process is simply that
 * process's directory.
 */
#include <fs/vfs.h>
#include <core/slab.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "procfs_impl.h"
#include "vfs_impl.h"

enum procfs_kind {
	PROCFS_ROOT,	/* /proc */
	PROCFS_SELF,	/* /proc/self -> "<pid>" */
	PROCFS_SYS,	/* /proc/<system file>: index into procfs_sys_files */
	PROCFS_PID,	/* /proc/<pid> */
	PROCFS_PIDFILE, /* /proc/<pid>/<file>: index into procfs_pid_files */
	PROCFS_EXE,	/* /proc/<pid>/exe */
	PROCFS_FDDIR,	/* /proc/<pid>/fd */
	PROCFS_FD,	/* /proc/<pid>/fd/<n>: index is n */
};

#define PROCFS_PID_POS	1024 /* root readdir position of pid p: PROCFS_PID_POS + p */
#define PROCFS_FD_BATCH 8    /* descriptors fetched per hook call */
#define PROCFS_PID_MAX	0x7fffffff

static const struct vnode_ops procfs_dir_ops, procfs_file_ops, procfs_link_ops;

static uint64_t node_code(enum procfs_kind kind, int pid, unsigned idx)
{
	return (uint64_t)kind | (uint64_t)(idx & 0xffffff) << 8 | (uint64_t)(uint32_t)pid << 32;
}

static enum procfs_kind node_kind(const struct vnode *vn)
{
	return (enum procfs_kind)((uintptr_t)vn->priv & 0xff);
}

static unsigned node_idx(const struct vnode *vn)
{
	return (unsigned)((uintptr_t)vn->priv >> 8) & 0xffffff;
}

static int node_pid(const struct vnode *vn)
{
	return (int)((uintptr_t)vn->priv >> 32);
}

static int procfs_node(struct mount *mnt, enum procfs_kind kind, int pid, unsigned idx,
		       struct vnode **out)
{
	const struct vnode_ops *ops = &procfs_file_ops;
	enum vtype type = VREG;
	uint32_t mode = 0444;
	int err;

	if (kind == PROCFS_ROOT || kind == PROCFS_PID || kind == PROCFS_FDDIR) {
		ops = &procfs_dir_ops;
		type = VDIR;
		mode = 0555;
	} else if (kind == PROCFS_SELF || kind == PROCFS_EXE || kind == PROCFS_FD) {
		ops = &procfs_link_ops;
		type = VLNK;
		mode = 0777;
	} else if (kind == PROCFS_SYS && idx < procfs_nsys_files && procfs_sys_files[idx].write) {
		mode = 0644;
	}
	err = vnode_alloc(mnt, type, mode, ops, out);
	if (err)
		return err;
	/* Not yet visible to anyone: the creator may still set ino and priv. */
	(*out)->priv = (void *)(uintptr_t)node_code(kind, pid, idx);
	(*out)->ino = node_code(kind, pid, idx) + 1;
	return 0;
}

/* Decimal name -> number in [0, max], or -1 for anything else. */
static int parse_num(const char *s, int max)
{
	long v = 0;

	if (!*s || (*s == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return (int)v;
}

/* -ENOENT for a per-process vnode whose process is gone (and forget its name). */
static int node_check(struct vnode *vn)
{
	char name[16];
	int pid = node_pid(vn), len;

	if (!pid || procfs_pid_alive(pid))
		return 0;
	len = fmt_snprintf(name, sizeof(name), "%d", pid);
	if (vn->mnt && vn->mnt->root)
		dcache_invalidate(vn->mnt->root, name, (size_t)len);
	return -ENOENT;
}

/* ---- lookup ---- */

static int table_find(const struct procfs_entry *t, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return (int)i;
	return -1;
}

static int lookup_root(struct vnode *dir, const char *name, struct vnode **out)
{
	int i, pid;

	if (!strcmp(name, "self"))
		return procfs_node(dir->mnt, PROCFS_SELF, 0, 0, out);
	i = table_find(procfs_sys_files, procfs_nsys_files, name);
	if (i >= 0)
		return procfs_node(dir->mnt, PROCFS_SYS, 0, (unsigned)i, out);
	pid = parse_num(name, PROCFS_PID_MAX);
	if (pid <= 0 || !procfs_pid_alive(pid))
		return -ENOENT;
	return procfs_node(dir->mnt, PROCFS_PID, pid, 0, out);
}

static int lookup_pid(struct vnode *dir, const char *name, struct vnode **out)
{
	int pid = node_pid(dir), i;

	if (!strcmp(name, "..")) {
		*out = vnode_get(dir->mnt->root);
		return 0;
	}
	if (!strcmp(name, "exe"))
		return procfs_node(dir->mnt, PROCFS_EXE, pid, 0, out);
	if (!strcmp(name, "fd"))
		return procfs_node(dir->mnt, PROCFS_FDDIR, pid, 0, out);
	i = table_find(procfs_pid_files, procfs_npid_files, name);
	if (i < 0)
		return -ENOENT;
	return procfs_node(dir->mnt, PROCFS_PIDFILE, pid, (unsigned)i, out);
}

bool procfs_fd_node(const struct vnode *vn, int *pid, int *fd)
{
	if (!vn->mnt || vn->mnt->fstype != &procfs_fstype || node_kind(vn) != PROCFS_FD)
		return false;
	*pid = node_pid(vn);
	*fd = (int)node_idx(vn);
	return true;
}

/* Descriptor fd of pid, if open; with name, its link text too. */
static int fd_get(int pid, int fd, struct procfs_fd *out, bool name)
{
	int n = procfs_pid_fds(pid, fd, out, 1, name);

	if (n < 0)
		return n == -ESRCH ? -ENOENT : n;
	return n == 1 && out->fd == fd ? 0 : -ENOENT;
}

static int lookup_fd(struct vnode *dir, const char *name, struct vnode **out)
{
	struct procfs_fd *d;
	int pid = node_pid(dir), fd, err;

	if (!strcmp(name, ".."))
		return procfs_node(dir->mnt, PROCFS_PID, pid, 0, out);
	fd = parse_num(name, 0xffffff);
	if (fd < 0 || !(d = kmalloc(sizeof(*d))))
		return fd < 0 ? -ENOENT : -ENOMEM;
	err = fd_get(pid, fd, d, false);
	kfree(d);
	return err ? err : procfs_node(dir->mnt, PROCFS_FD, pid, (unsigned)fd, out);
}

static int procfs_lookup(struct vnode *dir, const char *name, struct vnode **out)
{
	int err = node_check(dir);

	if (err)
		return err;
	switch (node_kind(dir)) {
	case PROCFS_ROOT:
		return lookup_root(dir, name, out);
	case PROCFS_PID:
		return lookup_pid(dir, name, out);
	case PROCFS_FDDIR:
		return lookup_fd(dir, name, out);
	default:
		return -ENOTDIR;
	}
}

/* ---- readdir ---- */

/* Emit "." and ".." for positions 0 and 1: 0, 1 (full) or -EFAULT. */
static int emit_dots(struct vnode *dir, struct uio *uio, uint64_t *pos)
{
	while (*pos < 2) {
		int r = vfs_dirent_emit(uio, dir->ino, *pos + 1, VFS_DT_DIR, "..", *pos + 1);
		if (r)
			return r;
		(*pos)++;
	}
	return 0;
}

static int emit(struct uio *uio, uint64_t *pos, uint64_t next, uint64_t code, unsigned dtype,
		const char *name)
{
	int r = vfs_dirent_emit(uio, code + 1, next, dtype, name, strlen(name));

	if (!r)
		*pos = next;
	return r;
}

/* /proc: "self", the system files, then one directory per live pid. */
static int readdir_root(struct uio *uio, uint64_t *pos)
{
	int pids[16], n, r = 0;
	char name[16];

	if (*pos == 2)
		r = emit(uio, pos, 3, node_code(PROCFS_SELF, 0, 0), VFS_DT_LNK, "self");
	while (!r && *pos >= 3 && *pos < 3 + procfs_nsys_files) {
		unsigned i = (unsigned)*pos - 3;
		r = emit(uio, pos, *pos + 1, node_code(PROCFS_SYS, 0, i), VFS_DT_REG,
			 procfs_sys_files[i].name);
	}
	if (!r && *pos < PROCFS_PID_POS)
		*pos = PROCFS_PID_POS;
	while (!r && proc_pid_list && *pos - PROCFS_PID_POS <= PROCFS_PID_MAX) {
		n = proc_pid_list((int)(*pos - PROCFS_PID_POS), pids, 16);
		for (int i = 0; i < n && !r; i++) {
			fmt_snprintf(name, sizeof(name), "%d", pids[i]);
			r = emit(uio, pos, PROCFS_PID_POS + (uint64_t)pids[i] + 1,
				 node_code(PROCFS_PID, pids[i], 0), VFS_DT_DIR, name);
		}
		if (n < 16)
			break;
	}
	return r;
}

/* /proc/<pid>: the file table, then "exe" and "fd". */
static int readdir_pid(int pid, struct uio *uio, uint64_t *pos)
{
	unsigned n = procfs_npid_files;
	int r = 0;

	while (!r && *pos >= 2 && *pos < 2 + n) {
		unsigned i = (unsigned)*pos - 2;
		r = emit(uio, pos, *pos + 1, node_code(PROCFS_PIDFILE, pid, i), VFS_DT_REG,
			 procfs_pid_files[i].name);
	}
	if (!r && *pos == 2 + n)
		r = emit(uio, pos, 3 + n, node_code(PROCFS_EXE, pid, 0), VFS_DT_LNK, "exe");
	if (!r && *pos == 3 + n)
		r = emit(uio, pos, 4 + n, node_code(PROCFS_FDDIR, pid, 0), VFS_DT_DIR, "fd");
	return r;
}

/* /proc/<pid>/fd: position 2 + n for descriptor n. */
static int readdir_fd(int pid, struct uio *uio, uint64_t *pos)
{
	struct procfs_fd *d = kmalloc(PROCFS_FD_BATCH * sizeof(*d));
	char name[16];
	int n, r = 0;

	if (!d)
		return -ENOMEM;
	do {
		n = procfs_pid_fds(pid, (int)(*pos - 2), d, PROCFS_FD_BATCH, false);
		for (int i = 0; i < n && !r; i++) {
			fmt_snprintf(name, sizeof(name), "%d", d[i].fd);
			r = emit(uio, pos, 3 + (uint64_t)d[i].fd,
				 node_code(PROCFS_FD, pid, (unsigned)d[i].fd), VFS_DT_LNK, name);
		}
	} while (!r && n == PROCFS_FD_BATCH);
	kfree(d);
	return n < 0 ? n : r;
}

static int procfs_readdir(struct vnode *dir, struct uio *uio, uint64_t *pos)
{
	size_t resid0 = uio->resid;
	int r = node_check(dir);

	if (!r)
		r = emit_dots(dir, uio, pos);
	if (!r && node_kind(dir) == PROCFS_ROOT)
		r = readdir_root(uio, pos);
	else if (!r && node_kind(dir) == PROCFS_PID)
		r = readdir_pid(node_pid(dir), uio, pos);
	else if (!r && node_kind(dir) == PROCFS_FDDIR)
		r = readdir_fd(node_pid(dir), uio, pos);
	if (r == 1) /* full: fine if something was written */
		return uio->resid != resid0 ? 0 : -EINVAL;
	return r;
}

static int procfs_getattr(struct vnode *vn, struct vfs_stat *st)
{
	return node_check(vn);
}

static const struct vnode_ops procfs_dir_ops = {
    .lookup = procfs_lookup,
    .readdir = procfs_readdir,
    .getattr = procfs_getattr,
};

/* ---- symlinks ---- */

static int procfs_readlink(struct vnode *vn, struct uio *uio)
{
	struct procfs_fd *d;
	struct proc_info pi;
	char num[16];
	int err = node_check(vn), pid = node_pid(vn);

	if (err)
		return err;
	switch (node_kind(vn)) {
	case PROCFS_SELF:
		pid = proc_self_pid ? proc_self_pid() : 0;
		if (!pid)
			return -ENOENT;
		fmt_snprintf(num, sizeof(num), "%d", pid);
		return uio_move(num, strlen(num), uio, true);
	case PROCFS_EXE: {
		/* The path exec ran; a process that never exec'd shows its name. */
		char exe[256];
		size_t n;
		exe[0] = 0;
		err = proc_image ? proc_image(pid, exe, sizeof(exe), NULL, 0, &n) : 0;
		if (!err && !exe[0]) {
			err = procfs_pid_info(pid, &pi);
			memcpy(exe, pi.name, sizeof(pi.name));	/* NUL-terminated, fits */
		}
		return err ? -ENOENT : uio_move(exe, strlen(exe), uio, true);
	}
	case PROCFS_FD:
		if (!(d = kmalloc(sizeof(*d))))
			return -ENOMEM;
		err = fd_get(pid, (int)node_idx(vn), d, true);
		if (!err)
			err = uio_move(d->target, strnlen(d->target, sizeof(d->target)), uio, true);
		kfree(d);
		return err;
	default:
		return -EINVAL;
	}
}

static const struct vnode_ops procfs_link_ops = {
    .readlink = procfs_readlink,
    .getattr = procfs_getattr,
};

/* ---- files: a snapshot per open ---- */

static int snap_read(struct file *f, struct uio *uio)
{
	struct procfs_snap *s = f->priv;

	if (uio->off >= s->len)
		return 0;
	return uio_move(s->data + uio->off, s->len - (size_t)uio->off, uio, true);
}

static int snap_lseek(struct file *f, int64_t off, int whence, uint64_t *newoff)
{
	struct procfs_snap *s = f->priv;
	int64_t base = 0;

	if (whence == VFS_SEEK_CUR) {
		base = (int64_t)file_off(f);
	} else if (whence == VFS_SEEK_END) {
		base = (int64_t)s->len;
	} else if (whence != VFS_SEEK_SET) {
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	*newoff = (uint64_t)(base + off);
	return 0;
}

static void snap_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops procfs_snap_fops = {
    .read = snap_read,
    .lseek = snap_lseek,
    .release = snap_release,
};

/* A write to a knob: the whole text in one write call. */
static int knob_write(struct file *f, struct uio *uio)
{
	const struct procfs_entry *e = f->priv;
	char buf[PROCFS_WRITE_MAX + 1];
	size_t n = uio->resid;
	int err;

	if (n > PROCFS_WRITE_MAX)
		return -EINVAL;
	err = uio_move(buf, n, uio, false);
	if (err)
		return err;
	buf[n] = 0;
	err = e->write(buf, n);
	return err;
}

static const struct file_ops procfs_knob_fops = {
    .write = knob_write,
};

static int procfs_open(struct vnode *vn, struct file *f)
{
	procfs_gen_t gen;
	struct procfs_snap *s;
	int err = node_check(vn);

	if (err)
		return err;
	if ((f->flags & VFS_O_ACCMODE) == VFS_O_WRONLY && node_kind(vn) == PROCFS_SYS &&
	    node_idx(vn) < procfs_nsys_files && procfs_sys_files[node_idx(vn)].write) {
		f->fops = &procfs_knob_fops;
		f->priv = &procfs_sys_files[node_idx(vn)];
		return 0;
	}
	if ((f->flags & VFS_O_ACCMODE) != VFS_O_RDONLY)
		return -EACCES;
	if (node_kind(vn) == PROCFS_SYS && node_idx(vn) < procfs_nsys_files)
		gen = procfs_sys_files[node_idx(vn)].gen;
	else if (node_kind(vn) == PROCFS_PIDFILE && node_idx(vn) < procfs_npid_files)
		gen = procfs_pid_files[node_idx(vn)].gen;
	else
		return -EINVAL;
	err = procfs_generate(gen, node_pid(vn), &s);
	if (err)
		return err == -ESRCH ? -ENOENT : err;
	f->fops = &procfs_snap_fops;
	f->priv = s;
	return 0;
}

static const struct vnode_ops procfs_file_ops = {
    .open = procfs_open,
    .getattr = procfs_getattr,
};

/* ---- the file system type ---- */

static int procfs_mount(struct mount *mnt, const char *source, const void *data,
			struct vnode **root)
{
	int err = procfs_node(mnt, PROCFS_ROOT, 0, 0, root);

	if (!err)
		(*root)->nlink = 2;
	return err;
}

const struct vfs_fstype procfs_fstype = {
    .name = "proc",
    .mount = procfs_mount,
};

int procfs_init(void)
{
	struct vnode *root = vfs_root();
	int err = vfs_register_fstype(&procfs_fstype);

	if (err)
		return err;
	if (!root)
		return -ENOENT;
	err = vfs_mkdir(root, root, "/proc", 0555);
	if (err && err != -EEXIST)
		return err;
	return vfs_mount("proc", "/proc", "proc", NULL);
}
