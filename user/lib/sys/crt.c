/*
 * The start of a freestanding native program (built -nostdlib -static, no
 * libc): the kernel enters _start with a0 pointing to a struct
 * weft_startinfo (uapi/weft/spawn.h) and sp at the top of the stack. _start
 * sets up gp, calls main(si), and ends the process with main's return value.
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
