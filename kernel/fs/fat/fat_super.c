/*
 * FAT32 instances: the boot sector and FSInfo, mount, sync, statfs, unmount
 * and recover, the buffer helpers every other file uses, and the rules for
 * writing safely.
 *
 * Writing: the first change after a clean state sets the "dirty" bit of the
 * boot sector (byte 0x41, as Linux and fsck.fat use it) straight on the disk;
 * sync writes FSInfo and every dirty block, flushes, then clears the bit and
 * flushes again, so an image is clean whenever it was synced. A volume found
 * dirty at mount keeps its bit. An inconsistency found anywhere
 * (fat_corrupt) makes the cache read-only and drops its dirty blocks, so
 * nothing more is written to that image.
 *
 * The buffer helpers record the blocks the running op holds, so that recover
 * can let go of them after a fault in the middle of an op.
 */
#include <fs/fat.h>
#include <core/klog.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "fat_impl.h"

#define BS_STATE    0x41 /* FAT32 boot sector: Linux's state byte */
#define STATE_DIRTY 0x01

static void held_add(struct fat_mount *fm, struct buf *b)
{
	for (int i = 0; i < FAT_HELD_MAX; i++)
		if (!fm->held[i]) {
			fm->held[i] = b;
			return;
		}
}

int fat_bread(struct fat_mount *fm, uint64_t blk, struct buf **out)
{
	int r = bcache_read(fm->bc, blk, out);

	if (!r)
		held_add(fm, *out);
	return r;
}

int fat_bget(struct fat_mount *fm, uint64_t blk, struct buf **out)
{
	int r = bcache_get(fm->bc, blk, out);

	if (!r)
		held_add(fm, *out);
	return r;
}

void fat_brelse(struct fat_mount *fm, struct buf *b)
{
	if (!b)
		return;
	for (int i = 0; i < FAT_HELD_MAX; i++)
		if (fm->held[i] == b) {
			fm->held[i] = NULL;
			break;
		}
	bcache_put(b);
}

void fat_bdirty(struct fat_mount *fm, struct buf *b)
{
	if (!fm->broken)
		bcache_dirty(b);
}

static int bytes_io(struct fat_mount *fm, uint64_t off, void *p, size_t len, bool write)
{
	while (len) {
		struct buf *b;
		uint32_t o = (uint32_t)(off & (fm->blk_size - 1));
		size_t n = fm->blk_size - o < len ? fm->blk_size - o : len;
		int r = fat_bread(fm, off >> fm->blk_shift, &b);
		if (r)
			return r;
		if (write) {
			memcpy(b->data + o, p, n);
			fat_bdirty(fm, b);
		} else {
			memcpy(p, b->data + o, n);
		}
		fat_brelse(fm, b);
		off += n;
		p = (uint8_t *)p + n;
		len -= n;
	}
	return 0;
}

int fat_read_bytes(struct fat_mount *fm, uint64_t off, void *p, size_t len)
{
	return bytes_io(fm, off, p, len, false);
}

int fat_write_bytes(struct fat_mount *fm, uint64_t off, const void *p, size_t len)
{
	return bytes_io(fm, off, (void *)p, len, true);
}

int fat_corrupt(struct fat_mount *fm, const char *what, uint64_t where)
{
	if (!fm->broken)
		klog(KL_WARN, "vfat %s: %s (%llu): read-only from now on", fm->bd->name, what,
		     (unsigned long long)where);
	fm->broken = true;
	fm->bc->readonly = true;
	bcache_invalidate(fm->bc); /* dirty blocks never reach the disk now */
	return -EUCLEAN;
}

static int set_state(struct fat_mount *fm, bool dirty)
{
	struct buf *b;
	int r = fat_bread(fm, 0, &b);

	if (r)
		return r;
	if (dirty)
		b->data[BS_STATE] |= STATE_DIRTY;
	else
		b->data[BS_STATE] &= (uint8_t)~STATE_DIRTY;
	r = bcache_write_direct(fm->bc, 0, 1, b->data);
	fat_brelse(fm, b);
	return r;
}

int fat_begin_write(struct fat_mount *fm)
{
	if (fm->unmounted)
		return -EIO;
	if (fm->ro || fm->broken || fm->bc->readonly)
		return fm->broken ? -EUCLEAN : -EROFS;
	if (fm->vol_dirty || fm->was_dirty)
		return 0;
	int r = set_state(fm, true);
	if (!r)
		fm->vol_dirty = true;
	return r;
}

void fat_op_begin(struct fat_mount *fm)
{
	if (fm->broken && fm->bc->st.dirty)
		bcache_invalidate(fm->bc);
	fat_reap(fm, !fm->broken);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static int write_fsinfo(struct fat_mount *fm)
{
	uint8_t v[8];

	if (!fm->fsinfo_dirty || !fm->fsinfo_sec)
		return 0;
	put_le32(v, fm->free_count);
	put_le32(v + 4, fm->next_free);
	int r = fat_write_bytes(fm, (uint64_t)fm->fsinfo_sec * fm->bps + 488, v, 8);
	if (!r)
		fm->fsinfo_dirty = false;
	return r;
}

int fat_sync_all(struct fat_mount *fm)
{
	int r;

	fat_op_begin(fm);
	if (fm->broken || fm->bc->readonly)
		return 0;
	if ((r = write_fsinfo(fm)) || (r = bcache_sync(fm->bc)))
		return r;
	if (fm->vol_dirty) {
		if ((r = set_state(fm, false)) || (r = bcache_sync(fm->bc)))
			return r;
		fm->vol_dirty = false;
	}
	return 0;
}

/* ---- the boot sector ---- */

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static unsigned log2u(uint32_t v)
{
	unsigned s = 0;

	while ((1u << s) < v)
		s++;
	return s;
}

/* The block size of the cache: up to a cluster or 4 KiB, dividing every
 * region's start so that no block straddles two regions. */
static uint32_t pick_blk_size(const struct fat_mount *fm)
{
	uint32_t b = fm->cluster_size < 4096 ? fm->cluster_size : 4096;

	while (b > fm->bps && ((fm->fat_start | fm->fat_bytes | fm->data_start) & (b - 1)))
		b >>= 1;
	return b;
}

/* Geometry from boot sector bs (512 bytes): 0 or -EINVAL (not FAT32). */
static int parse_boot(struct fat_mount *fm, const uint8_t *bs)
{
	uint32_t bps = le16(bs + 11), spc = bs[13], rsvd = le16(bs + 14), nfats = bs[16];
	uint32_t total = le16(bs + 19) ? le16(bs + 19) : le32(bs + 32);
	uint32_t fatsz = le32(bs + 36), flags = le16(bs + 40);

	if ((bs[0] != 0xeb && bs[0] != 0xe9) || bs[510] != 0x55 || bs[511] != 0xaa)
		return -EINVAL;
	if (bps < 512 || bps > 4096 || !pow2(bps) || !pow2(spc) || bps * spc > 65536 || !rsvd ||
	    nfats < 1 || nfats > 4 || le16(bs + 17) || le16(bs + 22) || !fatsz || le16(bs + 42))
		return -EINVAL;
	uint64_t data_sec = rsvd + (uint64_t)nfats * fatsz;
	if (data_sec >= total || (uint64_t)total * bps > fm->bd->nsectors * BDEV_SECTOR)
		return -EINVAL;
	fm->bps = bps;
	fm->cluster_size = bps * spc;
	fm->fat_start = (uint64_t)rsvd * bps;
	fm->fat_bytes = (uint64_t)fatsz * bps;
	fm->nfats = nfats;
	fm->mirror = !(flags & 0x80);
	fm->active_fat = fm->mirror ? 0 : (flags & 15);
	fm->data_start = data_sec * bps;
	uint64_t n = (total - data_sec) / spc;
	fm->nclusters = n > 0x0ffffff5 ? 0x0ffffff5 : (uint32_t)n;
	fm->root_cluster = le32(bs + 44);
	fm->fsinfo_sec = le16(bs + 48);
	if (fm->active_fat >= nfats || !fm->nclusters)
		return -EINVAL;
	if (fm->fat_bytes / 4 < (uint64_t)fm->nclusters + 2 || !fat_clu_valid(fm, fm->root_cluster))
		return -EUCLEAN; /* FAT too small for the volume, bad root */
	if (fm->fsinfo_sec == 0 || fm->fsinfo_sec == 0xffff || fm->fsinfo_sec >= rsvd)
		fm->fsinfo_sec = 0;
	fm->was_dirty = bs[BS_STATE] & STATE_DIRTY;
	return 0;
}

static int read_fsinfo(struct fat_mount *fm)
{
	uint8_t *p = fm->bounce;
	int r;

	fm->next_free = 2;
	if (!fm->fsinfo_sec)
		return 0;
	r = fat_read_bytes(fm, (uint64_t)fm->fsinfo_sec * fm->bps, p, 512);
	if (r)
		return r;
	if (le32(p) != 0x41615252 || le32(p + 484) != 0x61417272 || le32(p + 508) != 0xaa550000) {
		fm->fsinfo_sec = 0; /* not an FSInfo sector: never write there */
		return 0;
	}
	uint32_t hint = le32(p + 492);
	if (fat_clu_valid(fm, hint))
		fm->next_free = hint;
	fm->fsinfo_dirty = le32(p + 488) != fm->free_count;
	return 0;
}

/* Read the boot sector, FSInfo and the free count into fm (mount, recover). */
static int load_super(struct fat_mount *fm)
{
	uint8_t *bs = fm->bounce;
	int r = bdev_rw(fm->bd, false, 0, bs, 1);

	if (r)
		return r;
	if ((r = parse_boot(fm, bs)))
		return r;
	if (!fm->bc) {
		uint32_t blk = pick_blk_size(fm);
		fm->bc = bcache_create(fm->bd, blk, 0);
		if (!fm->bc)
			return -ENOMEM;
		fm->blk_size = blk;
		fm->blk_shift = log2u(blk);
		fm->bc->readonly = fm->ro || fm->bd->readonly;
	}
	if ((r = fat_count_free(fm)) || (r = read_fsinfo(fm)))
		return r;
	if (fm->broken)
		return -EUCLEAN;
	return 0;
}

void fat_mount_free(struct fat_mount *fm)
{
	fm->mnt->priv = NULL;
	if (fm->bc)
		bcache_destroy(fm->bc);
	kfree(fm->bounce);
	kfree(fm);
}

static bool opt_ro(const char *data)
{
	const char *p = data;

	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && !strncmp(p, "ro", 2))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static int fat_mount_op(struct mount *mnt, const char *source, const void *data,
			struct vnode **root)
{
	VFS_MUST_BLOCK();
	struct fat_mount *fm;
	struct bdev *bd = source ? bdev_find(source) : NULL;
	int r;

	if (!bd)
		return -ENODEV;
	fm = kzalloc(sizeof(*fm));
	if (!fm)
		return -ENOMEM;
	fm->bounce = kmalloc(FAT_BOUNCE);
	if (!fm->bounce) {
		kfree(fm);
		return -ENOMEM;
	}
	fm->mnt = mnt;
	fm->bd = bd;
	fm->ro = opt_ro(data);
	fm->next_uniq = FAT_UNIQ_INO;
	spin_init(&fm->lock, "vfat");
	list_init(&fm->moved);
	list_init(&fm->reap);
	mnt->priv = fm;
	r = load_super(fm);
	if (!r)
		r = fat_node_root(fm, root);
	if (r) {
		mnt->priv = NULL;
		fat_mount_free(fm);
		return r;
	}
	fm->root = *root;
	return 0;
}

static int fat_sync_op(struct mount *mnt)
{
	VFS_MUST_BLOCK();
	return fat_sync_all(mnt->priv);
}

static int fat_statfs_op(struct mount *mnt, struct vfs_statfs *st)
{
	VFS_MUST_BLOCK();
	struct fat_mount *fm = mnt->priv;

	fat_op_begin(fm);
	memset(st, 0, sizeof(*st));
	st->magic = FAT_STATFS_MAGIC;
	st->bsize = fm->cluster_size;
	st->blocks = fm->nclusters;
	st->bfree = st->bavail = fm->free_count;
	st->namelen = FAT_LFN_MAX;
	st->readonly = fm->ro || fm->broken || fm->bc->readonly;
	return 0;
}

/*
 * The instance goes: write everything back. Nodes still alive (open files of a
 * detached mount, or the root if the VFS still holds it) keep fm until the
 * last is released (fat_node_release frees it then); meanwhile they can be
 * read, and changing anything is -EIO (it could never be written back).
 */
static void fat_unmount_op(struct mount *mnt)
{
	struct fat_mount *fm = mnt->priv;
	bool last;

	if (!fm)
		return;
	spin_lock(&fm->lock);
	fm->unmounted = true; /* releases free their nodes from now on */
	spin_unlock(&fm->lock);
	fat_sync_all(fm); /* reaps what was queued before */
	spin_lock(&fm->lock);
	last = !fm->nodes;
	spin_unlock(&fm->lock);
	if (last)
		fat_mount_free(fm);
}

/* Refresh a cached node from its entry after the cache was dropped. */
static void recover_node(struct fat_mount *fm, struct fat_node *n)
{
	uint8_t e[FAT_DENT];

	fat_map_drop(n);
	n->subdirs = -1;
	if (!n->pos || n->unlinked)
		return;
	if (fat_read_bytes(fm, n->pos, e, FAT_DENT) || e[0] == 0 || e[0] == FAT_DELETED ||
	    (e[11] & FAT_ATTR_DIR) != (n->type == VDIR ? FAT_ATTR_DIR : 0) ||
	    (n->type == VDIR && fat_ent_start(e) != n->start)) {
		/* Its entry is gone from the disk: forget it, never free its
		 * clusters (unhashed first: directories are hashed by start). */
		fat_node_unhash(fm, n);
		n->unlinked = true;
		n->start = 0;
		return;
	}
	n->start = fat_ent_start(e);
	n->attr = e[11];
	fat_node_load_attrs(n->vn, e);
}

void fat_undo_note(struct fat_mount *fm, struct fat_node *n)
{
	uint64_t req = bcache_request();

	if (!req)
		return; /* no numbered requests: recover drops everything */
	if (fm->undo_req != req) {
		fm->undo_req = req;
		fm->undo_free = fm->free_count;
		fm->undo_next = fm->next_free;
		fm->undo_fsinfo_dirty = fm->fsinfo_dirty;
		fm->undo_nunlinked = 0;
	}
	if (n) {
		if (fm->undo_nunlinked < FAT_UNDO_NODES)
			fm->undo_unlinked[fm->undo_nunlinked] = n;
		fm->undo_nunlinked++;
	}
}

/* Every node in use: re-read what its entry says (the entries may have
 * changed under it). The hash is snapshotted with references, as release
 * may run meanwhile. 0, or -ENOMEM. */
static int recover_nodes(struct fat_mount *fm)
{
	unsigned cnt = 0, k = 0;

	fat_map_drop(fat_node(fm->root));
	spin_lock(&fm->lock);
	for (int i = 0; i < FAT_HASH; i++)
		for (struct fat_node *n = fm->hash[i]; n; n = n->hnext)
			cnt++;
	spin_unlock(&fm->lock);
	struct vnode **v = kmalloc((cnt + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	spin_lock(&fm->lock);
	for (int i = 0; i < FAT_HASH; i++)
		for (struct fat_node *n = fm->hash[i]; n && k < cnt; n = n->hnext)
			if ((v[k] = vnode_tryget(n->vn)))
				k++;
	spin_unlock(&fm->lock);
	for (unsigned i = 0; i < k; i++) {
		recover_node(fm, fat_node(v[i]));
		vnode_put(v[i]);
	}
	kfree(v);
	return 0;
}

/*
 * Undo exactly what the failed request did: the buffer cache puts back the
 * blocks it took (bcache_undo_request), the counts go back to what they were
 * before it, and the nodes it unlinked (their entries are back on the disk's
 * image) are detached without ever freeing their clusters. Nodes re-read
 * their entries. false if the request cannot be undone exactly.
 */
static bool undo_request(struct fat_mount *fm)
{
	uint64_t req = bcache_request();
	bool noted = req && fm->undo_req == req;

	if (!bcache_undo_request(fm->bc) || (noted && fm->undo_nunlinked > FAT_UNDO_NODES))
		return false;
	if (noted) {
		fm->free_count = fm->undo_free;
		fm->next_free = fm->undo_next;
		fm->fsinfo_dirty = fm->undo_fsinfo_dirty;
		for (unsigned i = 0; i < fm->undo_nunlinked; i++) {
			struct fat_node *n = fm->undo_unlinked[i];
			fat_map_drop(n);
			n->start = 0;
		}
	}
	fm->undo_req = 0;
	vfs_dcache_flush(); /* names the failed request cached may not exist */
	if (recover_nodes(fm))
		fat_corrupt(fm, "no memory to recover", 0);
	return true;
}

static void fat_recover_op(struct mount *mnt)
{
	struct fat_mount *fm = mnt->priv;

	for (int i = 0; i < FAT_HELD_MAX; i++)
		if (fm->held[i]) {
			bcache_put(fm->held[i]);
			fm->held[i] = NULL;
		}
	if (undo_request(fm))
		return;
	/* Not undone: drop every cached block, changes since the last sync too. */
	fm->undo_req = 0;
	bool ours = fm->vol_dirty, was = fm->was_dirty;
	uint64_t geo[4] = {fm->cluster_size, fm->fat_start, fm->data_start, fm->nclusters};
	vfs_dcache_flush(); /* cached names may lead to entries the disk never got */
	bcache_invalidate(fm->bc);
	fm->fsinfo_dirty = false;
	fat_reap(fm, false); /* unlinks may not have reached the disk: leak, never corrupt */
	int r = load_super(fm);
	/* The dirty bit on disk may be ours: the next sync clears it then. */
	fm->vol_dirty = ours;
	fm->was_dirty = was;
	if (!r && (geo[0] != fm->cluster_size || geo[1] != fm->fat_start ||
		   geo[2] != fm->data_start || geo[3] != fm->nclusters))
		r = -EUCLEAN; /* the cache's block size and every node depend on these */
	if (r) {
		fat_corrupt(fm, "cannot re-read the boot sector", 0);
		return;
	}
	if (recover_nodes(fm)) {
		fat_corrupt(fm, "no memory to recover", 0);
		return;
	}
	fat_reap(fm, false);
}

const struct vfs_fstype fat_fstype = {
    .name = "vfat",
    .flags = VFS_FS_BLOCKING | VFS_FS_NOCASE,
    .mount = fat_mount_op,
    .sync = fat_sync_op,
    .statfs = fat_statfs_op,
    .unmount = fat_unmount_op,
    .recover = fat_recover_op,
};
