/*
 * t_ttyjob: job-control signals on the terminal. In a session of its own
 * with the terminal as controlling tty, a background process group that
 * reads it is stopped by SIGTTIN (EIO if it ignores SIGTTIN, EINTR if a
 * handler runs); writing is allowed until TOSTOP is set, then SIGTTOU stops
 * the writer unless it blocks SIGTTOU; tcsetpgrp from the background gets
 * SIGTTOU, or goes ahead when SIGTTOU is ignored. Works on Weft (the console)
 * and on Linux (run it on a pty: script -qc 'qemu-riscv64-static t_ttyjob').
 */
#include "t.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

static int tty = -1;

static volatile sig_atomic_t hits;

static void on_sig(int sig)
{
	(void)sig;
	hits++;
}

/* Run fn in a background process group; the child's wait status. */
static int in_background(int (*fn)(void))
{
	int st = -1;
	pid_t c = fork();

	if (c == 0) {
		setpgid(0, 0);
		_exit(fn());
	}
	setpgid(c, c);
	if (waitpid(c, &st, WUNTRACED) != c)
		return -1;
	if (WIFSTOPPED(st)) {
		int ignored;
		kill(c, SIGKILL);
		waitpid(c, &ignored, 0);
	}
	return st;
}

static int bg_read(void)
{
	char c;

	return (int)-t_sys(SYS_read, tty, (long)&c, 1); /* not reached if stopped */
}

static int bg_read_ignoring(void)
{
	signal(SIGTTIN, SIG_IGN);
	return bg_read();
}

static int bg_read_handled(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sig;
	sigaction(SIGTTIN, &sa, NULL);
	return bg_read() == EINTR && hits == 1 ? 0 : 1;
}

static int bg_write(void)
{
	return t_sys(SYS_write, tty, (long)"\n", 1) == 1 ? 0 : 1;
}

static int bg_write_blocking_ttou(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTTOU);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return bg_write();
}

static int bg_setpgrp(void)
{
	return tcsetpgrp(tty, getpgrp()) == 0 ? 0 : 1;
}

static int bg_setpgrp_ignoring(void)
{
	signal(SIGTTOU, SIG_IGN);
	return tcsetpgrp(tty, getpgrp()) == 0 && tcgetpgrp(tty) == getpgrp() ? 0 : 1;
}

static int stopped_by(int st, int sig)
{
	return WIFSTOPPED(st) && WSTOPSIG(st) == sig;
}

static int exited(int st, int code)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == code;
}

static void session(void)
{
	struct termios saved, tio;

	T_EQ(tcgetattr(tty, &saved), 0);
	tio = saved;
	tio.c_lflag &= ~(tcflag_t)TOSTOP;
	T_EQ(tcsetattr(tty, TCSANOW, &tio), 0);
	T_EQ(tcgetpgrp(tty), getpgrp());

	T_CHECK(stopped_by(in_background(bg_read), SIGTTIN));
	T_CHECK(exited(in_background(bg_read_ignoring), EIO));
	T_CHECK(exited(in_background(bg_read_handled), 0));
	T_CHECK(exited(in_background(bg_write), 0)); /* TOSTOP clear */
	tio.c_lflag |= TOSTOP;
	T_EQ(tcsetattr(tty, TCSANOW, &tio), 0);
	T_CHECK(stopped_by(in_background(bg_write), SIGTTOU));
	T_CHECK(exited(in_background(bg_write_blocking_ttou), 0));
	tio.c_lflag &= ~(tcflag_t)TOSTOP;
	T_EQ(tcsetattr(tty, TCSANOW, &tio), 0);
	T_CHECK(stopped_by(in_background(bg_setpgrp), SIGTTOU));
	T_EQ(tcgetpgrp(tty), getpgrp());
	T_CHECK(exited(in_background(bg_setpgrp_ignoring), 0));
	T_CHECK(tcgetpgrp(tty) != getpgrp());
	/* Now we are the background: take the terminal back as a shell does. */
	signal(SIGTTOU, SIG_IGN);
	T_EQ(tcsetpgrp(tty, getpgrp()), 0);
	T_EQ(tcgetpgrp(tty), getpgrp());
	signal(SIGTTOU, SIG_DFL);
	T_EQ(tcsetattr(tty, TCSANOW, &saved), 0);
}

int main(void)
{
	const char *path = isatty(0) && ttyname(0) ? ttyname(0) : "/dev/console";
	int st = -1;
	char name[128];
	pid_t c;

	strncpy(name, path, sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	c = fork();
	if (c == 0) {
		T_CHECK(setsid() > 0);
		tty = open(name, O_RDWR);
		T_CHECK(tty >= 0);
		T_EQ(ioctl(tty, TIOCSCTTY, 1), 0);
		session();
		signal(SIGHUP, SIG_IGN); /* a leader giving up its tty hangs up its group */
		ioctl(tty, TIOCNOTTY);
		_exit(t_failures ? 1 : 0);
	}
	T_EQ(waitpid(c, &st, 0), c);
	T_CHECK(exited(st, 0));
	T_DONE();
}
