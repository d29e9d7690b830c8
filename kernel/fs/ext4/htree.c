/*
 * ext4 hash-indexed (htree) directory lookup.
 *
 * An indexed directory's block 0 holds, behind "." and "..", a sorted table
 * of (hash, block) pairs; with indirect levels, those blocks are further
 * tables; the last level points at ordinary leaf blocks holding the names
 * whose hashes fall in that range. A lookup hashes the name the way the
 * directory says (half-MD4 or TEA, signed or unsigned characters, with the
 * superblock's seed), walks the tables and scans one leaf (or the next ones
 * while the hash continues there after a collision). Every table is checked
 * against the directory's size and its own limits. Names the index cannot
 * answer for (the legacy hash, ".", "..") are left to the linear scan.
 * Callers hold the mount's op serialisation (see ext4_impl.h).
 */
#include <weft/errno.h>
#include "ext4_impl.h"

#define DX_INFO		 24 /* dx_root_info, after "." and ".." */
#define DX_HALF_MD4	 1
#define DX_TEA		 2
#define DX_UNSIGNED	 3 /* added to the version when the fs hashes unsigned chars */
#define SB_HASH_SEED	 0xEC
#define SB_FLAGS	 0x160
#define SB_UNSIGNED_HASH 0x2
#define DX_MAX_LEVELS	 3

static uint32_t rol32(uint32_t x, unsigned s)
{
	return (x << s) | (x >> (32 - s));
}

/* Pack up to 4*num bytes of the name into num words, padded with its length. */
static void str2words(const uint8_t *s, size_t len, uint32_t *w, int num, bool is_signed)
{
	uint32_t pad = (uint32_t)len | ((uint32_t)len << 8), val;

	pad |= pad << 16;
	val = pad;
	if (len > (size_t)num * 4)
		len = (size_t)num * 4;
	for (size_t i = 0; i < len; i++) {
		int c = is_signed ? (int)(int8_t)s[i] : (int)s[i];
		val = (uint32_t)c + (val << 8);
		if (i % 4 == 3) {
			*w++ = val;
			val = pad;
			num--;
		}
	}
	if (--num >= 0)
		*w++ = val;
	while (--num >= 0)
		*w++ = pad;
}

#define MD4_F(x, y, z)		      ((z) ^ ((x) & ((y) ^ (z))))
#define MD4_G(x, y, z)		      (((x) & (y)) + (((x) ^ (y)) & (z)))
#define MD4_H(x, y, z)		      ((x) ^ (y) ^ (z))
#define MD4_STEP(f, a, b, c, d, x, s) ((a) = rol32((a) + f(b, c, d) + (x), s))

/* The three rounds of MD4 over eight words, as ext4 cut it down. */
static void half_md4(uint32_t h[4], const uint32_t in[8])
{
	const uint32_t k2 = 013240474631u, k3 = 015666365641u;
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];

	for (int i = 0; i < 8; i += 4) {
		MD4_STEP(MD4_F, a, b, c, d, in[i], 3);
		MD4_STEP(MD4_F, d, a, b, c, in[i + 1], 7);
		MD4_STEP(MD4_F, c, d, a, b, in[i + 2], 11);
		MD4_STEP(MD4_F, b, c, d, a, in[i + 3], 19);
	}
	for (int i = 1; i >= 0; i--) {
		MD4_STEP(MD4_G, a, b, c, d, in[i] + k2, 3);
		MD4_STEP(MD4_G, d, a, b, c, in[i + 2] + k2, 5);
		MD4_STEP(MD4_G, c, d, a, b, in[i + 4] + k2, 9);
		MD4_STEP(MD4_G, b, c, d, a, in[i + 6] + k2, 13);
	}
	static const uint8_t order[8] = {3, 7, 2, 6, 1, 5, 0, 4};
	for (int i = 0; i < 8; i += 4) {
		MD4_STEP(MD4_H, a, b, c, d, in[order[i]] + k3, 3);
		MD4_STEP(MD4_H, d, a, b, c, in[order[i + 1]] + k3, 9);
		MD4_STEP(MD4_H, c, d, a, b, in[order[i + 2]] + k3, 11);
		MD4_STEP(MD4_H, b, c, d, a, in[order[i + 3]] + k3, 15);
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

static void tea(uint32_t h[4], const uint32_t in[4])
{
	uint32_t sum = 0, b0 = h[0], b1 = h[1];

	for (int n = 0; n < 16; n++) {
		sum += 0x9E3779B9u;
		b0 += ((b1 << 4) + in[0]) ^ (b1 + sum) ^ ((b1 >> 5) + in[1]);
		b1 += ((b0 << 4) + in[2]) ^ (b0 + sum) ^ ((b0 >> 5) + in[3]);
	}
	h[0] += b0;
	h[1] += b1;
}

/* The name's hash for index version v: 0, or -EOPNOTSUPP (legacy hash). */
static int name_hash(const struct ext4_fs *fs, unsigned v, const char *name, size_t len,
		     uint32_t *out)
{
	uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}, in[8];
	const uint8_t *p = (const uint8_t *)name;
	bool seeded = false;

	for (int i = 0; i < 4; i++)
		seeded |= get32(fs->sb, SB_HASH_SEED + 4 * i) != 0;
	for (int i = 0; seeded && i < 4; i++)
		h[i] = get32(fs->sb, SB_HASH_SEED + 4 * i);
	bool is_signed = v < DX_UNSIGNED;
	v = is_signed ? v : v - DX_UNSIGNED;
	if (v != DX_HALF_MD4 && v != DX_TEA)
		return -EOPNOTSUPP;
	size_t chunk = v == DX_HALF_MD4 ? 32 : 16;
	for (size_t left = len;; left -= chunk, p += chunk) {
		str2words(p, left, in, (int)chunk / 4, is_signed);
		if (v == DX_HALF_MD4)
			half_md4(h, in);
		else
			tea(h, in);
		if (left <= chunk)
			break;
	}
	uint32_t hash = (v == DX_HALF_MD4 ? h[1] : h[0]) & ~1u;
	*out = hash == 0xfffffffeu ? 0xfffffffcu : hash;
	return 0;
}

/* One index table: count entries at e (entry 0's hash is implicitly 0). */
struct dx_table {
	const uint8_t *e;
	unsigned count;
};

static uint32_t dx_hash_at(const struct dx_table *t, unsigned i)
{
	return i ? get32(t->e + 8 * i, 0) : 0;
}

static uint32_t dx_block_at(const struct dx_table *t, unsigned i)
{
	return get32(t->e + 8 * i, 4);
}

/* Check the table whose count/limit header is at byte off of blk. */
static int dx_table_get(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *blk,
			unsigned off, struct dx_table *t)
{
	unsigned limit = get16(blk, off), count = get16(blk, off + 2);

	if (!count || count > limit || limit > (fs->bs - off) / 8)
		return ext4_corrupt(fs, dir->ino, "htree index counts");
	t->e = blk + off;
	t->count = count;
	return 0;
}

/* The last entry whose hash is at most hash. */
static unsigned dx_search(const struct dx_table *t, uint32_t hash)
{
	unsigned lo = 1, hi = t->count;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (dx_hash_at(t, mid) <= hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/*
 * Walk the index for hash: *leaf is the leaf block holding its range, *next
 * the hash where the following range starts, at whatever level (UINT32_MAX
 * at the end of the index).
 */
static int dx_walk(struct ext4_fs *fs, struct ext4_inode *dir, uint32_t hash, uint32_t nblk,
		   uint32_t *leaf, uint32_t *next)
{
	struct buf *b;
	struct dx_table t;
	int err = ext4_dir_block_raw(fs, dir, 0, &b);

	if (err)
		return err;
	const uint8_t *r = b->data;
	unsigned levels = r[DX_INFO + 6], info = r[DX_INFO + 5];
	if (get32(r, DX_INFO) || info != 8 || levels >= DX_MAX_LEVELS)
		err = ext4_corrupt(fs, dir->ino, "htree root");
	if (!err)
		err = dx_table_get(fs, dir, r, DX_INFO + info, &t);
	*next = UINT32_MAX;
	for (unsigned level = 0; !err; level++) {
		unsigned i = dx_search(&t, hash);
		uint32_t blk = dx_block_at(&t, i);
		if (i + 1 < t.count)
			*next = dx_hash_at(&t, i + 1);
		if (!blk || blk >= nblk) {
			err = ext4_corrupt(fs, dir->ino, "htree block out of range");
			break;
		}
		if (level == levels) {
			*leaf = blk;
			break;
		}
		bcache_put(b);
		err = ext4_dir_block_raw(fs, dir, blk, &b);
		if (err)
			return err;
		err = dx_table_get(fs, dir, b->data, 8, &t);
	}
	bcache_put(b);
	return err;
}

int ext4_dx_find(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint32_t nblk,
		 struct ext4_dirent *de)
{
	uint32_t hash, leaf = 0, next = UINT32_MAX;
	struct buf *b;
	int err;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EOPNOTSUPP;
	err = ext4_dir_block_raw(fs, dir, 0, &b);
	if (err)
		return err;
	unsigned v = b->data[DX_INFO + 4];
	bcache_put(b);
	if (v <= DX_TEA && (get32(fs->sb, SB_FLAGS) & SB_UNSIGNED_HASH))
		v += DX_UNSIGNED;
	err = name_hash(fs, v, name, strlen(name), &hash);
	if (!err)
		err = dx_walk(fs, dir, hash, nblk, &leaf, &next);
	if (!err)
		err = ext4_dir_scan_block(fs, dir, leaf, name, de);
	/* Equal hashes may go on in the next leaf (its hash has bit 0 set):
	 * rare enough to leave to the linear scan. */
	if (err == -ENOENT && (next & ~1u) == hash)
		return -EOPNOTSUPP;
	return err;
}
