/*
 * Reader for "newc" cpio archives (the initramfs format): magic "070701" (or
 * "070702", the same with a checksum field, which is not verified).
 *
 * Each entry is a 110-byte header of ASCII hex fields, the name (with its NUL),
 * padding to a 4-byte boundary, the data, and padding to a 4-byte boundary; the
 * entry named "TRAILER!!!" ends the archive. The iterator checks every field and
 * length against the archive's bounds, so a malformed archive gives -EINVAL with
 * a reason, never a read out of bounds. Entries point into the archive: nothing
 * is copied. Alignment is counted from the start of the archive.
 */
#ifndef LIB_CPIO_H
#define LIB_CPIO_H

#include <stddef.h>
#include <stdint.h>

struct cpio_entry {
	const char *name; /* NUL-terminated, inside the archive */
	size_t namelen;	  /* excluding the NUL */
	uint32_t mode, uid, gid, nlink;
	uint64_t mtime;
	const void *data; /* size bytes inside the archive */
	size_t size;
};

struct cpio_iter {
	const uint8_t *base;
	size_t len;
	size_t off; /* next header; len + 1 once the trailer was read */
};

/* Start iterating the len bytes at base. */
void cpio_iter_init(struct cpio_iter *it, const void *base, size_t len);

/*
 * Read the next entry into *e. Returns 1 when *e was filled, 0 once the
 * "TRAILER!!!" entry is reached (and on every call after it), or -EINVAL for a
 * malformed archive with *why set to a static string naming the problem (bad
 * magic, bad hex field, name not terminated, truncated header/name/data, missing
 * trailer). why may be NULL. After an error the iterator stays at the bad entry.
 */
int cpio_next(struct cpio_iter *it, struct cpio_entry *e, const char **why);

#endif
