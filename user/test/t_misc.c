/*
 * t_misc: small calls every libc makes at start-up or that tools rely on.
 * uname says "Linux"; set_tid_address returns the tid, and the main thread's
 * tid is its pid; sched_yield succeeds; the console answers TIOCGWINSZ and
 * TCGETS (when fd 1 is a terminal: always on Weft, not always under
 * qemu-user); syscall numbers nobody implements give ENOSYS. Built static-PIE.
 */
#include "t.h"

#include <sched.h>
#include <sys/ioctl.h>
#include <termios.h>

static void test_uname(void)
{
	struct utsname u;

	T_EQ(uname(&u), 0);
	T_CHECK(strcmp(u.sysname, "Linux") == 0);
	T_CHECK(strcmp(u.machine, "riscv64") == 0);
	T_CHECK(u.release[0] >= '0' && u.release[0] <= '9');
	out_say("  uname: %s %s %s %s\n", u.sysname, u.release, u.version, u.machine);
}

static void test_ids(void)
{
	int dummy;
	long tid = t_sys(SYS_set_tid_address, (long)&dummy);

	T_CHECK(tid > 0);
	T_EQ(tid, getpid());
	T_EQ(t_sys(SYS_gettid), getpid());
	T_EQ(sched_yield(), 0);
	T_EQ(t_sys(SYS_sched_yield), 0);
}

static void test_console(void)
{
	struct winsize ws;
	struct termios tio;
	int tty = t_is_weft() || isatty(1);

	if (!tty) {
		T_SKIP("fd 1 is not a terminal here");
		T_ERR(t_sys(SYS_ioctl, 1, TCGETS, (long)&tio), ENOTTY);
		return;
	}
	T_EQ(ioctl(1, TIOCGWINSZ, &ws), 0);
	T_EQ(tcgetattr(1, &tio), 0);
	T_EQ(t_sys(SYS_ioctl, 1, TCGETS, (long)&tio), 0);
	/* output post-processing turns \n into \r\n on a Linux console */
	T_CHECK(tio.c_oflag & OPOST);
}

static void test_enosys(void)
{
	/* far above Linux's asm-generic table (under 470 in 2025), below Weft's 2048 */
	static const long unused[] = {500, 600, 777, 1000, 1023};

	for (unsigned i = 0; i < sizeof(unused) / sizeof(unused[0]); i++)
		T_ERR(t_sys(unused[i], 1, 2, 3), ENOSYS);
}

int main(void)
{
	test_uname();
	test_ids();
	test_console();
	test_enosys();
	T_DONE();
}
