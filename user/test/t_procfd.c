/*
 * t_procfd: /proc/<pid>/fd/<n>. readlink gives the path of a regular file
 * (created, or opened by an existing name), of a directory and of a device,
 * and "pipe:[ino]" for a pipe (ino as fstat reports). Opening the link opens
 * what the descriptor refers to: for a file, a new open file description
 * (its own offset and access mode); for a pipe, a new end of the same pipe
 * (data written through it comes out of the old read end, and end of file
 * waits for it to close too). O_NOFOLLOW gives ELOOP, a closed descriptor
 * ENOENT. Works on Weft and on Linux (qemu-user).
 */
#include "t.h"

#include <fcntl.h>
#include <sys/stat.h>

#define DIR "/tmp/t_procfd.d"

static char link_buf[256];

static const char *link_of(int fd)
{
	char path[64];
	long n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link_buf, sizeof(link_buf) - 1);
	link_buf[n < 0 ? 0 : n] = 0;
	return link_buf;
}

static int reopen(int fd, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, flags);
}

static void test_names(void)
{
	int f = open(DIR "/file", O_CREAT | O_RDWR | O_TRUNC, 0600), g, d, n, p[2];
	char want[64];
	struct stat st;

	T_CHECK(f >= 0);
	T_CHECK(strcmp(link_of(f), DIR "/file") == 0);
	T_EQ(write(f, "abcdef", 6), 6);
	close(f);
	g = open(DIR "/file", O_RDONLY);
	T_CHECK(strcmp(link_of(g), DIR "/file") == 0);
	d = open(DIR, O_RDONLY | O_DIRECTORY);
	T_CHECK(strcmp(link_of(d), DIR) == 0);
	n = open("/dev/null", O_WRONLY);
	T_CHECK(strcmp(link_of(n), "/dev/null") == 0);
	T_EQ(pipe(p), 0);
	T_EQ(fstat(p[0], &st), 0);
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	T_CHECK(strcmp(link_of(p[0]), want) == 0);
	T_CHECK(strcmp(link_of(p[1]), want) == 0);
	close(g);
	close(d);
	close(n);
	close(p[0]);
	close(p[1]);
}

static void test_reopen_file(void)
{
	int f = open(DIR "/file", O_RDONLY), g, d;
	char buf[8] = "";

	T_CHECK(f >= 0);
	T_EQ(read(f, buf, 3), 3);
	g = reopen(f, O_RDWR);
	T_CHECK(g >= 0 && g != f);
	T_EQ(fcntl(g, F_GETFL) & O_ACCMODE, O_RDWR);
	T_EQ(fcntl(f, F_GETFL) & O_ACCMODE, O_RDONLY);
	T_EQ(read(g, buf, 3), 3); /* its own offset: from the start */
	T_CHECK(memcmp(buf, "abc", 3) == 0);
	T_EQ(read(f, buf, 3), 3);
	T_CHECK(memcmp(buf, "def", 3) == 0);
	T_EQ(lseek(g, 0, SEEK_SET), 0);
	T_EQ(write(g, "X", 1), 1);
	T_EQ(pread(f, buf, 1, 0), 1);
	T_EQ(buf[0], 'X');
	d = open(DIR, O_RDONLY | O_DIRECTORY);
	T_CHECK(reopen(d, O_RDONLY | O_DIRECTORY) >= 0);
	T_ERR(t_sys(SYS_openat, AT_FDCWD, (long)"/proc/self/fd/0", O_RDONLY | O_NOFOLLOW, 0),
	      ELOOP);
	T_ERR(t_sys(SYS_openat, AT_FDCWD, (long)"/proc/self/fd/987", O_RDONLY, 0), ENOENT);
	close(g);
	close(f);
}

static void test_reopen_pipe(void)
{
	int p[2], w2, r2;
	char buf[16] = "";

	T_EQ(pipe(p), 0);
	w2 = reopen(p[1], O_WRONLY);
	T_CHECK(w2 >= 0);
	r2 = reopen(p[0], O_RDONLY | O_NONBLOCK);
	T_CHECK(r2 >= 0);
	close(p[1]);
	T_EQ(write(w2, "via-proc", 8), 8);
	T_EQ(read(r2, buf, 3), 3); /* the same pipe through the other read end */
	T_CHECK(memcmp(buf, "via", 3) == 0);
	T_EQ(read(p[0], buf, sizeof(buf)), 5);
	T_CHECK(memcmp(buf, "-proc", 5) == 0);
	T_ERR(t_sys(SYS_read, r2, (long)buf, 1), EAGAIN); /* w2 still writes */
	close(w2);
	T_EQ(read(p[0], buf, sizeof(buf)), 0);
	close(r2);
	close(p[0]);
}

int main(void)
{
	mkdir(DIR, 0700);
	test_names();
	test_reopen_file();
	test_reopen_pipe();
	unlink(DIR "/file");
	rmdir(DIR);
	T_DONE();
}
