/*
 * The dentry cache: (parent vnode, name) -> child vnode.
 *
 * A fixed hash table of chained entries plus one LRU list, all under one
 * spinlock. An entry holds a reference on its parent and on its child, so the
 * parent pointer used as part of the key can never be reused while cached. At
 * VFS_DCACHE_MAX entries an insert evicts the least recently used entry; eviction
 * only drops the cache's own references, so any entry may go and the files stay
 * reachable through their file system. References are dropped after the lock is
 * released, because a final vnode_put calls into the file system.
 *
 * Staleness: a lookup that misses reads the parent's generation; removing a name
 * bumps it, and an insert with an old generation is dropped. So a name that a
 * file system removed between its lookup op and the insert is never cached.
 * Only positive entries exist; "." and ".." are never cached.
 */
#include <fs/vfs.h>
#include <core/klog.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "vfs_impl.h"

#define DCACHE_BUCKETS 1024

struct dentry {
	struct list hash_link; /* dcache_lock */
	struct list lru_link;  /* dcache_lock: most recently used first */
	struct vnode *parent;  /* immutable, a reference */
	struct vnode *child;   /* immutable, a reference */
	uint32_t hash;	       /* immutable */
	uint16_t len;	       /* immutable */
	char name[];	       /* immutable, NUL-terminated */
};

static struct spinlock dcache_lock = SPINLOCK_INIT("dcache");
static struct list dcache_hash[DCACHE_BUCKETS];	       /* dcache_lock */
static struct list dcache_lru = LIST_INIT(dcache_lru); /* dcache_lock */
static unsigned dcache_nr;			       /* dcache_lock */
static bool dcache_ready;			       /* dcache_lock */

static uint32_t dcache_hashfn(const struct vnode *dir, const char *name, size_t len)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)dir;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 1099511628211ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static void dcache_init_locked(void)
{
	if (dcache_ready)
		return;
	for (int i = 0; i < DCACHE_BUCKETS; i++)
		list_init(&dcache_hash[i]);
	dcache_ready = true;
}

static struct dentry *dcache_find_locked(const struct vnode *dir, const char *name, size_t len,
					 uint32_t hash)
{
	struct list *it, *head = &dcache_hash[hash % DCACHE_BUCKETS];

	list_for_each(it, head)
	{
		struct dentry *d = list_entry(it, struct dentry, hash_link);
		if (d->hash == hash && d->parent == dir && d->len == len &&
		    !memcmp(d->name, name, len))
			return d;
	}
	return NULL;
}

static void dcache_unlink_locked(struct dentry *d)
{
	list_del(&d->hash_link);
	list_del(&d->lru_link);
	dcache_nr--;
}

/* Release an entry unlinked earlier; no lock held. */
static void dentry_free(struct dentry *d)
{
	vnode_put(d->child);
	vnode_put(d->parent);
	kfree(d);
}

int dcache_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out,
		  uint64_t *gen)
{
	uint32_t hash = dcache_hashfn(dir, name, len);
	struct dentry *d;
	int err = -ENOENT;

	spin_lock(&dcache_lock);
	dcache_init_locked();
	d = dcache_find_locked(dir, name, len, hash);
	if (d) {
		list_del(&d->lru_link);
		list_add(&dcache_lru, &d->lru_link);
		*out = vnode_get(d->child);
		err = 0;
	}
	*gen = dir->dcache_gen;
	spin_unlock(&dcache_lock);
	return err;
}

int dcache_name_of(struct vnode *vn, struct vnode **parent, char *name)
{
	struct list *it;
	int err = -ENOENT;

	spin_lock(&dcache_lock);
	dcache_init_locked();
	list_for_each(it, &dcache_lru) {
		struct dentry *d = list_entry(it, struct dentry, lru_link);
		if (d->child == vn) {
			*parent = vnode_get(d->parent);
			memcpy(name, d->name, d->len + 1u);
			err = 0;
			break;
		}
	}
	spin_unlock(&dcache_lock);
	return err;
}

void dcache_insert(struct vnode *dir, const char *name, size_t len, struct vnode *child,
		   uint64_t gen)
{
	uint32_t hash = dcache_hashfn(dir, name, len);
	struct dentry *d = kmalloc(sizeof(*d) + len + 1), *victim = NULL;

	if (!d)
		return; /* caching is optional */
	d->parent = vnode_get(dir);
	d->child = vnode_get(child);
	d->hash = hash;
	d->len = (uint16_t)len;
	memcpy(d->name, name, len);
	d->name[len] = 0;

	spin_lock(&dcache_lock);
	dcache_init_locked();
	if (dir->dcache_gen != gen || dcache_find_locked(dir, name, len, hash)) {
		spin_unlock(&dcache_lock);
		dentry_free(d);
		return;
	}
	if (dcache_nr >= VFS_DCACHE_MAX) {
		victim = list_entry(dcache_lru.prev, struct dentry, lru_link);
		dcache_unlink_locked(victim);
	}
	list_add(&dcache_hash[hash % DCACHE_BUCKETS], &d->hash_link);
	list_add(&dcache_lru, &d->lru_link);
	dcache_nr++;
	spin_unlock(&dcache_lock);
	if (victim)
		dentry_free(victim);
}

/* Forget every cached name in dir (a file system whose names match without
 * case may have cached other spellings of a name that went away). */
static void dcache_invalidate_dir(struct vnode *dir)
{
	struct list doomed = LIST_INIT(doomed), *it, *next;

	spin_lock(&dcache_lock);
	dcache_init_locked();
	dir->dcache_gen++;
	for (it = dcache_lru.next; it != &dcache_lru; it = next) {
		struct dentry *d = list_entry(it, struct dentry, lru_link);
		next = it->next;
		if (d->parent == dir) {
			dcache_unlink_locked(d);
			list_add(&doomed, &d->lru_link);
		}
	}
	spin_unlock(&dcache_lock);
	while ((it = list_pop(&doomed)) != NULL)
		dentry_free(list_entry(it, struct dentry, lru_link));
}

void dcache_invalidate(struct vnode *dir, const char *name, size_t len)
{
	uint32_t hash = dcache_hashfn(dir, name, len);
	struct dentry *d;

	if (dir->mnt && (dir->mnt->fstype->flags & VFS_FS_NOCASE)) {
		dcache_invalidate_dir(dir);
		return;
	}
	spin_lock(&dcache_lock);
	dcache_init_locked();
	dir->dcache_gen++;
	d = dcache_find_locked(dir, name, len, hash);
	if (d)
		dcache_unlink_locked(d);
	spin_unlock(&dcache_lock);
	if (d)
		dentry_free(d);
}

void vfs_dcache_flush(void)
{
	struct list doomed = LIST_INIT(doomed);
	struct list *n;

	spin_lock(&dcache_lock);
	dcache_init_locked();
	while ((n = list_pop(&dcache_lru)) != NULL) {
		struct dentry *d = list_entry(n, struct dentry, lru_link);
		list_del(&d->hash_link);
		list_add(&doomed, &d->lru_link);
		dcache_nr--;
	}
	spin_unlock(&dcache_lock);
	while ((n = list_pop(&doomed)) != NULL)
		dentry_free(list_entry(n, struct dentry, lru_link));
}

unsigned vfs_dcache_count(void)
{
	unsigned n;

	spin_lock(&dcache_lock);
	n = dcache_nr;
	spin_unlock(&dcache_lock);
	return n;
}
