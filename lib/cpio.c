/*
 * newc cpio reader (format in lib/include/lib/cpio.h).
 *
 * The header is 6 bytes of magic then 13 fields of 8 hex digits: ino, mode,
 * uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
 * namesize, check. namesize counts the name's NUL. Sizes are checked against
 * the bytes left before any pointer is formed; all sums are done after that
 * check, so none can pass the end of the archive or wrap.
 */
#include <lib/cpio.h>
#include <lib/string.h>
#include <weft/errno.h>
#include <stdbool.h>

#define HDR_LEN 110
#define TRAILER "TRAILER!!!"

enum {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJ,
	F_DEVMIN,
	F_RDEVMAJ,
	F_RDEVMIN,
	F_NAMESIZE,
	F_CHECK,
	F_COUNT
};

void cpio_iter_init(struct cpio_iter *it, const void *base, size_t len)
{
	it->base = base;
	it->len = len;
	it->off = 0;
}

/* Parse exactly 8 hex digits. */
static bool hex8(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		uint8_t c = p[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10u;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10u;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static int fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EINVAL;
}

static size_t pad4(size_t off)
{
	return (off + 3) & ~(size_t)3;
}

/* Decode the header at it->off into f[]. */
static int read_header(const struct cpio_iter *it, uint32_t *f, const char **why)
{
	const uint8_t *h = it->base + it->off;

	if (it->len - it->off < HDR_LEN)
		return fail(why, "truncated header");
	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
		return fail(why, "bad magic");
	for (int i = 0; i < F_COUNT; i++)
		if (!hex8(h + 6 + 8 * i, &f[i]))
			return fail(why, "bad hex field");
	return 0;
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *e, const char **why)
{
	uint32_t f[F_COUNT];
	size_t left, name_off, data_off;
	int err;

	if (it->off > it->len)
		return 0; /* the trailer was seen */
	if (it->off == it->len)
		return fail(why, "missing trailer");
	if ((err = read_header(it, f, why)))
		return err;
	name_off = it->off + HDR_LEN;
	left = it->len - name_off;
	if (f[F_NAMESIZE] == 0)
		return fail(why, "empty name");
	if (f[F_NAMESIZE] > left)
		return fail(why, "truncated name");
	const char *name = (const char *)it->base + name_off;
	if (name[f[F_NAMESIZE] - 1] != '\0' || strlen(name) != f[F_NAMESIZE] - 1)
		return fail(why, "name not terminated");
	/* Padding may be cut off at the very end (an empty trailer); data must fit. */
	data_off = pad4(name_off + f[F_NAMESIZE]);
	left = data_off <= it->len ? it->len - data_off : 0;
	if (f[F_FILESIZE] > left)
		return fail(why, "truncated data");
	if (data_off > it->len)
		data_off = it->len;
	if (strcmp(name, TRAILER) == 0) {
		it->off = it->len + 1;
		return 0;
	}
	e->name = name;
	e->namelen = f[F_NAMESIZE] - 1;
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
	e->data = it->base + data_off;
	e->size = f[F_FILESIZE];
	it->off = pad4(data_off + e->size);
	if (it->off > it->len)
		it->off = it->len; /* cut-off padding: the next call reports the missing trailer */
	return 1;
}
