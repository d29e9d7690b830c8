/*
 * Growing and moving mappings: the program break (brk) and mremap. Split
 * from vm.c, whose region list and locking rules (vm.h) they follow; the
 * helpers they share with it are declared in vm_impl.h.
 */
#include <core/vm.h>
#include <core/slab.h>
#include <weft/errno.h>
#include "vm_impl.h"

void vm_set_brk_base(struct vm_space *vm, uaddr_t base)
{
	vm->brk_base = vm->brk = base;
}

/*
 * The heap is [brk_base, brk), but user space may remap parts of it (musl puts a
 * PROT_NONE guard at its start), so like Linux the heap is not one region:
 * growing maps [old top, new top) (extending an anonymous read-write region that
 * ends at the old top, or adding one) and shrinking unmaps [new top, old top).
 */
static uaddr_t brk_grow_locked(struct vm_space *vm, uaddr_t new_end)
{
	uaddr_t old_top = PAGE_ROUND_UP(vm->brk), new_top = PAGE_ROUND_UP(new_end);
	struct vm_region *prev;

	if (new_top > old_top) {
		if (new_top > MMAP_TOP || !range_free_locked(vm, old_top, new_top))
			return vm->brk;
		prev = old_top > vm->brk_base ? region_find_locked(vm, old_top - 1) : NULL;
		if (prev && prev->end == old_top && prev->prot == (VM_R | VM_W) && !prev->flags &&
		    !prev->pager) {
			prev->end = new_top;
		} else {
			struct vm_region *r = region_new(old_top, new_top, VM_R | VM_W, 0);
			if (!r)
				return vm->brk;
			region_link_locked(vm, r);
		}
	}
	vm->brk = new_end;
	return new_end;
}

static uaddr_t brk_shrink_locked(struct vm_space *vm, uaddr_t new_end)
{
	uaddr_t new_top = PAGE_ROUND_UP(new_end), old_top = PAGE_ROUND_UP(vm->brk);

	if (new_top < old_top && for_range(vm, new_top, old_top, remove_region, NULL))
		return vm->brk;	/* out of memory splitting: leave the heap as it is */
	vm->brk = new_end;
	return new_end;
}

uaddr_t vm_brk(struct vm_space *vm, uaddr_t new_end)
{
	uaddr_t ret;

	spin_lock(&vm->lock);
	if (new_end < vm->brk_base)
		ret = vm->brk;
	else if (new_end >= vm->brk)
		ret = brk_grow_locked(vm, new_end);
	else
		ret = brk_shrink_locked(vm, new_end);
	spin_unlock(&vm->lock);
	vm_sync(vm);
	return ret;
}

struct move_ctx {
	paddr_t root;
	uaddr_t from, to;
	int err;
};

static void reserve_pte(pte_t *pte, vaddr_t va, void *arg)
{
	struct move_ctx *mc = arg;

	(void)pte;
	if (!mc->err && !hal_pt_lookup(mc->root, va - mc->from + mc->to, true))
		mc->err = -ENOMEM;
}

static void move_pte(pte_t *pte, vaddr_t va, void *arg)
{
	struct move_ctx *mc = arg;
	pte_t *dst = hal_pt_lookup(mc->root, va - mc->from + mc->to, false);

	*dst = *pte;
	*pte = 0;
}

/* Move the mapping [old, old+len) of region r to a new region at dst. */
static int move_locked(struct vm_space *vm, struct vm_region *r, uaddr_t old, size_t len,
		       size_t new_len, uaddr_t dst)
{
	struct vm_region *n = region_new(dst, dst + new_len, r->prot, r->flags);
	struct move_ctx mc = { vm->root, old, dst, 0 };

	if (!n)
		return -ENOMEM;
	/* Every destination slot exists before anything moves: no half-moves. */
	hal_pt_walk(vm->root, old, old + len, reserve_pte, &mc);
	if (mc.err) {
		kfree(n);
		return mc.err;
	}
	region_share_pager(n, r, old);
	hal_pt_walk(vm->root, old, old + len, move_pte, &mc);
	region_link_locked(vm, n);
	return for_range(vm, old, old + len, remove_region, NULL);
}

int vm_remap(struct vm_space *vm, uaddr_t old, size_t old_len, size_t new_len, bool may_move,
	     uaddr_t *out)
{
	struct vm_region *r;
	int err = 0;

	old_len = PAGE_ROUND_UP(old_len);
	new_len = PAGE_ROUND_UP(new_len);
	if (!range_ok(old, old_len ? old_len : PAGE_SIZE) || !new_len || new_len > HAL_USER_TOP)
		return -EINVAL;
	spin_lock(&vm->lock);
	r = region_find_locked(vm, old);
	*out = old;
	if (!r || old + old_len > r->end) {
		err = -EFAULT;
	} else if (new_len <= old_len) {
		if (new_len < old_len)
			err = for_range(vm, old + new_len, old + old_len, remove_region, NULL);
	} else if (old + old_len == r->end && old + new_len <= HAL_USER_TOP &&
		   range_free_locked(vm, r->end, old + new_len)) {
		r->end = old + new_len;
	} else if (!may_move) {
		err = -ENOMEM;
	} else {
		uaddr_t dst = find_gap_locked(vm, new_len);
		err = dst ? move_locked(vm, r, old, old_len, new_len, dst) : -ENOMEM;
		if (!err)
			*out = dst;
	}
	vm->need_sync = true;
	spin_unlock(&vm->lock);
	vm_sync(vm);
	return err;
}
