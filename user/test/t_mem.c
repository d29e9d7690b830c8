/*
 * t_mem: the address-space calls. brk grows, shrinks and is reused; anonymous
 * private mmap is readable and writable and zero-filled; a 64 MiB mapping is
 * committed lazily (only the touched pages cost memory); touching unmapped or
 * read-only memory kills a child with SIGSEGV (seen through wait4); MAP_FIXED
 * replaces a range in place; bad arguments give EINVAL.
 */
#include "t.h"

#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PG 4096UL

static long sys_brk(unsigned long addr)
{
	return syscall(SYS_brk, addr);
}

static void test_brk(void)
{
	unsigned long start = sys_brk(0), cur;
	volatile char *p;

	T_CHECK(start != 0);
	cur = sys_brk(start + 16 * PG);
	T_EQ(cur, start + 16 * PG);
	p = (volatile char *)start;
	for (unsigned long off = 0; off < 16 * PG; off += PG)
		p[off] = (char)(off / PG + 1);
	T_EQ(p[15 * PG], 16);
	/* shrink, then grow again: the reused pages must come back zeroed */
	T_EQ(sys_brk(start + 2 * PG), start + 2 * PG);
	T_EQ(p[PG], 2);
	T_EQ(sys_brk(start + 16 * PG), start + 16 * PG);
	T_EQ(p[15 * PG], 0);
	T_EQ(p[8 * PG], 0);
	p[15 * PG] = 7;
	T_EQ(p[15 * PG], 7);
	/* a brk below the start is refused: the break stays where it was */
	T_EQ(sys_brk(start - 64 * PG), start + 16 * PG);
	T_EQ(sys_brk(start), start);
}

static void test_anon(void)
{
	unsigned char *p =
	    mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int zero = 1;

	T_CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	T_EQ((uintptr_t)p % PG, 0);
	for (unsigned long i = 0; i < 8 * PG; i++)
		zero &= p[i] == 0;
	T_CHECK(zero);
	for (unsigned long i = 0; i < 8 * PG; i++)
		p[i] = (unsigned char)(i * 7);
	T_EQ(p[5 * PG + 3], (unsigned char)((5 * PG + 3) * 7));
	T_EQ(munmap(p, 8 * PG), 0);
}

static void test_large_lazy(void)
{
	const unsigned long len = 64UL << 20;
	volatile char *p =
	    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	T_CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	/*
	 * One page per MiB: 64 pages of a 64 MiB mapping in a 256 MiB guest. If
	 * mmap committed everything up front, a few of these would run it dry.
	 */
	for (unsigned long off = 0; off < len; off += 1UL << 20)
		p[off] = 1;
	p[len - 1] = 2;
	T_EQ(p[len - 1], 2);
	T_EQ(p[32UL << 20], 1);
	T_EQ(p[(32UL << 20) + 1], 0);
	T_EQ(munmap((void *)p, len), 0);
	for (int i = 0; i < 8; i++) {
		void *q =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		T_CHECK(q != MAP_FAILED);
		if (q != MAP_FAILED) {
			((volatile char *)q)[len / 2] = 1;
			munmap(q, len);
		}
	}
}

/* Run fn in a child and return the signal that killed it (0 if it exited). */
static int killed_by(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	if (wait4(pid, &st, 0, NULL) != pid)
		return -1;
	return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void write_byte(void *p)
{
	*(volatile char *)p = 1;
}

static void read_byte(void *p)
{
	(void)*(volatile char *)p;
}

static void test_unmapped_access(void)
{
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	T_CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	p[0] = 1;
	p[2 * PG] = 1;
	/* unmap the middle two pages: the rest stays usable */
	T_EQ(munmap(p + PG, 2 * PG), 0);
	T_EQ(killed_by(read_byte, p + PG), SIGSEGV);
	T_EQ(killed_by(write_byte, p + 2 * PG), SIGSEGV);
	T_EQ(killed_by(write_byte, p), 0);
	T_EQ(killed_by(write_byte, p + 3 * PG), 0);
	T_EQ(p[0], 1);
	munmap(p, 4 * PG);
}

static void test_mprotect(void)
{
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	T_CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	p[0] = 'x';
	p[PG] = 'y';
	T_EQ(mprotect(p, PG, PROT_READ), 0);
	T_EQ(p[0], 'x');
	T_EQ(killed_by(write_byte, p), SIGSEGV);
	T_EQ(killed_by(write_byte, p + PG), 0);
	T_EQ(mprotect(p, PG, PROT_NONE), 0);
	T_EQ(killed_by(read_byte, p), SIGSEGV);
	T_EQ(mprotect(p, PG, PROT_READ | PROT_WRITE), 0);
	T_EQ(p[0], 'x');
	p[0] = 'z';
	T_EQ(p[0], 'z');
	munmap(p, 2 * PG);
}

static void test_fixed(void)
{
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q;

	T_CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	memset(p, 'a', 4 * PG);
	/* replace page 1 in place: new contents are zero, neighbours untouched */
	q = mmap(p + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		 0);
	T_EQ((uintptr_t)q, (uintptr_t)(p + PG));
	T_EQ(p[PG], 0);
	T_EQ(p[0], 'a');
	T_EQ(p[2 * PG], 'a');
	munmap(p, 4 * PG);
}

static void test_bad_args(void)
{
	/* length 0, unaligned MAP_FIXED address, neither SHARED nor PRIVATE */
	T_ERR(t_sys(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	T_EQ((long)mmap((void *)0x10000123, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			-1, 0),
	     (long)MAP_FAILED);
	T_EQ(errno, EINVAL);
	T_EQ((long)mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), (long)MAP_FAILED);
	T_EQ(errno, EINVAL);
	T_ERR(t_sys(SYS_munmap, 0x10000123, PG), EINVAL);
	T_ERR(t_sys(SYS_mprotect, 0x10000123, PG, PROT_READ), EINVAL);
}

int main(void)
{
	test_brk();
	test_anon();
	test_large_lazy();
	test_unmapped_access();
	test_mprotect();
	test_fixed();
	test_bad_args();
	T_DONE();
}
