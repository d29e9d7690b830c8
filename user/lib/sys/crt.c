/*
 * The start of a freestanding native program (built -nostdlib -static, no
 * libc): the kernel enters _start with a0 pointing to a struct
 * weft_startinfo (uapi/weft/spawn.h) and sp at the top of the stack. _start
 * sets up gp, calls main(si), and ends the process with main's return value.
 * weft_thread_start runs fn(arg) in a new thread that ends when fn returns.
 * The memory functions gcc may call come from lib/string.c (user/build.mk
 * links it into every native program).
 */
#include <weft/sys.h>

int main(const struct weft_startinfo *si);

__attribute__((noreturn, used)) void weft_start_c(const struct weft_startinfo *si)
{
	weft_process_exit(main(si));
	for (;;)
		weft_process_exit(127); /* not reached: exit returns only to lose a race */
}

__asm__(".section .text._start\n"
	".globl _start\n"
	"_start:\n"
	".option push\n"
	".option norelax\n"
	"	la gp, __global_pointer$\n"
	".option pop\n"
	"	andi sp, sp, -16\n"
	"	call weft_start_c\n");

/* What weft_thread_start leaves at the top of the new thread's stack. */
struct thread_start {
	void (*fn)(void *);
	void *arg;
};

static void __attribute__((noreturn)) thread_entry(void *p)
{
	struct thread_start *ts = p;

	ts->fn(ts->arg);
	for (;;)
		weft_thread_exit();
}

long weft_thread_start(void (*fn)(void *), void *arg, void *stack, size_t size)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	struct thread_start *ts = (struct thread_start *)(top - 16);

	ts->fn = fn;
	ts->arg = arg;
	return weft_thread_create(thread_entry, ts, ts);
}
