/*
 * User copies (contract in uaccess.h). Each page of the range is checked in the
 * current thread's page table and faulted in through vm_fault when absent or
 * not yet writable, before any byte moves.
 *
 * copy_to_user, copy_from_user and clear_user then move the bytes through the
 * kernel's direct map, page by page under vm->lock, like vm_write: the lock
 * keeps each page from being freed (an unmap frees pages only after vm_sync,
 * which runs after it dropped the lock), and a page that vanished meanwhile is
 * -EFAULT. Strings are copied the same way. This avoids toggling sstatus.SUM,
 * on which QEMU flushes its whole software TLB (about 5 us per copy under
 * TCG); the kernel never turns user access on.
 */
#include <core/uaccess.h>
#include <core/vm.h>
#include <core/sched.h>
#include <weft/errno.h>

/* Per CPU: a copy of the system call running here met a page that only the
 * fs service can bring in (-ESVC). A user thread's call never leaves its CPU
 * before it returns, so the flag is the call's (uaccess_svc_*). */
static bool svc_missed[NCPU_MAX];

void uaccess_svc_reset(void)
{
	svc_missed[this_cpu()->id] = false;
}

bool uaccess_svc_missed(void)
{
	return svc_missed[this_cpu()->id];
}

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
		if (err == -ESVC)
			svc_missed[this_cpu()->id] = true; /* retry in the fs service */
		if (err)
			return err == -ESVC ? err : -EFAULT;
	}
	return 0;
}

int uaccess_prepare(uaddr_t addr, size_t n, bool write)
{
	return n ? prefault(addr, n, write ? VM_W : VM_R) : 0;
}

enum dir { TO_USER, FROM_USER, ZERO_USER };

/* The kernel address of the user page at va (page-aligned), if it is mapped
 * with access; NULL if not. Under vm->lock, which keeps the page alive. */
static char *page_kva_locked(struct vm_space *vm, uaddr_t va, unsigned access)
{
	pte_t *pte = hal_pt_lookup(vm->root, va, false);

	if (!pte || !hal_pte_present(*pte) || (hal_pte_prot(*pte) & access) != access)
		return NULL;
	return (char *)hal_pa_to_kva(hal_pte_pa(*pte));
}

/* Move n bytes between user range [uaddr, +n) (already prefaulted) and kbuf
 * through the direct map. 0, or -EFAULT if a page is no longer mapped with
 * the access needed (bytes of earlier pages have moved). */
static int copy_direct(uaddr_t uaddr, void *kbuf, size_t n, enum dir d)
{
	struct vm_space *vm = current()->vm;
	unsigned access = d == FROM_USER ? VM_R : VM_W;
	char *k = kbuf;

	while (n) {
		uaddr_t va = uaddr & PAGE_MASK;
		size_t off = uaddr - va, chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n;
		int err = 0;

		spin_lock(&vm->lock);
		char *u = page_kva_locked(vm, va, access);
		if (u) {
			u += off;
			if (d == TO_USER)
				__builtin_memcpy(u, k, chunk);
			else if (d == FROM_USER)
				__builtin_memcpy(k, u, chunk);
			else
				__builtin_memset(u, 0, chunk);
		} else {
			err = -EFAULT;
		}
		spin_unlock(&vm->lock);
		if (err)
			return err;
		uaddr += chunk;
		if (k)
			k += chunk;
		n -= chunk;
	}
	return 0;
}

int copy_to_user(uaddr_t dst, const void *src, size_t n)
{
	if (!n)
		return 0;
	int err = prefault(dst, n, VM_W);

	return err ? err : copy_direct(dst, (void *)src, n, TO_USER);
}

int copy_from_user(void *dst, uaddr_t src, size_t n)
{
	if (!n)
		return 0;
	int err = prefault(src, n, VM_R);

	return err ? err : copy_direct(src, dst, n, FROM_USER);
}

int clear_user(uaddr_t dst, size_t n)
{
	if (!n)
		return 0;
	int err = prefault(dst, n, VM_W);

	return err ? err : copy_direct(dst, NULL, n, ZERO_USER);
}

int copy_from_user_nofault(void *dst, uaddr_t src, size_t n)
{
	struct thread *t = current();

	if (!t || !t->vm || !uaccess_ok(src, n))
		return -EFAULT;
	return copy_direct(src, dst, n, FROM_USER);
}

/* Copy at most n bytes of the string at user va (already prefaulted, within
 * one page) into k, stopping after a NUL: the bytes copied before the NUL (n
 * when there is none), or -EFAULT if the page is no longer readable. */
static long strcopy_direct(uaddr_t va, char *k, size_t n)
{
	struct vm_space *vm = current()->vm;
	long len = -EFAULT;

	spin_lock(&vm->lock);
	const char *u = page_kva_locked(vm, va & PAGE_MASK, VM_R);
	if (u) {
		u += va & ~PAGE_MASK;
		for (len = 0; (size_t)len < n; len++)
			if ((k[len] = u[len]) == 0)
				break;
	}
	spin_unlock(&vm->lock);
	return len;
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
		len = strcopy_direct(at, dst + done, chunk);
		if (len < 0)
			return len;
		done += (size_t)len;
		if ((size_t)len < chunk)
			return (long)done;	/* the NUL is copied */
	}
	return -ENAMETOOLONG;
}
