/*
 * ext4 directory-index name hashes: the legacy hash, half-MD4 and TEA, each
 * over signed or unsigned characters (the superblock says which), seeded
 * from the superblock's s_hash_seed (the MD4 start values when it is all
 * zeros; the legacy hash has no seed). The result has bit 0 clear (that bit
 * marks collision continuations in the index) and is never the 32-bit
 * end-of-directory value. Pure functions of the name and the superblock;
 * any context.
 */
#include <weft/errno.h>
#include "ext4_impl.h"

#define SB_HASH_SEED	 0xEC
#define SB_FLAGS	 0x160
#define SB_UNSIGNED_HASH 0x2

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

/* The original ext3 hash: two running words, folded back below 2^31. */
static uint32_t legacy(const uint8_t *s, size_t len, bool is_signed)
{
	uint32_t cur = 0x12a3fe2d, prev = 0x37abe8f9;

	for (size_t i = 0; i < len; i++) {
		int c = is_signed ? (int)(int8_t)s[i] : (int)s[i];
		uint32_t h = prev + (cur ^ (uint32_t)(c * 7152373));
		if (h & 0x80000000u)
			h -= 0x7fffffffu;
		prev = cur;
		cur = h;
	}
	return cur << 1;
}

/* MD4 or TEA over the name in 32- or 16-byte chunks. */
static uint32_t chained(const struct ext4_fs *fs, unsigned v, const uint8_t *p, size_t len,
			bool is_signed)
{
	uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}, in[8];
	bool seeded = false;

	for (int i = 0; i < 4; i++)
		seeded |= get32(fs->sb, SB_HASH_SEED + 4 * i) != 0;
	for (int i = 0; seeded && i < 4; i++)
		h[i] = get32(fs->sb, SB_HASH_SEED + 4 * i);
	size_t chunk = v == EXT4_DX_HALF_MD4 ? 32 : 16;
	for (size_t left = len;; left -= chunk, p += chunk) {
		str2words(p, left, in, (int)chunk / 4, is_signed);
		if (v == EXT4_DX_HALF_MD4)
			half_md4(h, in);
		else
			tea(h, in);
		if (left <= chunk)
			break;
	}
	return v == EXT4_DX_HALF_MD4 ? h[1] : h[0];
}

int ext4_dx_hash(const struct ext4_fs *fs, unsigned version, const char *name, size_t len,
		 uint32_t *out)
{
	const uint8_t *p = (const uint8_t *)name;
	bool is_signed = !(get32(fs->sb, SB_FLAGS) & SB_UNSIGNED_HASH);
	uint32_t hash;

	if (version == EXT4_DX_LEGACY)
		hash = legacy(p, len, is_signed);
	else if (version == EXT4_DX_HALF_MD4 || version == EXT4_DX_TEA)
		hash = chained(fs, version, p, len, is_signed);
	else
		return -EOPNOTSUPP;
	hash &= ~1u;
	*out = hash == 0xfffffffeu ? 0xfffffffcu : hash;
	return 0;
}
