/*
 * FAT namespace ops: lookup, create, mkdir, unlink, rmdir, rename, readdir,
 * getattr and setattr.
 *
 * Each op decodes its name(s) to UTF-16 (a name FAT cannot hold is -EINVAL
 * where one is made, -ENOENT where one is looked up), walks the directory and
 * changes entries through fat_dir.c. Names compare without ASCII case, and a
 * short name ("LONGFI~1.TXT") finds its file too. Removing an entry whose
 * node is in use marks the node unlinked: its clusters are freed when the
 * last reference goes (fat_reap). A directory moved to another parent gets
 * its ".." entry rewritten; a cached node moved by rename follows its entry
 * (fat_node_move), so open files and working directories stay valid.
 *
 * Ops of one instance run one at a time and may block (see fat_impl.h).
 */
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "fat_impl.h"

/* Per-op scratch: a decoded name and a directory walk. */
struct name_ctx {
	struct fat_walk w;
	uint16_t name[FAT_LFN_MAX + 1];
	unsigned len;
};

static int ctx_new(const char *name, bool making, struct name_ctx **out)
{
	struct name_ctx *c = kmalloc(sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = fat_name_decode(name, c->name, &c->len);
	if (r == -EINVAL && !making)
		r = -ENOENT;
	if (r) {
		kfree(c);
		return r;
	}
	*out = c;
	return 0;
}

/* Start of an op on directory dir: reap, check that it still exists. */
static struct fat_mount *dir_op(struct vnode *dir, int *err)
{
	struct fat_mount *fm = fat_mnt(dir);

	fat_op_begin(fm);
	*err = fat_node(dir)->unlinked ? -ENOENT : 0;
	return fm;
}

static void touch_dir(struct fat_mount *fm, struct vnode *dir)
{
	uint64_t now = vfs_now();

	spin_lock(&dir->lock);
	dir->mtime_ns = dir->ctime_ns = now;
	spin_unlock(&dir->lock);
	fat_node_write_entry(fm, fat_node(dir));
}

static void dir_nlink(struct vnode *dir, int delta)
{
	struct fat_node *dn = fat_node(dir);

	if (dn->subdirs < 0)
		return;
	dn->subdirs += delta;
	spin_lock(&dir->lock);
	dir->nlink = 2 + (uint32_t)dn->subdirs;
	spin_unlock(&dir->lock);
}

int fat_lookup(struct vnode *dir, const char *name, struct vnode **out)
{
	VFS_MUST_BLOCK();
	struct name_ctx *c;
	int r;
	struct fat_mount *fm = dir_op(dir, &r);

	if (r)
		return r;
	if (!strcmp(name, ".."))
		return fat_dir_parent_vnode(fm, dir, out);
	if ((r = ctx_new(name, false, &c)))
		return r;
	r = fat_dir_find(fm, fat_node(dir), c->name, c->len, &c->w);
	if (!r)
		r = fat_node_get(fm, &c->w.d, out);
	kfree(c);
	return r;
}

/* A new short entry for a file or directory made now. */
static void entry_template(uint8_t *e, uint8_t attr, uint32_t start)
{
	uint64_t now = vfs_now();

	memset(e, 0, FAT_DENT);
	memset(e, ' ', 11);
	e[11] = attr;
	fat_ent_set_ctime(e, now);
	fat_ent_set_mtime(e, now);
	fat_ent_set_adate(e, now);
	fat_ent_set_start(e, start);
}

/* Common start of create and mkdir: the name must be new (fat_dir_add checks
 * again; mkdir looks first so an existing name costs no cluster). */
static int make_begin(struct vnode *dir, const char *name, bool look, struct name_ctx **c)
{
	int r;
	struct fat_mount *fm = dir_op(dir, &r);

	if (r || (r = ctx_new(name, true, c)))
		return r;
	r = fat_begin_write(fm);
	if (!r && look) {
		r = fat_dir_find(fm, fat_node(dir), (*c)->name, (*c)->len, &(*c)->w);
		r = r == -ENOENT ? 0 : r ? r : -EEXIST;
	}
	if (r)
		kfree(*c);
	return r;
}

/* Add the entry e called c->name to dir and return its node. */
static int make_finish(struct fat_mount *fm, struct vnode *dir, struct name_ctx *c,
		       const uint8_t *e, struct vnode **out)
{
	uint64_t pos;
	int r = fat_dir_add(fm, fat_node(dir), c->name, c->len, e, 0, &pos);

	if (r)
		return r;
	memcpy(c->w.d.raw, e, FAT_DENT);
	c->w.d.pos = pos;
	r = fat_node_get(fm, &c->w.d, out);
	touch_dir(fm, dir);
	return r;
}

int fat_create(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out)
{
	VFS_MUST_BLOCK();
	struct fat_mount *fm = fat_mnt(dir);
	struct name_ctx *c;
	uint8_t e[FAT_DENT];
	int r = make_begin(dir, name, false, &c);

	if (r)
		return r;
	entry_template(e, FAT_ATTR_ARCHIVE | ((mode & 0222) ? 0 : FAT_ATTR_RO), 0);
	r = make_finish(fm, dir, c, e, out);
	kfree(c);
	return r;
}

/* The first cluster of a new directory, holding "." and "..". */
static int mkdir_cluster(struct fat_mount *fm, struct vnode *dir, uint32_t *start)
{
	struct fat_node tmp = {.type = VDIR, .mapped = true};
	struct fat_node *dn = fat_node(dir);
	uint8_t dots[2 * FAT_DENT];
	int r = fat_chain_grow(fm, &tmp, 1, true);

	if (!r) {
		entry_template(dots, FAT_ATTR_DIR, tmp.start);
		entry_template(dots + FAT_DENT, FAT_ATTR_DIR, dn->pos ? dn->start : 0);
		dots[0] = dots[FAT_DENT] = dots[FAT_DENT + 1] = '.';
		r = fat_write_bytes(fm, fat_clu_off(fm, tmp.start), dots, sizeof(dots));
	}
	if (r && tmp.start)
		fat_chain_cut(fm, &tmp, 0);
	*start = tmp.start;
	fat_map_drop(&tmp);
	return r;
}

int fat_mkdir(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out)
{
	VFS_MUST_BLOCK();
	struct fat_mount *fm = fat_mnt(dir);
	struct name_ctx *c;
	uint8_t e[FAT_DENT];
	uint32_t start;
	int r = make_begin(dir, name, true, &c);

	if (r)
		return r;
	r = mkdir_cluster(fm, dir, &start);
	if (!r) {
		entry_template(e, FAT_ATTR_DIR, start);
		r = make_finish(fm, dir, c, e, out);
		if (r == 0)
			dir_nlink(dir, 1);
		else if (!fm->broken) {
			struct fat_node tmp = {.type = VDIR, .start = start};
			fat_chain_cut(fm, &tmp, 0);
			fat_map_drop(&tmp);
		}
	}
	kfree(c);
	return r;
}

/* Remove the entry d of dir; its node (a new reference in *vn) is unlinked. */
static int remove_entry(struct fat_mount *fm, struct vnode *dir, struct fat_dent *d,
			struct vnode *vn)
{
	struct fat_node *n = fat_node(vn);
	int r = fat_dir_remove(fm, fat_node(dir), d->first, d->slot);

	if (r)
		return r;
	fat_undo_note(fm, n);
	n->unlinked = true;
	fat_node_unhash(fm, n);
	spin_lock(&vn->lock);
	vn->nlink = 0;
	spin_unlock(&vn->lock);
	if (vn->type == VDIR)
		dir_nlink(dir, -1);
	touch_dir(fm, dir);
	return 0;
}

/* unlink and rmdir: find name, check its type, remove it. */
static int remove_name(struct vnode *dir, const char *name, bool isdir)
{
	struct vnode *vn = NULL;
	struct name_ctx *c;
	int r;
	struct fat_mount *fm = dir_op(dir, &r);

	if (r || (r = ctx_new(name, false, &c)))
		return r;
	if ((r = fat_begin_write(fm)) ||
	    (r = fat_dir_find(fm, fat_node(dir), c->name, c->len, &c->w)) ||
	    (r = fat_node_get(fm, &c->w.d, &vn)))
		goto out;
	if (isdir && vn->type != VDIR)
		r = -ENOTDIR;
	else if (!isdir && vn->type == VDIR)
		r = -EISDIR;
	else if (isdir)
		r = fat_dir_empty(fm, fat_node(vn));
	if (!r)
		r = remove_entry(fm, dir, &c->w.d, vn);
out:
	kfree(c);
	vnode_put(vn);
	fat_reap(fm, !fm->broken);
	return r;
}

int fat_unlink(struct vnode *dir, const char *name)
{
	VFS_MUST_BLOCK();
	return remove_name(dir, name, false);
}

int fat_rmdir(struct vnode *dir, const char *name)
{
	VFS_MUST_BLOCK();
	return remove_name(dir, name, true);
}

/* ---- rename ---- */

struct rename_ctx {
	struct name_ctx *from, *to;
	struct vnode *src, *dst; /* references */
	bool have_dst;
};

/* -EINVAL if dir is the directory src or below it (walking ".." entries). */
static int rename_below(struct fat_mount *fm, struct vnode *dir, struct vnode *src)
{
	uint32_t s = fat_node(src)->start, c = fat_node(dir)->start;

	for (unsigned depth = 0; depth < FAT_DIR_SLOTS; depth++) {
		if (c == s)
			return -EINVAL;
		if (c == fm->root_cluster)
			return 0;
		int r = fat_dir_parent(fm, c, &c);
		if (r)
			return r;
	}
	return fat_corrupt(fm, "directory tree with a loop", c);
}

static int rename_check(struct fat_mount *fm, struct vnode *newdir, struct rename_ctx *rc)
{
	struct fat_dent *sd = &rc->from->w.d;
	int r;

	if (rc->src->type == VDIR && (r = rename_below(fm, newdir, rc->src)))
		return r;
	r = fat_dir_find(fm, fat_node(newdir), rc->to->name, rc->to->len, &rc->to->w);
	if (r == -ENOENT || (!r && rc->to->w.d.pos == sd->pos))
		return 0; /* a new name, or a new spelling of the same entry */
	if (r || (r = fat_node_get(fm, &rc->to->w.d, &rc->dst)))
		return r;
	rc->have_dst = true;
	if (rc->src->type != VDIR)
		return rc->dst->type == VDIR ? -EISDIR : 0;
	if (rc->dst->type != VDIR)
		return -ENOTDIR;
	return fat_dir_empty(fm, fat_node(rc->dst));
}

/* Point the moved directory's ".." at newdir. */
static int rename_dotdot(struct fat_mount *fm, uint32_t start, struct vnode *newdir)
{
	struct fat_node *nd = fat_node(newdir);
	uint64_t off = fat_clu_off(fm, start) + FAT_DENT;
	uint8_t e[FAT_DENT];
	int r = fat_read_bytes(fm, off, e, FAT_DENT);

	if (r)
		return r;
	if (memcmp(e, "..         ", 11) || !(e[11] & FAT_ATTR_DIR))
		return fat_corrupt(fm, "directory without \"..\"", off);
	fat_ent_set_start(e, nd->pos ? nd->start : 0);
	return fat_write_bytes(fm, off, e, FAT_DENT);
}

static int rename_move(struct fat_mount *fm, struct vnode *olddir, struct vnode *newdir,
		       struct rename_ctx *rc)
{
	struct fat_dent *sd = &rc->from->w.d;
	struct fat_node *sn = fat_node(rc->src);
	uint64_t pos;
	int r =
	    fat_dir_add(fm, fat_node(newdir), rc->to->name, rc->to->len, sd->raw, sd->pos, &pos);

	if (r)
		return r;
	if (rc->have_dst && (r = remove_entry(fm, newdir, &rc->to->w.d, rc->dst)))
		return r;
	if ((r = fat_dir_remove(fm, fat_node(olddir), sd->first, sd->slot)))
		return r;
	fat_node_move(fm, sn, pos);
	if (rc->src->type == VDIR && olddir != newdir) {
		if ((r = rename_dotdot(fm, sn->start, newdir)))
			return r;
		dir_nlink(olddir, -1);
		dir_nlink(newdir, 1);
	}
	touch_dir(fm, olddir);
	if (newdir != olddir)
		touch_dir(fm, newdir);
	return 0;
}

int fat_rename(struct vnode *olddir, const char *oldname, struct vnode *newdir, const char *newname)
{
	VFS_MUST_BLOCK();
	struct rename_ctx rc = {0};
	int r;
	struct fat_mount *fm = dir_op(olddir, &r);

	if (r || (r = fat_node(newdir)->unlinked ? -ENOENT : 0))
		return r;
	if ((r = ctx_new(oldname, false, &rc.from)))
		return r;
	if ((r = ctx_new(newname, true, &rc.to)))
		goto out;
	if ((r = fat_begin_write(fm)) ||
	    (r = fat_dir_find(fm, fat_node(olddir), rc.from->name, rc.from->len, &rc.from->w)) ||
	    (r = fat_node_get(fm, &rc.from->w.d, &rc.src)))
		goto out;
	if (olddir == newdir && !strcmp(oldname, newname))
		goto out; /* nothing to do */
	if (!(r = rename_check(fm, newdir, &rc)))
		r = rename_move(fm, olddir, newdir, &rc);
out:
	vnode_put(rc.dst);
	vnode_put(rc.src);
	kfree(rc.to);
	kfree(rc.from);
	fat_reap(fm, !fm->broken);
	return r;
}

/* ---- readdir ---- */

struct readdir_arg {
	struct uio *uio;
	uint64_t pos; /* where the next call starts */
	bool emitted;
	char name[VFS_NAME_MAX + 1];
};

static int readdir_fn(struct fat_mount *fm, struct fat_dent *d, void *arg)
{
	struct readdir_arg *a = arg;
	int len = -1;

	if (d->dot)
		return 0;
	if (d->llen)
		len = fat_name_encode(d->lname, d->llen, a->name, sizeof(a->name));
	if (len < 0)
		len = fat_name_encode(d->sname, d->slen, a->name, sizeof(a->name));
	if (len < 0)
		return 0;
	unsigned type = (d->raw[11] & FAT_ATTR_DIR) ? VFS_DT_DIR : VFS_DT_REG;
	int r = vfs_dirent_emit(a->uio, fat_node_ino(fm, d->pos), d->slot + 3, type, a->name,
				(size_t)len);
	if (r)
		return r;
	a->emitted = true;
	a->pos = d->slot + 3;
	return 0;
}

static int emit_dot(struct readdir_arg *a, struct vnode *vn, uint64_t next, const char *name)
{
	int r = vfs_dirent_emit(a->uio, vn->ino, next, VFS_DT_DIR, name, strlen(name));

	if (!r) {
		a->emitted = true;
		a->pos = next;
	}
	return r;
}

int fat_readdir(struct vnode *dir, struct uio *uio, uint64_t *pos)
{
	VFS_MUST_BLOCK();
	struct readdir_arg *a;
	struct fat_walk *w;
	struct vnode *parent = NULL;
	int r;
	struct fat_mount *fm = dir_op(dir, &r);

	if (r)
		return r;
	a = kmalloc(sizeof(*a));
	w = kmalloc(sizeof(*w));
	if (!a || !w) {
		r = -ENOMEM;
		goto out;
	}
	a->uio = uio;
	a->pos = *pos;
	a->emitted = false;
	if (a->pos == 0 && (r = emit_dot(a, dir, 1, ".")))
		goto out_pos;
	if (a->pos == 1) {
		if (fat_dir_parent_vnode(fm, dir, &parent))
			parent = NULL;
		r = emit_dot(a, parent ? parent : dir, 2, "..");
		vnode_put(parent);
		if (r)
			goto out_pos;
	}
	if (a->pos > FAT_DIR_SLOTS + 2)
		goto out_pos;
	w->need = 0;
	r = fat_dir_walk(fm, fat_node(dir), (uint32_t)a->pos - 2, w, readdir_fn, a);
	if (!r)
		a->pos = (uint64_t)w->end + 2;
out_pos:
	*pos = a->pos;
	if (r == 1)
		r = a->emitted ? 0 : -EINVAL; /* no room for even one record */
out:
	kfree(w);
	kfree(a);
	return r;
}

/* ---- attributes ---- */

int fat_getattr(struct vnode *vn, struct vfs_stat *st)
{
	VFS_MUST_BLOCK();
	struct fat_mount *fm = fat_mnt(vn);
	struct fat_node *n = fat_node(vn);
	int r;

	fat_op_begin(fm);
	if (n->unlinked)
		return 0;
	if ((r = fat_map_load(fm, n)))
		return r;
	st->blocks = (uint64_t)n->nclusters * (fm->cluster_size / 512);
	if (vn->type != VDIR)
		return 0;
	if (n->subdirs < 0 && (r = fat_dir_subdirs(fm, n, &n->subdirs)))
		return r;
	spin_lock(&vn->lock);
	vn->size = (uint64_t)n->nclusters * fm->cluster_size;
	vn->nlink = 2 + (uint32_t)n->subdirs;
	spin_unlock(&vn->lock);
	return 0;
}

int fat_setattr(struct vnode *vn, const struct vfs_setattr *attr)
{
	VFS_MUST_BLOCK();
	struct fat_mount *fm = fat_mnt(vn);
	struct fat_node *n = fat_node(vn);
	int r;

	fat_op_begin(fm);
	if (((attr->mask & VFS_ATTR_UID) && attr->uid != vn->uid) ||
	    ((attr->mask & VFS_ATTR_GID) && attr->gid != vn->gid))
		return -EPERM; /* FAT has no owners */
	if ((r = fat_begin_write(fm)))
		return r;
	spin_lock(&vn->lock);
	if (attr->mask & VFS_ATTR_MODE) {
		bool ro = !(attr->mode & 0222);
		n->attr = (uint8_t)(ro ? n->attr | FAT_ATTR_RO : n->attr & ~FAT_ATTR_RO);
		vn->mode = vfs_type_to_mode(vn->type) | (ro ? 0555 : 0755);
	}
	if (attr->mask & VFS_ATTR_ATIME)
		vn->atime_ns = attr->atime_ns;
	if (attr->mask & VFS_ATTR_MTIME)
		vn->mtime_ns = attr->mtime_ns;
	spin_unlock(&vn->lock);
	return fat_node_write_entry(fm, n);
}
