/*
 * An AsyncQ's shared ring region: order-0 pages, reference-counted, mapped
 * into the process through a pager and reached by the kernel through the
 * direct map (asyncq_kaddr). See asyncq.c for the rings laid out in it.
 */
#include <obj/asyncq.h>
#include <core/pmm.h>
#include <core/slab.h>
#include <core/vm.h>
#include <weft/errno.h>

/* The region's pages, shared by q and the mappings of it. */
struct aq_ringmem {
	int refs; /* atomic */
	unsigned npages;
	char **kva; /* each page's direct-map address */
	paddr_t page[];
};

static void mem_get(void *obj)
{
	__atomic_add_fetch(&((struct aq_ringmem *)obj)->refs, 1, __ATOMIC_RELAXED);
}

void aq_mem_put(void *obj)
{
	struct aq_ringmem *m = obj;

	if (__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (unsigned i = 0; i < m->npages; i++)
		pmm_unref(m->page[i]);
	kfree(m->kva);
	kfree(m);
}

static int mem_getpage(void *obj, uint64_t off, paddr_t *out)
{
	struct aq_ringmem *m = obj;

	if (off / PAGE_SIZE >= m->npages)
		return -EFAULT;
	*out = m->page[off / PAGE_SIZE];
	pmm_ref(*out);
	return 0;
}

const struct vm_pager_ops aq_mem_pager = {
    .getpage = mem_getpage,
    .get = mem_get,
    .put = aq_mem_put,
};

struct aq_ringmem *aq_mem_alloc(unsigned npages)
{
	struct aq_ringmem *m = kzalloc(sizeof(*m) + npages * sizeof(paddr_t));

	if (!m)
		return NULL;
	m->refs = 1;
	m->kva = kmalloc(npages * sizeof(char *));
	for (; m->kva && m->npages < npages; m->npages++) {
		m->page[m->npages] = pmm_alloc_zeroed(0);
		if (!m->page[m->npages])
			break;
		m->kva[m->npages] = hal_pa_to_kva(m->page[m->npages]);
	}
	if (m->npages < npages) {
		aq_mem_put(m);
		return NULL;
	}
	return m;
}

void *asyncq_kaddr(struct asyncq *q, uint64_t off)
{
	return q->mem->kva[off / PAGE_SIZE] + off % PAGE_SIZE;
}

