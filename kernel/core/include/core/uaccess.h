/*
 * Copying between kernel and user memory.
 *
 * A user address has its own type (uaddr_t) so it is never dereferenced by
 * accident. The copy routines first make sure every page of the user range is
 * mapped with the needed permission (faulting in lazy or copy-on-write pages), then
 * move the bytes through the kernel's direct map under the address space's lock.
 * They never panic on a bad address: they return -EFAULT and copy nothing more.
 * A page of a disk file's mapping that is not in memory yet gives -ESVC where
 * the caller may not block: the syscall then runs again in the fs service.
 * Calls that turn every failed copy into -EFAULT lose that; the syscall layer
 * asks uaccess_svc_missed() to tell such an -EFAULT from a real one.
 * Called with no spinlock held that the page-fault path might take (vm locks).
 */
#ifndef CORE_UACCESS_H
#define CORE_UACCESS_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint64_t uaddr_t;

/* Does [addr, addr+n) lie in user space? (Linux's access_ok: the range check a
 * call makes before it may block; the pages themselves are checked on copy.) */
static inline int uaccess_ok(uaddr_t addr, size_t n)
{
	return addr < 0x4000000000UL && n <= 0x4000000000UL - addr;
}

/* Forget, and ask, whether a copy on this CPU since the reset met a page only
 * the fs service can bring in (the syscall layer, around one system call). */
void uaccess_svc_reset(void);
bool uaccess_svc_missed(void);

/* Fault in [addr, addr+n) for a copy the call makes after its side effects
 * (a result copied out at the end): 0, -EFAULT, or -ESVC, which the call
 * returns before changing anything, to run again where the page can be
 * read in. */
int uaccess_prepare(uaddr_t addr, size_t n, bool write);

/* 0 or -EFAULT. */
int copy_to_user(uaddr_t dst, const void *src, size_t n);
int copy_from_user(void *dst, uaddr_t src, size_t n);
/* Copy a NUL-terminated string of at most size-1 chars: its length, -EFAULT, or
 * -ENAMETOOLONG when no NUL is found within size bytes. */
long copy_str_from_user(char *dst, uaddr_t src, size_t size);
/* Zero n bytes of user memory: 0 or -EFAULT. */
int clear_user(uaddr_t dst, size_t n);
/* Copy from user memory that is already mapped, without faulting anything in:
 * 0, or -EFAULT when a page is absent or unreadable. Takes only the address
 * space's spinlock, so it may run under a spinlock ordered before it (the
 * futex buckets). */
int copy_from_user_nofault(void *dst, uaddr_t src, size_t n);

#endif
