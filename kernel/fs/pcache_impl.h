/*
 * Inside the page cache (pcache.c, pcache_wb.c): the per-vnode header. Every
 * field is under vn->lock except dirty_link and listed, which are under the
 * dirty list's lock (pcache_wb.c).
 */
#ifndef FS_PCACHE_IMPL_H
#define FS_PCACHE_IMPL_H

#include <fs/vfs.h>
#include <core/list.h>

struct pc_entry {
	uint64_t off;
	paddr_t pa;
	bool dirty; /* stored to through a shared mapping since written back */
};

struct vfs_pcache {
	struct vnode *vn;
	unsigned n, cap;
	struct pc_entry *e;	/* sorted by off */
	unsigned ndirty;	/* entries with dirty set */
	unsigned nshared;	/* VM_SHARED regions mapping the file (they may store) */
	struct list dirty_link; /* on the dirty list while listed (it holds a vnode reference) */
	bool listed;
};

unsigned pcache_find_locked(const struct vfs_pcache *pc, uint64_t off);
/* vn's header, made on first use; NULL when out of memory. */
struct vfs_pcache *pcache_header(struct vnode *vn);

#endif
