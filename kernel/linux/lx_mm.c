/*
 * Memory syscalls: brk, mmap (anonymous, private or shared), munmap, mprotect,
 * madvise. File mappings come with the Linux VFS work; until then they are
 * refused with ENODEV, as Linux does for files that cannot be mapped.
 */
#include <linux/lx.h>

#define LX_PROT_READ  0x1
#define LX_PROT_WRITE 0x2
#define LX_PROT_EXEC  0x4
#define LX_MAP_SHARED    0x01
#define LX_MAP_PRIVATE   0x02
#define LX_MAP_FIXED     0x10
#define LX_MAP_ANONYMOUS 0x20
#define LX_MAP_FIXED_NOREPLACE 0x100000

static unsigned prot_of(unsigned long p)
{
	return ((p & LX_PROT_READ) ? VM_R : 0) | ((p & LX_PROT_WRITE) ? VM_W : 0) |
	       ((p & LX_PROT_EXEC) ? VM_X : 0);
}

long lx_sys_brk(struct thread *t, const unsigned long *a)
{
	return (long)vm_brk(t->vm, a[0]);
}

long lx_sys_mmap(struct thread *t, const unsigned long *a)
{
	uaddr_t addr = a[0];
	size_t len = a[1];
	unsigned long prot = a[2], flags = a[3];
	unsigned vflags = 0;
	int type = flags & 3, err;

	if (!len || (prot & ~7UL) || (type != LX_MAP_SHARED && type != LX_MAP_PRIVATE))
		return -EINVAL;
	if ((a[5] & (PAGE_SIZE - 1)) || len > HAL_USER_TOP)
		return -EINVAL;
	if (!(flags & LX_MAP_ANONYMOUS))
		return (int)a[4] < 0 ? -EBADF : -ENODEV;
	if (type == LX_MAP_SHARED)
		vflags |= VM_SHARED;
	if (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE_SIZE - 1))
			return -EINVAL;
		vflags |= VM_FIXED;
	}
	err = vm_map(t->vm, &addr, len, prot_of(prot), vflags);
	return err ? err : (long)addr;
}

long lx_sys_munmap(struct thread *t, const unsigned long *a)
{
	return vm_unmap(t->vm, a[0], a[1]);
}

long lx_sys_mprotect(struct thread *t, const unsigned long *a)
{
	if (a[2] & ~7UL)
		return -EINVAL;
	if (!a[1])
		return (a[0] & (PAGE_SIZE - 1)) ? -EINVAL : 0;
	return vm_protect(t->vm, a[0], a[1], prot_of(a[2]));
}

long lx_sys_madvise(struct thread *t, const unsigned long *a)
{
	/* Advice only: accepted and ignored, as Linux may. */
	return (a[0] & (PAGE_SIZE - 1)) ? -EINVAL : 0;
}
