/*
 * Virtual memory objects: a resizable set of pages that can be read, written,
 * cloned copy-on-write and mapped into address spaces.
 *
 * Pages are committed lazily: a page exists only once it was written or
 * faulted in through a mapping; reading an uncommitted page gives zeros and
 * commits nothing. The pages sit in a two-level table (a directory of leaves
 * of 512 entries, each leaf covering 2 MiB); an entry is the page's physical
 * address with bit 0 (VMO_COW) set when the page may be shared with another
 * VMO and must be copied before it is written or mapped.
 *
 * Copy-on-write clones: vmo_clone shares every committed page of the range
 * that only the parent references (its pmm count is 1) and marks it VMO_COW in
 * both; a page with other references (mapped into an address space, or being
 * copied by a vmo_read/vmo_write right now) is copied for the clone at once,
 * since a mapping may write it at any time. A COW page is never mapped: the
 * pager breaks the sharing first. So the clone is an atomic snapshot of the
 * parent (taken under the parent's lock), and afterwards each side sees only
 * its own writes, through calls or through mappings.
 *
 * Mapping: vmo_pager is the vm_pager_ops of VMO-backed regions (core/vm.h);
 * each mapping record (vmo_mapping_new) counts as a mapping while a region
 * uses it. A mapped VMO may
 * grow but not shrink (-EBUSY), so no mapping ever covers pages that are gone.
 *
 * Locking: v->lock guards size, the table and committed. The pager runs under
 * vm->lock and takes v->lock, so v->lock comes after vm->lock and no user copy
 * is made under it: reads and writes pin one page (a pmm reference) under the
 * lock and copy with it dropped.
 */
#ifndef OBJ_VMO_H
#define OBJ_VMO_H

#include <stdbool.h>
#include <core/spinlock.h>
#include <core/uaccess.h>
#include <core/vm.h>
#include <obj/object.h>

#define VMO_COW		 1ull
#define VMO_LEAF_ENTRIES 512

struct vmo {
	struct kobject obj;
	struct spinlock lock;
	uint64_t size;		 /* lock: bytes, a multiple of PAGE_SIZE */
	uint64_t **dir;		 /* lock: ndir leaves (each NULL or 512 entries) */
	uint32_t ndir;		 /* lock */
	unsigned long committed; /* lock: pages present */
	int maps;		 /* atomic: regions mapping it */
};

/*
 * Mapping: vm_map_pager(vm, ..., &vmo_pager, m, off) with m from
 * vmo_mapping_new(v, max_prot, owner), a record that pins v, limits what
 * vm_protect may ever grant the region and names the VMAR that made it
 * (owner: its object id, 0 for a root VMAR); the caller drops its own
 * reference to m with vmo_mapping_put after mapping (the region keeps one).
 */
extern const struct vm_pager_ops vmo_pager;
void *vmo_mapping_new(struct vmo *v, unsigned max_prot, uint64_t owner);
void vmo_mapping_put(void *m);
uint64_t vmo_mapping_owner(const void *m);

/* A new VMO of size bytes (rounded up to pages), nothing committed. 0 and *out
 * (one reference), -EFBIG above WEFT_VMO_MAX_SIZE, -ENOMEM. */
int vmo_create(uint64_t size, struct vmo **out);

/* The VMO containing o, or NULL if o is not one. */
struct vmo *vmo_from_obj(struct kobject *o);

/*
 * Copy len bytes at offset off out to user buffer buf (read) or in from it
 * (write). The range must lie within the size (-EINVAL; a len of 0 is fine).
 * -EFAULT on a bad buffer (bytes before the fault may have moved), -ENOMEM.
 * Call with no lock held (user copies).
 */
int vmo_read(struct vmo *v, uint64_t off, uaddr_t buf, size_t len);
int vmo_write(struct vmo *v, uint64_t off, uaddr_t buf, size_t len);
/* The same with a kernel buffer (for loaders). */
int vmo_read_kernel(struct vmo *v, uint64_t off, void *buf, size_t len);
int vmo_write_kernel(struct vmo *v, uint64_t off, const void *buf, size_t len);

uint64_t vmo_size(struct vmo *v);
/* Resize to size (rounded up to pages); pages past the end are freed, and
 * growing adds zeros. -EFBIG, -ENOMEM, -EBUSY (shrinking a mapped VMO). */
int vmo_set_size(struct vmo *v, uint64_t size);
/* Pages committed now (for statistics and tests). */
unsigned long vmo_committed(struct vmo *v);

/* A copy-on-write clone of [off, off + size) of v (off page-aligned, size
 * rounded up; the part past v's end reads as zeros). -EINVAL, -EFBIG, -ENOMEM. */
int vmo_clone(struct vmo *v, uint64_t off, uint64_t size, struct vmo **out);

#endif
