/*
 * t_txtbsy: ETXTBSY, Linux 6.1's text-file-busy rules. execve of a file (a
 * program or a #! script) that is open for writing fails with ETXTBSY, and
 * works once it is closed. A file that a process is executing cannot be
 * opened for writing (O_WRONLY, O_RDWR, O_TRUNC) or truncated: ETXTBSY, and
 * its size is unchanged; reading is fine. A fork child of that process keeps
 * it busy after the process itself is gone; when the last one exits, the file
 * can be written again. The program runs a copy of itself in /tmp as the
 * busy image (argv[1] "hold"). Under qemu-user the running image is the
 * emulator, not the file, so only the execve half is checked there.
 */
#include "t.h"
#include <fcntl.h>
#include <sys/stat.h>

#define COPY   "/tmp/t_txtbsy.bin"
#define SCRIPT "/tmp/t_txtbsy.sh"

/* "hold READY GO": fork a child that reports on fd READY, waits for GO to
 * close, and exits; exit at once ourselves (the child keeps the image). */
static int hold(int ready, int go)
{
	char c;
	pid_t pid = fork();

	if (pid != 0)
		return pid > 0 ? 0 : 1;
	if (write(ready, "r", 1) != 1)
		_exit(1);
	while (read(go, &c, 1) > 0)
		;
	_exit(0);
}

static int copy_file(const char *from, const char *to)
{
	char buf[4096];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;

	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	close(in);
	return close(out);
}

/* Run path in a child: its exit code, or 100 + errno if execve failed. */
static int run(const char *path)
{
	char *argv[] = {(char *)path, "probe", NULL}, *envp[] = {NULL};
	pid_t pid = fork();

	if (pid == 0) {
		execve(path, argv, envp);
		_exit(100 + errno);
	}
	return t_reap(pid);
}

static void test_exec_of_writable(void)
{
	int fd = open(SCRIPT, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	T_CHECK(fd >= 0);
	T_EQ(write(fd, "#!/bin/sh\nexit 7\n", 17), 17);
	T_EQ(run(SCRIPT), 100 + ETXTBSY);
	T_EQ(close(fd), 0);
	T_EQ(run(SCRIPT), 7);

	fd = open(COPY, O_RDWR);
	T_CHECK(fd >= 0);
	T_EQ(run(COPY), 100 + ETXTBSY);
	T_EQ(close(fd), 0);
	T_EQ(run(COPY), 2); /* runs: with one argument it exits 2 */
}

static void test_write_of_running(void)
{
	int ready[2], go[2], fd;
	struct stat st0, st1;
	char rs[16], gs[16], c;
	pid_t pid;

	T_EQ(pipe(ready), 0);
	T_EQ(pipe(go), 0);
	snprintf(rs, sizeof(rs), "%d", ready[1]);
	snprintf(gs, sizeof(gs), "%d", go[0]);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {COPY, "hold", rs, gs, NULL}, *envp[] = {NULL};
		close(go[1]);
		close(ready[0]);
		execve(COPY, argv, envp);
		_exit(100 + errno);
	}
	close(ready[1]);
	close(go[0]);
	T_EQ(read(ready[0], &c, 1), 1); /* the holder runs the copy */
	T_EQ(t_reap(pid), 0);		/* its exec'd parent is gone */
	T_EQ(stat(COPY, &st0), 0);
	T_ERR(t_sys(SYS_openat, AT_FDCWD, (long)COPY, O_WRONLY), ETXTBSY);
	T_ERR(t_sys(SYS_openat, AT_FDCWD, (long)COPY, O_RDWR), ETXTBSY);
	T_ERR(t_sys(SYS_openat, AT_FDCWD, (long)COPY, O_WRONLY | O_TRUNC), ETXTBSY);
	T_ERR(t_sys(SYS_truncate, (long)COPY, 0), ETXTBSY);
	T_EQ(stat(COPY, &st1), 0);
	T_EQ(st1.st_size, st0.st_size);
	fd = open(COPY, O_RDONLY);
	T_CHECK(fd >= 0);
	close(fd);
	close(go[1]); /* the holder exits */
	T_EQ(read(ready[0], &c, 1), 0);
	close(ready[0]);
	/* Its exit may finish just after the pipe closed: allow a moment. */
	for (int i = 0; i < 50 && (fd = open(COPY, O_WRONLY)) < 0 && errno == ETXTBSY; i++)
		t_sleep_ms(20);
	T_CHECK(fd >= 0);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		return hold(atoi(argv[2]), atoi(argv[3]));
	if (argc != 1)
		return 2;
	T_EQ(copy_file(argv[0], COPY), 0);
	test_exec_of_writable();
	if (t_qemu_user())
		T_SKIP("the running image is qemu-user's, not the file");
	else
		test_write_of_running();
	unlink(COPY);
	unlink(SCRIPT);
	T_DONE();
}
