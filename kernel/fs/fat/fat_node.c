/*
 * The FAT node cache: one vnode per file or directory in use, found by the
 * position of its short entry, and the end of a node's life.
 *
 * fm->lock guards the hash, the moved list (nodes whose ino is no longer
 * pos / 32 after a rename, so a new file at that position gets another ino)
 * and the reap list. The release op runs from any context: it only takes the
 * node out of the hash and queues it under fm->lock. fat_reap, called at the
 * start of every op and by sync, then does the work that may block: frees the
 * clusters of a node whose entry was removed while it was open and frees it.
 * A lookup that finds a node whose count already reached zero takes it out of
 * the hash and builds a new one. Directories are also hashed by their first
 * cluster (which never changes), so ".." finds a cached parent.
 */
#include <core/klog.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "fat_impl.h"

static unsigned hash_of(uint64_t pos)
{
	return (unsigned)(((pos / FAT_DENT) * 0x9e3779b97f4a7c15ull) >> 40) & (FAT_HASH - 1);
}

static unsigned dhash_of(uint32_t start)
{
	return (unsigned)((start * 0x9e3779b97f4a7c15ull) >> 40) & (FAT_HASH - 1);
}

static void unhash_locked(struct fat_mount *fm, struct fat_node *n)
{
	kassert(spin_held(&fm->lock));
	if (n->dhashed) {
		struct fat_node **pp = &fm->dhash[dhash_of(n->start)];
		while (*pp != n)
			pp = &(*pp)->dnext;
		*pp = n->dnext;
		n->dhashed = false;
	}
	if (n->hashed) {
		struct fat_node **pp = &fm->hash[hash_of(n->pos)];
		while (*pp != n)
			pp = &(*pp)->hnext;
		*pp = n->hnext;
		n->hashed = false;
	}
	if (n->moved) {
		list_del(&n->link);
		n->moved = false;
	}
}

static void hash_locked(struct fat_mount *fm, struct fat_node *n)
{
	unsigned h = hash_of(n->pos);

	n->hnext = fm->hash[h];
	fm->hash[h] = n;
	n->hashed = true;
	if (n->type == VDIR && !n->dhashed) {
		h = dhash_of(n->start);
		n->dnext = fm->dhash[h];
		fm->dhash[h] = n;
		n->dhashed = true;
	}
}

struct vnode *fat_node_find_dir(struct fat_mount *fm, uint32_t start)
{
	struct vnode *vn = NULL;

	if (start == fm->root_cluster)
		return vnode_get(fm->root);
	spin_lock(&fm->lock);
	for (struct fat_node *n = fm->dhash[dhash_of(start)]; n; n = n->dnext) {
		if (n->start != start)
			continue;
		vn = vnode_tryget(n->vn);
		if (!vn)
			unhash_locked(fm, n);
		break;
	}
	spin_unlock(&fm->lock);
	return vn;
}

struct vnode *fat_node_find(struct fat_mount *fm, uint64_t pos)
{
	struct vnode *vn = NULL;

	spin_lock(&fm->lock);
	for (struct fat_node *n = fm->hash[hash_of(pos)]; n; n = n->hnext) {
		if (n->pos != pos)
			continue;
		vn = vnode_tryget(n->vn);
		if (!vn)
			unhash_locked(fm, n); /* being released: make way for a new one */
		break;
	}
	spin_unlock(&fm->lock);
	return vn;
}

uint64_t fat_node_ino(struct fat_mount *fm, uint64_t pos)
{
	uint64_t ino = pos / FAT_DENT;

	spin_lock(&fm->lock);
	for (struct fat_node *n = fm->hash[hash_of(pos)]; n; n = n->hnext)
		if (n->pos == pos && n->vn)
			ino = n->vn->ino;
	spin_unlock(&fm->lock);
	return ino;
}

/* An ino for a new node at pos: pos / 32 unless a moved node still has it. */
static uint64_t pick_ino_locked(struct fat_mount *fm, uint64_t pos)
{
	struct list *it;

	list_for_each (it, &fm->moved) {
		struct fat_node *m = list_entry(it, struct fat_node, link);
		if (m->vn && m->vn->ino == pos / FAT_DENT)
			return fm->next_uniq++;
	}
	return pos / FAT_DENT;
}

void fat_node_move(struct fat_mount *fm, struct fat_node *n, uint64_t pos)
{
	spin_lock(&fm->lock);
	unhash_locked(fm, n);
	n->pos = pos;
	hash_locked(fm, n);
	if (n->vn->ino != pos / FAT_DENT) {
		list_add_tail(&fm->moved, &n->link);
		n->moved = true;
	}
	spin_unlock(&fm->lock);
}

void fat_node_unhash(struct fat_mount *fm, struct fat_node *n)
{
	spin_lock(&fm->lock);
	unhash_locked(fm, n);
	spin_unlock(&fm->lock);
}

void fat_node_load_attrs(struct vnode *vn, const uint8_t *e)
{
	uint64_t mtime =
	    fat_time_from((uint16_t)(e[24] | e[25] << 8), (uint16_t)(e[22] | e[23] << 8), 0);
	uint64_t atime = fat_time_from((uint16_t)(e[18] | e[19] << 8), 0, 0);

	spin_lock(&vn->lock);
	vn->mode = vfs_type_to_mode(vn->type) | ((e[11] & FAT_ATTR_RO) ? 0555 : 0755);
	if (vn->type == VREG)
		vn->size = fat_ent_size(e);
	vn->nlink = vn->type == VDIR ? 2 : 1;
	vn->mtime_ns = vn->ctime_ns = mtime;
	vn->atime_ns = atime;
	spin_unlock(&vn->lock);
}

static int node_new(struct fat_mount *fm, enum vtype type, struct fat_node **out)
{
	struct fat_node *n = kzalloc(sizeof(*n));
	struct vnode *vn;
	int r;

	if (!n)
		return -ENOMEM;
	r = vnode_alloc(fm->mnt, type, 0755, &fat_vnode_ops, &vn);
	if (r) {
		kfree(n);
		return r;
	}
	vn->priv = n;
	n->vn = vn;
	n->fm = fm;
	spin_lock(&fm->lock);
	fm->nodes++;
	spin_unlock(&fm->lock);
	n->type = type;
	n->subdirs = -1;
	list_init(&n->link);
	*out = n;
	return 0;
}

int fat_node_get(struct fat_mount *fm, const struct fat_dent *d, struct vnode **out)
{
	const uint8_t *e = d->raw;
	uint32_t start = fat_ent_start(e);
	bool isdir = e[11] & FAT_ATTR_DIR;
	struct fat_node *n;
	int r;

	if ((*out = fat_node_find(fm, d->pos)))
		return 0;
	if ((start || isdir) && !fat_clu_valid(fm, start))
		return fat_corrupt(fm, "entry with a bad first cluster", d->pos);
	if ((r = node_new(fm, isdir ? VDIR : VREG, &n)))
		return r;
	n->pos = d->pos;
	n->start = start;
	n->attr = e[11];
	fat_node_load_attrs(n->vn, e);
	spin_lock(&fm->lock);
	n->vn->ino = pick_ino_locked(fm, d->pos);
	hash_locked(fm, n);
	spin_unlock(&fm->lock);
	*out = n->vn;
	return 0;
}

int fat_node_root(struct fat_mount *fm, struct vnode **out)
{
	struct fat_node *n;
	int r = node_new(fm, VDIR, &n);

	if (r)
		return r;
	n->vn->ino = FAT_ROOT_INO;
	n->start = fm->root_cluster;
	n->attr = FAT_ATTR_DIR;
	r = fat_map_load(fm, n);
	if (r) {
		vnode_put(n->vn);
		fat_reap(fm, false);
		return r;
	}
	*out = n->vn;
	return 0;
}

int fat_node_write_entry(struct fat_mount *fm, struct fat_node *n)
{
	struct vnode *vn = n->vn;
	uint8_t e[FAT_DENT];
	int r;

	if (!n->pos || n->unlinked)
		return 0;
	if ((r = fat_read_bytes(fm, n->pos, e, FAT_DENT)))
		return r;
	spin_lock(&vn->lock);
	uint64_t mtime = vn->mtime_ns, atime = vn->atime_ns;
	uint32_t size = vn->type == VREG ? (uint32_t)vn->size : 0;
	spin_unlock(&vn->lock);
	fat_ent_set_start(e, n->start);
	fat_ent_set_size(e, size);
	fat_ent_set_mtime(e, mtime);
	fat_ent_set_adate(e, atime);
	e[11] = (uint8_t)((e[11] & ~FAT_ATTR_RO) | (n->attr & FAT_ATTR_RO));
	if (vn->type == VREG)
		e[11] |= FAT_ATTR_ARCHIVE;
	/* The vnode shows what the entry holds: 2-second times. */
	mtime = fat_time_from((uint16_t)(e[24] | e[25] << 8), (uint16_t)(e[22] | e[23] << 8), 0);
	atime = fat_time_from((uint16_t)(e[18] | e[19] << 8), 0, 0);
	spin_lock(&vn->lock);
	vn->mtime_ns = vn->ctime_ns = mtime;
	vn->atime_ns = atime;
	spin_unlock(&vn->lock);
	return fat_write_bytes(fm, n->pos, e, FAT_DENT);
}

static void node_free(struct fat_node *n)
{
	fat_map_drop(n);
	kfree(n);
}

void fat_node_release(struct vnode *vn)
{
	struct fat_node *n = fat_node(vn);
	struct fat_mount *fm = n->fm;
	bool now, last = false;

	spin_lock(&fm->lock);
	unhash_locked(fm, n);
	n->rel_size = vn->size;
	n->vn = NULL;
	now = fm->unmounted; /* no op will reap any more */
	if (now)
		last = !--fm->nodes;
	else
		list_add_tail(&fm->reap, &n->link);
	spin_unlock(&fm->lock);
	if (now)
		node_free(n);
	if (last)
		fat_mount_free(fm); /* memory only: everything was written back */
}

void fat_reap(struct fat_mount *fm, bool free_clusters)
{
	for (;;) {
		struct fat_node *n = NULL;

		spin_lock(&fm->lock);
		if (!list_empty(&fm->reap)) {
			n = list_entry(fm->reap.next, struct fat_node, link);
			list_del(&n->link);
		}
		spin_unlock(&fm->lock);
		if (!n)
			return;
		if (n->unlinked && n->start && free_clusters && !fat_begin_write(fm))
			fat_chain_cut(fm, n, 0);
		node_free(n);
		spin_lock(&fm->lock);
		fm->nodes--;
		spin_unlock(&fm->lock);
	}
}

const struct vnode_ops fat_vnode_ops = {
    .lookup = fat_lookup,
    .create = fat_create,
    .mkdir = fat_mkdir,
    .unlink = fat_unlink,
    .rmdir = fat_rmdir,
    .rename = fat_rename,
    .read = fat_read,
    .write = fat_write,
    .truncate = fat_truncate,
    .readdir = fat_readdir,
    .getattr = fat_getattr,
    .setattr = fat_setattr,
    .getpage = fat_getpage,
    .fsync = fat_fsync,
    .release = fat_node_release,
};
