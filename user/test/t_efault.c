/*
 * t_efault: every user pointer a syscall touches is checked. A pointer into
 * the first page, into the kernel's half of the address space, or to nothing
 * gives -EFAULT, and the caller carries on as if nothing happened. Raw
 * syscall() is used so no libc wrapper touches the pointer first. Good
 * pointers into pages of the program's own file that were never touched
 * (read-only data, initialised data) work, also when the program runs from a
 * disk whose pages must first be read in.
 */
#include "t.h"

#include <signal.h>
#include <sys/mman.h>
#include <time.h>

#define KADDR 0xffffffc000000000L

static const char *null_argv[] = {"x", NULL};

/* Each alone on pages of the executable's file that nothing else touches. */
static const unsigned long ro_mask[2048] __attribute__((aligned(4096))) = {[1024] = 1UL << 9};
static long rw_page[1536] __attribute__((aligned(4096))) = {7};

/* The kernel reads and writes untouched file pages of this program. */
static void test_untouched_file_pages(void)
{
	unsigned long old[2] = {0, 0};

	/* a signal set (SIGUSR1) in read-only data, a result into data */
	T_EQ(t_sys(SYS_rt_sigprocmask, SIG_BLOCK, (long)&ro_mask[1024], (long)old, 8), 0);
	T_EQ(t_sys(SYS_rt_sigprocmask, SIG_SETMASK, (long)old, 0, 8), 0);
	T_EQ(t_sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&rw_page[512]), 0);
	T_CHECK(rw_page[512] || rw_page[513]);
	/* the old mask, copied out after the change, is the one before it */
	T_EQ(t_sys(SYS_rt_sigprocmask, SIG_BLOCK, (long)&ro_mask[1024], (long)&rw_page[1024], 8),
	     0);
	T_EQ(rw_page[1024] & (1L << 9), 0);
	T_EQ(t_sys(SYS_rt_sigprocmask, SIG_SETMASK, (long)old, 0, 8), 0);
	T_EQ(rw_page[0], 7); /* the rest of the page is the file's */
}

int main(void)
{
	struct timespec ts = {0, 1000};
	volatile int alive = 0;

	test_untouched_file_pages();
	T_ERR(t_sys(SYS_write, 1, 1, 10), EFAULT);
	T_ERR(t_sys(SYS_write, 1, KADDR, 10), EFAULT);
	T_ERR(t_sys(SYS_read, 0, KADDR, 10), EFAULT);
	T_ERR(t_sys(SYS_clock_gettime, CLOCK_MONOTONIC, 8), EFAULT);
	T_ERR(t_sys(SYS_uname, 16), EFAULT);
	T_ERR(t_sys(SYS_uname, 0), EFAULT);
	if (t_qemu_user()) {
		T_SKIP("qemu-user's nanosleep does not check its pointer (Linux: EFAULT)");
	} else {
		T_ERR(t_sys(SYS_nanosleep, 8, 0), EFAULT);
		T_ERR(t_sys(SYS_nanosleep, KADDR, 0), EFAULT);
	}
	T_ERR(t_sys(SYS_execve, 8, (long)null_argv, 0), EFAULT);
	T_ERR(t_sys(SYS_execve, KADDR, (long)null_argv, 0), EFAULT);
	T_ERR(t_sys(SYS_openat, -100, 8, 0), EFAULT);
	/* buffers that start in a mapped page and run into an unmapped one */
	char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED) {
		T_EQ(munmap(p + 4096, 4096), 0);
		T_ERR(t_sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)(p + 4096 - 8)), EFAULT);
		T_ERR(t_sys(SYS_uname, (long)(p + 4096 - 100)), EFAULT);
		T_ERR(t_sys(SYS_write, 1, (long)(p + 4096 - 4), 8), EFAULT);
		T_EQ(t_sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)(p + 4096 - 16)), 0);
	}
	/* the process is intact and syscalls still work */
	alive = 1;
	T_EQ(alive, 1);
	T_EQ(t_sys(SYS_nanosleep, (long)&ts, 0), 0);
	T_EQ(t_sys(SYS_write, 1, (long)"  still alive\n", 14), 14);
	T_DONE();
}
