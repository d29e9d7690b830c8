/*
 * The file tree the ext4 host tests put into their images (through
 * mkfs.ext4 -d) and then check: what each file holds is a function of its
 * name and offset, so the test recomputes it instead of keeping a copy.
 * Shared by the generator (ext4_tree.c, run by the Makefile) and the tests.
 */
#ifndef EXT4_TREE_H
#define EXT4_TREE_H

#include <stdint.h>
#include <string.h>

/* Byte off of the file whose seed is seed. */
static inline uint8_t e4t_byte(uint32_t seed, uint64_t off)
{
	uint64_t x = (off + 1) * 0x9E3779B97F4A7C15ull ^ seed;
	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ull;
	return (uint8_t)(x >> 40);
}

static inline uint32_t e4t_seed(const char *name)
{
	uint32_t h = 2166136261u;
	while (*name)
		h = (h ^ (uint8_t)*name++) * 16777619u;
	return h;
}

struct e4t_file {
	const char *path;
	uint64_t size;
};

/* Regular files filled with e4t_byte(e4t_seed(path), off) all through. */
static const struct e4t_file e4t_files[] = {
    {"f0", 0},	       {"f1", 1},	    {"f1023", 1023},  {"f1024", 1024},
    {"f1025", 1025},   {"f4095", 4095},	    {"f4096", 4096},  {"f4097", 4097},
    {"f65537", 65537}, {"f200000", 200000}, {"big", 3158073}, {"dir1/dir2/nested", 5000},
    {"dir1/note", 42},
};
#define E4T_NFILES (sizeof(e4t_files) / sizeof(e4t_files[0]))

/* "sparse": E4T_SPARSE_SIZE bytes, data (e4t_byte) only in these ranges. */
#define E4T_SPARSE_SIZE (8u << 20)
static const uint64_t e4t_sparse[][2] = {{1u << 20, 10000}, {(6u << 20) + 100, 5000}};
/* "frag": one 1 KiB data block every 8 KiB, 12 of them: 12 extents (depth 1). */
#define E4T_FRAG_N     12
#define E4T_FRAG_STEP  8192
#define E4T_FRAG_BLOCK 1024

/* Symlinks: a fast one (short target) and a slow one (target of 100+ bytes). */
#define E4T_LSHORT "f4096"
#define E4T_LLONG                                                                                  \
	"dir1/dir2/../dir2/../dir2/../dir2/../dir2/../dir2/../dir2/../dir2/../dir2/../dir2/../"    \
	"dir2/../dir2/nested"
/* "hl" is a hard link to "f65537". */

/* "bigdir": E4T_BIG entries named by e4t_bigname, entry i holding (i % 7) * 13 bytes. */
#define E4T_BIG 3000
static inline void e4t_bigname(char *buf, unsigned i)
{
	static const char hex[] = "0123456789abcdef";
	memcpy(buf, "entry-with-a-longish-name-", 26);
	for (int k = 0; k < 5; k++)
		buf[26 + k] = hex[(i >> (4 * (4 - k))) & 15];
	buf[31] = 0;
}

/* "xattr0" and "xattr1": 100 bytes each (content as for e4t_files) and a
 * 600-byte user.big attribute, which lands in an xattr block. */

/* "deep/d/d/.../d/leaf": E4T_DEPTH directories "d" below "deep", leaf of 777 bytes. */
#define E4T_DEPTH 30

#endif
