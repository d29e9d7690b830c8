/*
 * ext4 mount, superblock and group descriptors, and the file-system type's
 * hooks (mount, sync, statfs, unmount, recover).
 *
 * Mounting checks the superblock and every group descriptor (fields in range,
 * checksums) before anything else is trusted; the free counts of the
 * superblock are recomputed from the descriptors. The superblock lives in
 * fs->sb and reaches the cache at sync; descriptors are used in place in the
 * buffer cache. Backup superblocks and descriptor copies are never written
 * (nothing they hold changes: no resize).
 */
#include <fs/ext4.h>
#include <core/klog.h>
#include <core/slab.h>
#include <weft/errno.h>
#include "ext4_impl.h"

int ext4_corrupt(struct ext4_fs *fs, uint32_t ino, const char *what)
{
	if (!fs->broken)
		pr_warn("ext4 %s: %s (inode %u): file system inconsistent, no more writes",
			fs->bd->name, what, ino);
	fs->bc->readonly = true;
	fs->broken = true;
	return -EUCLEAN;
}

int ext4_writable(const struct ext4_fs *fs)
{
	return fs->ro || fs->broken || fs->bc->readonly ? -EROFS : 0;
}

/* ---- descriptors ---- */

uint32_t ext4_gdt_blocks(const struct ext4_fs *fs)
{
	return (uint32_t)(((uint64_t)fs->ngroups * fs->desc_size + fs->bs - 1) >> fs->bs_bits);
}

uint64_t ext4_gd_get64(const struct ext4_fs *fs, const uint8_t *d, unsigned lo, unsigned hi)
{
	uint64_t v = get32(d, lo);
	if (fs->bit64 && fs->desc_size >= 64)
		v |= (uint64_t)get32(d, hi) << 32;
	return v;
}

/* A 32-bit count split in two 16-bit halves. */
uint32_t ext4_gd_get32(const struct ext4_fs *fs, const uint8_t *d, unsigned lo, unsigned hi)
{
	uint32_t v = get16(d, lo);
	if (fs->bit64 && fs->desc_size >= 64)
		v |= (uint32_t)get16(d, hi) << 16;
	return v;
}

void ext4_gd_set32(const struct ext4_fs *fs, uint8_t *d, unsigned lo, unsigned hi, uint32_t v)
{
	put16(d, lo, (uint16_t)v);
	if (fs->bit64 && fs->desc_size >= 64)
		put16(d, hi, (uint16_t)(v >> 16));
}

/* CRC-16 (polynomial 0x8005, reflected), the older uninit_bg descriptor checksum. */
static uint16_t crc16(uint16_t crc, const uint8_t *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (uint16_t)((crc >> 1) ^ ((crc & 1) ? 0xA001 : 0));
	}
	return crc;
}

/* The descriptor checksum: crc32c with metadata_csum, else crc16 (gdt_csum);
 * both skip the checksum field itself. */
static uint16_t gd_csum(const struct ext4_fs *fs, uint32_t g, const uint8_t *d)
{
	static const uint8_t zero2[2];
	unsigned rest = fs->desc_size - GD_CHECKSUM - 2;

	if (!fs->csum) {
		uint16_t c = crc16(0xffff, fs->sb + SB_UUID, 16);
		c = crc16(c, (const uint8_t *)&g, 4);
		c = crc16(c, d, GD_CHECKSUM);
		return crc16(c, d + GD_CHECKSUM + 2, rest);
	}
	uint32_t c = ext4_crc32c(fs->csum_seed, &g, 4);
	c = ext4_crc32c(c, d, GD_CHECKSUM);
	c = ext4_crc32c(c, zero2, 2);
	c = ext4_crc32c(c, d + GD_CHECKSUM + 2, rest);
	return (uint16_t)c;
}

static bool gd_has_csum(const struct ext4_fs *fs)
{
	return fs->csum || (get32(fs->sb, SB_FEATURE_RO_COMPAT) & RO_COMPAT_GDT_CSUM);
}

int ext4_gd_get(struct ext4_fs *fs, uint32_t g, struct buf **b, uint8_t **d)
{
	uint64_t byte = (uint64_t)g * fs->desc_size;

	if (g >= fs->ngroups)
		return ext4_corrupt(fs, 0, "group number out of range");
	int err = bcache_read(fs->bc, fs->gdt_start + (byte >> fs->bs_bits), b);
	if (err)
		return err;
	*d = (*b)->data + (byte & (fs->bs - 1));
	return 0;
}

void ext4_gd_dirty(struct ext4_fs *fs, uint32_t g, struct buf *b, uint8_t *d)
{
	if (gd_has_csum(fs))
		put16(d, GD_CHECKSUM, gd_csum(fs, g, d));
	bcache_dirty(b);
}

bool ext4_group_has_super(const struct ext4_fs *fs, uint32_t g)
{
	if (g <= 1 || !(get32(fs->sb, SB_FEATURE_RO_COMPAT) & RO_COMPAT_SPARSE_SUPER))
		return true;
	if (!(g & 1))
		return false;
	for (uint32_t base = 3; base <= 7; base += 2) {
		uint64_t p = base;
		while (p < g)
			p *= base;
		if (p == g)
			return true;
	}
	return false;
}

uint32_t ext4_group_blocks(const struct ext4_fs *fs, uint32_t g)
{
	uint64_t start = fs->first_data_block + (uint64_t)g * fs->bpg;
	uint64_t left = fs->nblocks - start;
	return left < fs->bpg ? (uint32_t)left : fs->bpg;
}

/* Is [blk, blk+n) inside the file system and past the superblock? */
static bool range_ok(const struct ext4_fs *fs, uint64_t blk, uint64_t n)
{
	return blk > fs->first_data_block && blk < fs->nblocks && n <= fs->nblocks - blk;
}

/* Check one descriptor; add its free counts to *fb and *fi. */
static int check_gd(struct ext4_fs *fs, uint32_t g, const uint8_t *d, uint64_t *fb, uint64_t *fi)
{
	uint64_t itb = ((uint64_t)fs->ipg * fs->inode_size + fs->bs - 1) >> fs->bs_bits;
	uint32_t freeb = ext4_gd_get32(fs, d, GD_FREE_BLOCKS_LO, GD_FREE_BLOCKS_HI);
	uint32_t freei = ext4_gd_get32(fs, d, GD_FREE_INODES_LO, GD_FREE_INODES_HI);

	if (gd_has_csum(fs) && get16(d, GD_CHECKSUM) != gd_csum(fs, g, d))
		return ext4_corrupt(fs, 0, "group descriptor checksum");
	if (!range_ok(fs, ext4_gd_get64(fs, d, GD_BLOCK_BITMAP_LO, GD_BLOCK_BITMAP_HI), 1) ||
	    !range_ok(fs, ext4_gd_get64(fs, d, GD_INODE_BITMAP_LO, GD_INODE_BITMAP_HI), 1) ||
	    !range_ok(fs, ext4_gd_get64(fs, d, GD_INODE_TABLE_LO, GD_INODE_TABLE_HI), itb))
		return ext4_corrupt(fs, 0, "group descriptor points outside the file system");
	if (freeb > ext4_group_blocks(fs, g) || freei > fs->ipg ||
	    ext4_gd_get32(fs, d, GD_ITABLE_UNUSED_LO, GD_ITABLE_UNUSED_HI) > fs->ipg)
		return ext4_corrupt(fs, 0, "group descriptor counts");
	*fb += freeb;
	*fi += freei;
	return 0;
}

/* Check every descriptor and take the superblock's free counts from them. */
static int load_groups(struct ext4_fs *fs)
{
	uint64_t fb = 0, fi = 0;

	for (uint32_t g = 0; g < fs->ngroups; g++) {
		struct buf *b;
		uint8_t *d;
		int err = ext4_gd_get(fs, g, &b, &d);
		if (!err)
			err = check_gd(fs, g, d, &fb, &fi);
		bcache_put(b);
		if (err)
			return err;
	}
	if (fb != ext4_sb_free_blocks(fs) || fi != get32(fs->sb, SB_FREE_INODES)) {
		put32(fs->sb, SB_FREE_BLOCKS_LO, (uint32_t)fb);
		if (fs->bit64)
			put32(fs->sb, SB_FREE_BLOCKS_HI, (uint32_t)(fb >> 32));
		put32(fs->sb, SB_FREE_INODES, (uint32_t)fi);
		fs->sb_dirty = !fs->ro;
	}
	return 0;
}

/* ---- superblock ---- */

uint64_t ext4_sb_free_blocks(const struct ext4_fs *fs)
{
	uint64_t v = get32(fs->sb, SB_FREE_BLOCKS_LO);
	if (fs->bit64)
		v |= (uint64_t)get32(fs->sb, SB_FREE_BLOCKS_HI) << 32;
	return v;
}

void ext4_sb_add_free_blocks(struct ext4_fs *fs, int64_t delta)
{
	uint64_t v = ext4_sb_free_blocks(fs) + (uint64_t)delta;
	put32(fs->sb, SB_FREE_BLOCKS_LO, (uint32_t)v);
	if (fs->bit64)
		put32(fs->sb, SB_FREE_BLOCKS_HI, (uint32_t)(v >> 32));
	fs->sb_dirty = true;
}

void ext4_sb_add_free_inodes(struct ext4_fs *fs, int32_t delta)
{
	put32(fs->sb, SB_FREE_INODES, get32(fs->sb, SB_FREE_INODES) + (uint32_t)delta);
	fs->sb_dirty = true;
}

static uint32_t sb_csum(const uint8_t *sb)
{
	return ext4_crc32c(~0u, sb, SB_CHECKSUM);
}

static int read_super(struct ext4_fs *fs)
{
	uint8_t *tmp = kmalloc(SB_SIZE);
	if (!tmp)
		return -ENOMEM;
	int err = bdev_rw(fs->bd, false, SB_OFFSET / BDEV_SECTOR, tmp, SB_SIZE / BDEV_SECTOR);
	if (!err)
		memcpy(fs->sb, tmp, SB_SIZE);
	kfree(tmp);
	return err;
}

/* Copy fs->sb, checksummed, into the cached block that holds it. */
static int write_super(struct ext4_fs *fs)
{
	struct buf *b;
	uint64_t blk = SB_OFFSET >> fs->bs_bits;
	int err;

	if (!fs->sb_dirty || ext4_writable(fs))
		return 0;
	put32(fs->sb, SB_WTIME, (uint32_t)(vfs_now() / 1000000000ull));
	if (fs->csum)
		put32(fs->sb, SB_CHECKSUM, sb_csum(fs->sb));
	err = bcache_read(fs->bc, blk, &b);
	if (err)
		return err;
	memcpy(b->data + (SB_OFFSET - (blk << fs->bs_bits)), fs->sb, SB_SIZE);
	bcache_dirty(b);
	bcache_put(b);
	fs->sb_dirty = false;
	return 0;
}

/* Geometry from the superblock; -EINVAL for what we cannot mount. */
static int parse_geometry(struct ext4_fs *fs)
{
	const uint8_t *sb = fs->sb;
	uint32_t log = get32(sb, SB_LOG_BLOCK_SIZE);

	if (get16(sb, SB_MAGIC) != EXT4_MAGIC || log > 6 || get32(sb, SB_LOG_CLUSTER_SIZE) != log)
		return -EINVAL;
	fs->bs_bits = 10 + log;
	fs->bs = 1u << fs->bs_bits;
	fs->bit64 = get32(sb, SB_FEATURE_INCOMPAT) & INCOMPAT_64BIT;
	fs->nblocks = get32(sb, SB_BLOCKS_COUNT_LO);
	if (fs->bit64)
		fs->nblocks |= (uint64_t)get32(sb, SB_BLOCKS_COUNT_HI) << 32;
	fs->first_data_block = get32(sb, SB_FIRST_DATA_BLOCK);
	fs->bpg = get32(sb, SB_BLOCKS_PER_GROUP);
	fs->ipg = get32(sb, SB_INODES_PER_GROUP);
	fs->ninodes = get32(sb, SB_INODES_COUNT);
	fs->inode_size = get32(sb, SB_REV_LEVEL) ? get16(sb, SB_INODE_SIZE) : 128;
	fs->first_ino = get32(sb, SB_REV_LEVEL) ? get32(sb, SB_FIRST_INO) : 11;
	fs->desc_size = fs->bit64 ? get16(sb, SB_DESC_SIZE) : 32;
	if (fs->first_data_block != (fs->bs == 1024) || !fs->bpg || fs->bpg > fs->bs * 8 ||
	    get32(sb, SB_CLUSTERS_PER_GROUP) != fs->bpg || !fs->ipg || fs->ipg > fs->bs * 8 ||
	    fs->nblocks <= fs->first_data_block + 1 || fs->inode_size < 128 ||
	    fs->inode_size > fs->bs || (fs->inode_size & (fs->inode_size - 1)) ||
	    fs->desc_size < 32 || fs->desc_size > 1024 || (fs->desc_size & (fs->desc_size - 1)) ||
	    fs->first_ino < 11 || fs->first_ino >= fs->ninodes)
		return -EINVAL;
	uint64_t ngroups = (fs->nblocks - fs->first_data_block + fs->bpg - 1) / fs->bpg;
	if (ngroups * fs->ipg != fs->ninodes ||
	    fs->nblocks > fs->bd->nsectors / (fs->bs / BDEV_SECTOR))
		return -EINVAL;
	fs->ngroups = (uint32_t)ngroups;
	fs->gdt_start = fs->first_data_block + 1;
	if (fs->gdt_start + ext4_gdt_blocks(fs) >= fs->nblocks)
		return -EINVAL;
	return 0;
}

/* Features and checksum: -EINVAL to refuse, else decide fs->ro. */
static int check_features(struct ext4_fs *fs, bool want_ro)
{
	uint32_t incompat = get32(fs->sb, SB_FEATURE_INCOMPAT);
	uint32_t ro_compat = get32(fs->sb, SB_FEATURE_RO_COMPAT);
	const char *name = fs->bd->name;

	if (incompat & ~INCOMPAT_KNOWN) {
		pr_warn("ext4 %s: unsupported incompatible features %#x", name,
			incompat & ~INCOMPAT_KNOWN);
		return -EINVAL;
	}
	fs->csum = ro_compat & RO_COMPAT_METADATA_CSUM;
	if (fs->csum) {
		if (fs->sb[SB_CHECKSUM_TYPE] != 1 ||
		    get32(fs->sb, SB_CHECKSUM) != sb_csum(fs->sb)) {
			pr_warn("ext4 %s: bad superblock checksum", name);
			return -EUCLEAN;
		}
		fs->csum_seed = (incompat & INCOMPAT_CSUM_SEED)
				    ? get32(fs->sb, SB_CHECKSUM_SEED)
				    : ext4_crc32c(~0u, fs->sb + SB_UUID, 16);
	}
	fs->ro = want_ro;
	if (incompat & INCOMPAT_RECOVER) {
		pr_warn("ext4 %s: the journal needs recovery, which is not supported: read-only",
			name);
		fs->ro = true;
	}
	if ((ro_compat & ~RO_COMPAT_WRITABLE) ||
	    (get32(fs->sb, SB_FEATURE_COMPAT) & COMPAT_SPARSE_SUPER2)) {
		pr_warn("ext4 %s: features %#x cannot be written: read-only", name, ro_compat);
		fs->ro = true;
	}
	return 0;
}

static bool opt_ro(const char *data)
{
	for (const char *p = data; p && *p;) {
		size_t n = 0;
		while (p[n] && p[n] != ',')
			n++;
		if (n == 2 && p[0] == 'r' && p[1] == 'o')
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

static void fs_free(struct ext4_fs *fs)
{
	if (fs->bc)
		bcache_destroy(fs->bc);
	kfree(fs->iobuf);
	kfree(fs->ra);
	kfree(fs->zero);
	kfree(fs);
}

static int fs_setup(struct ext4_fs *fs, const char *data)
{
	int err = read_super(fs);
	if (err)
		return err;
	if (parse_geometry(fs))
		return -EINVAL;
	err = check_features(fs, opt_ro(data));
	if (err)
		return err;
	fs->bc = bcache_create(fs->bd, fs->bs, fs->bs >= 4096 ? 2048 : 4096);
	fs->iobuf = kmalloc(EXT4_IOBUF);
	fs->ra = kmalloc(EXT4_RA);
	fs->zero = kzalloc(fs->bs);
	if (!fs->bc || !fs->iobuf || !fs->ra || !fs->zero)
		return -ENOMEM;
	if (fs->ro)
		fs->bc->readonly = true;
	return load_groups(fs);
}

static int ext4_mount(struct mount *mnt, const char *source, const void *data, struct vnode **root)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = kzalloc(sizeof(*fs));
	int err;

	if (!fs)
		return -ENOMEM;
	fs->mnt = mnt;
	fs->bd = source ? bdev_find(source) : NULL;
	if (!fs->bd) {
		kfree(fs);
		return -ENODEV;
	}
	spin_init(&fs->ilock, "ext4 icache");
	for (unsigned i = 0; i < 64; i++)
		list_init(&fs->icache[i]);
	list_init(&fs->dead);
	fs->next_gen = (uint32_t)vfs_now();
	mnt->priv = fs;
	err = fs_setup(fs, data);
	if (!err)
		err = ext4_iget(fs, EXT4_ROOT_INO, root);
	if (!err && (*root)->type != VDIR) {
		vnode_put(*root);
		err = ext4_corrupt(fs, EXT4_ROOT_INO, "root is not a directory");
	}
	if (!err && ext4_orphan_recover(fs))
		pr_warn("ext4 %s: the orphan list could not be processed", source);
	if (err) {
		ext4_icache_free(fs);
		fs_free(fs);
		mnt->priv = NULL;
	}
	return err;
}

static int ext4_sync(struct mount *mnt)
{
	VFS_MUST_BLOCK();
	return ext4_sync_fs(mnt->priv);
}

int ext4_sync_fs(struct ext4_fs *fs)
{
	ext4_reap_dead(fs);
	if (fs->broken)
		return -EUCLEAN;
	if (fs->ro)
		return 0;
	int err = write_super(fs);
	return err ? err : bcache_sync(fs->bc);
}

static int ext4_statfs(struct mount *mnt, struct vfs_statfs *st)
{
	VFS_MUST_BLOCK();
	struct ext4_fs *fs = mnt->priv;
	uint64_t r = get32(fs->sb, SB_R_BLOCKS_LO), free = ext4_sb_free_blocks(fs);

	if (fs->bit64)
		r |= (uint64_t)get32(fs->sb, SB_R_BLOCKS_HI) << 32;
	memset(st, 0, sizeof(*st));
	st->magic = EXT4_MAGIC;
	st->bsize = fs->bs;
	st->blocks = fs->nblocks;
	st->bfree = free;
	st->bavail = free > r ? free - r : 0;
	st->files = fs->ninodes;
	st->ffree = get32(fs->sb, SB_FREE_INODES);
	st->namelen = VFS_NAME_MAX;
	st->readonly = ext4_writable(fs) != 0;
	return 0;
}

static void ext4_unmount(struct mount *mnt)
{
	struct ext4_fs *fs = mnt->priv;

	ext4_sync(mnt);
	ext4_icache_free(fs);
	fs_free(fs);
	mnt->priv = NULL;
}

/*
 * After a fault in the fs service. The buffer cache undoes what the failed
 * request did to the blocks it took (bcache_undo_request): what earlier
 * requests changed is kept, dirty or not. The in-memory superblock's only
 * field a request changes besides the free counts (recomputed here from the
 * group descriptors) is the orphan list's head, which orphan.c notes before
 * changing. If the cache could not undo exactly, it dropped every block:
 * then the superblock is read again from the disk, and the changes since the
 * last sync are lost (the disk is as the last sync left it). Either way the
 * inode, directory and read-ahead caches are forgotten: they are rebuilt
 * from the blocks.
 */
static void ext4_recover(struct mount *mnt)
{
	struct ext4_fs *fs = mnt->priv;
	bool broken = fs->broken;

	if (bcache_undo_request(fs->bc)) {
		ext4_orphan_undo(fs);
		if (load_groups(fs))
			ext4_corrupt(fs, 0, "group descriptors unreadable after recovery");
	} else {
		fs->sb_dirty = false;
		fs->orphan_req = 0;
		if (read_super(fs) || parse_geometry(fs) || load_groups(fs))
			ext4_corrupt(fs, 0, "metadata unreadable after recovery");
	}
	ext4_ra_forget(fs);
	ext4_dir_forget(fs, 0, UINT64_MAX);
	ext4_icache_stale(fs);
	if (broken)
		fs->broken = fs->bc->readonly = true;
}

const struct vfs_fstype ext4_fstype = {
    .name = "ext4",
    .flags = VFS_FS_BLOCKING,
    .mount = ext4_mount,
    .sync = ext4_sync,
    .statfs = ext4_statfs,
    .unmount = ext4_unmount,
    .recover = ext4_recover,
};

int ext4_init(void)
{
	return vfs_register_fstype(&ext4_fstype);
}
