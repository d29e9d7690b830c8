/*
 * Vnode life cycle and data movement helpers.
 *
 * Vnodes come from one object cache. The reference count is atomic; the thread
 * that drops it to zero owns the vnode and releases it (file system release op,
 * then the memory). A global counter of live vnodes lets tests check for leaks.
 *
 * uio helpers move bytes between a kernel buffer and a user or kernel range; the
 * user variants may fault pages in, so they are never called under a spinlock.
 */
#include <fs/vfs.h>
#include <core/clock.h>
#include <core/klog.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/uaccess.h>
#include <hal/cpu.h>
#include <lib/string.h>
#include <weft/errno.h>
#include "vfs_impl.h"

static struct kmem_cache *vnode_cache;
static unsigned long vnode_live;    /* atomic */
static uint64_t vnode_next_ino = 1; /* atomic */

int vfs_vnode_cache_init(void)
{
	if (!vnode_cache)
		vnode_cache = kmem_cache_create("vnode", sizeof(struct vnode), 0);
	return vnode_cache ? 0 : -ENOMEM;
}

uint64_t vfs_now(void)
{
	return clock_realtime_ns();
}

uint32_t vfs_type_to_mode(enum vtype t)
{
	switch (t) {
	case VREG:
		return VFS_S_IFREG;
	case VDIR:
		return VFS_S_IFDIR;
	case VLNK:
		return VFS_S_IFLNK;
	case VCHR:
		return VFS_S_IFCHR;
	case VFIFO:
		return VFS_S_IFIFO;
	default:
		return 0;
	}
}

unsigned vfs_type_to_dtype(enum vtype t)
{
	switch (t) {
	case VREG:
		return VFS_DT_REG;
	case VDIR:
		return VFS_DT_DIR;
	case VLNK:
		return VFS_DT_LNK;
	case VCHR:
		return VFS_DT_CHR;
	case VFIFO:
		return VFS_DT_FIFO;
	default:
		return VFS_DT_UNKNOWN;
	}
}

int vnode_alloc(struct mount *mnt, enum vtype type, uint32_t mode, const struct vnode_ops *ops,
		struct vnode **out)
{
	struct vnode *vn = vnode_cache ? kmem_zalloc(vnode_cache) : NULL;

	if (!vn)
		return -ENOMEM;
	vn->type = type;
	vn->ino = __atomic_fetch_add(&vnode_next_ino, 1, __ATOMIC_RELAXED);
	vn->ops = ops;
	vn->mnt = mnt;
	vn->refcount = 1;
	spin_init(&vn->lock, "vnode");
	vn->mode = vfs_type_to_mode(type) | (mode & 07777);
	vn->nlink = 1;
	vn->atime_ns = vn->mtime_ns = vn->ctime_ns = vfs_now();
	__atomic_fetch_add(&vnode_live, 1, __ATOMIC_RELAXED);
	if (mnt)
		__atomic_fetch_add(&mnt->nvnodes, 1, __ATOMIC_RELAXED);
	*out = vn;
	return 0;
}

struct vnode *vnode_get(struct vnode *vn)
{
	unsigned old = __atomic_fetch_add(&vn->refcount, 1, __ATOMIC_RELAXED);

	kassert(old > 0);
	return vn;
}

struct vnode *vnode_tryget(struct vnode *vn)
{
	unsigned old = __atomic_load_n(&vn->refcount, __ATOMIC_RELAXED);

	do {
		if (!old)
			return NULL;
	} while (!__atomic_compare_exchange_n(&vn->refcount, &old, old + 1, true, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return vn;
}

void vnode_put(struct vnode *vn)
{
	if (!vn)
		return;
	unsigned old = __atomic_fetch_sub(&vn->refcount, 1, __ATOMIC_ACQ_REL);
	kassert(old > 0);
	if (old != 1)
		return;
	kassert(!vn->covered_by);
	struct mount *mnt = vn->mnt;
	if (vn->pcache)
		vfs_pcache_free(vn);
	if (vn->ops && vn->ops->release)
		vn->ops->release(vn);
	kmem_free(vnode_cache, vn);
	if (mnt)
		__atomic_sub_fetch(&mnt->nvnodes, 1, __ATOMIC_RELEASE);
	__atomic_fetch_sub(&vnode_live, 1, __ATOMIC_RELAXED);
}

/* Move writecount one step in direction dir (+1 write, -1 deny), unless the
 * other direction holds it. */
static int writecount_step(struct vnode *vn, int dir)
{
	int old = __atomic_load_n(&vn->writecount, __ATOMIC_RELAXED);

	do {
		if (old * dir < 0)
			return -ETXTBSY;
	} while (!__atomic_compare_exchange_n(&vn->writecount, &old, old + dir, true,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return 0;
}

int vnode_get_write(struct vnode *vn)
{
	return writecount_step(vn, 1);
}

void vnode_put_write(struct vnode *vn)
{
	int old = __atomic_fetch_sub(&vn->writecount, 1, __ATOMIC_RELEASE);

	kassert(old > 0);
}

int vnode_deny_write(struct vnode *vn)
{
	return writecount_step(vn, -1);
}

void vnode_allow_write(struct vnode *vn)
{
	int old = __atomic_fetch_add(&vn->writecount, 1, __ATOMIC_RELEASE);

	kassert(old < 0);
}

unsigned long vfs_vnode_count(void)
{
	return __atomic_load_n(&vnode_live, __ATOMIC_RELAXED);
}

char *vfs_pathbuf_alloc(void)
{
	BUILD_ASSERT(VFS_PATH_MAX <= PAGE_SIZE);
	paddr_t pa = pmm_alloc(0);

	return pa ? hal_pa_to_kva(pa) : NULL;
}

void vfs_pathbuf_free(char *buf)
{
	if (buf)
		pmm_free(hal_kva_to_pa(buf), 0);
}

static void uio_advance(struct uio *uio, size_t n)
{
	uio->base += n;
	uio->resid -= n;
	uio->off += n;
}

void uio_init_kernel(struct uio *uio, void *buf, size_t len, uint64_t off)
{
	uio->base = (uint64_t)(uintptr_t)buf;
	uio->resid = len;
	uio->user = false;
	uio->no_room = false;
	uio->off = off;
}

void uio_init_user(struct uio *uio, uint64_t ubase, size_t len, uint64_t off)
{
	uio->base = ubase;
	uio->resid = len;
	uio->user = true;
	uio->no_room = false;
	uio->off = off;
}

int uio_move(void *kbuf, size_t n, struct uio *uio, bool to_uio)
{
	int err = 0;

	if (n > uio->resid)
		n = uio->resid;
	if (!n)
		return 0;
	if (uio->user) {
		if (to_uio)
			err = copy_to_user(uio->base, kbuf, n);
		else
			err = copy_from_user(kbuf, uio->base, n);
	} else if (to_uio) {
		memcpy((void *)(uintptr_t)uio->base, kbuf, n);
	} else {
		memcpy(kbuf, (const void *)(uintptr_t)uio->base, n);
	}
	if (err)
		return err;
	uio_advance(uio, n);
	return 0;
}

int uio_zero(size_t n, struct uio *uio)
{
	if (n > uio->resid)
		n = uio->resid;
	if (!n)
		return 0;
	if (uio->user) {
		int err = clear_user(uio->base, n);
		if (err)
			return err;
	} else {
		memset((void *)(uintptr_t)uio->base, 0, n);
	}
	uio_advance(uio, n);
	return 0;
}

void uio_skip(size_t n, struct uio *uio)
{
	if (n > uio->resid)
		n = uio->resid;
	uio_advance(uio, n);
}

int vfs_dirent_emit(struct uio *uio, uint64_t ino, uint64_t next_pos, unsigned dtype,
		    const char *name, size_t namelen)
{
	/* Header, name and NUL, rounded up to 8; built on the stack then moved. */
	char rec[sizeof(struct vfs_dirent64) + VFS_NAME_MAX + 1 + 8];
	struct vfs_dirent64 *d = (struct vfs_dirent64 *)rec;
	size_t reclen = (offsetof(struct vfs_dirent64, d_name) + namelen + 1 + 7) & ~(size_t)7;

	kassert(namelen <= VFS_NAME_MAX);
	if (reclen > uio->resid) {
		uio->no_room = true;
		return 1;
	}
	memset(rec, 0, reclen);
	d->d_ino = ino;
	d->d_off = (int64_t)next_pos;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = (uint8_t)dtype;
	memcpy(d->d_name, name, namelen);
	return uio_move(rec, reclen, uio, true);
}
