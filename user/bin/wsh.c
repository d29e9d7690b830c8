/*
 * wsh: Weft's tiny interactive shell, for "make run" until busybox arrives.
 * It prints "weft$ ", reads a line from fd 0 one byte at a time and does its
 * own echo and editing, since the console has no line discipline yet:
 * printable bytes are echoed, backspace (0x7f or 0x08) erases one, Ctrl-U the
 * whole line, Ctrl-C drops it, escape sequences (arrow keys) are swallowed,
 * and '\r' or '\n' ends it ("\r\n" counts once). Ctrl-D on an empty line, or
 * end of input, leaves the shell. Lines keep at most 511 bytes; the rest is
 * dropped. Words are split on blanks. Builtins are exit, echo and help; any
 * other word is run with fork + execve, as a path when it holds a '/', else as
 * /bin/WORD, then /test/WORD, with PATH=/bin HOME=/ as runtests passes, and
 * waited for with wait4 (which also reaps orphans, as pid 1 must); a status
 * other than exit 0 is shown as "[exit N]" or "[signal N]". Reading byte by
 * byte leaves type-ahead in the console for the program that runs next. As
 * pid 1, leaving powers the machine off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "out.h"
#include "words.h"

#define LINE_LEN		   512
#define MAX_ARGS		   32
#define LINUX_REBOOT_MAGIC1	   0xfee1deadU
#define LINUX_REBOOT_MAGIC2	   672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedcU

/* One input byte: 1, or 0 at end of input or on an error. */
static int getbyte(unsigned char *c)
{
	for (;;) {
		ssize_t r = read(0, c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		return r == 1;
	}
}

/* Read and edit one line into buf (NUL-terminated); -1 means leave the shell. */
static int read_line(char *buf)
{
	static int after_cr; /* a '\n' right after '\r' is the same line end */
	size_t len = 0;
	unsigned char c;
	int esc = 0; /* 1: after ESC; 2: inside an ESC [ or ESC O sequence */

	while (getbyte(&c)) {
		int cr = after_cr;

		after_cr = c == '\r';
		if (esc == 1) {
			esc = c == '[' || c == 'O' ? 2 : 0;
		} else if (esc == 2) {
			esc = c >= 0x40 && c <= 0x7e ? 0 : 2;
		} else if (c == '\r' || c == '\n') {
			if (c == '\n' && cr && len == 0)
				continue;
			out_write("\n", 1);
			buf[len] = 0;
			return (int)len;
		} else if (c == 0x7f || c == 0x08) {
			if (len > 0) {
				len--;
				out_write("\b \b", 3);
			}
		} else if (c == 0x15) { /* Ctrl-U */
			for (; len > 0; len--)
				out_write("\b \b", 3);
		} else if (c == 0x03) { /* Ctrl-C */
			out_write("^C\n", 3);
			buf[0] = 0;
			return 0;
		} else if (c == 0x04) { /* Ctrl-D */
			if (len == 0) {
				out_write("\n", 1);
				return -1;
			}
		} else if (c == 0x1b) {
			esc = 1;
		} else if (c >= 0x20 && c < 0x7f && len < LINE_LEN - 1) {
			buf[len++] = (char)c;
			out_write((char *)&c, 1);
		}
	}
	buf[len] = 0;
	if (len)
		out_write("\n", 1);
	return len ? (int)len : -1;
}

/* Read a line with the tty in raw mode (wsh edits and echoes itself), then
 * give programs the tty back as it was. */
static int read_line_raw(char *buf)
{
	struct termios saved, raw;
	int have = tcgetattr(0, &saved) == 0, n;

	if (have) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);
		raw.c_iflag &= ~(tcflag_t)ICRNL;
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(0, TCSANOW, &raw);
	}
	n = read_line(buf);
	if (have)
		tcsetattr(0, TCSANOW, &saved);
	return n;
}

static void run(char **argv)
{
	static char *envp[] = {"PATH=/bin", "HOME=/", NULL};
	static const char *const dirs[] = {"/bin/", "/test/"};
	char path[LINE_LEN + 8];
	pid_t pid = fork();
	int st;

	if (pid < 0) {
		out_say("wsh: fork: %s\n", strerror(errno));
		return;
	}
	if (pid == 0) {
		if (strchr(argv[0], '/')) {
			execve(argv[0], argv, envp);
			out_say("wsh: %s: %s\n", argv[0], strerror(errno));
			_exit(errno == ENOENT ? 127 : 126);
		}
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			snprintf(path, sizeof(path), "%s%s", dirs[i], argv[0]);
			execve(path, argv, envp);
			if (errno != ENOENT) {
				out_say("wsh: %s: %s\n", path, strerror(errno));
				_exit(126);
			}
		}
		out_say("wsh: %s: not found\n", argv[0]);
		_exit(127);
	}
	for (;;) {
		pid_t r = wait4(-1, &st, 0, NULL);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			out_say("wsh: wait4: %s\n", strerror(errno));
			return;
		}
	}
	if (WIFSIGNALED(st))
		out_say("[signal %d]\n", WTERMSIG(st));
	else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		out_say("[exit %d]\n", WEXITSTATUS(st));
}

static void leave(int code)
{
	if (getpid() == 1) {
		sync();
		syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			LINUX_REBOOT_CMD_POWER_OFF, 0);
		out_say("wsh: power off failed: %s\n", strerror(errno));
		for (;;)
			pause();
	}
	exit(code);
}

int main(void)
{
	char line[LINE_LEN], *argv[MAX_ARGS + 1];
	int argc;

	for (;;) {
		out_write("weft$ ", 6);
		if (read_line_raw(line) < 0)
			leave(0);
		argc = split_words(line, argv, MAX_ARGS);
		if (argc == 0)
			continue;
		if (strcmp(argv[0], "exit") == 0) {
			leave(argc > 1 ? atoi(argv[1]) : 0);
		} else if (strcmp(argv[0], "echo") == 0) {
			for (int i = 1; i < argc; i++)
				out_say("%s%s", argv[i], i + 1 < argc ? " " : "");
			out_write("\n", 1);
		} else if (strcmp(argv[0], "help") == 0) {
			out_say("wsh builtins: exit [code], echo [args...], help\n"
				"Programs run by path (/test/t_misc), or by name from /bin, then "
				"/test.\n"
				"Editing: Backspace, Ctrl-U kills the line, Ctrl-C drops it, "
				"Ctrl-D on an empty line exits.\n");
		} else {
			run(argv);
		}
	}
}
