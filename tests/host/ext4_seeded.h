/*
 * Helpers of the ext4 host tests that write and check files of seeded
 * content (ext4_tree.h's bytes) and run e2fsck -fn on an image: shared by
 * test_ext4.c and test_ext4_recover.c.
 */
#ifndef EXT4_SEEDED_H
#define EXT4_SEEDED_H

#include "ht.h"
#include "ext4_tree.h"
#include "ext4_util.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline uint8_t *xbuf(size_t n)
{
	uint8_t *p = malloc(n);
	if (!p)
		abort();
	return p;
}

/* Does path hold exactly size bytes of seedname's content? */
static inline bool file_is(const char *path, const char *seedname, uint64_t size)
{
	uint8_t *buf = xbuf(size + 1);
	uint32_t seed = e4t_seed(seedname);
	long n = e4u_read(path, buf, size + 1, 0);
	bool ok = n == (long)size;

	for (uint64_t i = 0; ok && i < size; i++)
		ok = buf[i] == e4t_byte(seed, i);
	if (!ok)
		fprintf(stderr, "  content of %s differs (read %ld, want %llu)\n", path, n,
			(unsigned long long)size);
	free(buf);
	return ok;
}

static inline void fill(uint8_t *buf, const char *seedname, uint64_t off, size_t n)
{
	uint32_t seed = e4t_seed(seedname);
	for (size_t i = 0; i < n; i++)
		buf[i] = e4t_byte(seed, off + i);
}

static inline long write_content(const char *path, const char *seedname, uint64_t off, size_t n,
			  unsigned oflags)
{
	uint8_t *buf = xbuf(n + 1);
	fill(buf, seedname, off, n);
	long r = e4u_write(path, buf, n, off, oflags);
	free(buf);
	return r;
}

static inline void check_fsck(const char *img)
{
	int st = e4u_system("e2fsck -fn '%s' >'%s.fsck' 2>&1", img, img);
	HT_CHECK_EQ(st, 0);
	if (st)
		e4u_system("cat '%s.fsck' >&2", img);
	unlink(img);
	e4u_system("rm -f '%s.fsck'", img);
}

#endif
