/*
 * ext4 metadata checksums: CRC32C (Castagnoli, reflected, without the final
 * inversion, as ext4 chains it) and the inode checksum, which covers the
 * inode number, its generation and the whole on-disk inode with the checksum
 * fields taken as zero. Pure functions; any context.
 */
#include "ext4_impl.h"

/* t[0] is the byte-at-a-time table; t[k][i] advances t[k-1][i] by one more
 * zero byte, so eight bytes are folded in with eight lookups ("slicing"). */
static uint32_t crc_table[8][256];
static bool crc_ready;

typedef uint64_t __attribute__((may_alias)) crc_word_t;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ ((c & 1) ? 0x82F63B78u : 0);
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int k = 1; k < 8; k++)
			crc_table[k][i] =
			    (crc_table[k - 1][i] >> 8) ^ crc_table[0][crc_table[k - 1][i] & 0xff];
	__atomic_store_n(&crc_ready, true, __ATOMIC_RELEASE);
}

uint32_t ext4_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!__atomic_load_n(&crc_ready, __ATOMIC_ACQUIRE))
		crc_init(); /* idempotent: a racing second init writes the same tables */
	/* Bytes up to an 8-byte boundary, then whole aligned words (the CPU is
	 * little-endian: the word's low half holds the first four bytes). */
	for (; len && ((uintptr_t)p & 7); len--)
		crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t w = *(const crc_word_t *)p;
		uint32_t lo = (uint32_t)w ^ crc, hi = (uint32_t)(w >> 32);
		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
	}
	while (len--)
		crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

uint32_t ext4_inode_seed(const struct ext4_fs *fs, uint32_t ino, uint32_t gen)
{
	uint32_t c = ext4_crc32c(fs->csum_seed, &ino, 4);
	return ext4_crc32c(c, &gen, 4);
}

/* Does the inode have room for the high half of its checksum? */
static bool has_csum_hi(const struct ext4_fs *fs, const uint8_t *raw)
{
	return ext4_has_extra(fs, raw, I_CSUM_HI + 2);
}

static uint32_t inode_csum(const struct ext4_fs *fs, uint32_t ino, const uint8_t *raw)
{
	static const uint8_t zero2[2];
	uint32_t c = ext4_inode_seed(fs, ino, get32(raw, I_GENERATION));

	unsigned pos = I_CSUM_LO + 2;

	c = ext4_crc32c(c, raw, I_CSUM_LO);
	c = ext4_crc32c(c, zero2, 2);
	if (has_csum_hi(fs, raw)) {
		c = ext4_crc32c(c, raw + pos, I_CSUM_HI - pos);
		c = ext4_crc32c(c, zero2, 2);
		pos = I_CSUM_HI + 2;
	}
	c = ext4_crc32c(c, raw + pos, fs->inode_size - pos);
	return c;
}

void ext4_inode_csum_set(const struct ext4_fs *fs, uint32_t ino, uint8_t *raw)
{
	if (!fs->csum)
		return;
	uint32_t c = inode_csum(fs, ino, raw);
	put16(raw, I_CSUM_LO, (uint16_t)c);
	if (has_csum_hi(fs, raw))
		put16(raw, I_CSUM_HI, (uint16_t)(c >> 16));
}

bool ext4_inode_csum_ok(const struct ext4_fs *fs, uint32_t ino, const uint8_t *raw)
{
	if (!fs->csum)
		return true;
	uint32_t c = inode_csum(fs, ino, raw);
	if (get16(raw, I_CSUM_LO) != (uint16_t)c)
		return false;
	return !has_csum_hi(fs, raw) || get16(raw, I_CSUM_HI) == (uint16_t)(c >> 16);
}
