/*
 * runtests: the in-guest test runner, meant to run as init (init=/bin/runtests).
 * It reads /test/manifest (one test per line: the program's path, then its
 * arguments; '#' starts a comment), and for each test prints "[RUN] name",
 * forks, execs it with PATH=/bin HOME=/, waits, and prints "[PASS] name" or
 * "[FAIL] name (exit N)" / "(signal N)". The name is the line without its
 * "/test/" prefix. An optional first argument keeps only the tests whose name
 * contains it; a first argument "@NAME" reads /test/manifest.NAME instead
 * (suites that need a particular machine, such as attached disks), and a
 * filter may follow it. The last line is "weft-tests: N passed, N failed"; then, as
 * pid 1, it powers the machine off with reboot(2).
 *
 * As pid 1 it also reaps orphans that tests leave behind. When it starts with
 * no console on fd 1 (a Linux kernel booting an initramfs that has no
 * /dev/console), it mounts devtmpfs on /dev and opens the console itself, so
 * the same initrd can be cross-checked on Linux. For host runs under
 * qemu-user (user/test/qemu-user.sh), WEFT_TEST_ROOT=dir in the environment
 * prefixes every path, and WEFT_QEMU_USER is passed on to the tests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "out.h"
#include "words.h"

#define MANIFEST		   "/test/manifest"
#define MAX_ARGS		   16
#define LINUX_REBOOT_MAGIC1	   0xfee1deadU
#define LINUX_REBOOT_MAGIC2	   672274793
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedcU

static const char *root = "";
static int qemu_user; /* pass WEFT_QEMU_USER=1 on to the tests */

static void ensure_console(void)
{
	struct stat st;
	int fd;

	if (fstat(1, &st) == 0)
		return;
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* Read the whole manifest (suffix "" or ".NAME") into a NUL-terminated heap
 * buffer. */
static char *read_manifest(const char *suffix)
{
	char path[512];
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	int fd;

	snprintf(path, sizeof(path), "%s%s%s", root, MANIFEST, suffix);
	fd = open(path, O_RDONLY);
	if (fd < 0 || !buf) {
		out_say("runtests: cannot open %s (errno %d)\n", path, errno);
		return NULL;
	}
	for (;;) {
		ssize_t r;
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += r;
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

/* Wait for pid, reaping (and ignoring) any orphan that exits meanwhile. */
static int wait_test(pid_t pid)
{
	int st;

	for (;;) {
		pid_t r = wait4(-1, &st, 0, NULL);
		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int run_one(const char *name, char **argv)
{
	static char *envp[] = {"PATH=/bin", "HOME=/", NULL, NULL};
	char path[512];
	pid_t pid;
	int st;

	snprintf(path, sizeof(path), "%s%s", root, argv[0]);
	out_say("[RUN] %s\n", name);
	pid = fork();
	if (pid < 0) {
		out_say("[FAIL] %s (fork: errno %d)\n", name, errno);
		return 0;
	}
	if (pid == 0) {
		if (qemu_user)
			envp[2] = "WEFT_QEMU_USER=1";
		argv[0] = path;
		execve(path, argv, envp);
		out_say("runtests: execve %s: errno %d\n", path, errno);
		_exit(127);
	}
	st = wait_test(pid);
	if (st == -1) {
		out_say("[FAIL] %s (wait4: errno %d)\n", name, errno);
		return 0;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		out_say("[PASS] %s\n", name);
		return 1;
	}
	if (WIFSIGNALED(st))
		out_say("[FAIL] %s (signal %d)\n", name, WTERMSIG(st));
	else
		out_say("[FAIL] %s (exit %d)\n", name, WEXITSTATUS(st));
	return 0;
}

static void power_off(void)
{
	sync();
	syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF,
		0);
	out_say("runtests: power off failed (errno %d)\n", errno);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;
	char *manifest, suffix[64] = "";

	if (filter && filter[0] == '@') {
		snprintf(suffix, sizeof(suffix), ".%s", filter + 1);
		filter = argc > 2 ? argv[2] : NULL;
	}
	ensure_console();
	if (getenv("WEFT_TEST_ROOT"))
		root = getenv("WEFT_TEST_ROOT");
	if (getenv("WEFT_QEMU_USER"))
		qemu_user = 1;
	out_say("runtests: pid %d%s%s\n", getpid(), filter ? ", filter " : "",
		filter ? filter : "");
	manifest = read_manifest(suffix);
	if (!manifest)
		failed++;
	for (char *line = manifest ? strtok(manifest, "\n") : NULL; line;
	     line = strtok(NULL, "\n")) {
		char name[256], *args[MAX_ARGS + 1];
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		/* the name: the line itself, trimmed, without the /test/ prefix */
		while (*line == ' ' || *line == '\t')
			line++;
		size_t len = strlen(line);
		while (len &&
		       (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (!len)
			continue;
		snprintf(name, sizeof(name), "%s",
			 strncmp(line, "/test/", 6) == 0 ? line + 6 : line);
		if (filter && !strstr(name, filter))
			continue;
		split_words(line, args, MAX_ARGS);
		if (run_one(name, args))
			passed++;
		else
			failed++;
	}
	out_say("weft-tests: %d passed, %d failed\n", passed, failed);
	if (getpid() == 1)
		power_off();
	return failed ? 1 : 0;
}
