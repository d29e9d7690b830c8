/*
 * FAT32 internals shared by the files of kernel/fs/fat.
 *
 * One struct fat_mount per mounted instance: geometry read from the boot
 * sector, the buffer cache, the free-cluster count, and the cache of in-memory
 * nodes. One struct fat_node per cached file or directory (vn->priv).
 *
 * Concurrency: ops of one instance run one at a time (see <fs/fat.h>), so
 * everything is owned by the op running, except what fm->lock guards: the node
 * hash, the moved list and the reap list, and each node's fields marked so.
 * The vnode release op takes fm->lock only: it queues the node on the reap
 * list, and the next op (or sync) frees its clusters if it was unlinked and
 * frees it (fat_reap). Once the instance is unmounted, release frees the node
 * itself, and the instance with its last node. Nodes hold no references to
 * each other: a directory's parent is found through its ".." entry. Nothing
 * here sleeps under fm->lock, and no uio_move happens under it.
 *
 * Positions: a directory entry is named by its slot (index of its 32-byte
 * entry in the directory) or by pos, the byte offset of the entry on the
 * device. A node is keyed by the pos of its short entry; its ino is pos / 32
 * when first cached (the root is FAT_ROOT_INO) and stays while it is cached,
 * even across renames.
 */
#ifndef FS_FAT_IMPL_H
#define FS_FAT_IMPL_H

#include <fs/vfs.h>
#include <fs/bcache.h>
#include <core/list.h>
#include <core/spinlock.h>

#define FAT_DENT	 32
#define FAT_ATTR_RO	 0x01
#define FAT_ATTR_HIDDEN	 0x02
#define FAT_ATTR_SYSTEM	 0x04
#define FAT_ATTR_VOLUME	 0x08
#define FAT_ATTR_DIR	 0x10
#define FAT_ATTR_ARCHIVE 0x20
#define FAT_ATTR_LFN	 0x0f
#define FAT_CASE_BASE	 0x08 /* NTRes: the short base name is shown in lower case */
#define FAT_CASE_EXT	 0x10 /* NTRes: the short extension is shown in lower case */
#define FAT_DELETED	 0xe5
#define FAT_LFN_LAST	 0x40
#define FAT_LFN_CHARS	 13
#define FAT_LFN_MAX	 255   /* UTF-16 units in a long name */
#define FAT_LFN_SLOTS	 20    /* ceil(255 / 13) */
#define FAT_DIR_SLOTS	 65536 /* entries a directory may hold */
#define FAT_MASK	 0x0fffffffu
#define FAT_BAD		 0x0ffffff7u
#define FAT_EOC_MIN	 0x0ffffff8u
#define FAT_EOC		 0x0fffffffu
#define FAT_FILE_MAX	 0xffffffffull
#define FAT_ROOT_INO	 1
#define FAT_HASH	 1024
#define FAT_BOUNCE	 (64u << 10) /* direct-I/O bounce buffer */
#define FAT_HELD_MAX	 16
#define FAT_UNDO_NODES	 8 /* nodes one request may unlink and still be undone */
#define FAT_UNIQ_INO	 (1ull << 48) /* inos given when pos / 32 is taken */

/* A run of consecutive clusters of a chain: file clusters fidx.. at clu.. */
struct fat_run {
	uint32_t fidx, clu, len;
};

struct fat_mount;

struct fat_node {
	struct vnode *vn;	/* NULL once released (queued for reaping) */
	struct fat_mount *fm;	/* immutable */
	enum vtype type;	/* immutable */
	uint64_t rel_size;	/* vn->size when released */
	uint64_t pos;		/* fm->lock to change: short entry's pos; 0 for the root */
	struct fat_node *hnext; /* fm->lock */
	struct fat_node *dnext; /* fm->lock: directories, in the hash by start cluster */
	struct list link;	/* fm->lock: moved list, then reap list */
	bool hashed;		/* fm->lock: in the hash under pos */
	bool dhashed;		/* fm->lock: in the directory hash under start */
	bool moved;		/* fm->lock: ino no longer pos / 32 (on the moved list) */
	/* Owned by the running op: */
	bool unlinked; /* the entry is gone; clusters freed when released */
	uint8_t attr;
	uint32_t start;	 /* first cluster, 0 for none */
	int32_t subdirs; /* directories: subdirectory count, -1 unknown */
	/* The cluster chain as runs, loaded whole on first use. */
	bool mapped;
	struct fat_run *runs;
	uint32_t nruns, cap, nclusters;
};

struct fat_mount {
	struct mount *mnt;
	struct bdev *bd;
	struct bcache *bc;
	/* Geometry, immutable after mount (re-read by recover). */
	uint32_t bps, cluster_size, blk_size, blk_shift;
	uint64_t fat_start; /* byte offset of the first FAT */
	uint64_t fat_bytes; /* bytes per FAT */
	uint32_t nfats, active_fat;
	bool mirror;	     /* every FAT copy is written */
	uint64_t data_start; /* byte offset of cluster 2 */
	uint32_t nclusters;  /* data clusters: valid numbers are 2 .. nclusters + 1 */
	uint32_t root_cluster;
	uint32_t fsinfo_sec; /* 0: none usable */
	/* State. */
	uint32_t free_count, next_free;
	bool fsinfo_dirty; /* free count or hint changed since the last sync */
	bool vol_dirty;	   /* we set the boot sector's dirty flag */
	bool was_dirty;	   /* it was set when mounted: leave it */
	bool broken;	   /* found inconsistent: read-only from then on */
	bool ro;	   /* mounted read-only */
	struct vnode *root;
	uint8_t *bounce;		/* FAT_BOUNCE bytes */
	struct buf *held[FAT_HELD_MAX]; /* buffers the running op holds (for recover) */
	/* What the request in flight changed outside the buffer cache, for its
	 * undo after a fault (fat_undo_note; kernel/fs/bcache.c numbers requests). */
	uint64_t undo_req;			       /* the request noted below */
	uint32_t undo_free, undo_next;		       /* the counts before it */
	bool undo_fsinfo_dirty;
	struct fat_node *undo_unlinked[FAT_UNDO_NODES]; /* nodes it unlinked */
	unsigned undo_nunlinked;			/* may exceed FAT_UNDO_NODES */
	struct spinlock lock;
	struct fat_node *hash[FAT_HASH];  /* lock */
	struct fat_node *dhash[FAT_HASH]; /* lock */
	struct list moved;		  /* lock */
	struct list reap;		  /* lock */
	uint64_t next_uniq;		  /* lock */
	unsigned nodes;			  /* lock: nodes allocated and not yet freed */
	bool unmounted;			  /* lock: released nodes are freed at once */
};

static inline struct fat_node *fat_node(struct vnode *vn)
{
	return vn->priv;
}

static inline struct fat_mount *fat_mnt(struct vnode *vn)
{
	return vn->mnt->priv;
}

/* One directory entry found by a walk (fat_dir.c). */
struct fat_dent {
	uint32_t first;	       /* slot of its first long-name slot (== slot if none) */
	uint32_t slot;	       /* slot of the short entry */
	uint64_t pos;	       /* device offset of the short entry */
	uint8_t raw[FAT_DENT]; /* the short entry */
	uint16_t lname[FAT_LFN_SLOTS * FAT_LFN_CHARS];
	unsigned llen; /* 0: no valid long name */
	uint16_t sname[13];
	unsigned slen; /* the short name as shown */
	bool dot;      /* "." or ".." */
};

/* Callback of fat_dir_walk: 0 to go on, > 0 to stop, < 0 an error to return. */
typedef int (*fat_walk_fn)(struct fat_mount *fm, struct fat_dent *d, void *arg);

struct fat_walk {
	uint32_t need;	    /* free slots wanted in a row (0: do not look) */
	uint32_t run_start; /* out: first slot of such a run, if run_found */
	bool run_found;
	uint32_t end;	     /* out: slot of the end marker, or the capacity */
	uint32_t tail_start; /* out: first slot of the free slots that reach the end */
	uint32_t cap;	     /* out: slots in the directory's clusters */
	struct fat_dent d;
};

/* ---- fat_super.c: buffers, errors, the boot sector ---- */
/* The running request is about to change the free count or hint, or to
 * unlink node n (else NULL): note what recover needs to undo it. */
void fat_undo_note(struct fat_mount *fm, struct fat_node *n);
int fat_bread(struct fat_mount *fm, uint64_t blk, struct buf **out);
int fat_bget(struct fat_mount *fm, uint64_t blk, struct buf **out);
void fat_brelse(struct fat_mount *fm, struct buf *b);
void fat_bdirty(struct fat_mount *fm, struct buf *b);
/* Read or write len bytes at device offset off through the cache. */
int fat_read_bytes(struct fat_mount *fm, uint64_t off, void *p, size_t len);
int fat_write_bytes(struct fat_mount *fm, uint64_t off, const void *p, size_t len);
/* Record an inconsistency: log it, make the instance read-only, -EUCLEAN. */
int fat_corrupt(struct fat_mount *fm, const char *what, uint64_t where);
/* Before the first change of an op: -EROFS, or 0 with the dirty flag on disk. */
int fat_begin_write(struct fat_mount *fm);
/* At the start of every op: reap released nodes, drop a broken cache. */
void fat_op_begin(struct fat_mount *fm);
int fat_sync_all(struct fat_mount *fm);
/* Free an instance whose nodes are all gone. */
void fat_mount_free(struct fat_mount *fm);

static inline uint64_t fat_clu_off(const struct fat_mount *fm, uint32_t clu)
{
	return fm->data_start + (uint64_t)(clu - 2) * fm->cluster_size;
}

static inline bool fat_clu_valid(const struct fat_mount *fm, uint32_t clu)
{
	return clu >= 2 && clu <= fm->nclusters + 1;
}

/* ---- fat_table.c: the FAT and cluster chains ---- */
int fat_get(struct fat_mount *fm, uint32_t clu, uint32_t *val);
int fat_set(struct fat_mount *fm, uint32_t clu, uint32_t val);
/* Count free clusters (mount, recover). */
int fat_count_free(struct fat_mount *fm);
/* Load n's whole chain into n->runs (bounded; loops and bad links: -EUCLEAN). */
int fat_map_load(struct fat_mount *fm, struct fat_node *n);
void fat_map_drop(struct fat_node *n);
/* The cluster holding file cluster fidx and how many follow it contiguously
 * (at least 1); 1 if fidx is past the chain. */
int fat_bmap(struct fat_mount *fm, struct fat_node *n, uint32_t fidx, uint32_t *clu,
	     uint32_t *contig);
/* Grow n's chain to want clusters (fewer on -ENOSPC: see n->nclusters). New
 * clusters are zeroed when zero is set. Sets n->start for a first cluster. */
int fat_chain_grow(struct fat_mount *fm, struct fat_node *n, uint32_t want, bool zero);
/* Cut n's chain to keep clusters, freeing the rest. */
int fat_chain_cut(struct fat_mount *fm, struct fat_node *n, uint32_t keep);

/* ---- fat_conv.c: names and times ---- */
/* A VFS name as UTF-16, trailing dots and spaces dropped: 0, -EINVAL, -ENAMETOOLONG. */
int fat_name_decode(const char *name, uint16_t *u, unsigned *len);
/* UTF-16 to UTF-8 into out (cap bytes): length, or -1 if it does not fit or is bad. */
int fat_name_encode(const uint16_t *u, unsigned len, char *out, size_t cap);
bool fat_name_eq(const uint16_t *a, unsigned alen, const uint16_t *b, unsigned blen);
/* The short name of a raw entry as shown (case flags applied). */
unsigned fat_short_show(const uint8_t *raw, uint16_t *u);
/* Can name be a short name alone? Then raw[0..11) and *ntres are set. */
bool fat_short_plain(const uint16_t *u, unsigned len, uint8_t *raw, uint8_t *ntres);
/* The basis of generated short names: base (1..8 chars), ext (0..3); true if lossy. */
bool fat_short_basis(const uint16_t *u, unsigned len, uint8_t *base, unsigned *blen, uint8_t *ext,
		     unsigned *elen);
/* raw[0..11) = base~n.ext. */
void fat_short_tail(const uint8_t *base, unsigned blen, const uint8_t *ext, unsigned elen,
		    unsigned n, uint8_t *raw);
/* If raw is basis~N.ext, N; else 0. */
unsigned fat_short_tail_of(const uint8_t *raw, const uint8_t *base, unsigned blen,
			   const uint8_t *ext, unsigned elen);
uint8_t fat_lfn_sum(const uint8_t *raw);
void fat_time_to(uint64_t ns, uint16_t *date, uint16_t *time, uint8_t *tenth);
uint64_t fat_time_from(uint16_t date, uint16_t time, uint8_t tenth);

/* ---- fat_dir.c: directory entries ---- */
/* Walk dir from slot from, calling fn on each entry found (w->d) until it
 * returns non-zero; with w->need set, also look for free slots. */
int fat_dir_walk(struct fat_mount *fm, struct fat_node *dir, uint32_t from, struct fat_walk *w,
		 fat_walk_fn fn, void *arg);
/* Find name (as UTF-16) in dir: 0 with the entry in w->d, -ENOENT, or an error. */
int fat_dir_find(struct fat_mount *fm, struct fat_node *dir, const uint16_t *name, unsigned len,
		 struct fat_walk *w);
/* Add an entry called name whose short entry is tmpl (name fields filled in
 * here); *pos is the new short entry's position. With skip_pos 0, -EEXIST if
 * the name is taken; else (rename) the short entry at skip_pos is ignored when
 * choosing a short name, and the caller checked the long one. */
int fat_dir_add(struct fat_mount *fm, struct fat_node *dir, const uint16_t *name, unsigned len,
		const uint8_t *tmpl, uint64_t skip_pos, uint64_t *pos);
/* Mark the slots first..slot of dir deleted. */
int fat_dir_remove(struct fat_mount *fm, struct fat_node *dir, uint32_t first, uint32_t slot);
/* 0 if dir holds nothing but "." and "..", -ENOTEMPTY, or an error. */
int fat_dir_empty(struct fat_mount *fm, struct fat_node *dir);
/* The first cluster of the parent of the directory starting at start (the
 * root's cluster for the root), from its ".." entry. */
int fat_dir_parent(struct fat_mount *fm, uint32_t start, uint32_t *parent);
/* The parent of directory dir as a vnode (a new reference). */
int fat_dir_parent_vnode(struct fat_mount *fm, struct vnode *dir, struct vnode **out);
/* Count subdirectories. */
int fat_dir_subdirs(struct fat_mount *fm, struct fat_node *dir, int32_t *count);
/* The device offset of slot in dir (its chain loaded). */
int fat_dir_slot_pos(struct fat_mount *fm, struct fat_node *dir, uint32_t slot, uint64_t *pos);

/* Entry fields. */
static inline uint32_t fat_ent_start(const uint8_t *e)
{
	return ((uint32_t)e[26] | (uint32_t)e[27] << 8 | (uint32_t)e[20] << 16 |
		(uint32_t)e[21] << 24) &
	       FAT_MASK;
}

static inline uint32_t fat_ent_size(const uint8_t *e)
{
	return (uint32_t)e[28] | (uint32_t)e[29] << 8 | (uint32_t)e[30] << 16 |
	       (uint32_t)e[31] << 24;
}

void fat_ent_set_start(uint8_t *e, uint32_t clu);
void fat_ent_set_size(uint8_t *e, uint32_t size);
void fat_ent_set_mtime(uint8_t *e, uint64_t ns);
void fat_ent_set_adate(uint8_t *e, uint64_t ns);
void fat_ent_set_ctime(uint8_t *e, uint64_t ns); /* creation time */

/* ---- fat_node.c: the node cache ---- */
extern const struct vnode_ops fat_vnode_ops;
/* The node for the entry d (a new reference). */
int fat_node_get(struct fat_mount *fm, const struct fat_dent *d, struct vnode **out);
/* The cached directory whose first cluster is start, with a reference, or NULL. */
struct vnode *fat_node_find_dir(struct fat_mount *fm, uint32_t start);
/* The cached node for pos, with a reference, or NULL. */
struct vnode *fat_node_find(struct fat_mount *fm, uint64_t pos);
/* The ino readdir reports for the entry at pos. */
uint64_t fat_node_ino(struct fat_mount *fm, uint64_t pos);
/* The root node of a new instance. */
int fat_node_root(struct fat_mount *fm, struct vnode **out);
/* Move a cached node to a new entry position (rename). */
void fat_node_move(struct fat_mount *fm, struct fat_node *n, uint64_t pos);
/* Take a cached node out of the hash: its entry is gone. */
void fat_node_unhash(struct fat_mount *fm, struct fat_node *n);
/* Write n's start, size, times and attributes into its short entry. */
int fat_node_write_entry(struct fat_mount *fm, struct fat_node *n);
/* Free what released nodes left (and the clusters of unlinked ones). */
void fat_reap(struct fat_mount *fm, bool free_clusters);
void fat_node_release(struct vnode *vn);
/* Set vnode fields from a short entry. */
void fat_node_load_attrs(struct vnode *vn, const uint8_t *e);

/* ---- fat_file.c: file data ---- */
int fat_read(struct vnode *vn, struct uio *uio);
int fat_write(struct vnode *vn, struct uio *uio, unsigned ioflags);
int fat_truncate(struct vnode *vn, uint64_t size);
int fat_getpage(struct vnode *vn, uint64_t off, bool alloc, paddr_t *out);
int fat_fsync(struct vnode *vn);

/* ---- fat_vnops.c: names ---- */
int fat_lookup(struct vnode *dir, const char *name, struct vnode **out);
int fat_create(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out);
int fat_mkdir(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out);
int fat_unlink(struct vnode *dir, const char *name);
int fat_rmdir(struct vnode *dir, const char *name);
int fat_rename(struct vnode *olddir, const char *oldname, struct vnode *newdir,
	       const char *newname);
int fat_readdir(struct vnode *dir, struct uio *uio, uint64_t *pos);
int fat_getattr(struct vnode *vn, struct vfs_stat *st);
int fat_setattr(struct vnode *vn, const struct vfs_setattr *attr);

#endif
