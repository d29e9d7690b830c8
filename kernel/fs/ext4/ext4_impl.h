/*
 * ext4 internals shared by the files of kernel/fs/ext4.
 *
 * On-disk structures are read and written as little-endian fields at byte
 * offsets (get16/put32 ... on a byte pointer), so nothing depends on struct
 * packing; the SB_, GD_, I_ constants are the offsets of the ext4 layout.
 *
 * Execution model: every op of one mount runs one at a time in a context that
 * may block (see <fs/ext4.h>), so struct ext4_fs needs no lock except ilock,
 * which guards the inode cache and the list of released dead inodes because
 * the vnode release op runs concurrently, from any context.
 *
 * Errors: on-disk inconsistency is -EUCLEAN (ext4_corrupt logs it and makes
 * the buffer cache read-only, so nothing more reaches that disk); I/O errors
 * are -EIO; writes on a read-only mount -EROFS.
 */
#ifndef EXT4_IMPL_H
#define EXT4_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <core/list.h>
#include <core/spinlock.h>
#include <fs/bcache.h>
#include <fs/vfs.h>
#include <lib/string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ext4 code assumes a little-endian CPU");

/* Byte by byte: the offsets are often not aligned for the field, and gcc
 * (rv64 without fast misaligned access) turns a memcpy of unknown alignment
 * into a call, which costs ten times these few loads. */
static inline uint16_t get16(const void *p, unsigned off)
{
	const uint8_t *b = (const uint8_t *)p + off;
	return (uint16_t)(b[0] | b[1] << 8);
}
static inline uint32_t get32(const void *p, unsigned off)
{
	const uint8_t *b = (const uint8_t *)p + off;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline void put16(void *p, unsigned off, uint16_t v)
{
	uint8_t *b = (uint8_t *)p + off;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}
static inline void put32(void *p, unsigned off, uint32_t v)
{
	uint8_t *b = (uint8_t *)p + off;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

/* ---- superblock (1024 bytes at byte 1024 of the device) ---- */
#define SB_OFFSET	      1024
#define SB_SIZE		      1024
#define SB_INODES_COUNT	      0x00
#define SB_BLOCKS_COUNT_LO    0x04
#define SB_R_BLOCKS_LO	      0x08
#define SB_FREE_BLOCKS_LO     0x0C
#define SB_FREE_INODES	      0x10
#define SB_FIRST_DATA_BLOCK   0x14
#define SB_LOG_BLOCK_SIZE     0x18
#define SB_LOG_CLUSTER_SIZE   0x1C
#define SB_BLOCKS_PER_GROUP   0x20
#define SB_CLUSTERS_PER_GROUP 0x24
#define SB_INODES_PER_GROUP   0x28
#define SB_WTIME	      0x30
#define SB_MAGIC	      0x38
#define SB_REV_LEVEL	      0x4C
#define SB_FIRST_INO	      0x54
#define SB_INODE_SIZE	      0x58
#define SB_FEATURE_COMPAT     0x5C
#define SB_FEATURE_INCOMPAT   0x60
#define SB_FEATURE_RO_COMPAT  0x64
#define SB_UUID		      0x68
#define SB_RESERVED_GDT	      0xCE
#define SB_DESC_SIZE	      0xFE
#define SB_BLOCKS_COUNT_HI    0x150
#define SB_R_BLOCKS_HI	      0x154
#define SB_FREE_BLOCKS_HI     0x158
#define SB_CHECKSUM_TYPE      0x175 /* 1: crc32c */
#define SB_CHECKSUM_SEED      0x270
#define SB_CHECKSUM	      0x3FC
#define EXT4_MAGIC	      0xEF53

#define SB_DEF_HASH_VERSION  0xFC
#define COMPAT_DIR_INDEX     0x020
#define COMPAT_SPARSE_SUPER2 0x200

#define INCOMPAT_FILETYPE  0x0002
#define INCOMPAT_RECOVER   0x0004
#define INCOMPAT_META_BG   0x0010
#define INCOMPAT_EXTENTS   0x0040
#define INCOMPAT_64BIT	   0x0080
#define INCOMPAT_FLEX_BG   0x0200
#define INCOMPAT_CSUM_SEED 0x2000
#define INCOMPAT_LARGEDIR  0x4000
#define INCOMPAT_KNOWN                                                                             \
	(INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_EXTENTS | INCOMPAT_64BIT |                \
	 INCOMPAT_FLEX_BG | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR)

#define RO_COMPAT_SPARSE_SUPER	0x0001
#define RO_COMPAT_LARGE_FILE	0x0002
#define RO_COMPAT_HUGE_FILE	0x0008
#define RO_COMPAT_GDT_CSUM	0x0010
#define RO_COMPAT_DIR_NLINK	0x0020
#define RO_COMPAT_EXTRA_ISIZE	0x0040
#define RO_COMPAT_METADATA_CSUM 0x0400
/* What we can write without breaking: anything else mounts read-only. */
#define RO_COMPAT_WRITABLE                                                                         \
	(RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_HUGE_FILE |                     \
	 RO_COMPAT_DIR_NLINK | RO_COMPAT_EXTRA_ISIZE | RO_COMPAT_METADATA_CSUM |                   \
	 RO_COMPAT_GDT_CSUM)

/* ---- group descriptor (32 or 64 bytes) ---- */
#define GD_BLOCK_BITMAP_LO  0x00
#define GD_INODE_BITMAP_LO  0x04
#define GD_INODE_TABLE_LO   0x08
#define GD_FREE_BLOCKS_LO   0x0C
#define GD_FREE_INODES_LO   0x0E
#define GD_USED_DIRS_LO	    0x10
#define GD_FLAGS	    0x12
#define GD_BBITMAP_CSUM_LO  0x18
#define GD_IBITMAP_CSUM_LO  0x1A
#define GD_ITABLE_UNUSED_LO 0x1C
#define GD_CHECKSUM	    0x1E
#define GD_BLOCK_BITMAP_HI  0x20
#define GD_INODE_BITMAP_HI  0x24
#define GD_INODE_TABLE_HI   0x28
#define GD_FREE_BLOCKS_HI   0x2C
#define GD_FREE_INODES_HI   0x2E
#define GD_USED_DIRS_HI	    0x30
#define GD_ITABLE_UNUSED_HI 0x32
#define GD_BBITMAP_CSUM_HI  0x38
#define GD_IBITMAP_CSUM_HI  0x3A
#define BG_INODE_UNINIT	    0x1
#define BG_BLOCK_UNINIT	    0x2

/* ---- inode ---- */
#define I_MODE	       0x00
#define I_UID	       0x02
#define I_SIZE_LO      0x04
#define I_ATIME	       0x08
#define I_CTIME	       0x0C
#define I_MTIME	       0x10
#define I_DTIME	       0x14
#define I_GID	       0x18
#define I_LINKS	       0x1A
#define I_BLOCKS_LO    0x1C
#define I_FLAGS	       0x20
#define I_BLOCK	       0x28 /* 60 bytes: extent root, or a fast symlink */
#define I_GENERATION   0x64
#define I_FILE_ACL_LO  0x68
#define I_SIZE_HI      0x6C
#define I_BLOCKS_HI    0x74
#define I_FILE_ACL_HI  0x76
#define I_UID_HI       0x78
#define I_GID_HI       0x7A
#define I_CSUM_LO      0x7C
#define I_EXTRA_ISIZE  0x80
#define I_CSUM_HI      0x82
#define I_CTIME_EXTRA  0x84
#define I_MTIME_EXTRA  0x88
#define I_ATIME_EXTRA  0x8C
#define I_CRTIME       0x90
#define I_CRTIME_EXTRA 0x94
#define I_BLOCK_LEN    60

#define IFL_INDEX     0x00001000
#define IFL_HUGE_FILE 0x00040000
#define IFL_EXTENTS   0x00080000
#define IFL_EA_INODE  0x00200000
#define IFL_INLINE    0x10000000

#define EXT4_ROOT_INO 2
#define EXT4_LINK_MAX 65000

/* ---- extents ---- */
#define EH_MAGIC      0xF30A
#define EXT_INIT_MAX  32768 /* longest initialised extent */
#define EXT_MAX_DEPTH 5

/* ---- directories ---- */
#define DE_HDR	    8  /* inode, rec_len, name_len, file_type */
#define DE_TAIL_LEN 12 /* the checksum tail of a leaf block */
#define FT_UNKNOWN  0
#define FT_REG	    1
#define FT_DIR	    2
#define FT_CHR	    3
#define FT_BLK	    4
#define FT_FIFO	    5
#define FT_SOCK	    6
#define FT_LNK	    7

#define EXT4_IOBUF  (256u << 10) /* bounce buffer for file data */
#define EXT4_RA	    (128u << 10) /* read-ahead window */
#define EXT4_DIR_OK 256		 /* directory (and extent) blocks remembered as checked */
#define EXT4_BMP_OK 64		 /* bitmaps remembered as checked */

/* One mounted instance. */
struct ext4_fs {
	struct mount *mnt;
	struct bdev *bd;
	struct bcache *bc;
	uint8_t sb[SB_SIZE]; /* in-memory superblock, written back by ext4_write_super */
	bool sb_dirty;
	bool ro;     /* mounted read-only (asked, or features/journal demand it) */
	bool broken; /* an inconsistency was found: nothing more is written */
	bool csum;   /* metadata_csum */
	bool bit64;  /* 64bit: 64-byte descriptors with high halves */
	uint32_t bs; /* block size */
	unsigned bs_bits;
	uint64_t nblocks;
	uint32_t first_data_block;
	uint32_t bpg, ipg, ngroups, ninodes, first_ino;
	uint32_t inode_size, desc_size;
	uint32_t gdt_start; /* first block of the descriptor table */
	uint32_t csum_seed;
	uint8_t *iobuf;			  /* EXT4_IOBUF bytes */
	uint8_t *ra;			  /* read-ahead window: EXT4_RA bytes holding ... */
	uint32_t ra_ino, ra_lblk, ra_n;	  /* ... blocks ra_lblk.. (ra_n of them) of ra_ino */
	uint64_t dir_ok[EXT4_DIR_OK];	  /* block + 1 of checksum-verified directory blocks */
	uint32_t dir_ok_ino[EXT4_DIR_OK]; /* ... and the directory they were checked for */
	uint64_t ext_ok[EXT4_DIR_OK];	  /* the same for extent tree nodes ... */
	uint32_t ext_ok_ino[EXT4_DIR_OK]; /* ... and the inode they belong to */
	uint64_t bmp_ok[EXT4_BMP_OK];	  /* 2 * block + (inode bitmap) + 1 of checked bitmaps */
	uint8_t *zero;			  /* one zeroed block */
	uint32_t next_gen;
	uint32_t last_group; /* where the inode allocator looked last */
	uint64_t orphan_req;   /* the request that first moved the orphan list's head ... */
	uint32_t orphan_undo;  /* ... and the head before it (undone after a fault) */

	/* Counters, for tests and statistics. */
	uint64_t dx_lookups; /* lookups answered through a hash index */
	uint64_t dx_scans;   /* lookups in indexed directories that scanned every block */
	uint64_t dir_reads;  /* directory blocks read (and checked) */

	struct spinlock ilock;
	struct list icache[64]; /* ilock: struct ext4_inode by ino */
	struct list dead;	/* ilock: released inodes whose link count is 0 */
};

/* An in-memory inode: the raw on-disk bytes, kept identical to what is in the
 * buffer cache (every change is written through with ext4_iwrite). */
struct ext4_inode {
	struct vnode *vn; /* NULL once released */
	uint32_t ino;
	bool stale;	  /* ilock: recover ran; re-read before use */
	struct list link; /* ilock: in an icache bucket or fs->dead */
	uint8_t raw[];	  /* fs->inode_size bytes */
};

static inline struct ext4_fs *ext4_fs_of(const struct vnode *vn)
{
	return vn->mnt->priv;
}
static inline struct ext4_inode *ext4_ip(const struct vnode *vn)
{
	return vn->priv;
}

/* ---- csum.c ---- */
uint32_t ext4_crc32c(uint32_t crc, const void *buf, size_t len);
uint32_t ext4_inode_seed(const struct ext4_fs *fs, uint32_t ino, uint32_t gen);
void ext4_inode_csum_set(const struct ext4_fs *fs, uint32_t ino, uint8_t *raw);
bool ext4_inode_csum_ok(const struct ext4_fs *fs, uint32_t ino, const uint8_t *raw);

/* ---- super.c ---- */
/* Log an inconsistency of what (on inode ino, 0 for none), stop all writes to
 * the disk, and return -EUCLEAN. */
int ext4_corrupt(struct ext4_fs *fs, uint32_t ino, const char *what);
/* 0 if the mount may be written, else -EROFS. */
int ext4_writable(const struct ext4_fs *fs);
/* Group g's descriptor: *d points into *b (put it with bcache_put). */
int ext4_gd_get(struct ext4_fs *fs, uint32_t g, struct buf **b, uint8_t **d);
/* Recompute g's descriptor checksum and mark its block dirty. */
void ext4_gd_dirty(struct ext4_fs *fs, uint32_t g, struct buf *b, uint8_t *d);
uint64_t ext4_gd_get64(const struct ext4_fs *fs, const uint8_t *d, unsigned lo, unsigned hi);
uint32_t ext4_gd_get32(const struct ext4_fs *fs, const uint8_t *d, unsigned lo, unsigned hi);
void ext4_gd_set32(const struct ext4_fs *fs, uint8_t *d, unsigned lo, unsigned hi, uint32_t v);
uint64_t ext4_sb_free_blocks(const struct ext4_fs *fs);
void ext4_sb_add_free_blocks(struct ext4_fs *fs, int64_t delta);
void ext4_sb_add_free_inodes(struct ext4_fs *fs, int32_t delta);
/* Does group g hold a superblock backup (and descriptor table copy)? */
bool ext4_group_has_super(const struct ext4_fs *fs, uint32_t g);
/* Blocks in group g (the last may be short). */
uint32_t ext4_group_blocks(const struct ext4_fs *fs, uint32_t g);
uint32_t ext4_gdt_blocks(const struct ext4_fs *fs);
/* Write the superblock and every dirty block, then flush the device. */
int ext4_sync_fs(struct ext4_fs *fs);

/* ---- alloc.c ---- */
/* Allocate up to want (>= 1) free blocks in one run, starting the search at
 * goal: *start and *got. 0, -ENOSPC, -EUCLEAN, -EIO. */
int ext4_balloc(struct ext4_fs *fs, uint64_t goal, uint32_t want, uint64_t *start, uint32_t *got);
/* Free n blocks at start. 0 or -EUCLEAN (they were not all in use). */
int ext4_bfree(struct ext4_fs *fs, uint64_t start, uint32_t n);
/* A free inode number near group pgroup; marks it used. */
int ext4_ialloc(struct ext4_fs *fs, uint32_t pgroup, bool dir, uint32_t *ino);
int ext4_ifree(struct ext4_fs *fs, uint32_t ino, bool dir);
/* Is inode ino allocated in its group's bitmap? */
int ext4_iused(struct ext4_fs *fs, uint32_t ino, bool *used);

/* ---- inode.c ---- */
int ext4_iread(struct ext4_fs *fs, uint32_t ino, uint8_t *raw);
/* Write ip->raw (with a fresh checksum) into the inode table. */
int ext4_iwrite(struct ext4_fs *fs, struct ext4_inode *ip);
/* The vnode of inode ino (a new reference). */
int ext4_iget(struct ext4_fs *fs, uint32_t ino, struct vnode **out);
/* Build a fresh inode of the given mode in a group near dir's; *out is its
 * vnode, with link count links. */
int ext4_inew(struct ext4_fs *fs, struct vnode *dir, uint32_t mode, unsigned links,
	      struct vnode **out);
/* Start of every op: free released dead inodes, refresh ip if stale. */
int ext4_enter(struct ext4_fs *fs, struct vnode *vn);
void ext4_release(struct vnode *vn);
/* Copy the raw inode's attributes to its vnode. */
void ext4_sync_vnode(struct ext4_fs *fs, struct ext4_inode *ip);
void ext4_icache_stale(struct ext4_fs *fs);
void ext4_reap_dead(struct ext4_fs *fs);
void ext4_icache_free(struct ext4_fs *fs);
uint64_t ext4_isize(const uint8_t *raw);
void ext4_set_isize(uint8_t *raw, uint64_t size);
uint32_t ext4_ilinks(const uint8_t *raw);
void ext4_iadd_blocks(struct ext4_fs *fs, uint8_t *raw, int64_t nblocks);
uint64_t ext4_iblocks512(const struct ext4_fs *fs, const uint8_t *raw);
void ext4_itouch(struct ext4_fs *fs, uint8_t *raw, bool m, bool c, bool a);
uint64_t ext4_itime(const struct ext4_fs *fs, const uint8_t *raw, unsigned off, unsigned extra);
void ext4_iset_time(const struct ext4_fs *fs, uint8_t *raw, unsigned off, unsigned extra,
		    uint64_t ns);
bool ext4_has_extra(const struct ext4_fs *fs, const uint8_t *raw, unsigned field_end);
/* The device number of a device inode (i_block, old or new form). */
uint32_t ext4_rdev_get(const uint8_t *raw);
void ext4_rdev_set(uint8_t *raw, uint32_t rdev);
/* Free an inode's blocks and the inode itself (link count reached 0). */
int ext4_idestroy(struct ext4_fs *fs, uint32_t ino);
/* The cached inode ino's vnode with a new reference, or NULL if not cached. */
struct vnode *ext4_icache_find(struct ext4_fs *fs, uint32_t ino);

/* ---- orphan.c ---- */
/* ip's link count just became 0: put it on the orphan list (writes ip). */
int ext4_orphan_add(struct ext4_fs *fs, struct ext4_inode *ip);
/* Take ino, whose next link is next, off the orphan list. */
int ext4_orphan_del(struct ext4_fs *fs, uint32_t ino, uint32_t next);
/* At mount: free the orphans an unclean shutdown left. */
int ext4_orphan_recover(struct ext4_fs *fs);
/* After a fault: the head as it was before the failed request (recover). */
void ext4_orphan_undo(struct ext4_fs *fs);

/* ---- extent.c ---- */
#define MAP_HOLE      0x1
#define MAP_UNWRITTEN 0x2
/* Where logical block lblk is: *pblk and the run *len from there (same
 * mapping kind; for holes *len is up to the next mapped block, capped). */
int ext4_map(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t lblk, uint64_t *pblk,
	     uint32_t *len, unsigned *flags);
/* Map the hole at lblk..lblk+len-1 to pblk.. (initialised). */
int ext4_map_insert(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t lblk, uint64_t pblk,
		    uint32_t len);
/* Free every block at logical block first and beyond. */
int ext4_ext_truncate(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t first);
/* Zero the unwritten extent holding lblk on disk and mark it initialised. */
int ext4_ext_mark_written(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t lblk);
/* An empty extent root in the inode. */
void ext4_ext_init_root(uint8_t *raw);
/* Allocate n blocks for lblk.. near the file's other blocks and map them. */
int ext4_alloc_map(struct ext4_fs *fs, struct ext4_inode *ip, uint32_t lblk, uint32_t want,
		   uint64_t *pblk, uint32_t *got);

/* ---- file.c ---- */
int ext4_read(struct vnode *vn, struct uio *uio);
/* Forget the read-ahead window: any file data or block ownership changed. */
void ext4_ra_forget(struct ext4_fs *fs);
int ext4_write(struct vnode *vn, struct uio *uio, unsigned ioflags);
int ext4_truncate(struct vnode *vn, uint64_t size);
int ext4_truncate_locked(struct ext4_fs *fs, struct ext4_inode *ip, uint64_t size);
int ext4_getpage(struct vnode *vn, uint64_t off, bool alloc, paddr_t *out);
int ext4_fsync(struct vnode *vn);
int ext4_getattr(struct vnode *vn, struct vfs_stat *st);
int ext4_setattr(struct vnode *vn, const struct vfs_setattr *attr);
int ext4_readlink(struct vnode *vn, struct uio *uio);
/* Read len bytes at off of ip into a kernel buffer (used for slow symlinks). */
int ext4_read_kernel(struct ext4_fs *fs, struct ext4_inode *ip, uint64_t off, void *buf,
		     size_t len);

/* ---- dir.c ---- */
struct ext4_dirent {
	uint32_t ino;
	uint8_t type;  /* FT_* */
	uint32_t lblk; /* where: directory block ... */
	uint32_t off;  /* ... and byte offset of the entry */
	uint32_t prev; /* offset of the entry before it in the block, or UINT32_MAX */
};
/* Find name in dir: 0 and *de, -ENOENT, or an error. */
int ext4_dir_find(struct ext4_fs *fs, struct ext4_inode *dir, const char *name,
		  struct ext4_dirent *de);
/* Add name -> ino: -EEXIST if name is there already. */
int ext4_dir_add(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint32_t ino,
		 uint8_t type);
int ext4_dir_remove(struct ext4_fs *fs, struct ext4_inode *dir, const struct ext4_dirent *de);
/* Point the entry de at ino/type (rename over an existing name). */
int ext4_dir_retarget(struct ext4_fs *fs, struct ext4_inode *dir, const struct ext4_dirent *de,
		      uint32_t ino, uint8_t type);
/* Is dir empty but for "." and ".."? 1 yes, 0 no, or an error. */
int ext4_dir_empty(struct ext4_fs *fs, struct ext4_inode *dir);
/* The first block of a new directory (ino, parent) at pblk. */
int ext4_dir_init_block(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t parent);
int ext4_readdir(struct vnode *dir, struct uio *uio, uint64_t *pos);
/* Forget that blocks start..start+n-1 held checked directory blocks, extent
 * nodes or bitmaps. */
void ext4_dir_forget(struct ext4_fs *fs, uint64_t start, uint64_t n);
uint8_t ext4_mode_to_ft(uint32_t mode);

/* Directory block lblk, checked (a leaf or an index block). */
int ext4_dir_block_raw(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t lblk, struct buf **b);
/* Look for name in directory block lblk only: 0 and *de, -ENOENT, or an error. */
int ext4_dir_scan_block(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t lblk, const char *name,
			struct ext4_dirent *de);

/* Directory block lblk, checked; *end is where its entries stop (before a
 * checksum tail). */
int ext4_dir_block(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t lblk, struct buf **b,
		   uint32_t *end);
/* Blocks in a directory, or a corruption error. */
int ext4_dir_nblocks(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t *n);
/* Where entries of a leaf block end: before the checksum tail, if any. */
uint32_t ext4_dir_leaf_end(const struct ext4_fs *fs);
/* Seal a changed leaf block (tail checksum), mark it dirty and put it. */
void ext4_dir_leaf_done(struct ext4_fs *fs, struct ext4_inode *dir, struct buf *b);
/* Put name -> ino into leaf block lblk if an entry there has room: 0, or
 * -ENOSPC (nothing changed). With room only in pieces, closes the holes up
 * when may_pack, else -EAGAIN (nothing changed). The caller knows the name
 * is not there. */
int ext4_dir_leaf_add(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t lblk, const char *name,
		      uint32_t ino, uint8_t type, bool may_pack);
/* A new zeroed block at the end of dir (its size and inode updated):
 * *lblk and *b (put it with bcache_put, after filling it in). */
int ext4_dir_append(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t *lblk, struct buf **b);
/* Directory blocks whose checksum is known good (see dir.c). */
bool ext4_dir_checked(const struct ext4_fs *fs, uint64_t pblk, uint32_t ino);
void ext4_dir_set_checked(struct ext4_fs *fs, uint64_t pblk, uint32_t ino);

static inline uint32_t ext4_rec_len(const struct ext4_fs *fs, const uint8_t *de)
{
	uint32_t v = get16(de, 4);
	return (v == 0 || v == 65535) && fs->bs == 65536 ? 65536 : v;
}
static inline void ext4_set_rec_len(uint8_t *de, uint32_t len)
{
	put16(de, 4, len >= 65536 ? 65535 : (uint16_t)len);
}
/* Bytes an entry with a name of namelen bytes takes at least. */
static inline uint32_t ext4_de_size(uint32_t namelen)
{
	return (DE_HDR + namelen + 3) & ~3u;
}

/* ---- dx_hash.c ---- */
#define EXT4_DX_LEGACY	 0
#define EXT4_DX_HALF_MD4 1
#define EXT4_DX_TEA	 2
/* The hash of a name for an index of on-disk hash version (0..2), signed or
 * unsigned as the superblock says: 0, or -EOPNOTSUPP for other versions. */
int ext4_dx_hash(const struct ext4_fs *fs, unsigned version, const char *name, size_t len,
		 uint32_t *out);

/* ---- htree.c ---- */
#define EXT4_DX_MAX_LEVELS 3  /* root + 2 indirect levels (largedir) */
#define DX_ROOT_INFO	   24 /* dx_root_info, after "." and ".." */
#define DX_ROOT_TABLE	   32 /* the root's count/limit header */
#define DX_NODE_TABLE	   8  /* an index node's, after its empty entry */

/* One index table on a path from the root: its block (referenced), the
 * byte offset of its count/limit header, and the entry followed. */
struct ext4_dx_frame {
	struct buf *b;
	uint32_t lblk;
	unsigned off, count, limit, at;
};
/* A walk from the root to the leaf for one hash: frames 0..levels. */
struct ext4_dx_path {
	unsigned levels;
	uint32_t hash;
	uint32_t nblk; /* the directory's size in blocks */
	struct ext4_dx_frame f[EXT4_DX_MAX_LEVELS];
};
/* Find name through dir's hash index (nblk blocks): as ext4_dir_find, or
 * -EOPNOTSUPP when the index cannot tell and the caller must scan. */
int ext4_dx_find(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint32_t nblk,
		 struct ext4_dirent *de);
/* Walk dir's index to the leaf for name's hash; every table checked (counts,
 * limits, checksums, block numbers). -EOPNOTSUPP for an unknown hash. */
int ext4_dx_probe(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint32_t nblk,
		  struct ext4_dx_path *p);
void ext4_dx_path_put(struct ext4_dx_path *p);
/* The leaf block the path ends at. */
uint32_t ext4_dx_leaf(const struct ext4_dx_path *p);
/* Entry i of a frame's table. */
uint32_t ext4_dx_hash_at(const struct ext4_dx_frame *f, unsigned i);
uint32_t ext4_dx_block_at(const struct ext4_dx_frame *f, unsigned i);
/* Entries an index table at byte off of its block may hold. */
unsigned ext4_dx_limit(const struct ext4_fs *fs, unsigned off);
/* Deepest levels an index may have (the root's indirect_levels is below). */
unsigned ext4_dx_max_levels(const struct ext4_fs *fs);
/* A changed index block: its tail checksum, then dirty. */
void ext4_dx_block_done(struct ext4_fs *fs, struct ext4_inode *dir, struct buf *b, unsigned off);

/* ---- htree_insert.c ---- */
/* Add name -> ino to indexed dir keeping the index (-EEXIST if there);
 * -EOPNOTSUPP when the index uses a hash we do not know. */
int ext4_dx_add(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint32_t ino,
		uint8_t type);
/* May a linear directory become indexed (dir_index, a known default hash)? */
bool ext4_dx_can_index(const struct ext4_fs *fs);
/* Turn dir, linear with one full block, into an indexed directory whose
 * single leaf holds the old entries. */
int ext4_dx_make_indexed(struct ext4_fs *fs, struct ext4_inode *dir);

/* ---- namei.c ---- */
extern const struct vnode_ops ext4_vnode_ops;

#endif
