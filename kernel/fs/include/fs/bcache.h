/*
 * Block devices as file systems see them: a registry of devices by name, and a
 * write-back buffer cache of fixed-size blocks per mounted device.
 *
 * Concurrency: one cache serves one mounted file system, whose code runs one
 * request at a time (in its service thread, or under the mount's mutex in
 * MODE=monolithic), so a cache has no lock of its own. Calls may sleep on disk
 * I/O: they run only where blocking is allowed (see <dev/bdev.h>).
 *
 * A struct buf is one block of the device. bcache_read returns it with a
 * reference and its contents read from disk (or cached); bcache_get returns it
 * without reading (for a block about to be overwritten whole: its data is
 * zeroed if it was not cached). bcache_dirty marks it to be written back; the
 * reference is dropped with bcache_put. Dirty blocks reach the disk in
 * bcache_sync (sorted, adjacent blocks in one request, then a device flush) or
 * when the cache must evict them to make room.
 */
#ifndef FS_BCACHE_H
#define FS_BCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <core/list.h>
#include <dev/bdev.h>

/* ---- device registry (bdev.c) ---- */

/* Make bd known by bd->name (static storage). 0, -EEXIST or -ENOMEM. */
int bdev_register(struct bdev *bd);
/* The device called name, with or without a leading "/dev/"; NULL if none. */
struct bdev *bdev_find(const char *name);
/* Call fn for each registered device until it returns non-zero. */
int bdev_foreach(int (*fn)(struct bdev *bd, void *arg), void *arg);
/* Submit bio to bd, checking its range and updating bd's counters. */
int bdev_submit(struct bdev *bd, struct bio *bio);
/* Read or write nsect sectors at sector through one kernel buffer. */
int bdev_rw(struct bdev *bd, bool write, uint64_t sector, void *buf, uint32_t nsect);

/* ---- buffer cache (bcache.c) ---- */

struct buf {
	uint64_t blkno;	   /* block number, in cache blocks */
	uint8_t *data;	   /* block_size bytes */
	unsigned refs;	   /* references held by callers */
	bool dirty;
	struct buf *hnext; /* hash chain */
	struct list lru;   /* in bc->lru when refs == 0, most recently used last */
	struct list dlink; /* in bc->dirty when dirty */
	struct bcache *bc;
	uint64_t req;	   /* the request that last took it (undo, below) */
	uint8_t *undo;	   /* its contents before that request, if it was dirty then */
};

struct bcache_stats {
	uint64_t hits, misses, reads, writes, evictions;
	unsigned cached, dirty;
};

#define BCACHE_UNDO_TAKEN  256 /* blocks one request may take and still be undone */
#define BCACHE_UNDO_COPIES 64  /* ... of which were dirty when it took them */

struct bcache {
	struct bdev *bd;
	uint32_t block_size; /* 512 .. 65536, a power of two */
	uint32_t max_bufs;   /* blocks kept before eviction */
	uint32_t nbufs;
	uint32_t hash_size; /* a power of two */
	struct buf **hash;
	struct list lru;   /* unreferenced buffers */
	struct list dirty; /* dirty buffers */
	bool readonly;	   /* writes refused: the device is read-only or the fs was found broken;
			    * once set, dirty blocks are dropped, never written */
	struct bcache_stats st;
	/* What the request in flight took (undo, below). */
	uint64_t undo_req;		      /* the request the list is of */
	struct buf *taken[BCACHE_UNDO_TAKEN]; /* blocks it took, first time each */
	unsigned ntaken, ncopies;
	bool undo_lost;	    /* the list or the copies overflowed, or a changed block was written */
	uint8_t *copies;    /* BCACHE_UNDO_COPIES blocks, allocated when first needed */
};

/* A cache over bd with blocks of block_size bytes holding at most max_bufs
 * blocks (0: a default of 1024). NULL when out of memory or block_size bad. */
struct bcache *bcache_create(struct bdev *bd, uint32_t block_size, uint32_t max_bufs);
/* Free the cache. Dirty blocks are dropped: call bcache_sync first to keep
 * them. Every buffer must have been put. */
void bcache_destroy(struct bcache *bc);
/* Block blkno, read from disk unless cached. 0 and *out, -EIO (the block is
 * past the device's end, or the read failed), -ENOMEM. */
int bcache_read(struct bcache *bc, uint64_t blkno, struct buf **out);
/* Block blkno without reading it: cached contents, or zeros. 0, -EIO, -ENOMEM. */
int bcache_get(struct bcache *bc, uint64_t blkno, struct buf **out);
/* The block will be written back. Ignored (and counted) on a read-only cache. */
void bcache_dirty(struct buf *b);
/* Drop a reference from bcache_read/bcache_get. NULL is ignored. */
void bcache_put(struct buf *b);
/* Write every dirty block and flush the device: 0 or the first error. On a
 * read-only cache the dirty blocks are dropped instead (-EROFS if there were). */
int bcache_sync(struct bcache *bc);
/* Forget every unreferenced block, dirty ones included (their changes are
 * lost): used by a file system's recovery after a fault, when cached metadata
 * may be torn. Returns the number of dirty blocks dropped. */
unsigned bcache_invalidate(struct bcache *bc);
/*
 * Undo of one request, for file systems whose code may fault half-way through
 * a change (the fs service contains such faults: <svc/svc.h>). The service
 * numbers its requests (bcache_begin_request before each); then the first
 * time a request takes a block (bcache_read/get), the cache notes it, and
 * copies its contents if it is dirty (a clean block's old contents are on the
 * disk). The service starts a new number when the request's code returns
 * too, so that nothing undoes a finished request. After a fault,
 * bcache_undo_request puts every block the failed request took back as it
 * was before that request: copies restored (still
 * dirty), the other blocks dropped, to be read again from the disk; the
 * references the failed request held are dropped with them. So what earlier
 * requests changed stays, and what the failed one half-changed is gone.
 * Returns false if the request could not be undone exactly (it took more
 * blocks than noted, or a block it changed was written to the disk to make
 * room): then every block is dropped, dirty ones and held ones included.
 * With no numbered request (MODE=monolithic, the host tests), nothing is
 * noted, and an undo drops every block.
 */
void bcache_begin_request(void);
/* The number of the request in flight (0: none numbered). */
uint64_t bcache_request(void);
bool bcache_undo_request(struct bcache *bc);
/* Called by bcache_dirty, after the change (NULL: none): fault injection's
 * point inside file-system code (svc_stats.c). */
extern void (*bcache_change_hook)(void);

/* Read n whole blocks at blkno straight into buf, bypassing the cache for
 * blocks not cached (cached ones, possibly dirty, are copied from the cache). */
int bcache_read_direct(struct bcache *bc, uint64_t blkno, uint32_t n, void *buf);
/* Write n whole blocks at blkno from buf straight to disk; cached copies are
 * updated (and become clean). */
int bcache_write_direct(struct bcache *bc, uint64_t blkno, uint32_t n, const void *buf);

#endif
