/*
 * The buffer cache: fixed-size blocks of one device, found by a hash on the
 * block number, kept in least-recently-used order while unreferenced, and
 * written back lazily. Locking and sleeping rules are in <fs/bcache.h>.
 */
#include <fs/bcache.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>

#define BCACHE_DEFAULT_BUFS 1024

static uint64_t cur_req; /* the request in flight (undo); 0: none numbered */
void (*bcache_change_hook)(void);

static unsigned hash_of(const struct bcache *bc, uint64_t blkno)
{
	return (unsigned)((blkno * 0x9e3779b97f4a7c15ull) >> 32) & (bc->hash_size - 1);
}

struct bcache *bcache_create(struct bdev *bd, uint32_t block_size, uint32_t max_bufs)
{
	struct bcache *bc;

	if (block_size < BDEV_SECTOR || block_size > 65536 || (block_size & (block_size - 1)))
		return NULL;
	bc = kzalloc(sizeof(*bc));
	if (!bc)
		return NULL;
	bc->bd = bd;
	bc->block_size = block_size;
	bc->max_bufs = max_bufs ? max_bufs : BCACHE_DEFAULT_BUFS;
	bc->hash_size = 64;
	while (bc->hash_size < bc->max_bufs)
		bc->hash_size <<= 1;
	bc->hash = kzalloc(bc->hash_size * sizeof(*bc->hash));
	if (!bc->hash) {
		kfree(bc);
		return NULL;
	}
	list_init(&bc->lru);
	list_init(&bc->dirty);
	bc->readonly = bd->readonly;
	return bc;
}

static void unhash(struct buf *b)
{
	struct bcache *bc = b->bc;
	struct buf **pp = &bc->hash[hash_of(bc, b->blkno)];

	while (*pp != b)
		pp = &(*pp)->hnext;
	*pp = b->hnext;
}

static void buf_free(struct buf *b)
{
	struct bcache *bc = b->bc;

	unhash(b);
	list_del(&b->lru);
	if (b->dirty) {
		list_del(&b->dlink);
		bc->st.dirty--;
	}
	bc->nbufs--;
	bc->st.cached--;
	kfree(b->data);
	kfree(b);
}

void bcache_destroy(struct bcache *bc)
{
	while (!list_empty(&bc->lru))
		buf_free(list_entry(bc->lru.next, struct buf, lru));
	kfree(bc->copies);
	kfree(bc->hash);
	kfree(bc);
}

static uint64_t sectors_per_block(const struct bcache *bc)
{
	return bc->block_size / BDEV_SECTOR;
}

static int block_in_range(const struct bcache *bc, uint64_t blkno, uint32_t n)
{
	uint64_t nblocks = bc->bd->nsectors / sectors_per_block(bc);

	return blkno < nblocks && n <= nblocks - blkno;
}

/* b's contents reach the disk: if the request in flight took b while it was
 * clean, the disk no longer holds what b was before that request. */
static void written(struct buf *b)
{
	if (cur_req && b->req == cur_req && !b->undo)
		b->bc->undo_lost = true;
}

static void mark_clean(struct buf *b)
{
	if (b->dirty) {
		b->dirty = false;
		list_del(&b->dlink);
		b->bc->st.dirty--;
	}
}

/* Write one run of buffers with consecutive block numbers. */
static int write_run(struct bcache *bc, struct buf **run, unsigned n)
{
	struct bio bio = {.op = BIO_WRITE, .sector = run[0]->blkno * sectors_per_block(bc), .nseg = n};

	for (unsigned i = 0; i < n; i++) {
		bio.seg[i].buf = run[i]->data;
		bio.seg[i].len = bc->block_size;
	}
	int r = bdev_submit(bc->bd, &bio);
	if (r)
		return r;
	bc->st.writes += n;
	for (unsigned i = 0; i < n; i++) {
		written(run[i]);
		mark_clean(run[i]);
	}
	return 0;
}

static struct buf *lookup(struct bcache *bc, uint64_t blkno)
{
	for (struct buf *b = bc->hash[hash_of(bc, blkno)]; b; b = b->hnext)
		if (b->blkno == blkno)
			return b;
	return NULL;
}

/* A buffer for blkno that is not cached: a recycled one or a new one. */
static int buf_new(struct bcache *bc, uint64_t blkno, struct buf **out)
{
	struct buf *b = NULL;

	if (bc->nbufs >= bc->max_bufs && !list_empty(&bc->lru)) {
		b = list_entry(bc->lru.next, struct buf, lru);
		if (b->dirty && bc->readonly) {
			mark_clean(b); /* writes are refused: the change is dropped */
		} else if (b->dirty) {
			int r = write_run(bc, &b, 1);
			if (r)
				return r;
		}
		if (cur_req && b->req == cur_req)
			bc->undo_lost = true; /* a request this big is not undone */
		unhash(b);
		list_del(&b->lru);
		bc->st.evictions++;
	} else {
		b = kzalloc(sizeof(*b));
		if (!b)
			return -ENOMEM;
		b->data = kmalloc(bc->block_size);
		if (!b->data) {
			kfree(b);
			return -ENOMEM;
		}
		b->bc = bc;
		bc->nbufs++;
		bc->st.cached++;
	}
	b->blkno = blkno;
	b->refs = 1;
	b->dirty = false;
	b->req = 0;
	b->undo = NULL;
	list_init(&b->lru);
	unsigned h = hash_of(bc, blkno);
	b->hnext = bc->hash[h];
	bc->hash[h] = b;
	*out = b;
	return 0;
}

/* The request in flight takes b for the first time: note it, with a copy of
 * its contents if it is dirty. */
static void note_taken(struct bcache *bc, struct buf *b)
{
	b->req = cur_req;
	b->undo = NULL;
	if (bc->undo_req != cur_req) {
		bc->undo_req = cur_req;
		bc->ntaken = bc->ncopies = 0;
		bc->undo_lost = false;
	}
	if (bc->ntaken == BCACHE_UNDO_TAKEN) {
		bc->undo_lost = true;
		return;
	}
	bc->taken[bc->ntaken++] = b;
	if (!b->dirty)
		return;
	if (!bc->copies)
		bc->copies = kmalloc((size_t)BCACHE_UNDO_COPIES * bc->block_size);
	if (!bc->copies || bc->ncopies == BCACHE_UNDO_COPIES) {
		bc->undo_lost = true;
		return;
	}
	b->undo = bc->copies + (size_t)bc->ncopies++ * bc->block_size;
	memcpy(b->undo, b->data, bc->block_size);
}

static inline struct buf *taken(struct bcache *bc, struct buf *b)
{
	if (cur_req && b->req != cur_req)
		note_taken(bc, b);
	return b;
}

static int get(struct bcache *bc, uint64_t blkno, bool read, struct buf **out)
{
	struct buf *b;

	if (!block_in_range(bc, blkno, 1))
		return -EIO;
	b = lookup(bc, blkno);
	if (b) {
		if (!b->refs++)
			list_del(&b->lru);
		bc->st.hits++;
		*out = taken(bc, b);
		return 0;
	}
	bc->st.misses++;
	int r = buf_new(bc, blkno, &b);
	if (r)
		return r;
	if (read) {
		r = bdev_rw(bc->bd, false, blkno * sectors_per_block(bc), b->data,
			    (uint32_t)sectors_per_block(bc));
		if (r) {
			b->refs = 0;
			list_add_tail(&bc->lru, &b->lru);
			buf_free(b);
			return r;
		}
		bc->st.reads++;
	} else {
		memset(b->data, 0, bc->block_size);
	}
	*out = taken(bc, b);
	return 0;
}

int bcache_read(struct bcache *bc, uint64_t blkno, struct buf **out)
{
	return get(bc, blkno, true, out);
}

int bcache_get(struct bcache *bc, uint64_t blkno, struct buf **out)
{
	return get(bc, blkno, false, out);
}

void bcache_dirty(struct buf *b)
{
	if (bcache_change_hook)
		bcache_change_hook();
	if (b->bc->readonly || b->dirty)
		return;
	b->dirty = true;
	list_add_tail(&b->bc->dirty, &b->dlink);
	b->bc->st.dirty++;
}

void bcache_put(struct buf *b)
{
	if (b && !--b->refs)
		list_add_tail(&b->bc->lru, &b->lru);
}

static int cmp_blkno(const struct buf *a, const struct buf *b)
{
	return a->blkno < b->blkno ? -1 : a->blkno > b->blkno;
}

/* Sort v[0..n) by block number (merge sort through tmp). */
static void sort_bufs(struct buf **v, struct buf **tmp, unsigned n)
{
	if (n < 2)
		return;
	unsigned h = n / 2;
	sort_bufs(v, tmp, h);
	sort_bufs(v + h, tmp, n - h);
	unsigned i = 0, j = h, k = 0;
	while (i < h || j < n)
		tmp[k++] = (j >= n || (i < h && cmp_blkno(v[i], v[j]) <= 0)) ? v[i++] : v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

int bcache_sync(struct bcache *bc)
{
	unsigned n = bc->st.dirty, k = 0;
	int r = 0;

	if (bc->readonly) {
		while (!list_empty(&bc->dirty))
			mark_clean(list_entry(bc->dirty.next, struct buf, dlink));
		return n ? -EROFS : 0;
	}

	if (n) {
		struct buf **v = kmalloc(2 * n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		struct list *it;
		list_for_each(it, &bc->dirty)
			v[k++] = list_entry(it, struct buf, dlink);
		sort_bufs(v, v + n, n);
		for (unsigned i = 0; i < n && !r;) {
			unsigned j = i + 1;
			while (j < n && j - i < BIO_MAX_SEGS && v[j]->blkno == v[j - 1]->blkno + 1)
				j++;
			r = write_run(bc, v + i, j - i);
			i = j;
		}
		kfree(v);
	}
	if (!r && !bc->bd->readonly) {
		struct bio flush = {.op = BIO_FLUSH};
		r = bdev_submit(bc->bd, &flush);
	}
	return r;
}

unsigned bcache_invalidate(struct bcache *bc)
{
	unsigned dropped = 0;

	if (cur_req && bc->undo_req == cur_req)
		bc->undo_lost = true; /* the list would point at freed buffers */
	while (!list_empty(&bc->lru)) {
		struct buf *b = list_entry(bc->lru.next, struct buf, lru);
		dropped += b->dirty;
		buf_free(b);
	}
	return dropped;
}

int bcache_read_direct(struct bcache *bc, uint64_t blkno, uint32_t n, void *buf)
{
	if (!block_in_range(bc, blkno, n))
		return -EIO;
	int r = bdev_rw(bc->bd, false, blkno * sectors_per_block(bc), buf,
			(uint32_t)(n * sectors_per_block(bc)));
	if (r)
		return r;
	bc->st.reads += n;
	for (uint32_t i = 0; i < n; i++) {
		struct buf *b = lookup(bc, blkno + i);
		if (b)
			memcpy((uint8_t *)buf + (uint64_t)i * bc->block_size, b->data, bc->block_size);
	}
	return 0;
}

int bcache_write_direct(struct bcache *bc, uint64_t blkno, uint32_t n, const void *buf)
{
	if (bc->readonly)
		return -EROFS;
	if (!block_in_range(bc, blkno, n))
		return -EIO;
	int r = bdev_rw(bc->bd, true, blkno * sectors_per_block(bc), (void *)buf,
			(uint32_t)(n * sectors_per_block(bc)));
	if (r)
		return r;
	bc->st.writes += n;
	for (uint32_t i = 0; i < n; i++) {
		struct buf *b = lookup(bc, blkno + i);
		if (b) {
			memcpy(b->data, (const uint8_t *)buf + (uint64_t)i * bc->block_size,
			       bc->block_size);
			written(b);
			mark_clean(b);
		}
	}
	return 0;
}

void bcache_begin_request(void)
{
	cur_req++;
}

uint64_t bcache_request(void)
{
	return cur_req;
}

/* Drop b whatever its references (the request that held them is gone). */
static void drop(struct bcache *bc, struct buf *b)
{
	if (b->refs) {
		b->refs = 0;
		list_add_tail(&bc->lru, &b->lru);
	}
	buf_free(b);
}

bool bcache_undo_request(struct bcache *bc)
{
	bool exact = cur_req && (bc->undo_req != cur_req || !bc->undo_lost);

	if (exact && bc->undo_req == cur_req) {
		for (unsigned i = bc->ntaken; i-- > 0;) {
			struct buf *b = bc->taken[i];
			if (b->req != cur_req)
				continue; /* noted twice */
			b->req = 0;
			if (!b->undo) {
				drop(bc, b);
				continue;
			}
			memcpy(b->data, b->undo, bc->block_size);
			b->undo = NULL;
			if (b->refs) {
				b->refs = 0;
				list_add_tail(&bc->lru, &b->lru);
			}
			if (!b->dirty) { /* written meanwhile: the disk has the newer contents */
				b->dirty = true;
				list_add_tail(&bc->dirty, &b->dlink);
				bc->st.dirty++;
			}
		}
	} else if (!exact) {
		for (unsigned h = 0; h < bc->hash_size; h++)
			while (bc->hash[h])
				drop(bc, bc->hash[h]);
	}
	bc->undo_req = 0;
	bc->ntaken = bc->ncopies = 0;
	bc->undo_lost = false;
	return exact;
}
