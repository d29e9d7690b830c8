/*
 * The file allocation table and cluster chains.
 *
 * Entries are read from the active FAT and written to every copy (or to the
 * active one only when mirroring is off), keeping each entry's top four bits.
 * A node's chain is loaded whole, as runs of consecutive clusters, on its
 * first use: the walk is bounded (a file's chain must be exactly as long as
 * its size needs, a directory's at most 2 MiB), so a loop, a free or bad
 * cluster, a number out of range or a length that does not match the size is
 * found there and reported with fat_corrupt. After that the runs are the
 * truth: growing and cutting update them along with the FAT.
 *
 * Allocation scans for a free entry from the end of the chain being grown (or
 * from the FSInfo hint), a block of entries at a time, and keeps the free
 * count and the hint that sync writes to FSInfo.
 */
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "fat_impl.h"

static uint64_t entry_off(const struct fat_mount *fm, unsigned copy, uint32_t clu)
{
	return fm->fat_start + copy * fm->fat_bytes + (uint64_t)clu * 4;
}

int fat_get(struct fat_mount *fm, uint32_t clu, uint32_t *val)
{
	uint8_t v[4];

	if (!fat_clu_valid(fm, clu))
		return fat_corrupt(fm, "cluster out of range", clu);
	int r = fat_read_bytes(fm, entry_off(fm, fm->active_fat, clu), v, 4);
	if (!r)
		*val = ((uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 |
			(uint32_t)v[3] << 24) &
		       FAT_MASK;
	return r;
}

int fat_set(struct fat_mount *fm, uint32_t clu, uint32_t val)
{
	if (!fat_clu_valid(fm, clu))
		return fat_corrupt(fm, "cluster out of range", clu);
	for (unsigned k = 0; k < fm->nfats; k++) {
		if (!fm->mirror && k != fm->active_fat)
			continue;
		uint64_t off = entry_off(fm, k, clu);
		struct buf *b;
		int r = fat_bread(fm, off >> fm->blk_shift, &b);
		if (r)
			return r;
		uint8_t *p = b->data + (off & (fm->blk_size - 1));
		uint32_t v = (val & FAT_MASK) | ((uint32_t)p[3] & 0xf0) << 24;
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		p[3] = (uint8_t)(v >> 24);
		fat_bdirty(fm, b);
		fat_brelse(fm, b);
	}
	return 0;
}

int fat_count_free(struct fat_mount *fm)
{
	uint64_t bytes = ((uint64_t)fm->nclusters + 2) * 4;
	uint64_t blk = (fm->fat_start + fm->active_fat * fm->fat_bytes) >> fm->blk_shift;
	uint32_t per = FAT_BOUNCE / fm->blk_size, freec = 0;
	uint64_t idx = 0; /* entry number */

	for (uint64_t done = 0; done < bytes; blk += per) {
		uint64_t left = (bytes - done + fm->blk_size - 1) >> fm->blk_shift;
		uint32_t n = left < per ? (uint32_t)left : per;
		int r = bcache_read_direct(fm->bc, blk, n, fm->bounce);
		if (r)
			return r;
		uint64_t chunk = (uint64_t)n * fm->blk_size;
		for (uint64_t o = 0; o < chunk && done + o < bytes; o += 4, idx++) {
			const uint8_t *p = fm->bounce + o;
			uint32_t v = ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				      (uint32_t)p[3] << 24) &
				     FAT_MASK;
			freec += idx >= 2 && !v;
		}
		done += chunk;
	}
	fm->free_count = freec;
	return 0;
}

void fat_map_drop(struct fat_node *n)
{
	kfree(n->runs);
	n->runs = NULL;
	n->nruns = n->cap = n->nclusters = 0;
	n->mapped = false;
}

static int map_append(struct fat_node *n, uint32_t clu)
{
	struct fat_run *r = n->nruns ? &n->runs[n->nruns - 1] : NULL;

	if (r && r->clu + r->len == clu) {
		r->len++;
		n->nclusters++;
		return 0;
	}
	if (n->nruns == n->cap) {
		uint32_t cap = n->cap ? n->cap * 2 : 4;
		struct fat_run *v = kmalloc(cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		if (n->nruns)
			memcpy(v, n->runs, n->nruns * sizeof(*v));
		kfree(n->runs);
		n->runs = v;
		n->cap = cap;
	}
	n->runs[n->nruns++] = (struct fat_run){n->nclusters, clu, 1};
	n->nclusters++;
	return 0;
}

/* Clusters n's chain must have (files), or may have at most (directories). */
static uint32_t chain_limit(const struct fat_mount *fm, const struct fat_node *n)
{
	uint64_t size = n->vn ? n->vn->size : n->rel_size;

	if (n->type == VDIR)
		return (uint32_t)((FAT_DIR_SLOTS * (uint64_t)FAT_DENT + fm->cluster_size - 1) /
				  fm->cluster_size);
	return (uint32_t)((size + fm->cluster_size - 1) / fm->cluster_size);
}

int fat_map_load(struct fat_mount *fm, struct fat_node *n)
{
	uint32_t limit = chain_limit(fm, n), c = n->start;
	int r;

	if (n->mapped)
		return 0;
	fat_map_drop(n);
	if (!c) {
		if (limit && n->type != VDIR)
			return fat_corrupt(fm, "file with data but no cluster", n->pos);
		if (n->type == VDIR)
			return fat_corrupt(fm, "directory without a cluster", n->pos);
		n->mapped = true;
		return 0;
	}
	for (;;) {
		uint32_t next = 0;
		if (n->nclusters >= limit)
			r = fat_corrupt(fm, "cluster chain longer than its file", n->pos);
		else if (!(r = map_append(n, c)))
			r = fat_get(fm, c, &next);
		if (r)
			goto out_drop;
		if (next >= FAT_EOC_MIN)
			break;
		if (!fat_clu_valid(fm, next)) {
			r = fat_corrupt(fm, "bad link in a cluster chain", c);
			goto out_drop;
		}
		c = next;
	}
	if (n->type != VDIR && n->nclusters != limit) {
		r = fat_corrupt(fm, "cluster chain shorter than its file", n->pos);
		goto out_drop;
	}
	n->mapped = true;
	return 0;
out_drop:
	fat_map_drop(n);
	return r;
}

int fat_bmap(struct fat_mount *fm, struct fat_node *n, uint32_t fidx, uint32_t *clu,
	     uint32_t *contig)
{
	int r = fat_map_load(fm, n);
	uint32_t lo = 0, hi;

	if (r)
		return r;
	if (fidx >= n->nclusters)
		return 1;
	hi = n->nruns;
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;
		if (n->runs[mid].fidx <= fidx)
			lo = mid;
		else
			hi = mid;
	}
	const struct fat_run *run = &n->runs[lo];
	*clu = run->clu + (fidx - run->fidx);
	*contig = run->len - (fidx - run->fidx);
	return 0;
}

/* A free cluster, searching from from (wrapping): 0, -ENOSPC or an error. */
static int find_free(struct fat_mount *fm, uint32_t from, uint32_t *out)
{
	uint32_t c = fat_clu_valid(fm, from) ? from : 2;
	uint64_t seen = 0;

	while (seen < fm->nclusters) {
		uint64_t off = entry_off(fm, fm->active_fat, c);
		struct buf *b;
		int r = fat_bread(fm, off >> fm->blk_shift, &b);
		if (r)
			return r;
		uint32_t o = (uint32_t)(off & (fm->blk_size - 1));
		for (; o < fm->blk_size && seen < fm->nclusters; o += 4, seen++) {
			const uint8_t *p = b->data + o;
			if (!(((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			       (uint32_t)p[3] << 24) &
			      FAT_MASK)) {
				fat_brelse(fm, b);
				*out = c;
				return 0;
			}
			if (++c > fm->nclusters + 1) {
				c = 2;
				break; /* the next entry is in another block */
			}
		}
		fat_brelse(fm, b);
	}
	fat_undo_note(fm, NULL);
	fm->free_count = 0; /* the count was wrong */
	fm->fsinfo_dirty = true;
	return -ENOSPC;
}

static int zero_cluster(struct fat_mount *fm, uint32_t clu)
{
	uint64_t blk = fat_clu_off(fm, clu) >> fm->blk_shift;

	for (uint32_t i = 0; i < fm->cluster_size / fm->blk_size; i++) {
		struct buf *b;
		int r = fat_bget(fm, blk + i, &b);
		if (r)
			return r;
		memset(b->data, 0, fm->blk_size);
		fat_bdirty(fm, b);
		fat_brelse(fm, b);
	}
	return 0;
}

/* Allocate one cluster at the end of n's chain. */
static int grow_one(struct fat_mount *fm, struct fat_node *n, bool zero)
{
	const struct fat_run *last = n->nruns ? &n->runs[n->nruns - 1] : NULL;
	uint32_t prev = last ? last->clu + last->len - 1 : 0, c;
	int r;

	if (!fm->free_count)
		return -ENOSPC;
	if ((r = find_free(fm, prev ? prev + 1 : fm->next_free, &c)))
		return r;
	if ((r = map_append(n, c)))
		return r;
	if ((r = fat_set(fm, c, FAT_EOC)) || (prev && (r = fat_set(fm, prev, c))))
		return r;
	if (!prev)
		n->start = c;
	fat_undo_note(fm, NULL);
	fm->free_count--;
	fm->next_free = c + 1 > fm->nclusters + 1 ? 2 : c + 1;
	fm->fsinfo_dirty = true;
	return zero ? zero_cluster(fm, c) : 0;
}

int fat_chain_grow(struct fat_mount *fm, struct fat_node *n, uint32_t want, bool zero)
{
	int r = fat_map_load(fm, n);

	while (!r && n->nclusters < want)
		r = grow_one(fm, n, zero);
	return r;
}

int fat_chain_cut(struct fat_mount *fm, struct fat_node *n, uint32_t keep)
{
	int r = fat_map_load(fm, n);
	uint32_t clu, contig;

	if (r || keep >= n->nclusters)
		return r;
	fat_undo_note(fm, NULL);
	if (keep &&
	    ((r = fat_bmap(fm, n, keep - 1, &clu, &contig)) || (r = fat_set(fm, clu, FAT_EOC))))
		return r;
	for (uint32_t i = keep; i < n->nclusters;) {
		if ((r = fat_bmap(fm, n, i, &clu, &contig)))
			return r;
		for (uint32_t j = 0; j < contig; j++) {
			if ((r = fat_set(fm, clu + j, 0)))
				return r;
			fm->free_count++;
		}
		i += contig;
	}
	fm->fsinfo_dirty = true;
	/* Shorten the runs. */
	while (n->nruns && n->runs[n->nruns - 1].fidx >= keep)
		n->nruns--;
	if (n->nruns) {
		struct fat_run *run = &n->runs[n->nruns - 1];
		if (run->fidx + run->len > keep)
			run->len = keep - run->fidx;
	}
	n->nclusters = keep;
	if (!keep)
		n->start = 0;
	return 0;
}
