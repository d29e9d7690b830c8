/*
 * t_fault: user faults become signals, never kernel trouble. Children that
 * dereference NULL, execute an illegal instruction, write to their own text,
 * or jump into kernel addresses are killed by SIGSEGV, SIGILL, SIGSEGV and
 * SIGSEGV; the parent sees each through wait4 and carries on.
 */
#include "t.h"

#include <signal.h>
#include <sys/wait.h>

static void deref_null(void)
{
	volatile int *p = NULL;

	*p = 1;
}

static void illegal(void)
{
	__asm__ volatile(".word 0");
}

static void write_text(void)
{
	volatile unsigned char *p = (volatile unsigned char *)(unsigned long)&deref_null;

	*p = 0;
}

static void jump_kernel(void)
{
	void (*fn)(void) = (void (*)(void))0xffffffc000200000UL;

	__asm__ volatile("" : "+r"(fn));
	fn();
}

static void read_kernel(void)
{
	(void)*(volatile long *)0xffffffc000200000UL;
}

static void jump_null(void)
{
	void (*fn)(void) = NULL;

	__asm__ volatile("" : "+r"(fn));
	fn();
}

/* clang-format off */
static const struct {
	const char *name;
	void (*fn)(void);
	int sig;
} cases[] = {
	{"null dereference", deref_null, SIGSEGV},
	{"illegal instruction", illegal, SIGILL},
	{"write to text", write_text, SIGSEGV},
	{"jump to kernel", jump_kernel, SIGSEGV},
	{"read kernel memory", read_kernel, SIGSEGV},
	{"jump to NULL", jump_null, SIGSEGV},
};
/* clang-format on */

int main(void)
{
	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			pid_t pid = fork();
			int st = 0;

			if (pid == 0) {
				cases[i].fn();
				_exit(0);
			}
			T_EQ(wait4(pid, &st, 0, NULL), pid);
			T_CHECK(WIFSIGNALED(st));
			if (WIFSIGNALED(st) && WTERMSIG(st) != cases[i].sig)
				out_say("  %s: signal %d, want %d\n", cases[i].name, WTERMSIG(st),
				      cases[i].sig);
			T_EQ(WIFSIGNALED(st) ? WTERMSIG(st) : -1, cases[i].sig);
		}
	}
	T_DONE();
}
