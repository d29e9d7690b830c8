/*
 * Helpers of the FAT host tests: files of seeded content written and checked
 * through the VFS, free clusters, mkdir, stat by path and fsck.fat -n on an
 * image. Shared by test_fat.c and test_fat_recover.c.
 */
#ifndef FAT_GEN_H
#define FAT_GEN_H

#include "ht.h"
#include "fat_util.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define SMALL "build/host/fixtures/fat-small.img"

static inline char *big_buf(size_t n)
{
	char *p = malloc(n);
	if (!p)
		abort();
	return p;
}

static inline void check_fsck(const char *img)
{
	const char *rep;
	int r = fatt_fsck(img, &rep);
	HT_CHECK_EQ(r, 0);
	if (r)
		fprintf(stderr, "%s", rep);
}

static inline int stat_path(const char *path, struct vfs_stat *st)
{
	struct vnode *vn;
	int r = vfs_lookup(fatt_root(), fatt_root(), path, 0, &vn);

	if (r)
		return r;
	r = vfs_stat(vn, st);
	vnode_put(vn);
	return r;
}

/* Byte i of a test file made from seed. */
static inline uint8_t gen(unsigned seed, size_t i)
{
	uint32_t x = (uint32_t)(i / 4) * 2654435761u ^ seed * 40503u;
	x ^= x >> 13;
	x *= 0x5bd1e995u;
	return (uint8_t)(x >> (8 * (i % 4)));
}

static inline long put_gen(const char *path, unsigned seed, size_t n)
{
	char *b = big_buf(n + 1);
	for (size_t i = 0; i < n; i++)
		b[i] = (char)gen(seed, i);
	long r = fatt_put(path, b, n);
	free(b);
	return r;
}

/* Does path hold exactly the n bytes of seed? */
static inline bool check_gen(const char *path, unsigned seed, size_t n)
{
	char *b = big_buf(n + 2);
	long r = fatt_get(path, b, n + 1);
	bool ok = r == (long)n;
	for (size_t i = 0; ok && i < n; i++)
		ok = (uint8_t)b[i] == gen(seed, i);
	free(b);
	if (!ok)
		fprintf(stderr, "  %s: got %ld bytes, want %zu from seed %u\n", path, r, n, seed);
	return ok;
}

static inline uint64_t bfree(void)
{
	struct vfs_statfs sf;
	fatt_mount()->fstype->statfs(fatt_mount(), &sf);
	return sf.bfree;
}

static inline int mkd(const char *p)
{
	return vfs_mkdir(fatt_root(), fatt_root(), p, 0755);
}

#endif
