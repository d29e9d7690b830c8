/*
 * Shared anonymous memory objects (contract in core/shmem.h).
 *
 * Model. The pages are found through a two-level table: a top array of
 * pointers, one per SHMEM_LEAF pages, to leaf pages of physical addresses,
 * both allocated on demand, so an untouched gigabyte costs one small top
 * array. s->lock guards the table and the count; it is a leaf lock taken
 * under vm->lock on the fault path.
 */
#include <core/shmem.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <lib/string.h>
#include <weft/errno.h>

#define SHMEM_LEAF (PAGE_SIZE / sizeof(paddr_t)) /* pages per leaf */

struct shmem {
	unsigned refs;		   /* atomic */
	struct spinlock lock;	   /* guards leaf[] and committed */
	size_t npages;		   /* immutable */
	size_t nleaves;		   /* immutable */
	unsigned long committed;   /* lock */
	paddr_t *leaf[];	   /* lock: NULL until a page under it is touched */
};

struct shmem *shmem_create(size_t len)
{
	size_t npages = PAGE_ROUND_UP(len) / PAGE_SIZE;
	size_t nleaves = (npages + SHMEM_LEAF - 1) / SHMEM_LEAF;
	struct shmem *s;

	if (!npages)
		return NULL;
	s = kzalloc(sizeof(*s) + nleaves * sizeof(s->leaf[0]));
	if (!s)
		return NULL;
	s->refs = 1;
	spin_init(&s->lock, "shmem");
	s->npages = npages;
	s->nleaves = nleaves;
	return s;
}

void shmem_put(struct shmem *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (size_t l = 0; l < s->nleaves; l++) {
		if (!s->leaf[l])
			continue;
		for (size_t i = 0; i < SHMEM_LEAF; i++)
			if (s->leaf[l][i])
				pmm_unref(s->leaf[l][i]);
		kfree(s->leaf[l]);
	}
	kfree(s);
}

unsigned long shmem_committed(const struct shmem *s)
{
	return __atomic_load_n(&s->committed, __ATOMIC_RELAXED);
}

/* The page at object offset off, committed now if new; a reference for the
 * caller. -EFAULT past the end, -ENOMEM. */
static int shmem_getpage(void *obj, uint64_t off, paddr_t *out)
{
	struct shmem *s = obj;
	size_t idx = off / PAGE_SIZE, l = idx / SHMEM_LEAF;
	paddr_t *leaf, pa;
	int err = 0;

	if (idx >= s->npages)
		return -EFAULT;
	spin_lock(&s->lock);
	leaf = s->leaf[l];
	if (!leaf)
		leaf = s->leaf[l] = kzalloc(PAGE_SIZE);
	if (!leaf) {
		err = -ENOMEM;
		goto out_unlock;
	}
	pa = leaf[idx % SHMEM_LEAF];
	if (!pa) {
		pa = pmm_alloc_zeroed(0);
		if (!pa) {
			err = -ENOMEM;
			goto out_unlock;
		}
		leaf[idx % SHMEM_LEAF] = pa;
		s->committed++;
	}
	pmm_ref(pa);
	*out = pa;
out_unlock:
	spin_unlock(&s->lock);
	return err;
}

static void shmem_get(void *obj)
{
	struct shmem *s = obj;

	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

static void shmem_release(void *obj)
{
	shmem_put(obj);
}

const struct vm_pager_ops shmem_pager = {
    .getpage = shmem_getpage,
    .get = shmem_get,
    .put = shmem_release,
};
