/*
 * FAT directories: walking entries (with their VFAT long names), finding a
 * name, adding and removing entries, and the checks rmdir needs.
 *
 * A directory is a cluster chain of 32-byte slots. A long name is a run of
 * LFN slots before its short entry, last part first, each carrying the short
 * name's checksum; a run that is broken, has a bad checksum or holds a
 * character no name may have is ignored and the entry shows its short name
 * (as Linux does). A first byte of 0 ends the directory; 0xe5 marks a free
 * slot. New entries go into the first run of free slots that fits, else at
 * the end, growing the directory by zeroed clusters up to 65536 slots.
 *
 * Called from ops only (one at a time per instance); may block on I/O.
 */
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "fat_impl.h"

static const uint8_t lfn_offs[FAT_LFN_CHARS] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

void fat_ent_set_start(uint8_t *e, uint32_t clu)
{
	e[26] = (uint8_t)clu;
	e[27] = (uint8_t)(clu >> 8);
	e[20] = (uint8_t)(clu >> 16);
	e[21] = (uint8_t)(clu >> 24);
}

void fat_ent_set_size(uint8_t *e, uint32_t size)
{
	e[28] = (uint8_t)size;
	e[29] = (uint8_t)(size >> 8);
	e[30] = (uint8_t)(size >> 16);
	e[31] = (uint8_t)(size >> 24);
}

void fat_ent_set_mtime(uint8_t *e, uint64_t ns)
{
	uint16_t date, time;

	fat_time_to(ns, &date, &time, NULL);
	e[22] = (uint8_t)time;
	e[23] = (uint8_t)(time >> 8);
	e[24] = (uint8_t)date;
	e[25] = (uint8_t)(date >> 8);
}

void fat_ent_set_adate(uint8_t *e, uint64_t ns)
{
	uint16_t date, time;

	fat_time_to(ns, &date, &time, NULL);
	e[18] = (uint8_t)date;
	e[19] = (uint8_t)(date >> 8);
}

void fat_ent_set_ctime(uint8_t *e, uint64_t ns)
{
	uint16_t date, time;
	uint8_t tenth;

	fat_time_to(ns, &date, &time, &tenth);
	e[13] = tenth;
	e[14] = (uint8_t)time;
	e[15] = (uint8_t)(time >> 8);
	e[16] = (uint8_t)date;
	e[17] = (uint8_t)(date >> 8);
}

static uint32_t dir_cap(const struct fat_mount *fm, const struct fat_node *dir)
{
	uint64_t slots = (uint64_t)dir->nclusters * (fm->cluster_size / FAT_DENT);

	return slots > FAT_DIR_SLOTS ? FAT_DIR_SLOTS : (uint32_t)slots;
}

int fat_dir_slot_pos(struct fat_mount *fm, struct fat_node *dir, uint32_t slot, uint64_t *pos)
{
	uint64_t off = (uint64_t)slot * FAT_DENT;
	uint32_t clu, contig;
	int r = fat_bmap(fm, dir, (uint32_t)(off / fm->cluster_size), &clu, &contig);

	if (r > 0)
		return -EIO;
	if (!r)
		*pos = fat_clu_off(fm, clu) + off % fm->cluster_size;
	return r;
}

/* Long-name assembly across the slots of one walk. */
struct lfn_state {
	unsigned expect; /* sequence number of the last slot taken, 0: none */
	unsigned nslots;
	uint8_t sum;
	uint32_t first;
};

static void lfn_take(struct lfn_state *ls, struct fat_dent *d, const uint8_t *e, uint32_t slot)
{
	unsigned seq = e[0] & 0x1f;

	if (e[0] & FAT_LFN_LAST) {
		if (seq < 1 || seq > FAT_LFN_SLOTS) {
			ls->expect = 0;
			return;
		}
		ls->nslots = seq;
		ls->sum = e[13];
		ls->first = slot;
	} else if (!ls->expect || seq != ls->expect - 1 || e[13] != ls->sum) {
		ls->expect = 0;
		return;
	}
	ls->expect = seq;
	for (unsigned i = 0; i < FAT_LFN_CHARS; i++)
		d->lname[(seq - 1) * FAT_LFN_CHARS + i] =
		    (uint16_t)(e[lfn_offs[i]] | e[lfn_offs[i] + 1] << 8);
}

/* Fill d from the short entry e at slot, with the long name if it is whole. */
static void dent_fill(struct fat_dent *d, struct lfn_state *ls, const uint8_t *e, uint32_t slot,
		      uint64_t pos)
{
	memcpy(d->raw, e, FAT_DENT);
	d->slot = slot;
	d->pos = pos;
	d->first = slot;
	d->llen = 0;
	d->dot = !memcmp(e, ".          ", 11) || !memcmp(e, "..         ", 11);
	d->slen = fat_short_show(e, d->sname);
	if (ls->expect != 1 || ls->sum != fat_lfn_sum(e) || ls->first + ls->nslots != slot)
		return;
	unsigned n = 0, max = ls->nslots * FAT_LFN_CHARS;
	while (n < max && d->lname[n])
		n++;
	if (!n || n > FAT_LFN_MAX)
		return;
	for (unsigned i = 0; i < n; i++)
		if (d->lname[i] < 0x20 || d->lname[i] == '/')
			return;
	d->llen = n;
	d->first = ls->first;
}

/* Note a free slot for the run search. */
static void free_slot(struct fat_walk *w, uint32_t slot, uint32_t *run_len)
{
	if (!*run_len)
		w->tail_start = slot;
	(*run_len)++;
	if (w->need && !w->run_found && *run_len >= w->need) {
		w->run_found = true;
		w->run_start = slot + 1 - *run_len;
	}
}

int fat_dir_walk(struct fat_mount *fm, struct fat_node *dir, uint32_t from, struct fat_walk *w,
		 fat_walk_fn fn, void *arg)
{
	struct lfn_state ls = {0};
	struct buf *b = NULL;
	uint64_t blk = ~0ull, pos;
	uint32_t run_len = 0, slot;
	int r = fat_map_load(fm, dir);

	if (r)
		return r;
	w->cap = dir_cap(fm, dir);
	w->end = w->cap;
	w->run_found = false;
	for (slot = from; slot < w->cap; slot++) {
		if ((r = fat_dir_slot_pos(fm, dir, slot, &pos)))
			break;
		if (pos >> fm->blk_shift != blk) {
			fat_brelse(fm, b);
			blk = pos >> fm->blk_shift;
			if ((r = fat_bread(fm, blk, &b))) {
				b = NULL;
				break;
			}
		}
		const uint8_t *e = b->data + (pos & (fm->blk_size - 1));
		if (e[0] == 0) {
			w->end = slot;
			for (uint32_t s = slot; s < w->cap && !w->run_found; s++)
				free_slot(w, s, &run_len);
			break;
		}
		if (e[0] == FAT_DELETED) {
			ls.expect = 0;
			free_slot(w, slot, &run_len);
			continue;
		}
		run_len = 0;
		if ((e[11] & 0x3f) == FAT_ATTR_LFN) {
			lfn_take(&ls, &w->d, e, slot);
			continue;
		}
		if (e[11] & FAT_ATTR_VOLUME) {
			ls.expect = 0;
			continue;
		}
		dent_fill(&w->d, &ls, e, slot, pos);
		ls.expect = 0;
		if ((r = fn(fm, &w->d, arg)))
			break;
	}
	if (!run_len)
		w->tail_start = w->end;
	fat_brelse(fm, b);
	return r;
}

/* ---- finding ---- */

struct find_arg {
	const uint16_t *name;
	unsigned len;
};

static int find_fn(struct fat_mount *fm, struct fat_dent *d, void *arg)
{
	struct find_arg *a = arg;

	if (d->dot)
		return 0;
	if (d->llen && fat_name_eq(d->lname, d->llen, a->name, a->len))
		return 1;
	return fat_name_eq(d->sname, d->slen, a->name, a->len);
}

int fat_dir_find(struct fat_mount *fm, struct fat_node *dir, const uint16_t *name, unsigned len,
		 struct fat_walk *w)
{
	struct find_arg a = {name, len};
	int r;

	w->need = 0;
	r = fat_dir_walk(fm, dir, 0, w, find_fn, &a);
	return r > 0 ? 0 : r ? r : -ENOENT;
}

/* ---- adding ---- */

#define TAIL_MAX 65536

struct add_arg {
	uint8_t plain[11], basis[11];
	bool plain_ok, plain_taken, basis_taken;
	uint8_t base[8], ext[3];
	unsigned blen, elen;
	uint64_t skip_pos;
	const uint16_t *name; /* with skip_pos 0: an entry called so is -EEXIST */
	unsigned len;
	uint8_t *tails; /* bitmap of taken ~N, if wanted */
};

static int add_fn(struct fat_mount *fm, struct fat_dent *d, void *arg)
{
	struct add_arg *a = arg;

	if (d->dot || d->pos == a->skip_pos)
		return 0;
	if (!a->skip_pos && ((d->llen && fat_name_eq(d->lname, d->llen, a->name, a->len)) ||
			     fat_name_eq(d->sname, d->slen, a->name, a->len)))
		return -EEXIST;
	if (a->plain_ok && !memcmp(d->raw, a->plain, 11))
		a->plain_taken = true;
	if (!memcmp(d->raw, a->basis, 11))
		a->basis_taken = true;
	unsigned n = a->tails ? fat_short_tail_of(d->raw, a->base, a->blen, a->ext, a->elen) : 0;
	if (n && n < TAIL_MAX)
		a->tails[n / 8] |= (uint8_t)(1 << n % 8);
	return 0;
}

/* Choose the short name into raw: 0 with *lfn set if a long name is needed. */
static int pick_short(struct add_arg *a, bool lossy, uint8_t *raw, uint8_t *ntres, bool *lfn)
{
	*lfn = true;
	if (a->plain_ok && !a->plain_taken) {
		memcpy(raw, a->plain, 11);
		*lfn = false;
		return 0;
	}
	*ntres = 0;
	if (!lossy && !a->basis_taken) {
		memcpy(raw, a->basis, 11);
		return 0;
	}
	for (unsigned n = 1; n < TAIL_MAX; n++)
		if (!(a->tails[n / 8] & (1 << n % 8))) {
			fat_short_tail(a->base, a->blen, a->ext, a->elen, n, raw);
			return 0;
		}
	return -ENOSPC;
}

static void lfn_slot(uint8_t *e, const uint16_t *name, unsigned len, unsigned seq, bool last,
		     uint8_t sum)
{
	memset(e, 0, FAT_DENT);
	e[0] = (uint8_t)(seq | (last ? FAT_LFN_LAST : 0));
	e[11] = FAT_ATTR_LFN;
	e[13] = sum;
	for (unsigned i = 0; i < FAT_LFN_CHARS; i++) {
		unsigned k = (seq - 1) * FAT_LFN_CHARS + i;
		uint16_t c = k < len ? name[k] : k == len ? 0 : 0xffff;
		e[lfn_offs[i]] = (uint8_t)c;
		e[lfn_offs[i] + 1] = (uint8_t)(c >> 8);
	}
}

static int write_slot(struct fat_mount *fm, struct fat_node *dir, uint32_t slot, const uint8_t *e,
		      size_t len, uint64_t *pos)
{
	uint64_t p;
	int r = fat_dir_slot_pos(fm, dir, slot, &p);

	if (!r)
		r = fat_write_bytes(fm, p, e, len);
	if (!r && pos)
		*pos = p;
	return r;
}

/* Make room for n slots: the first slot to use. */
static int find_room(struct fat_mount *fm, struct fat_node *dir, struct fat_walk *w, unsigned n,
		     uint32_t *start)
{
	uint32_t per = fm->cluster_size / FAT_DENT;

	if (w->run_found) {
		*start = w->run_start;
		return 0;
	}
	uint64_t want = (uint64_t)w->tail_start + n;
	if (want > FAT_DIR_SLOTS)
		return -ENOSPC;
	int r = fat_chain_grow(fm, dir, (uint32_t)((want + per - 1) / per), true);
	if (r)
		return r;
	*start = w->tail_start;
	return 0;
}

static int add_slots(struct fat_mount *fm, struct fat_node *dir, struct fat_walk *w,
		     const uint16_t *name, unsigned len, bool lfn, uint8_t *e, uint64_t *pos)
{
	unsigned nl = lfn ? (len + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS : 0;
	uint32_t start, old_end = w->end;
	uint8_t sum = fat_lfn_sum(e), s[FAT_DENT];
	int r = find_room(fm, dir, w, nl + 1, &start);

	for (unsigned i = 0; !r && i < nl; i++) {
		lfn_slot(s, name, len, nl - i, i == 0, sum);
		r = write_slot(fm, dir, start + i, s, FAT_DENT, NULL);
	}
	if (!r)
		r = write_slot(fm, dir, start + nl, e, FAT_DENT, pos);
	/* Used slots past the old end marker: keep the end marked after them. */
	uint32_t next = start + nl + 1;
	if (!r && next > old_end && old_end < w->cap && next < w->cap) {
		uint64_t p;
		uint8_t first;
		if (!(r = fat_dir_slot_pos(fm, dir, next, &p)) &&
		    !(r = fat_read_bytes(fm, p, &first, 1)) && first)
			r = fat_write_bytes(fm, p, "", 1);
	}
	return r;
}

/* Walk dir for fat_dir_add: collisions, free slots, and (if a->tails is set)
 * the ~N numbers taken. */
static int add_walk(struct fat_mount *fm, struct fat_node *dir, struct fat_walk *w,
		    struct add_arg *a)
{
	a->plain_taken = a->basis_taken = false;
	w->need = 1 + (a->len + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS;
	return fat_dir_walk(fm, dir, 0, w, add_fn, a);
}

int fat_dir_add(struct fat_mount *fm, struct fat_node *dir, const uint16_t *name, unsigned len,
		const uint8_t *tmpl, uint64_t skip_pos, uint64_t *pos)
{
	struct add_arg a = {.skip_pos = skip_pos, .name = name, .len = len};
	struct fat_walk *w = kmalloc(sizeof(*w));
	uint8_t e[FAT_DENT], ntres = 0;
	bool lossy, lfn;
	int r = -ENOMEM;

	if (!w)
		goto out;
	a.plain_ok = fat_short_plain(name, len, a.plain, &ntres);
	lossy = fat_short_basis(name, len, a.base, &a.blen, a.ext, &a.elen);
	memset(a.basis, ' ', 11);
	memcpy(a.basis, a.base, a.blen);
	memcpy(a.basis + 8, a.ext, a.elen);
	/* Numbered short names are needed only when the name is no plain 8.3
	 * one, or that one is taken: only then count the ~N in use. */
	if (!a.plain_ok && !(a.tails = kzalloc(TAIL_MAX / 8)))
		goto out;
	if ((r = add_walk(fm, dir, w, &a)))
		goto out;
	if (a.plain_ok && a.plain_taken) {
		r = -ENOMEM;
		if (!(a.tails = kzalloc(TAIL_MAX / 8)) || (r = add_walk(fm, dir, w, &a)))
			goto out;
	}
	memcpy(e, tmpl, FAT_DENT);
	if ((r = pick_short(&a, lossy, e, &ntres, &lfn)))
		goto out;
	e[12] = ntres;
	if (e[0] == FAT_DELETED)
		e[0] = 0x05;
	r = add_slots(fm, dir, w, name, len, lfn, e, pos);
out:
	kfree(a.tails);
	kfree(w);
	return r;
}

int fat_dir_remove(struct fat_mount *fm, struct fat_node *dir, uint32_t first, uint32_t slot)
{
	static const uint8_t del = FAT_DELETED;

	for (uint32_t s = first; s <= slot; s++) {
		int r = write_slot(fm, dir, s, &del, 1, NULL);
		if (r)
			return r;
	}
	return 0;
}

/* ---- rmdir and nlink ---- */

static int nondot_fn(struct fat_mount *fm, struct fat_dent *d, void *arg)
{
	return !d->dot;
}

int fat_dir_empty(struct fat_mount *fm, struct fat_node *dir)
{
	struct fat_walk *w = kmalloc(sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->need = 0;
	r = fat_dir_walk(fm, dir, 0, w, nondot_fn, NULL);
	kfree(w);
	return r > 0 ? -ENOTEMPTY : r;
}

static int subdir_fn(struct fat_mount *fm, struct fat_dent *d, void *arg)
{
	if (!d->dot && (d->raw[11] & FAT_ATTR_DIR))
		(*(int32_t *)arg)++;
	return 0;
}

int fat_dir_subdirs(struct fat_mount *fm, struct fat_node *dir, int32_t *count)
{
	struct fat_walk *w = kmalloc(sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	*count = 0;
	w->need = 0;
	r = fat_dir_walk(fm, dir, 0, w, subdir_fn, count);
	kfree(w);
	return r;
}

/* ---- parents ---- */

int fat_dir_parent(struct fat_mount *fm, uint32_t start, uint32_t *parent)
{
	uint8_t e[FAT_DENT];
	int r;

	if (start == fm->root_cluster) {
		*parent = start;
		return 0;
	}
	if (!fat_clu_valid(fm, start))
		return fat_corrupt(fm, "directory cluster out of range", start);
	if ((r = fat_read_bytes(fm, fat_clu_off(fm, start) + FAT_DENT, e, FAT_DENT)))
		return r;
	uint32_t p = fat_ent_start(e);
	if (memcmp(e, "..         ", 11) || !(e[11] & FAT_ATTR_DIR) || (p && !fat_clu_valid(fm, p)))
		return fat_corrupt(fm, "directory with a bad \"..\"", start);
	*parent = p ? p : fm->root_cluster;
	return 0;
}

static int start_fn(struct fat_mount *fm, struct fat_dent *d, void *arg)
{
	return !d->dot && (d->raw[11] & FAT_ATTR_DIR) && fat_ent_start(d->raw) == *(uint32_t *)arg;
}

/* The entry of the directory starting at start, in the directory g. */
static int find_by_start(struct fat_mount *fm, struct fat_node *g, uint32_t start,
			 struct vnode **out)
{
	struct fat_walk *w = kmalloc(sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->need = 0;
	r = fat_dir_walk(fm, g, 0, w, start_fn, &start);
	if (r > 0)
		r = fat_node_get(fm, &w->d, out);
	else if (!r)
		r = fat_corrupt(fm, "directory missing from its parent", start);
	kfree(w);
	return r;
}

int fat_dir_parent_vnode(struct fat_mount *fm, struct vnode *dir, struct vnode **out)
{
	struct fat_node tmp = {.type = VDIR};
	struct vnode *grand;
	uint32_t p, gp;
	int r;

	if (dir == fm->root) {
		*out = vnode_get(dir);
		return 0;
	}
	if ((r = fat_dir_parent(fm, fat_node(dir)->start, &p)))
		return r;
	if ((*out = fat_node_find_dir(fm, p)))
		return 0;
	/* Not cached: find its entry in the grandparent. */
	if ((r = fat_dir_parent(fm, p, &gp)))
		return r;
	grand = fat_node_find_dir(fm, gp);
	tmp.start = gp;
	r = find_by_start(fm, grand ? fat_node(grand) : &tmp, p, out);
	vnode_put(grand);
	fat_map_drop(&tmp);
	return r;
}
