/*
 * User copies (contract in uaccess.h). Each page of the range is checked in the
 * current thread's page table and faulted in through vm_fault when absent or
 * not yet writable, before any byte moves; then the arch routine copies with
 * user access on, and recovers (-EFAULT) if a concurrent unmap races with it.
 */
#include <core/uaccess.h>
#include <core/vm.h>
#include <core/sched.h>
#include <weft/errno.h>

static int prefault(uaddr_t addr, size_t n, unsigned access)
{
	struct thread *t = current();
	struct vm_space *vm = t ? t->vm : NULL;

	if (!vm || addr >= HAL_USER_TOP || n > HAL_USER_TOP - addr)
		return -EFAULT;
	for (uaddr_t va = addr & PAGE_MASK; va < addr + n; va += PAGE_SIZE) {
		pte_t *pte = hal_pt_lookup(vm->root, va, false);
		if (pte && hal_pte_present(*pte) && (hal_pte_prot(*pte) & access) == access)
			continue;
		int err = vm_fault(vm, va, access);
		if (err)
			return err == -ESVC ? err : -EFAULT; /* -ESVC: retry in the fs service */
	}
	return 0;
}

int copy_to_user(uaddr_t dst, const void *src, size_t n)
{
	if (!n)
		return 0;
	int err = prefault(dst, n, VM_W);

	return err ? err : hal_user_copy((void *)dst, src, n);
}

int copy_from_user(void *dst, uaddr_t src, size_t n)
{
	if (!n)
		return 0;
	int err = prefault(src, n, VM_R);

	return err ? err : hal_user_copy(dst, (const void *)src, n);
}

int clear_user(uaddr_t dst, size_t n)
{
	if (!n)
		return 0;
	int err = prefault(dst, n, VM_W);

	return err ? err : hal_user_set((void *)dst, 0, n);
}

long copy_str_from_user(char *dst, uaddr_t src, size_t size)
{
	size_t done = 0;

	while (done < size) {
		uaddr_t at = src + done;
		size_t chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));
		long len;

		if (chunk > size - done)
			chunk = size - done;
		int err = prefault(at, chunk, VM_R);
		if (err)
			return err;
		len = hal_user_strnlen((const void *)at, chunk);
		if (len < 0)
			return -EFAULT;
		if (hal_user_copy(dst + done, (const void *)at, (unsigned long)len) < 0)
			return -EFAULT;
		done += (size_t)len;
		if ((size_t)len < chunk) {
			dst[done] = 0;
			return (long)done;
		}
	}
	return -ENAMETOOLONG;
}
